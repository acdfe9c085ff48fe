"""The facilitator stepping in, and a walkout that can be taken back: the rules' side.

Words from outside the pair (``message``): the facilitator's message or hint to one
game, or the seated mediator's chat. Both players see them; they change nothing at the
table. The mediator's seat (``mediator``) is a third party's: no card, no points, no
turn; while seated the mediator may chat and make non-binding suggestions
(``mediator_suggest``), as a player's ``suggest``.

A walkout with ``protocol.walkout_window`` above 0 does not end the game at once: both
clocks stop and for that many seconds the side that walked out may ask to come back
(``return_request``); the other side agrees (``return_accept``: the game goes on where
it was) or declines (``return_decline``: the game ends now). When the window closes
the rules end the game (a ``timeout`` of ``what: "walkout"``); nothing is scored before
that. Meanwhile the table is closed: offers, answers and requests are refused with
``walked_out``; chat stays open. The window runs on through a facilitator's pause,
since it is the players' decision, not the game's clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zopa.rules.actions import Mediate, MediatorSuggest, Message, Request, Walkout
from zopa.rules.errors import ActionRefused

if TYPE_CHECKING:
    from zopa.rules.negotiation import GameState, _Step


def intervention_status(state: GameState) -> dict[str, Any]:
    """The status fields of this module (zopa.rules.status): an open walkout window and
    who sits as the mediator."""
    open_window = state.walked_out is not None and state.ending is None
    return {
        "walkout": {
            "by": state.walked_out,
            "ends": state.walkout_ends,
            "return_asked": state.return_asked,
        }
        if open_window
        else None,
        "mediator": state.mediator if state.ending is None else None,
    }


def closed_table(step: _Step, what: str) -> None:
    """Refuse a move at the table while a walkout's window is open."""
    gone = step.state.walked_out
    if gone is not None:
        raise ActionRefused(
            "walked_out",
            f"{gone} has walked out; {what} waits unless they come back and are let back",
        )


def walkout(step: _Step, action: Walkout) -> None:
    s = step.state
    if s.walked_out == action.by:
        raise ActionRefused("not_allowed", "you have walked out already")
    step.record(action)
    if action.reason is not None:
        step.change(walkout_reason=(action.by, action.reason))
    window = s.scenario.protocol.walkout_window
    # The second side to walk out leaves nobody to let the first back.
    if not window or s.walked_out is not None:
        step.end("impasse", "walkout", None)
        return
    step.stop_clocks()
    step.change(
        walked_out=action.by,
        walkout_ends=step.now + window,
        return_asked=False,
        pending_break=None,
        pending_extension=None,
    )


def return_request(step: _Step, action: Request) -> None:
    s = step.state
    if s.walked_out != action.by:
        raise ActionRefused("not_allowed", "only the side that walked out can ask to come back")
    if s.return_asked:
        raise ActionRefused("already_pending", "you have already asked to come back")
    step.record(action)
    step.change(return_asked=True)


def _answer(step: _Step, action: Request) -> None:
    s = step.state
    if s.walked_out is None:
        raise ActionRefused("no_request", "nobody has walked out")
    if s.walked_out == action.by:
        raise ActionRefused("no_request", "you walked out; the other side answers")


def return_accept(step: _Step, action: Request) -> None:
    _answer(step, action)
    s = step.state
    if not s.return_asked:
        raise ActionRefused("no_request", f"{s.walked_out} has not asked to come back")
    step.record(action)
    step.change(walked_out=None, walkout_ends=None, return_asked=False, walkout_reason=None)
    # Back where the game was: the clock that ran before runs again, unless paused.
    if not s.paused:
        step.change(**{"break_started" if s.on_break else "clock_started": step.now})


def return_decline(step: _Step, action: Request) -> None:
    _answer(step, action)
    step.record(action)
    step.end("impasse", "walkout", None)


def window_closed(step: _Step) -> None:
    step.emit("timeout", None, {"what": "walkout"})
    step.end("impasse", "walkout", None)


def seated_bot_move(state: GameState, role: str) -> Request | None:
    """What a bot in ``role``'s seat does during a walkout's window: it lets a side that
    asks to come back in (a counterpart who wanted a deal takes one over none), and
    otherwise waits; it never walks back itself, nor answers a request not made."""
    if state.walked_out in (None, role) or not state.return_asked:
        return None
    return Request(role, "return_accept")


def message(step: _Step, action: Message) -> None:
    data: dict[str, object] = {"from": action.sender, "text": action.text, "hint": action.hint}
    if action.sender == "mediator":
        data["name"] = seated(step, "chat as the mediator")
    step.emit("message", None, data)


def mediator(step: _Step, action: Mediate) -> None:
    taken = step.state.mediator
    if action.seated and taken is not None:
        raise ActionRefused("already_seated", f"{taken} already sits as the mediator")
    if not action.seated and taken is None:
        raise ActionRefused("not_allowed", "nobody sits as the mediator")
    step.record(action)
    step.change(mediator=action.name if action.seated else None)


def mediator_suggest(step: _Step, action: MediatorSuggest) -> None:
    from zopa.rules.negotiation import partial_terms

    name = seated(step, "suggest as the mediator")
    partial_terms(step.state.scenario, action.terms)
    step.emit("mediator_suggest", None, {"terms": dict(action.terms), "name": name})


def seated(step: _Step, what: str) -> str:
    name = step.state.mediator
    if name is None:
        raise ActionRefused("not_allowed", f"take the mediator's seat first to {what}")
    return name
