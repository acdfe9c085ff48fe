"""The one thing every strategy does: look at what it has seen and choose a move.

``Bot`` is all the server needs: asked now and then, it moves or waits. A ``Planner``
also says, when it waits, until when (``negotiator.Wait``), so that a bot match can
jump over the seconds in which nothing can happen instead of asking every second. A
Planner may also promise a ``reaction`` (seconds): after news (an event that is not
its own) it moves only to answer a pending break or extension request until that much
time has passed, so a bot match need not ask it in the meantime. And it may promise to
``await_answer``: after its own offer, in a game of alternating turns that closes by
accepting, it does nothing until news (the turn is the other side's, and the offer on
the table is its own), so a bot match does not ask it until then. It may promise a
``pace_of(seen)`` too: after its own offer, with free turns and closing by accepting,
it does nothing for that long while its offer stands and nothing else happens. And a
``Wait`` it returns may be a ``WaitThen``: the move ``plan`` will return if asked
without news from ``after`` until ``before``, which a bot match plays without asking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from zopa.rules.actions import Action
from zopa.rules.bots.seen import Seen

if TYPE_CHECKING:
    from zopa.rules.bots.negotiator import Plan


class Bot(Protocol):
    @property
    def name(self) -> str: ...

    def decide(self, seen: Seen) -> Action | None:
        """A player action for ``seen.role``, or ``None`` to wait."""
        ...


@runtime_checkable
class Planner(Protocol):
    @property
    def name(self) -> str: ...

    def decide(self, seen: Seen) -> Action | None: ...

    def plan(self, seen: Seen) -> Plan:
        """The move ``decide`` would make, or how long nothing will change without news."""
        ...
