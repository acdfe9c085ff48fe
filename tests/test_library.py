"""The built-in scenarios: each one teaches what its brief promises.

These are properties of the numbers, not of the wording: a typo in a card that turned
an integrative issue distributive, or gave the price bargain a zone of agreement it
must not have, would silently change the lesson.
"""

from __future__ import annotations

import pytest

from zopa.rules.analysis import analyze
from zopa.rules.lessons import issue_kinds, lessons
from zopa.rules.library import builtin, builtin_scenarios, resolve
from zopa.rules.scenario import Scenario, parse_scenario

IDS = ("campsite", "food-truck", "guitar", "moving-out", "new-hire", "supplier")


def joint_gain(scenario: Scenario, terms: dict[str, int]) -> float:
    return sum(scenario.points(r.id, terms) - r.batna for r in scenario.roles)


def kinds(scenario: Scenario) -> set[str]:
    """How each issue sets the two sides against each other, by the shape of their points."""
    return set(issue_kinds(scenario))


def test_the_library_has_the_six_scenarios() -> None:
    assert tuple(s.id for s in builtin_scenarios()) == IDS


@pytest.mark.parametrize("scenario_id", IDS)
def test_every_scenario_is_written_for_players(scenario_id: str) -> None:
    scenario = builtin(scenario_id)
    assert len(scenario.description) > 200
    for role in scenario.roles:
        paragraphs = [p for p in role.brief.split("\n\n") if p.strip()]
        assert len(paragraphs) >= 3, f"{role.id}'s brief should be a few paragraphs"
        assert "\\" not in role.brief and "  " not in role.brief
        assert role.label


@pytest.mark.parametrize("scenario_id", IDS)
def test_every_scenario_survives_the_log_header_round_trip(scenario_id: str) -> None:
    scenario = builtin(scenario_id)
    assert parse_scenario(scenario.to_dict(), "header") == scenario
    assert resolve(scenario_id) is scenario


def test_new_hire_splitting_the_difference_leaves_most_of_the_gain() -> None:
    scenario = builtin("new-hire")
    assert len(scenario.issues) == 8
    assert all(len(issue.options) == 5 for issue in scenario.issues)
    assert kinds(scenario) == {"distributive", "integrative", "compatible"}
    middle = {issue_id: 2 for issue_id in scenario.issue_ids}
    best = analyze(scenario).max_joint - sum(r.batna for r in scenario.roles)
    split = joint_gain(scenario, middle)
    assert 0 < split < 0.35 * best
    # The editor's check says the same.
    found = lessons(scenario)
    assert found.best_gain == best and found.split_gain == split
    # The split is still a deal both would sign, which is what makes it a trap.
    assert all(scenario.points(r.id, middle) > r.batna for r in scenario.roles)


def test_moving_out_is_an_item_division_closed_by_claims() -> None:
    scenario = builtin("moving-out")
    assert scenario.protocol.closing == "claims"
    assert scenario.protocol.turns == "free"
    assert len(scenario.issues) == 3
    assert all(r.batna <= 0 for r in scenario.roles)
    for role in scenario.roles:
        everything = {i.id: _all_to(scenario, role.id, i.id) for i in scenario.issues}
        assert scenario.points(role.id, everything) == 10


def _all_to(scenario: Scenario, role_id: str, issue_id: str) -> int:
    """The option of an issue that gives the role the most, i.e. every unit of it."""
    index = scenario.issue_ids.index(issue_id)
    points = scenario.role(role_id).points[index]
    return points.index(max(points))


def test_campsite_scores_like_casino() -> None:
    scenario = builtin("campsite")
    assert scenario.protocol.turns == "free"
    assert scenario.issue_ids == ("food", "water", "firewood")
    assert all(len(issue.options) == 4 for issue in scenario.issues)
    for role in scenario.roles:
        assert role.batna == 5
        per_unit = sorted(abs(p[1] - p[0]) for p in role.points)
        assert per_unit == [3, 4, 5]
        for points in role.points:
            steps = {points[k + 1] - points[k] for k in range(3)}
            assert len(steps) == 1, "points must be linear in units"
    first, second = scenario.roles
    assert [p.index(max(p)) for p in first.points] != [p.index(max(p)) for p in second.points]


def test_the_guitar_has_a_zone_of_agreement_and_the_food_truck_has_none() -> None:
    guitar, truck = builtin("guitar"), builtin("food-truck")
    assert len(guitar.issues) == len(truck.issues) == 1
    assert kinds(guitar) == kinds(truck) == {"distributive"}
    assert analyze(guitar).zopa and analyze(guitar).nash is not None
    assert not analyze(truck).zopa and analyze(truck).nash is None


def test_the_supplier_contract_has_asymmetric_batnas() -> None:
    scenario = builtin("supplier")
    assert 4 <= len(scenario.issues) <= 5
    supplier, buyer = scenario.roles
    assert buyer.batna >= 2 * supplier.batna
    assert analyze(scenario).zopa
    assert "integrative" in kinds(scenario)
