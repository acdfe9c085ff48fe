"""The problem-solver: concedes steadily, and trades across issues to stay near the frontier.

It asks for points on a linear time curve, like ``linear``, but of all the packages
that give it what it asks, it proposes the one it estimates best for the other side
(``tradeoffs``), learning the other side's priorities from their offers, their trial
balloons and their statements (``other_side``). It opens by stating, truthfully, which
issue matters most to it, so that another problem-solver, or a person, can trade too.
"""

from __future__ import annotations

from dataclasses import dataclass

from zopa.rules.actions import Action, Reveal
from zopa.rules.bots.ladder import Ladder
from zopa.rules.bots.lines import Manner
from zopa.rules.bots.negotiator import Negotiator, Situation, curve_asking, curve_share
from zopa.rules.bots.seen import Seen
from zopa.rules.bots.tradeoffs import modelled_ladder


@dataclass(frozen=True, slots=True)
class ProblemSolver(Negotiator):
    name: str = "problem-solver"
    manner: Manner = "curious"
    e: float = 1.0

    def exponent(self, s: Situation) -> float:
        return self.e * (0.8 + 0.4 * s.vary)

    def asking(self, s: Situation, share: float) -> float:
        return curve_asking(s.best, s.floor, self.exponent(s), share)

    def share_for(self, s: Situation, value: float) -> float:
        return curve_share(s.best, s.floor, self.exponent(s), value)

    def ladder(self, seen: Seen, own: Ladder) -> Ladder:
        return modelled_ladder(seen)

    def opening(self, s: Situation) -> Action | None:
        seen = s.seen
        if seen.history.revealed or len(seen.issues) < 2:
            return None
        spans = [max(row) - min(row) for row in seen.card.points]
        top = spans.index(max(spans))
        return Reveal(seen.role, "priority", issue=seen.issues[top].id, rank=1)
