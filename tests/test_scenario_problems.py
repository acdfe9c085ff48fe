"""Every problem of a scenario at once, each with its line, and scenarios written as TOML.

A teacher who uploads a file with three mistakes should hear of all three in one go,
in the same words ``zopa analyze`` uses for the first, and where each one is.
"""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_scenario import GOOD
from zopa.rules.errors import ScenarioError
from zopa.rules.library import builtin_scenarios
from zopa.rules.scenario import (
    Issue,
    Protocol,
    Role,
    Scenario,
    data_problems,
    parse_scenario,
    read_scenario,
    scenario_problems,
)
from zopa.rules.scenario_lines import key_lines, line_of
from zopa.rules.scenario_toml import scenario_toml


def found(text: str) -> list[tuple[str, int | None, str]]:
    lines = key_lines(text)
    return [
        (p.key, line_of(p.key, lines, str(p)), p.expected) for p in scenario_problems(text, "f")
    ]


def line_with(text: str, fragment: str, after: int = 0) -> int:
    """The line number (from 1) of the first line holding ``fragment`` after line ``after``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number > after and fragment in line:
            return number
    raise AssertionError(fragment)


def test_the_good_file_has_no_problems() -> None:
    assert scenario_problems(GOOD, "f") == []


def test_every_problem_is_listed_with_its_line_in_the_order_of_the_file() -> None:
    text = (
        GOOD.replace('title = "Lemonade Stand"', 'title = 3\ncolour = "red"')
        .replace('turns = "alternating"', 'turns = "whenever"')
        .replace('["small", "large"]', '["small", "small"]')
        .replace("price = [0, 1, 2], cups = [1, 0] }", "price = [0, 1], cups = [1, 0] }")
        .replace("cups = [0, 3] }", 'cups = [0, "3"] }')
    )
    problems = found(text)
    assert problems == [
        ("colour", line_with(text, "colour"), "no such key; expected one of " + _TOP),
        ("title", line_with(text, "title = 3"), "a string (found int)"),
        ("issues[1].options", line_with(text, '["small", "small"]'), "distinct option labels"),
        (
            "roles[0].points.price",
            line_with(text, "price = [0, 1], cups"),
            "3 numbers, one per option (found 2)",
        ),
        (
            "protocol.turns",
            line_with(text, "turns ="),
            '"alternating" or "free" (found \'whenever\')',
        ),
    ]
    # The points of a broken issue are not checked against it: no echo of its mistake.
    assert not any(key.startswith("roles[1].points") for key, _, _ in problems)


_TOP = (
    "['description', 'format', 'id', 'issues', 'origin', 'protocol', 'roles', 'title', 'variation']"
)


def test_the_first_problem_is_the_one_parse_scenario_raises() -> None:
    text = GOOD.replace("batna = 1\n", "batna = true\n").replace('id = "maker"', 'id = "ma ker"')
    problems = scenario_problems(text, "case.toml")
    assert len(problems) == 3
    with pytest.raises(ScenarioError) as caught:
        read_scenario(text, "case.toml")
    assert str(caught.value) == str(problems[0])
    assert [p.key for p in problems] == ["roles[0].id", "roles[0].batna", "roles[1].batna"]


def test_a_missing_key_points_at_its_table() -> None:
    text = GOOD.replace('id = "seller"\nlabel = "Seller"\nbrief = "You sell it."\nbatna = 1\n', "")
    assert found(text) == [
        ("roles[1].id", line_with(text, "[[roles]]", line_with(text, "You make")), _MISSING),
        ("roles[1].batna", line_with(text, "[[roles]]", line_with(text, "You make")), _MISSING),
    ]


_MISSING = "a value (the key is missing)"


def test_a_syntax_error_is_the_only_problem_and_has_its_line() -> None:
    text = GOOD.replace('label = "Cups"', 'label = "Cups')
    (problem,) = found(text)
    assert problem[0] == "(syntax)"
    assert problem[1] == line_with(text, 'label = "Cups')


def test_dicts_from_a_log_header_are_checked_the_same_way() -> None:
    data: dict[str, Any] = read_scenario(GOOD, "f").to_dict()
    data["roles"][0]["batna"] = "lots"
    data["issues"][0]["label"] = 5
    assert [p.key for p in data_problems(data, "header")] == [
        "issues[0].label",
        "roles[0].batna",
    ]


def test_lines_of_multi_line_values_and_dotted_keys() -> None:
    text = '''format = "zopa-scenario/1"
description = """
a line with = and [brackets]
[[roles]]
"""
points.salary = [
  1,
  "two", # a comment with ]
  3,
]
[roles.points]
"a.b" = { x = 1, y = [2, 3] }
'''
    lines = key_lines(text)
    assert lines["description"] == 2
    assert "roles[0]" not in lines  # the header inside the string is text, not a table
    assert lines["points.salary[1]"] == 8
    assert lines["points.salary[2]"] == 9
    assert line_of("points.salary[1]", lines) == 8
    assert line_of("roles.points.a.b.y[1]", lines) == 12
    assert line_of("nowhere", lines) is None


@pytest.mark.parametrize("scenario", builtin_scenarios(), ids=lambda s: s.id)
def test_the_built_in_scenarios_round_trip_through_toml(scenario: Scenario) -> None:
    text = scenario_toml(scenario)
    again = read_scenario(text, "written")
    assert again == scenario
    assert again.to_dict() == scenario.to_dict()
    # One line per issue in each role's points: a problem there names its own line.
    lines = key_lines(text)
    first = scenario.issues[0].id
    assert text.splitlines()[lines[f"roles[1].points.{first}"] - 1].startswith(first)


texts = st.text(alphabet=string.printable + "é\u2028\"'\\\x00\x7f", max_size=30)
ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,10}", fullmatch=True)
numbers = st.one_of(
    st.integers(-(10**15), 10**15), st.floats(allow_nan=False, allow_infinity=False)
)


@settings(max_examples=60, deadline=None)
@given(
    title=texts,
    brief=texts,
    labels=st.lists(texts, min_size=2, max_size=4, unique=True),
    issue_id=ids,
    points=st.lists(numbers, min_size=4, max_size=4),
    batna=numbers,
    origin=st.dictionaries(
        ids, st.one_of(texts, numbers, st.booleans(), st.lists(numbers, max_size=3)), max_size=3
    ),
)
def test_any_scenario_round_trips_through_toml(
    title: str,
    brief: str,
    labels: list[str],
    issue_id: str,
    points: list[float],
    batna: float,
    origin: dict[str, Any],
) -> None:
    n = len(labels)
    row = (tuple(points[:n] + [0] * (n - len(points))),)
    roles = (Role("a", "A", brief, batna, row), Role("b", "B", "", batna, row))
    scenario = Scenario(
        "s", title, brief, Protocol(), (Issue(issue_id, title, tuple(labels)),), roles, origin
    )
    again = read_scenario(scenario_toml(scenario), "written")
    assert again.to_dict() == scenario.to_dict()
    assert parse_scenario(scenario.to_dict(), "dict") == again
