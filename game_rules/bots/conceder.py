"""Time-based concession: aspiration = best - (best - floor) * t ** (1 / e).

``e`` above 1 concedes early (a conceder), below 1 holds out until late (Boulware),
1 is linear. The floor is the bot's BATNA (or its worst outcome, if higher). The bot
accepts an offer worth at least what it would propose next, proposes the cheapest
terms that meet its aspiration, paces its offers, and never walks out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from game_rules.actions import Accept, Action, Claim, Offer, Request
from game_rules.bots.ladder import Ladder, build_ladder
from game_rules.bots.seen import Seen
from game_rules.scenario import Points


@functools.lru_cache(maxsize=64)
def _ladder(points: tuple[tuple[Points, ...], ...]) -> Ladder:
    return build_ladder(points)


@dataclass(frozen=True, slots=True)
class TimeConceder:
    name: str = "conceder"
    e: float = 2.0
    # Seconds to "think" after the last event before moving, so a person can follow.
    think: float = 1.5

    def aspiration(self, seen: Seen, ladder: Ladder, share: float) -> float:
        floor = max(seen.card.batna, ladder.worst)
        best = ladder.best
        return float(best - (best - floor) * share ** (1.0 / self.e))

    def decide(self, seen: Seen) -> Action | None:
        if seen.over or seen.paused:
            return None
        if seen.pending_extension == seen.other:
            return Request(seen.role, "extension_accept")
        if seen.pending_break == seen.other:
            return Request(seen.role, "break_decline")
        if seen.on_break:
            return None
        last = (
            seen.events[-1].at if seen.events else seen.now - (seen.time_limit - seen.seconds_left)
        )
        if seen.now - last < self.think:
            return None
        ladder = _ladder(seen.card.points)
        # Judge offers against where we will be at our next move, not where we are now.
        pace = max(2.0, float(seen.time_limit) / 30.0)
        next_share = min(1.0, seen.elapsed_share + pace / max(float(seen.time_limit), 1e-9))
        target = self.aspiration(seen, ladder, next_share)
        if seen.protocol.closing == "claims":
            return self._claims(seen, ladder, target)
        standing = seen.standing
        if standing is not None and standing.by == seen.other:
            worth = seen.card.value(standing.terms)
            if worth >= target and worth >= seen.card.batna:
                return Accept(seen.role, standing.seq)
        return self._offer(seen, ladder, pace)

    def _offer(self, seen: Seen, ladder: Ladder, pace: float) -> Action | None:
        if not seen.may_offer:
            return None
        if (
            seen.protocol.max_offers
            and sum(e.type == "offer" for e in seen.events) >= seen.protocol.max_offers
        ):
            return None
        mine = [e for e in seen.events if e.type == "offer" and e.by == seen.role]
        standing_is_mine = seen.standing is not None and seen.standing.by == seen.role
        if mine and standing_is_mine and seen.now - mine[-1].at < pace:
            return None
        _, terms = ladder.at_least(self.aspiration(seen, ladder, seen.elapsed_share))
        if standing_is_mine and seen.standing is not None and seen.standing.terms == terms:
            return None  # nothing new to say; wait for the other side
        return Offer(seen.role, seen.terms_dict(terms))

    def _claims(self, seen: Seen, ladder: Ladder, target: float) -> Action | None:
        if seen.role in seen.claimed:
            return None
        other_claimed = seen.other in seen.claimed
        standing = seen.standing
        # An offer good enough to accept is claimed at once: claiming is accepting here.
        offered = standing is not None and standing.by == seen.other
        if offered and standing is not None and seen.card.value(standing.terms) >= target:
            return Claim(seen.role, seen.terms_dict(standing.terms))
        if not other_claimed and seen.elapsed_share < 0.9:
            return self._offer(seen, ladder, max(2.0, float(seen.time_limit) / 30.0))
        # The claim most likely to match is the last offer on the table, if we can live with it.
        if standing is not None and seen.card.value(standing.terms) >= min(target, seen.card.batna):
            return Claim(seen.role, seen.terms_dict(standing.terms))
        _, terms = ladder.at_least(target)
        return Claim(seen.role, seen.terms_dict(terms))
