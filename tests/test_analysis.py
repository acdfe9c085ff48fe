"""Outcome-space analysis: the issue-by-issue method against full enumeration, hand-made
scenarios whose answers are known, and ``zopa analyze`` end to end."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zopa.rules.analysis import (
    Analysis,
    analysis_json,
    analyze,
    analyze_brute,
    dominating,
    left_on_table,
    max_joint,
)
from zopa.rules.scenario import Issue, Points, Protocol, Role, Scenario, parse_scenario
from zopa.server.cli import main


def make(
    tables: Sequence[Sequence[tuple[Points, Points]]],
    batna: tuple[Points, Points] = (0, 0),
    scenario_id: str = "test",
) -> Scenario:
    """A scenario from one list of (first role, second role) points per option, per issue."""
    issues = tuple(
        Issue(f"i{n}", f"Issue {n}", tuple(f"o{j}" for j in range(len(options))))
        for n, options in enumerate(tables)
    )
    roles = tuple(
        Role(
            id=name,
            label=name,
            brief="",
            batna=batna[r],
            points=tuple(tuple(option[r] for option in options) for options in tables),
        )
        for r, name in enumerate(("a", "b"))
    )
    return Scenario(scenario_id, "Test", "", Protocol(), issues, (roles[0], roles[1]))


def nash_product(analysis: Analysis) -> Points | None:
    if analysis.nash is None:
        return None
    p1, p2 = analysis.nash.points
    return (p1 - analysis.batna[0]) * (p2 - analysis.batna[1])


small_points = st.integers(min_value=-4, max_value=6)
tables = st.lists(
    st.lists(st.tuples(small_points, small_points), min_size=2, max_size=5),
    min_size=1,
    max_size=5,
)
batnas = st.tuples(st.integers(-5, 20), st.integers(-5, 20))


@settings(max_examples=300, deadline=None)
@given(tables=tables, batna=batnas)
def test_fast_equals_brute_force(
    tables: list[list[tuple[int, int]]], batna: tuple[int, int]
) -> None:
    scenario = make(tables, batna)
    fast = analyze(scenario)
    brute = analyze_brute(scenario)
    assert [f.points for f in fast.frontier] == [f.points for f in brute.frontier]
    assert fast.max_joint == brute.max_joint == max_joint(scenario)
    assert fast.zopa == brute.zopa
    assert nash_product(fast) == nash_product(brute)
    assert (fast.nash and fast.nash.points) == (brute.nash and brute.nash.points)
    ks_fast, ks_brute = fast.kalai_smorodinsky, brute.kalai_smorodinsky
    assert (ks_fast and ks_fast.points) == (ks_brute and ks_brute.points)
    # Stronger than asked: the deterministic tie-breaks pick the very same terms.
    assert fast == brute


@settings(max_examples=100, deadline=None)
@given(tables=tables, batna=batnas)
def test_frontier_is_what_the_definition_says(
    tables: list[list[tuple[int, int]]], batna: tuple[int, int]
) -> None:
    scenario = make(tables, batna)
    analysis = analyze(scenario)
    every = {
        (scenario.points("a", terms), scenario.points("b", terms)) for terms in _all_terms(scenario)
    }

    def dominated(p: tuple[Points, Points]) -> bool:
        return any(q[0] >= p[0] and q[1] >= p[1] and q != p for q in every)

    expected = sorted(p for p in every if not dominated(p))
    assert [f.points for f in analysis.frontier] == expected
    for f in analysis.frontier:
        assert (scenario.points("a", f.terms), scenario.points("b", f.terms)) == f.points
    for p in every:
        better = dominating(analysis, *p)
        assert {f.points for f in better} == {q for q in expected if _beats(q, p)}
        assert (left_on_table(analysis, *p) > 0) == dominated(p)


def _beats(q: tuple[Points, Points], p: tuple[Points, Points]) -> bool:
    return q[0] >= p[0] and q[1] >= p[1] and q != p


def _all_terms(scenario: Scenario) -> list[dict[str, int]]:
    ids = scenario.issue_ids
    ranges = (range(len(issue.options)) for issue in scenario.issues)
    return [dict(zip(ids, combo, strict=True)) for combo in itertools.product(*ranges)]


def test_floats_stay_exact_and_ints_stay_ints() -> None:
    scenario = make([[(0.5, 2.25), (1.75, 1.0)], [(0.1, 0.2), (0.2, 0.1)]], batna=(0.3, 0.3))
    assert analyze(scenario) == analyze_brute(scenario)
    ints = analyze(make([[(0, 3), (3, 0)]]))
    assert all(type(v) is int for f in ints.frontier for v in f.points)


def test_price_bargain() -> None:
    # One distributive issue: every price is Pareto-optimal; the Nash point splits the
    # surplus above the BATNAs evenly.
    prices = [(p, 10 - p) for p in range(11)]
    analysis = analyze(make([prices], batna=(2, 4)))
    assert [f.points for f in analysis.frontier] == prices
    assert analysis.max_joint == 10
    assert analysis.zopa
    assert analysis.nash is not None and analysis.nash.points == (4, 6)
    assert analysis.nash.terms == {"i0": 4}
    assert analysis.kalai_smorodinsky is not None
    assert analysis.kalai_smorodinsky.points == (4, 6)


def test_no_zone_of_agreement() -> None:
    analysis = analyze(make([[(p, 10 - p) for p in range(11)]], batna=(6, 6)))
    assert not analysis.zopa
    assert analysis.nash is None
    assert analysis.kalai_smorodinsky is None
    assert analysis.ideal is None
    data = analysis_json(analysis, make([[(0, 0), (1, 1)]]))
    assert data["nash"] is None and data["kalai_smorodinsky"] is None


def test_compatible_issue() -> None:
    # Both want the same option: the frontier is one point, and lose-lose terms are off it.
    analysis = analyze(make([[(0, 0), (5, 3), (2, 1)]], batna=(1, 1)))
    assert [f.points for f in analysis.frontier] == [(5, 3)]
    assert analysis.nash is not None and analysis.nash.terms == {"i0": 1}
    assert [f.points for f in dominating(analysis, 2, 1)] == [(5, 3)]
    assert left_on_table(analysis, 2, 1) == 5


def test_integrative_trade_off() -> None:
    # Each side cares more about a different issue: each getting its way on the issue it
    # values more beats splitting both down the middle.
    wages = [(0, 10), (20, 5), (40, 0)]
    hours = [(0, 40), (5, 20), (10, 0)]
    analysis = analyze(make([wages, hours]))
    points = [f.points for f in analysis.frontier]
    assert (40, 40) in points and (25, 25) not in points
    assert analysis.max_joint == 80
    assert analysis.nash is not None and analysis.nash.points == (40, 40)
    assert analysis.nash.terms == {"i0": 2, "i1": 0}
    assert analysis.outcomes == 9


def test_tie_breaks_are_documented_ones() -> None:
    # (1, 4) and (4, 1) have the same product and joint points: the lower first-role
    # points win. Equal options resolve to the lowest index.
    analysis = analyze(make([[(1, 4), (4, 1), (1, 4)]]))
    assert analysis.nash is not None and analysis.nash.points == (1, 4)
    assert analysis.nash.terms == {"i0": 0}


def test_ks_differs_from_nash() -> None:
    # KS equalises the share of each side's ideal gain, Nash maximises the product.
    options = [(0, 10), (5, 9), (6, 6), (10, 0)]
    analysis = analyze(make([options]))
    assert analysis.nash is not None and analysis.nash.points == (5, 9)
    assert analysis.kalai_smorodinsky is not None
    assert analysis.kalai_smorodinsky.points == (6, 6)


def test_analyze_is_memoised() -> None:
    scenario = make([[(0, 1), (1, 0)]], scenario_id="memo")
    assert analyze(scenario) is analyze(scenario)
    assert max_joint(scenario) == 1


def test_twelve_issues_of_ten_options() -> None:
    rng = random.Random(7)
    tables = []
    for _ in range(12):
        mine = sorted(rng.sample(range(101), 10))
        theirs = sorted(rng.sample(range(101), 10), reverse=True)
        tables.append(list(zip(mine, theirs, strict=True)))
    analysis = analyze(make(tables, batna=(400, 400)))
    assert analysis.outcomes == 10**12
    assert analysis.zopa and analysis.nash is not None
    firsts = [f.points[0] for f in analysis.frontier]
    seconds = [f.points[1] for f in analysis.frontier]
    assert firsts == sorted(set(firsts)) and seconds == sorted(set(seconds), reverse=True)


SCENARIO_TOML = """
format = "zopa-scenario/1"
id = "car-sale"
title = "Car Sale"

