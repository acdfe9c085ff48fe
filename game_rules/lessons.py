"""What a scenario teaches, read from its numbers: the checks the scenario editor shows.

- **Zone of agreement**: whether some deal gives each side at least its BATNA, and the
  most joint gain (points above both BATNAs) any deal offers.
- **Splitting the difference**: every issue settled at its middle option (the mean of
  the two middle ones when the count is even), the "fair" compromise people reach for;
  how much of the best joint gain it leaves on the table. A case that teaches
  integrative bargaining wants this large: the split should feel fair and be poor.
- **Issue kinds**, from the shape of each issue's points: *compatible* when both sides
  like the same option best (nothing to fight over, only to discover); *distributive*
  when they want opposite options and care about the issue equally (one's gain is the
  other's loss); *integrative* when they want opposite options but care unequally, so
  conceding the issue one cares less about for the one it cares more about makes both
  better off.

Built on ``analysis.analyze``: no other outcome-space code.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from zopa.rules.analysis import Analysis, analyze
from zopa.rules.scenario import Points, Scenario

Kind = Literal["compatible", "distributive", "integrative"]


@dataclass(frozen=True, slots=True)
class Lessons:
    zopa: bool
    # The most points above both BATNAs together that any deal gives (0 without a zone).
    best_gain: Points
    split_points: tuple[Fraction, Fraction]
    split_gain: Fraction  # joint points above both BATNAs at the split
    kinds: tuple[Kind, ...]  # one per issue, in issue order
    stakes: tuple[tuple[Points, Points], ...]  # per issue, what it can swing for each role


def issue_kind(first: tuple[Points, ...], second: tuple[Points, ...]) -> Kind:
    """How one issue's points set the two sides against each other."""
    if first.index(max(first)) == second.index(max(second)):
        return "compatible"
    if max(first) - min(first) == max(second) - min(second):
        return "distributive"
    return "integrative"


def issue_kinds(scenario: Scenario) -> tuple[Kind, ...]:
    first, second = scenario.roles
    return tuple(issue_kind(a, b) for a, b in zip(first.points, second.points, strict=True))


def split_points(scenario: Scenario) -> tuple[Fraction, Fraction]:
    """Each role's points when every issue is settled at its middle option(s)."""
    totals = []
    for role in scenario.roles:
        total = Fraction(0)
        for row in role.points:
            middle = (len(row) - 1) / 2
            picks = sorted({int(middle), int(middle + 0.5)})
            total += sum((Fraction(row[i]) for i in picks), Fraction(0)) / len(picks)
        totals.append(total)
    return totals[0], totals[1]


def lessons(scenario: Scenario, analysis: Analysis | None = None) -> Lessons:
    found = analysis or analyze(scenario)
    b1, b2 = (role.batna for role in scenario.roles)
    best = max((f.points[0] + f.points[1] - b1 - b2 for f in found.frontier), default=0)
    split = split_points(scenario)
    first, second = scenario.roles
    return Lessons(
        zopa=found.zopa,
        best_gain=best if found.zopa else 0,
        split_points=split,
        split_gain=split[0] + split[1] - Fraction(b1) - Fraction(b2),
        kinds=issue_kinds(scenario),
        stakes=tuple(
            (max(a) - min(a), max(b) - min(b))
            for a, b in zip(first.points, second.points, strict=True)
        ),
    )


def lessons_json(found: Lessons, scenario: Scenario) -> dict[str, Any]:
    """For the editor: numbers as JSON numbers (fractions of a point as decimals)."""
    b1, b2 = (role.batna for role in scenario.roles)
    left = found.best_gain - found.split_gain if found.zopa else None
    return {
        "zopa": found.zopa,
        "best_gain": found.best_gain,
        "split": {
            "points": [_number(p) for p in found.split_points],
            "gain": _number(found.split_gain),
            "left": None if left is None else _number(Fraction(left)),
            "share_left": (
                None
                if left is None or not found.best_gain
                else _number(Fraction(left) / Fraction(found.best_gain))
            ),
            "below_batna": [
                role.id
                for role, points in zip(scenario.roles, found.split_points, strict=True)
                if points < role.batna
            ],
        },
        "issues": [
            {"id": issue.id, "label": issue.label, "kind": kind, "stakes": list(stakes)}
            for issue, kind, stakes in zip(scenario.issues, found.kinds, found.stakes, strict=True)
        ],
        "batna": [b1, b2],
    }


def _number(value: Fraction) -> int | float:
    return value.numerator if value.denominator == 1 else round(float(value), 6)
