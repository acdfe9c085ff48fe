"""A role's own outcomes as a ladder of point totals, each with terms that reach it.

Built issue by issue (points are additive), so it never lists every outcome; a bot
looks up the lowest rung that still gives it at least its current aspiration (on a
card's own ladder, the terms cheapest for it; on a trade-off ladder, ``tradeoffs``,
those it estimates best for the other side), or one of the few just above it (``near``).
"""

from __future__ import annotations

import functools
import math
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import pairwise
from typing import NamedTuple

from zopa.rules.negotiation import OptionTuple
from zopa.rules.scenario import Points

# Float points can make the number of distinct totals explode; a grid this fine keeps
# the ladder small without changing any decision a person would notice.
_MAX_RUNGS = 20_000


class Rung(NamedTuple):
    """Terms of a ladder, what they are worth, and the aspiration at or below which the
    ladder gives other terms (``None``: never)."""

    terms: OptionTuple
    worth: Points
    changes_below: Points | None


@dataclass(frozen=True, slots=True)
class Ladder:
    totals: tuple[Points, ...]  # ascending
    terms: tuple[OptionTuple, ...]
    # Rungs by index, made as they are first asked for: a ladder lasts (a card's for
    # every game, a trade-off ladder until their next move) and bots ask for the same
    # few rungs again and again.
    made: dict[int, Rung] = field(default_factory=dict, init=False, repr=False, compare=False)
    # The least difference between two totals, once worked out (``narrowest``).
    gap: list[Points] = field(default_factory=list, init=False, repr=False, compare=False)

    def narrowest(self) -> Points:
        """The least difference between two totals (inf with one rung), worked out once:
        where it is wider than the choice ``near`` is given, there is none to make."""
        gap = self.gap
        if not gap:
            totals = self.totals
            gap.append(min([b - a for a, b in pairwise(totals)], default=math.inf))
        return gap[0]

    @property
    def best(self) -> Points:
        return self.totals[-1]

    @property
    def worst(self) -> Points:
        return self.totals[0]

    def rung(self, aspiration: float) -> Rung:
        """The lowest rung at or above ``aspiration`` (the top rung if none is)."""
        totals = self.totals
        i = bisect_left(totals, aspiration)
        if i == len(totals):
            i -= 1
        rung = self.made.get(i)
        return rung if rung is not None else self._make(i)

    def _make(self, i: int) -> Rung:
        totals = self.totals
        rung = self.made[i] = Rung(self.terms[i], totals[i], totals[i - 1] if i > 0 else None)
        return rung

    def near(self, aspiration: float, within: float, draw: float) -> Rung:
        """``rung``, or one of the next few rungs (up to four in all) worth at most
        ``within`` more than it, chosen by ``draw`` in [0, 1). Its ``changes_below`` is
        the aspiration at which the terms chosen change, which may be lower than the
        rung's: the rungs below may choose the same terms."""
        totals = self.totals
        last = len(totals) - 1
        i = bisect_left(totals, aspiration)
        if i > last:
            i = last
        j = i + int(draw * self._choices(i, within))
        below = i - 1
        while below >= 0 and below + int(draw * self._choices(below, within)) == j:
            below -= 1
        return Rung(self.terms[j], totals[j], totals[below] if below >= 0 else None)

    def _choices(self, k: int, within: float) -> int:
        """How many rungs from the ``k``-th on (up to four) are worth at most ``within``
        more than it."""
        totals = self.totals
        top = totals[k] + within
        end = len(totals)
        n = 1
        while n < 4 and k + n < end and totals[k + n] <= top:
            n += 1
        return n

    def alone(self, aspiration: float, within: float) -> Rung | None:
        """``rung``, if ``near`` would choose it whatever the draw: no two rungs of the
        ladder lie within ``within`` of each other, or none next to this one does; else
        ``None``. It spares the draw."""
        totals = self.totals
        gap = self.gap
        last = len(totals) - 1
        i = bisect_left(totals, aspiration)
        if i > last:
            i = last
        if (gap[0] if gap else self.narrowest()) > within or (
            (i == last or totals[i + 1] > totals[i] + within)
            and (i == 0 or totals[i] > totals[i - 1] + within)
        ):
            rung = self.made.get(i)
            return rung if rung is not None else self._make(i)
        return None

    def changes_below(self, aspiration: float) -> Points | None:
        """``rung`` gives other terms once the aspiration is at or below this; ``None``: never.

        It lets a bot that has nothing new to offer say when it will have, instead of
        being asked again and again.
        """
        return self.rung(aspiration).changes_below


def ladder_for(points: tuple[tuple[Points, ...], ...]) -> Ladder:
    """The ladder of a card, built once per card (``seen.Card`` keeps it)."""
    # Keyed by the repr too: points equal as numbers (2 and 2.0) make ladders that are
    # not the same values, and only the card's own may be used.
    return _ladder_for(repr(points), points)


@functools.lru_cache(maxsize=256)
def _ladder_for(_: str, points: tuple[tuple[Points, ...], ...]) -> Ladder:
    return build_ladder(points)


def build_ladder(points: tuple[tuple[Points, ...], ...]) -> Ladder:
    rungs: dict[Points, OptionTuple] = {0: ()}
    for row in points:
        merged: dict[Points, OptionTuple] = {}
        # Best option first, so each total keeps terms that favour our stronger issues.
        order = sorted(range(len(row)), key=lambda o: -row[o])
        for total, terms in rungs.items():
            for option in order:
                merged.setdefault(total + row[option], (*terms, option))
        if len(merged) > _MAX_RUNGS:
            step = (max(merged) - min(merged)) / _MAX_RUNGS
            thinned: dict[Points, OptionTuple] = {}
            for total in sorted(merged):
                key = round(total / step) if step else 0
                thinned.setdefault(key, merged[total])
            merged = {
                sum(r[o] for r, o in zip(points, t, strict=False)): t for t in thinned.values()
            }
        rungs = merged
    ordered = sorted(rungs)
    return Ladder(tuple(ordered), tuple(rungs[t] for t in ordered))
