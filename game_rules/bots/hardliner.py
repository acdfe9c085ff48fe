"""The hard-liner: opens at its best, barely moves, and stops well short of its BATNA.

It concedes on a steep Boulware curve (``e`` = 0.15) towards a limit 40% of the way
from its BATNA to its best, so it never gives away more than 60% of what a deal could
bring it (at half, its limit lay outside the zone of agreement in one dealt supplier
game in five). It reaches that limit when four fifths of the time are gone and from
then on repeats it as a final offer: a final offer made in the last seconds would come
too late for anyone to take it. What it asks for, it asks in the terms it estimates
best for the other side, as every strategy here does: hard on points, not blind to
trades. It is the player who teaches the final-offer standoff: against another
hard-liner there is rarely a deal, against a conceder it takes most of the pie.
"""

from __future__ import annotations

from dataclasses import dataclass

from zopa.rules.bots.ladder import Ladder
from zopa.rules.bots.lines import Manner
from zopa.rules.bots.negotiator import Negotiator, Proposal, Situation, curve_asking, curve_share
from zopa.rules.bots.seen import Seen
from zopa.rules.bots.tradeoffs import modelled_ladder, varied
from zopa.rules.scenario import Points


@dataclass(frozen=True, slots=True)
class HardLiner(Negotiator):
    name: str = "hardliner"
    manner: Manner = "firm"
    e: float = 0.15
    firmness: float = 0.45  # the share of the possible gain it never gives up
    final_from: float = 0.8

    def limit(self, s: Situation) -> Points:
        return s.floor + self.firmness * (s.best - s.floor)

    def asking(self, s: Situation, share: float) -> float:
        return curve_asking(s.best, self.limit(s), self.e, min(1.0, share / self.final_from))

    def share_for(self, s: Situation, value: float) -> float:
        return curve_share(s.best, self.limit(s), self.e, value) * self.final_from

    def is_final(self, s: Situation, share: float) -> bool:
        return share >= self.final_from

    def ladder(self, seen: Seen, own: Ladder) -> Ladder:
        return modelled_ladder(seen)

    def proposal(self, s: Situation, at: float) -> Proposal:
        return varied(s.ladder, s.seen, self.asking(s, self.share_at(s, at)))
