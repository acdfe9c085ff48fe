"""Time-based concession: aspiration = best - (best - floor) * t ** (1 / e).

``t`` is the share of the negotiation time gone (or of the offers allowed, if that is
further along), ``floor`` the bot's BATNA (or its worst terms, if higher). ``e`` above
1 concedes early (a conceder), below 1 holds out until late (Boulware), 1 is linear.
Each game varies ``e`` by up to 20% either way, drawn from the game's seed, so
repeated games between the same strategies are not all the same game.

Of the terms that meet its aspiration, it proposes those it estimates best for the
other side (``tradeoffs.modelled_ladder``, the problem-solver's model of them), varying
among nearly equal ones (``tradeoffs.varied``); timing, accepting, walking out and
claims are the shared rules of ``negotiator``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from zopa.rules.bots.ladder import Ladder
from zopa.rules.bots.negotiator import Negotiator, Proposal, Situation
from zopa.rules.bots.seen import Seen
from zopa.rules.bots.tradeoffs import modelled_ladder, varied


@dataclass(frozen=True, slots=True)
class TimeConceder(Negotiator):
    e: float = 2.0

    def exponent(self, s: Situation) -> float:
        return self.e * (0.8 + 0.4 * s.vary)

    def asking(self, s: Situation, share: float) -> float:
        # curve_asking and exponent, written out: the hottest line of a bot match
        # (docs/performance.md, "Speed tricks"); a test holds it to curve_asking.
        return float(s.best - (s.best - s.floor) * share ** (1.0 / (self.e * (0.8 + 0.4 * s.vary))))

    def share_for(self, s: Situation, value: float) -> float:
        # curve_share, written out as in asking.
        best = s.best
        if value >= best:
            return 0.0
        floor = s.floor
        span = best - floor
        if span <= 0 or value < floor:
            return math.inf
        return float(((best - value) / span) ** (self.e * (0.8 + 0.4 * s.vary)))

    def ladder(self, seen: Seen, own: Ladder) -> Ladder:
        return modelled_ladder(seen)

    def proposal(self, s: Situation, at: float) -> Proposal:
        return varied(s.ladder, s.seen, self.asking(s, self.share_at(s, at)))
