"""Negotiating bots: strategies that decide from their own card and what they have seen.

A bot gets a ``Seen`` (``seen_by``) and answers with a player action for its role, or
``None`` to wait. The server asks after every event and on a periodic tick.
"""

from __future__ import annotations

from game_rules.bots.conceder import TimeConceder
from game_rules.bots.seen import Card, Seen, Standing, seen_by
from game_rules.bots.strategy import Bot

__all__ = ["BOT_DEFAULT", "STRATEGIES", "Bot", "Card", "Seen", "Standing", "make_bot", "seen_by"]

BOT_DEFAULT = "conceder"


STRATEGIES: dict[str, Bot] = {
    "conceder": TimeConceder("conceder", e=2.0),
    "linear": TimeConceder("linear", e=1.0),
    "boulware": TimeConceder("boulware", e=0.2),
}


def make_bot(name: str) -> Bot:
    """A strategy by name; ``KeyError`` names the ones there are."""
    try:
        return STRATEGIES[name]
    except KeyError:
        raise KeyError(f"no bot strategy {name!r} (there are: {', '.join(STRATEGIES)})") from None
