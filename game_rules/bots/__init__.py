"""Negotiating bots: strategies that decide from their own card and what they have seen.

A bot gets a ``Seen`` (``seen_by``) and answers with a player action for its role, or
``None`` to wait. The server asks on a periodic tick; a bot match (``match``) asks
only when something can have changed. Strategies hold no state between decisions,
so one instance serves every game, and their only variety comes from the game's seed.

| name | concedes |
|---|---|
| conceder, linear, boulware | by time: best - (best - BATNA) * t ** (1 / e), e = 2, 1, 0.2 |
| tit-for-tat | the share the other side has come its way, and a little more |
| hardliner | hardly, and never past 60% of what a deal could bring it; final offers |
| problem-solver | linearly, and states its top priority |

Every one proposes, of the terms meeting what it asks, those it estimates best for the
other side (``tradeoffs.modelled_ladder``).
"""

from __future__ import annotations

from zopa.rules.bots.conceder import TimeConceder
from zopa.rules.bots.hardliner import HardLiner
from zopa.rules.bots.problem_solver import ProblemSolver
from zopa.rules.bots.seen import Card, Seen, Standing, seen_by
from zopa.rules.bots.strategy import Bot, Planner
from zopa.rules.bots.titfortat import TitForTat

__all__ = [
    "BOT_DEFAULT",
    "STRATEGIES",
    "Bot",
    "Card",
    "Planner",
    "Seen",
    "Standing",
    "make_bot",
    "seen_by",
]

BOT_DEFAULT = "conceder"


STRATEGIES: dict[str, Bot] = {
    "conceder": TimeConceder("conceder", e=2.0),
    "linear": TimeConceder("linear", e=1.0),
    "boulware": TimeConceder("boulware", e=0.2, manner="firm"),
    "tit-for-tat": TitForTat(),
    "hardliner": HardLiner(),
    "problem-solver": ProblemSolver(),
}


def make_bot(name: str) -> Bot:
    """A strategy by name; ``KeyError`` names the ones there are."""
    try:
        return STRATEGIES[name]
    except KeyError:
        raise KeyError(f"no bot strategy {name!r} (there are: {', '.join(STRATEGIES)})") from None
