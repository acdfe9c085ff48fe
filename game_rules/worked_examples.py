"""Worked examples of the efficiency measure on every built-in case's own cards.

``python -m zopa.rules.worked_examples`` prints them: for each case, the best deal good
for both, the zone deal with the least joint points, an agreement trap and an impasse,
with the old figure (joint points / the most joint points) beside the one
``scoring.gain`` gives. tests/test_scoring_examples.py pins the same numbers.
"""

from __future__ import annotations

from typing import NamedTuple

from zopa.rules.analysis import analyze, beating_batnas
from zopa.rules.library import builtin_scenarios
from zopa.rules.scenario import Points, Scenario
from zopa.rules.scoring import gain, gain_text


class Example(NamedTuple):
    case: str
    outcome: str
    points: tuple[Points, Points]
    old: float | None  # joint points / max joint points, as results had it before
    new: float | None  # scoring.gain's efficiency
    verdict: str


def examples(scenario: Scenario) -> list[Example]:
    """The case's best deal for both, its least joint deal in the zone, a trap, an impasse."""
    analysis = analyze(scenario)
    b = (scenario.roles[0].batna, scenario.roles[1].batna)
    zone = beating_batnas(analysis)
    picks: list[tuple[str, tuple[Points, Points], bool]] = []
    if zone:
        best = max(zone, key=lambda f: (f.points[0] + f.points[1], f.points[0]))
        picks.append(("best deal for both", best.points, True))
        low = min(zone, key=lambda f: (f.points[0] + f.points[1], f.points[0]))
        if low.points != best.points:
            picks.append(("lopsided frontier deal in the zone", low.points, True))
    traps = [f for f in analysis.frontier if f.points[0] < b[0] or f.points[1] < b[1]]
    if traps:
        trap = max(traps, key=lambda f: (f.points[0] + f.points[1], f.points[0]))
        picks.append(("agreement trap", trap.points, True))
    picks.append(("impasse", b, False))
    found = []
    for outcome, points, agreed in picks:
        top = analysis.max_joint
        old = round((points[0] + points[1]) / top, 6) if top > 0 else None
        scored = gain(scenario, points, agreed)
        found.append(Example(scenario.id, outcome, points, old, scored.efficiency, scored.verdict))
    return found


def main() -> None:
    print(f"{'case':<12} {'outcome':<34} {'points':>16} {'old':>6} {'new':>6}  verdict")
    for scenario in builtin_scenarios():
        for e in examples(scenario):
            old = "-" if e.old is None else f"{e.old:.0%}"
            new = "-" if e.new is None else f"{e.new:.0%}"
            points = f"{e.points[0]:g} / {e.points[1]:g}"
            print(
                f"{e.case:<12} {e.outcome:<34} {points:>16} {old:>6} {new:>6}  "
                f"{gain_text(e.new, e.verdict)}"
            )


if __name__ == "__main__":
    main()
