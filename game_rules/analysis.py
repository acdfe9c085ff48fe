"""Outcome-space analysis of a scenario: the Pareto frontier, the zone of agreement, and
the Nash and Kalai-Smorodinsky bargaining solutions.

Everything here is exact over *all* outcomes (the product of every issue's options),
which for a workshop scenario can be far too many to list: 12 issues of 10 options is
10^12. ``analyze`` never lists them. Points are additive over issues, so the set of
Pareto-optimal point pairs of the whole scenario is the Pareto set of the Minkowski sum
of the issues' option sets, and that can be built one issue at a time: a pair that is
Pareto-optimal over issues 1..k+1 is the sum of a pair Pareto-optimal over issues 1..k
and one option of issue k+1 (if the prefix were dominated, so would the whole be). So
after each issue only the current Pareto set is kept, and its size is bounded by the
number of distinct first-role totals, not by the number of outcomes.

``analyze_brute`` computes the same ``Analysis`` by listing every outcome; it exists to
check ``analyze`` (tests) and to measure it (``bench/bench_analysis.py``).

Determinism (the debrief, the JSON output and replays must not depend on luck):

- each frontier pair carries the *lexicographically first* terms reaching it, by option
  index in issue order. The issue-by-issue merge finds the same terms as listing every
  outcome in order: the first full terms for a pair have, as every prefix, the first
  prefix terms for that prefix's pair (otherwise swapping in the earlier prefix would
  give earlier full terms), so keeping the first terms per pair at each step loses
  nothing.
- ``nash`` maximises ``(p1 - b1) * (p2 - b2)`` over outcomes giving each role at least
  its BATNA; ties go to the greater joint points, then to the lower first-role points.
  That order also makes the winner Pareto-optimal (a dominating outcome would tie or win
  on the product and win on joint points), so it is always a frontier point.
- ``kalai_smorodinsky`` maximises the smaller normalised gain ``(p_i - b_i) / (ideal_i
  - b_i)``, ``ideal_i`` being role i's best points over outcomes giving each role at
  least its BATNA (a role whose ideal equals its BATNA counts as fully served, gain 1);
  ties as for Nash. It too is always a frontier point.

Products and ratios are compared exactly (integers, or ``Fraction`` once a float is
involved), so a tie is a real tie and never a rounding accident.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from zopa.rules.scenario import Points, Scenario

Pair = tuple[Points, Points]
# A point pair and the option index chosen for each issue so far, in issue order.
Candidate = tuple[Points, Points, tuple[int, ...]]
_Exact = int | Fraction


@dataclass(frozen=True, slots=True)
class FrontierPoint:
    """A pair of points (first role, second role) and the first terms that reach it."""

    points: Pair
    # {issue_id: option_index}; a read-only view because analyses are cached and shared.
    terms: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Analysis:
    scenario_id: str
    roles: tuple[str, str]
    outcomes: int
    batna: Pair
    max_joint: Points
    # Sorted by the first role's points ascending (so the second role's descend strictly).
    frontier: tuple[FrontierPoint, ...]
    zopa: bool
    # Each role's best points among outcomes that give both at least their BATNA.
    ideal: Pair | None
    nash: FrontierPoint | None
    kalai_smorodinsky: FrontierPoint | None


# Every game has its own cards (zopa.rules.deal), so a session's debrief asks about one
# scenario per game. Kept small: an analysis of a dealt scenario is about 16 KB, and a
# cache of 1,024 was most of what a server running many games held (docs/performance.md).
@functools.lru_cache(maxsize=64)
def analyze(scenario: Scenario) -> Analysis:
    """The exact analysis, built issue by issue; cached because scoring asks once per game."""
    first, second = scenario.roles
    pareto: list[Candidate] = [(0, 0, ())]
    for i in range(len(scenario.issues)):
        # Dominated options of one issue can never be part of a frontier outcome; dropping
        # them first keeps the merge small. Pruning keeps the lowest index of equal options,
        # which is what the lexicographically first terms need.
        options = pareto_prune(
            (x, y, (j,))
            for j, (x, y) in enumerate(zip(first.points[i], second.points[i], strict=True))
        )
        pareto = pareto_prune(
            (a + x, b + y, terms + option) for a, b, terms in pareto for x, y, option in options
        )
    pareto.reverse()
    return _finish(scenario, [((a, b), terms) for a, b, terms in pareto])


def analyze_brute(scenario: Scenario) -> Analysis:
    """The same analysis by listing every outcome; only for checking and measuring."""
    first, second = scenario.roles
    n = range(len(scenario.issues))
    # itertools.product lists terms in lexicographic order, so the first terms seen for a
    # pair are its lexicographically first ones.
    seen: dict[Pair, tuple[int, ...]] = {}
    for terms in itertools.product(*(range(len(issue.options)) for issue in scenario.issues)):
        pair = (
            sum(first.points[i][terms[i]] for i in n),
            sum(second.points[i][terms[i]] for i in n),
        )
        seen.setdefault(pair, terms)
    # Independent of _prune on purpose: the best second-role points for each first-role
    # total, kept only if it beats every pair with a higher first-role total.
    best: dict[Points, Points] = {}
    for p1, p2 in seen:
        if p1 not in best or p2 > best[p1]:
            best[p1] = p2
    frontier: list[tuple[Pair, tuple[int, ...]]] = []
    top: Points | None = None
    for p1 in sorted(best, reverse=True):
        if top is None or best[p1] > top:
            top = best[p1]
            frontier.append(((p1, top), seen[(p1, top)]))
    frontier.reverse()
    return _finish(scenario, frontier, everything=seen)


def max_joint(scenario: Scenario) -> Points:
    """The most joint points any outcome gives, without the analysis.

    Points are additive, so the best joint points are each issue's best joint option,
    summed: the same number the analysis finds on its frontier (the tests compare them),
    for a few additions rather than the frontier's merges. Dealing asks it for every
    draw, and a bot series for every game.
    """
    first, second = scenario.roles
    return sum(
        max(a + b for a, b in zip(mine, theirs, strict=True))
        for mine, theirs in zip(first.points, second.points, strict=True)
    )


def dominating(analysis: Analysis, p1: Points, p2: Points) -> tuple[FrontierPoint, ...]:
    """Frontier points at least as good for both roles as ``(p1, p2)`` and better for one.

    Empty exactly when ``(p1, p2)`` is Pareto-optimal (or beyond the frontier). The debrief
    uses it for value left on the table: every one of these deals was better for both.
    """
    frontier = analysis.frontier
    # First-role points ascend and second-role points descend along the frontier, so the
    # points with p1' >= p1 and p2' >= p2 are one contiguous run.
    start = bisect.bisect_left(frontier, p1, key=lambda f: f.points[0])
    stop = bisect.bisect_right(frontier, -p2, key=lambda f: -f.points[1])
    return tuple(f for f in frontier[start:stop] if f.points != (p1, p2))


def left_on_table(analysis: Analysis, p1: Points, p2: Points) -> Points:
    """The most joint points a deal better for both would have added to ``(p1, p2)``; 0 if none."""
    better = dominating(analysis, p1, p2)
    if not better:
        return 0
    return max(f.points[0] + f.points[1] for f in better) - (p1 + p2)


def beating_batnas(analysis: Analysis) -> tuple[FrontierPoint, ...]:
    """Frontier deals at least as good as each role's BATNA and better in sum.

    An impasse while any of these existed missed a deal (scoring's ``missed_deal``).
    """
    b1, b2 = analysis.batna
    return tuple(
        f
        for f in analysis.frontier
        if f.points[0] >= b1 and f.points[1] >= b2 and f.points[0] + f.points[1] > b1 + b2
    )


def analysis_json(analysis: Analysis, scenario: Scenario) -> dict[str, Any]:
    """The ``zopa analyze --json`` object, exactly as docs/analysis.md shows it."""
    roles = scenario.role_ids

    def solution(point: FrontierPoint | None) -> dict[str, Any] | None:
        if point is None:
            return None
        return {"points": list(point.points), "terms": dict(point.terms)}

    return {
        "scenario": scenario.id,
        "roles": list(roles),
        "outcomes": analysis.outcomes,
        "batna": {roles[0]: analysis.batna[0], roles[1]: analysis.batna[1]},
        "max_joint": analysis.max_joint,
        "frontier": [list(f.points) for f in analysis.frontier],
        "zopa": analysis.zopa,
        "nash": solution(analysis.nash),
        "kalai_smorodinsky": solution(analysis.kalai_smorodinsky),
    }


def pareto_prune(candidates: Iterable[Candidate]) -> list[Candidate]:
    """The Pareto-optimal distinct pairs, each with its first terms, by first points descending.

    After sorting by first points descending, then second points descending, then terms,
    a candidate survives only if its second points beat every one before it: the ones
    before have at least its first points, so any with at least its second points
    dominates or duplicates it (and a duplicate sorted earlier has earlier terms).
    """
    ordered = sorted(candidates, key=lambda c: (-c[0], -c[1], c[2]))
    kept: list[Candidate] = []
    for candidate in ordered:
        if not kept or candidate[1] > kept[-1][1]:
            kept.append(candidate)
    return kept


def _finish(
    scenario: Scenario,
    frontier: Sequence[tuple[Pair, tuple[int, ...]]],
    everything: Mapping[Pair, tuple[int, ...]] | None = None,
) -> Analysis:
    """Everything derived from the frontier (ascending by first points).

    ``everything`` (every distinct pair, from brute force) makes the solutions be sought
    over all outcomes rather than the frontier alone, so the tests check the claim that
    they always lie on it instead of assuming it.
    """
    first, second = scenario.roles
    batna = (first.batna, second.batna)
    issue_ids = scenario.issue_ids
    pool = frontier if everything is None else list(everything.items())
    feasible = [
        (pair, terms) for pair, terms in pool if pair[0] >= batna[0] and pair[1] >= batna[1]
    ]
    ideal: Pair | None = None
    nash = ks = None
    if feasible:
        ideal = (max(p[0] for p, _ in feasible), max(p[1] for p, _ in feasible))
        nash = max(feasible, key=lambda f: (_nash_product(f[0], batna), *_tie_break(f[0])))
        ks = max(feasible, key=lambda f: (_ks_level(f[0], batna, ideal), *_tie_break(f[0])))

    def point(entry: tuple[Pair, tuple[int, ...]]) -> FrontierPoint:
        pair, terms = entry
        return FrontierPoint(pair, MappingProxyType(dict(zip(issue_ids, terms, strict=True))))

    return Analysis(
        scenario_id=scenario.id,
        roles=scenario.role_ids,
        outcomes=math.prod(len(issue.options) for issue in scenario.issues),
        batna=batna,
        max_joint=max(pair[0] + pair[1] for pair, _ in frontier),
        frontier=tuple(point(entry) for entry in frontier),
        zopa=bool(feasible),
        ideal=ideal,
        nash=None if nash is None else point(nash),
        kalai_smorodinsky=None if ks is None else point(ks),
    )


def _exact(value: Points) -> _Exact:
    # Fraction(float) is the float's exact value, so products and ratios built from it
    # never round; plain ints stay ints (and fast).
    return Fraction(value) if isinstance(value, float) else value


def _gains(pair: Pair, batna: Pair) -> tuple[_Exact, _Exact]:
    return (_exact(pair[0]) - _exact(batna[0]), _exact(pair[1]) - _exact(batna[1]))


def _nash_product(pair: Pair, batna: Pair) -> _Exact:
    g1, g2 = _gains(pair, batna)
    return g1 * g2


def _ks_level(pair: Pair, batna: Pair, ideal: Pair) -> _Exact:
    gains = _gains(pair, batna)
    spans = _gains(ideal, batna)
    # A span of 0 means every feasible outcome already gives that role its ideal.
    return min(Fraction(g, s) if s else 1 for g, s in zip(gains, spans, strict=True))


def _tie_break(pair: Pair) -> tuple[_Exact, _Exact]:
    # Greater joint points first (keeps the winner Pareto-optimal), then lower first-role
    # points: distinct pairs never tie on both, so the choice is total.
    return (_exact(pair[0]) + _exact(pair[1]), -_exact(pair[0]))
