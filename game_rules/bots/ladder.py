"""A role's own outcomes as a ladder of point totals, each with terms that reach it.

Built issue by issue (points are additive), so it never lists every outcome; a bot
looks up the cheapest terms that still give it at least its current aspiration.
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from dataclasses import dataclass

from zopa.rules.negotiation import OptionTuple
from zopa.rules.scenario import Points

# Float points can make the number of distinct totals explode; a grid this fine keeps
# the ladder small without changing any decision a person would notice.
_MAX_RUNGS = 20_000


@dataclass(frozen=True, slots=True)
class Ladder:
    totals: tuple[Points, ...]  # ascending
    terms: tuple[OptionTuple, ...]

    @property
    def best(self) -> Points:
        return self.totals[-1]

    @property
    def worst(self) -> Points:
        return self.totals[0]

    def rung(self, aspiration: float) -> tuple[Points, OptionTuple, Points | None]:
        """The lowest rung at or above ``aspiration`` (the top rung if none is): its total,
        its terms, and ``changes_below`` of the aspiration."""
        totals = self.totals
        i = bisect_left(totals, aspiration)
        if i == len(totals):
            i -= 1
        return totals[i], self.terms[i], totals[i - 1] if i > 0 else None

    def changes_below(self, aspiration: float) -> Points | None:
        """``rung`` gives other terms once the aspiration is at or below this; ``None``: never.

        It lets a bot that has nothing new to offer say when it will have, instead of
        being asked again and again.
        """
        return self.rung(aspiration)[2]


# Cards keep their points tuple for a whole game, and hashing it at every decision cost
# more than the rest of the lookup: known tuples are found by identity first. The cache
# holds each tuple it names, so an id cannot be reused while it is in there.
_BY_ID: dict[int, tuple[tuple[tuple[Points, ...], ...], Ladder]] = {}


def ladder_for(points: tuple[tuple[Points, ...], ...]) -> Ladder:
    """The ladder of a card, built once per card: every decision of every bot needs it."""
    known = _BY_ID.get(id(points))
    if known is not None and known[0] is points:
        return known[1]
    ladder = _ladder_of(points)
    if len(_BY_ID) >= 1024:
        _BY_ID.clear()
    _BY_ID[id(points)] = (points, ladder)
    return ladder


@functools.lru_cache(maxsize=256)
def _ladder_of(points: tuple[tuple[Points, ...], ...]) -> Ladder:
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