[[issues]]
id = "price"
options = ["$8k", "$9k", "$10k"]

[[issues]]
id = "warranty"
options = ["none", "1 year"]

[[roles]]
id = "seller"
batna = 10
points = { price = [0, 10, 20], warranty = [5, 0] }

[[roles]]
id = "buyer"
batna = 5
points = { price = [20, 10, 0], warranty = [0, 15] }
"""


def test_cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "car.toml"
    path.write_text(SCENARIO_TOML, encoding="utf-8")
    assert main(["analyze", str(path), "--json"]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert data == {
        "scenario": "car-sale",
        "roles": ["seller", "buyer"],
        "outcomes": 6,
        "batna": {"seller": 10, "buyer": 5},
        "max_joint": 35,
        "frontier": [[0, 35], [10, 25], [20, 15], [25, 0]],
        "zopa": True,
        "nash": {"points": [20, 15], "terms": {"price": 2, "warranty": 1}},
        "kalai_smorodinsky": {"points": [20, 15], "terms": {"price": 2, "warranty": 1}},
    }


def test_cli_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "car.toml"
    path.write_text(SCENARIO_TOML, encoding="utf-8")
    assert main(["analyze", str(path)]) == 0
    out = capsys.readouterr().out
    assert "outcomes: 6" in out
    assert "Nash: seller 20, buyer 15" in out
    assert "price: $10k" in out and "warranty: 1 year" in out


def test_cli_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "no-such-scenario"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no-such-scenario" in captured.err
    assert captured.err.count("\n") == 1


def test_cli_broken_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(SCENARIO_TOML.replace("batna = 5", 'batna = "five"'), encoding="utf-8")
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert "broken.toml" in err and "roles[1].batna" in err


def test_parse_scenario_round_trip_analyses_the_same() -> None:
    scenario = make([[(0, 3), (2, 2), (3, 0)], [(1, 0), (0, 2)]], batna=(1, 1))
    again = parse_scenario(scenario.to_dict(), "round-trip")
    assert analyze(again) == analyze(scenario)
