"""Tit-for-tat: concede exactly as much as the other side has conceded, measured on our card.

Every offer of theirs that is worth more to us than their previous one is a
concession of that many points; the bot lowers its own asking by the same number of
points (never below its floor, and never back up when they retreat: a retreat earns
no concession, not a punishment). Time alone never moves it, so it holds against a
hard-liner and keeps step with a conceder. One goodwill step at its first answer (a
rung of its ladder, at least 5% of its range) breaks the deadlock of two bots each
waiting for the other to move first.
"""

from __future__ import annotations

from dataclasses import dataclass

from zopa.rules.bots.lines import Manner
from zopa.rules.bots.negotiator import Negotiator, Situation


@dataclass(frozen=True, slots=True)
class TitForTat(Negotiator):
    name: str = "tit-for-tat"
    manner: Manner = "fair"
    goodwill: float = 0.05

    def asking(self, s: Situation, share: float) -> float:
        history = s.seen.history
        if not history.theirs:
            return float(s.best)
        below = s.ladder.changes_below(s.best)
        rung = s.best - below if below is not None else 0
        step = max(rung, self.goodwill * (s.best - s.floor))
        return float(max(s.floor, s.best - step - history.conceded_to_me))
