"""The agent API: what anyone's negotiating agent is, sees and does (docs/agents.md).

An agent is any object with a ``name`` (a string) and ``decide(seen)``, which returns a
move (an action of ``seen.role``) or ``None`` to wait. It sees a ``Seen``: its own card,
the public scenario, the clock and the events it may see, never the other side's card.
The helpers here build moves from a ``Seen`` and read what an agent most often needs,
so an agent never has to know how terms or events are stored. This module is the
stable surface: the built-in strategies are agents too, and anything named here keeps
its meaning.

An agent may also have ``plan(seen)``, returning the move or ``Wait(until)``: "ask me
again at ``until``, or sooner if anything happens". A bot match then skips the seconds
in between instead of asking at every one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zopa.rules.actions import (
    PLAYER_KINDS,
    Accept,
    Action,
    Chat,
    Claim,
    Offer,
    Reject,
    Walkout,
    action_fields,
    parse_action,
)
from zopa.rules.bots.negotiator import Wait
from zopa.rules.bots.seen import Seen
from zopa.rules.bots.strategy import Bot
from zopa.rules.errors import ActionRefused
from zopa.rules.scenario import Points

__all__ = [
    "Action",
    "Agent",
    "Seen",
    "Wait",
    "accept",
    "best_terms",
    "check_move",
    "claim",
    "offer",
    "points",
    "reject",
    "say",
    "terms_worth",
    "their_offer",
    "time_used",
    "walk_out",
]

# Anything with ``name`` and ``decide(seen) -> Action | None``; the built-ins are Agents.
Agent = Bot


# -- moves ----------------------------------------------------------------------------


def offer(seen: Seen, terms: Mapping[str, int], final: bool = False) -> Offer:
    """Propose ``terms`` (issue id -> option index, every issue); ``final``: take it or leave it."""
    return Offer(seen.role, dict(terms), final)


def accept(seen: Seen) -> Accept | Claim | None:
    """Take the other side's offer on the table; ``None`` if there is none.

    In a game that closes by claims (``seen.protocol.closing == "claims"``) this is a
    claim of its terms, which is how such a game is agreed.
    """
    standing = seen.standing
    if standing is None or standing.by == seen.role:
        return None
    if seen.protocol.closing == "claims":
        return Claim(seen.role, seen.terms_dict(standing.terms))
    return Accept(seen.role, standing.seq)


def reject(seen: Seen) -> Reject | None:
    """Turn down the other side's offer on the table; ``None`` if there is none."""
    standing = seen.standing
    if standing is None or standing.by == seen.role:
        return None
    return Reject(seen.role, standing.seq)


def claim(seen: Seen, terms: Mapping[str, int] | None) -> Claim:
    """In a game that closes by claims: the terms it believes agreed (``None``: no deal)."""
    return Claim(seen.role, None if terms is None else dict(terms))


def walk_out(seen: Seen) -> Walkout:
    """Leave the table: the game ends in an impasse, each side gets its BATNA."""
    return Walkout(seen.role)


def say(seen: Seen, text: str) -> Chat:
    """A line of chat the other side reads."""
    return Chat(seen.role, text)


# -- reading --------------------------------------------------------------------------


def points(seen: Seen, terms: Mapping[str, int]) -> Points:
    """What ``terms`` are worth on its own card."""
    return seen.card.value(seen.terms_tuple(dict(terms)))


def their_offer(seen: Seen) -> dict[str, int] | None:
    """The terms of the other side's offer on the table, or ``None``."""
    standing = seen.standing
    if standing is None or standing.by == seen.role:
        return None
    return seen.terms_dict(standing.terms)


def best_terms(seen: Seen) -> dict[str, int]:
    """The terms worth most on its own card."""
    return terms_worth(seen, seen.card.best)


def terms_worth(seen: Seen, at_least: float) -> dict[str, int]:
    """Terms worth at least ``at_least`` to it, and as little more as its card allows
    (the best terms if nothing reaches it): the cheapest way to ask for that much."""
    return seen.terms_dict(seen.card.ladder.rung(at_least).terms)


def time_used(seen: Seen) -> float:
    """The share of the negotiation time gone, 0 at the start to 1 at the deadline."""
    limit = seen.time_limit
    return min(1.0, max(0.0, 1.0 - seen.seconds_left / limit)) if limit > 0 else 1.0


# -- checking -------------------------------------------------------------------------

_PLAYER_KINDS = frozenset(PLAYER_KINDS)


def check_move(move: Any, role: str) -> str | None:
    """Why ``move`` is not one a player of ``role`` may send (``None``: it may).

    The same shape checks as a person's message on the websocket (``parse_action``),
    plus the seat: an agent moves for its own role only. Whether the move is legal now
    is the rules' business, as for a person.
    """
    if type(move) is Offer:
        # Offers are most moves: checked here without the round trip.
        terms = move.terms
        if (
            move.by == role
            and type(move.final) is bool
            and isinstance(terms, Mapping)
            and all(type(k) is str and type(v) is int for k, v in terms.items())
        ):
            return None
    kind = getattr(move, "kind", None)
    if kind not in _PLAYER_KINDS:
        return f"not a move: {move!r}"
    if move.by != role:
        return f"a move for {move.by!r}, not for its own role {role!r}"
    try:
        again = parse_action({"type": kind, **action_fields(move)}, role)
    except ActionRefused as refused:
        return refused.message
    except (TypeError, AttributeError, ValueError):
        return f"not a well-formed {kind}: {move!r}"
    return None if again == move else f"not a well-formed {kind}: {move!r}"
