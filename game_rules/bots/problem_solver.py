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
from zopa.rules.bots.history import Offered, Partial
from zopa.rules.bots.ladder import Ladder
from zopa.rules.bots.lines import Manner
from zopa.rules.bots.negotiator import Negotiator, Situation, curve_asking, curve_share
from zopa.rules.bots.other_side import estimate
from zopa.rules.bots.seen import Seen
from zopa.rules.bots.tradeoffs import tradeoff_ladder
from zopa.rules.scenario import Points


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
        points = seen.card.points
        history = seen.history
        theirs, suggested, priorities = history.theirs, history.suggested, history.priorities
        key = (theirs[-1] if theirs else None, len(suggested), priorities)
        known = _LADDERS.get(key)
        if (
            known is not None
            and (known[0] is theirs or known[0] == theirs)
            and (known[1] is suggested or known[1] == suggested)
            and known[2] is points
        ):
            return known[3]
        ladder = tradeoff_ladder(points, estimate(points, history))
        if len(_LADDERS) >= 1024:
            _LADDERS.clear()
        _LADDERS[key] = (theirs, suggested, points, ladder)
        return ladder

    def opening(self, s: Situation) -> Action | None:
        seen = s.seen
        if seen.history.revealed or len(seen.issues) < 2:
            return None
        spans = [max(row) - min(row) for row in seen.card.points]
        top = spans.index(max(spans))
        return Reveal(seen.role, "priority", issue=seen.issues[top].id, rank=1)


# The trade-offs follow from their offers, their suggestions and their stated
# priorities (and our card), and change only with one of their moves, so they are kept
# from one decision to the next. The key is a part of that value that is cheap to hash
# (their latest offer, which names its sequence number and time); a hit is checked
# against the whole of it, which costs little when it is the same objects (the card by
# identity: the entry holds it, so it cannot be another card's). The caches
# behind ``tradeoff_ladder`` and ``estimate`` hash every table, too dear at every decision.
_LADDERS: dict[
    tuple[Offered | None, int, tuple[tuple[int, int], ...]],
    tuple[tuple[Offered, ...], tuple[Partial, ...], tuple[tuple[Points, ...], ...], Ladder],
] = {}
