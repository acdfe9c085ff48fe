"""Tit-for-tat: concede as far as the other side has come, measured on our card.

How far they have come is a share: of the distance from what their first offer gives
us up to our best, the part their best offer so far has closed. The bot gives up the
same share of its own range (best down to its floor), a little more (``generous``), plus
one goodwill step at its first answer, so that two bots each waiting for the other to
move first get going. Measured as shares rather than points, a concession means as much
to either side whatever their cards' scales, and with the generosity on top, two
tit-for-tats each give a little more than they got and meet (in points they could each
see less than the other gave, on issues worth little to them, and stall). A retreat
earns no concession, and no punishment: only their best offer so far counts.

Time alone moves it only late: it never asks more than a Boulware bot at its latest
(``e`` = 0.2) would, so that a pair that stalls still meets before the deadline; it
holds against a hard-liner until then and keeps step with a conceder. Its terms, as the
time-based bots', are those it estimates best for the other side (``tradeoffs``).
"""

from __future__ import annotations

from dataclasses import dataclass

from zopa.rules.bots.ladder import Ladder
from zopa.rules.bots.lines import Manner
from zopa.rules.bots.negotiator import Negotiator, Proposal, Situation, curve_asking, curve_share
from zopa.rules.bots.seen import Seen
from zopa.rules.bots.tradeoffs import modelled_ladder, varied


@dataclass(frozen=True, slots=True)
class TitForTat(Negotiator):
    name: str = "tit-for-tat"
    manner: Manner = "fair"
    goodwill: float = 0.05
    generous: float = 1.5  # the share it gives for each share they give
    e: float = 0.2  # the latest it concedes by time alone

    def reciprocal(self, s: Situation) -> float:
        """What it asks for in return for what they have conceded (time aside)."""
        theirs = s.seen.history.theirs
        best = s.best
        if not theirs:
            return float(best)
        first = theirs[0].worth
        most = first
        for offer in theirs:
            if offer.worth > most:
                most = offer.worth
        span = best - s.floor
        if span <= 0:
            return float(best)
        gap = best - first
        come = 1.0 if gap <= 0 else (most - first) / gap
        # The goodwill step is at least a rung of its ladder, or it would change nothing.
        below = s.ladder.changes_below(best)
        rung = (best - below) / span if below is not None else 0.0
        given = (rung if rung > self.goodwill else self.goodwill) + self.generous * come
        if given >= 1.0:
            return float(s.floor)
        return float(best - span * given)

    def exponent(self, s: Situation) -> float:
        return self.e * (0.8 + 0.4 * s.vary)

    def asking(self, s: Situation, share: float) -> float:
        by_time = curve_asking(s.best, s.floor, self.exponent(s), share)
        reciprocal = self.reciprocal(s)
        return reciprocal if reciprocal < by_time else by_time

    def share_for(self, s: Situation, value: float) -> float:
        if self.reciprocal(s) <= value:
            return 0.0
        return curve_share(s.best, s.floor, self.exponent(s), value)

    def ladder(self, seen: Seen, own: Ladder) -> Ladder:
        return modelled_ladder(seen)

    def proposal(self, s: Situation, at: float) -> Proposal:
        return varied(s.ladder, s.seen, self.asking(s, self.share_at(s, at)))
