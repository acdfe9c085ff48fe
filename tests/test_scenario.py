"""Scenario files: every broken rule is refused with a message naming file, key and expectation.

Instructors write these files by hand, so each message is checked as they would read it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zopa.rules.errors import ScenarioError
from zopa.rules.scenario import load_scenario

GOOD = """
format = "zopa-scenario/1"
id = "lemonade"
title = "Lemonade Stand"
description = "Two children share a lemonade stand."

[protocol]
time_limit = 300
turns = "alternating"
first_mover = "random"

[[issues]]
id = "price"
label = "Price"
options = ["50c", "75c", "$1"]

[[issues]]
id = "cups"
label = "Cups"
options = ["small", "large"]

[[roles]]
id = "maker"
label = "Maker"
brief = "You make the lemonade."
batna = 1
points = { price = [0, 1, 2], cups = [1, 0] }

[[roles]]
id = "seller"
label = "Seller"
brief = "You sell it."
batna = 1
points = { price = [2, 1, 0], cups = [0, 3] }
"""

# (name, text to replace, replacement, key named in the message, what was expected)
BROKEN: list[tuple[str, str, str, str, str]] = [
    ("missing title", 'title = "Lemonade Stand"\n', "", "title", "a value (the key is missing)"),
    ("wrong format", '"zopa-scenario/1"', '"zopa-scenario/9"', "format", '"zopa-scenario/1"'),
    ("title not a string", '"Lemonade Stand"', "3", "title", "a string (found int)"),
    ("bad id", 'id = "lemonade"', 'id = "lemon ade!"', "id", "an id"),
    (
        "unknown top-level key",
        'title = "Lemonade',
        'colour = "red"\ntitle = "Lemonade',
        "colour",
        "no such key",
    ),
    (
        "unknown protocol value",
        'turns = "alternating"',
        'turns = "whenever"',
        "protocol.turns",
        "'whenever'",
    ),
    (
        "unknown closing",
        'first_mover = "random"',
        'closing = "handshake"',
        "protocol.closing",
        "'handshake'",
    ),
    (
        "first mover not a role",
        'first_mover = "random"',
        'first_mover = "judge"',
        "protocol.first_mover",
        "'judge'",
    ),
    ("negative time limit", "time_limit = 300", "time_limit = -5", "protocol.time_limit", "-5"),
    ("infinite time limit", "time_limit = 300", "time_limit = inf", "protocol.time_limit", "inf"),
    (
        "fractional break count",
        "time_limit = 300",
        "time_limit = 300\nbreaks = 1.5",
        "protocol.breaks",
        "1.5",
    ),
    (
        "too few points",
        "price = [0, 1, 2], cups = [1, 0] }",
        "price = [0, 1], cups = [1, 0] }",
        "roles[0].points.price",
        "3 numbers, one per option (found 2)",
    ),
    (
        "points for an unknown issue",
        "cups = [0, 3] }",
        "cups = [0, 3], ice = [1, 2] }",
        "roles[1].points.ice",
        "an issue id (one of ['cups', 'price'])",
    ),
    (
        "points missing an issue",
        "price = [2, 1, 0], cups = [0, 3] }",
        "price = [2, 1, 0] }",
        "roles[1].points.cups",
        "points for every issue",
    ),
    (
        "point not a number",
        "cups = [0, 3] }",
        'cups = [0, "3"] }',
        "roles[1].points.cups[1]",
        "a number (found '3')",
    ),
    (
        "NaN point",
        "cups = [0, 3] }",
        "cups = [0, nan] }",
        "roles[1].points.cups[1]",
        "a finite number (found nan)",
    ),
    (
        "NaN BATNA",
        "batna = 1\npoints = { price = [2",
        "batna = nan\npoints = { price = [2",
        "roles[1].batna",
        "finite",
    ),
    ("duplicate issue id", 'id = "cups"', 'id = "price"', "issues[1].id", "price"),
    ("duplicate role id", 'id = "seller"', 'id = "maker"', "roles[1].id", "maker"),
    (
        "duplicate option",
        '["small", "large"]',
        '["small", "small"]',
        "issues[1].options",
        "distinct",
    ),
    ("one option", '["small", "large"]', '["small"]', "issues[1].options", "at least two"),
    (
        "no issues",
        '[[issues]]\nid = "price"\nlabel = "Price"\noptions = ["50c", "75c", "$1"]\n\n'
        '[[issues]]\nid = "cups"\nlabel = "Cups"\noptions = ["small", "large"]\n',
        "",
        "issues",
        "the key is missing",
    ),
]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lemonade.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_good_file_loads(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, GOOD))
    assert scenario.role_ids == ("maker", "seller")
    assert scenario.points("seller", {"price": 0, "cups": 1}) == 5


@pytest.mark.parametrize(
    ("old", "new", "key", "expected"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_a_broken_file_is_refused_naming_file_key_and_expectation(
    tmp_path: Path, old: str, new: str, key: str, expected: str
) -> None:
    assert old in GOOD, "the catalogue entry must change the good file"
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}: "), message
    assert expected in message, message


def test_a_third_role_is_refused(tmp_path: Path) -> None:
    third = '\n[[roles]]\nid = "boss"\nbatna = 0\npoints = { price = [0, 0, 0], cups = [0, 0] }\n'
    with pytest.raises(ScenarioError, match=r"lemonade\.toml: roles: .*exactly two"):
        load_scenario(write(tmp_path, GOOD + third))


def test_a_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"lemonade\.toml: \(syntax\): valid TOML"):
        load_scenario(write(tmp_path, GOOD + "\nthis is = = not toml\n"))


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"nowhere\.toml: \(file\): a readable file"):
        load_scenario(tmp_path / "nowhere.toml")
