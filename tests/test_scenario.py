"""Scenario files: every broken rule is refused with a message naming file, key and expectation.

Instructors write these files by hand, so each message is checked as they would read it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from zopa.rules.errors import ScenarioError
from zopa.rules.scenario import load_scenario, parse_scenario

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


# The lemonade stand with a [variation] table: each game deals its own cards.
VARIED = (
    GOOD.replace('brief = "You sell it."', 'brief = "The market pays you {batna} points."')
    + """
[variation]
zone = "required"
surplus = { min = 1 }

[variation.roles.maker]
batna = { min = 0, max = 2, step = 1 }
shuffle = []

[variation.roles.seller]
batna = { min = 0, max = 1 }
cards = [
  { price = [2, 1, 0], cups = [0, 3] },
  { price = [3, 2, 0], cups = [0, 2] },
]
noise = 0.2
round = 1
"""
)

# Like BROKEN, for the [variation] table: (name, old text, new text, key, expected).
BROKEN_VARIATION: list[tuple[str, str, str, str, str]] = [
    (
        "unknown key",
        'zone = "required"',
        'zone = "required"\nzones = 1',
        "variation.zones",
        "no such key",
    ),
    ("unknown zone", 'zone = "required"', 'zone = "maybe"', "variation.zone", "'maybe'"),
    (
        "surplus bounds reversed",
        "surplus = { min = 1 }",
        "surplus = { min = 3, max = 1 }",
        "variation.surplus",
        "min at most max (found 3 and 1)",
    ),
    (
        "unknown role",
        "[variation.roles.maker]",
        "[variation.roles.buyer]",
        "variation.roles.buyer",
        "a role id (one of ['maker', 'seller'])",
    ),
    (
        "BATNA range without max",
        "batna = { min = 0, max = 2, step = 1 }",
        "batna = { min = 0, step = 1 }",
        "variation.roles.maker.batna.max",
        "the key is missing",
    ),
    (
        "BATNA range reversed",
        "batna = { min = 0, max = 2, step = 1 }",
        "batna = { min = 2, max = 0, step = 1 }",
        "variation.roles.maker.batna",
        "min at most max (found 2 and 0)",
    ),
    (
        "BATNA step of 0",
        "batna = { min = 0, max = 2, step = 1 }",
        "batna = { min = 0, max = 2, step = 0 }",
        "variation.roles.maker.batna.step",
        "a number above 0 (found 0)",
    ),
    (
        "BATNA range not whole steps",
        "batna = { min = 0, max = 2, step = 1 }",
        "batna = { min = 0, max = 2, step = 0.75 }",
        "variation.roles.maker.batna",
        "max - min a whole number of steps (found 2.66667)",
    ),
    (
        "card with too few points",
        "{ price = [3, 2, 0], cups = [0, 2] }",
        "{ price = [3, 2], cups = [0, 2] }",
        "variation.roles.seller.cards[1].price",
        "3 numbers, one per option (found 2)",
    ),
    (
        "card for an unknown issue",
        "{ price = [3, 2, 0], cups = [0, 2] }",
        "{ price = [3, 2, 0], cups = [0, 2], ice = [1, 2] }",
        "variation.roles.seller.cards[1].ice",
        "an issue id (one of ['cups', 'price'])",
    ),
    (
        "empty deck",
        "cards = [\n",
        "cards = [] \nx = [\n",
        "variation.roles.seller.x",
        "no such key",
    ),
    (
        "shuffle of an unknown issue",
        "shuffle = []",
        'shuffle = [["price", "ice"]]',
        "variation.roles.maker.shuffle[0]",
        "issue ids (one of ['cups', 'price']; found 'ice')",
    ),
    (
        "shuffle of issues of different sizes",
        "shuffle = []",
        'shuffle = [["price", "cups"]]',
        "variation.roles.maker.shuffle[0]",
        "issues with the same number of options (price has 3, cups has 2)",
    ),
    (
        "shuffle group of one",
        "shuffle = []",
        'shuffle = [["price"]]',
        "variation.roles.maker.shuffle[0]",
        "at least two issue ids (found 1)",
    ),
    (
        "noise of 1",
        "noise = 0.2",
        "noise = 1",
        "variation.roles.seller.noise",
        "a number from 0 up to (not including) 1 (found 1)",
    ),
    ("round of 0", "round = 1\n", "round = 0\n", "variation.roles.seller.round", "above 0"),
    (
        "own cards without a zone",
        'brief = "You make the lemonade."\nbatna = 1',
        'brief = "You make the lemonade."\nbatna = 9',
        "variation.zone",
        "the roles' own cards to have a zone of agreement (none)",
    ),
    (
        "own cards outside the surplus",
        "surplus = { min = 1 }",
        "surplus = { min = 4 }",
        "variation.surplus",
        "the roles' own cards to have a joint surplus from 4 to inf (found 3)",
    ),
    (
        "draws that rarely keep the constraints",
        "surplus = { min = 1 }\n\n[variation.roles.maker]\nbatna = { min = 0, max = 2, step = 1 }",
        "surplus = { min = 3, max = 3 }\n\n[variation.roles.maker]\nbatna = { min = 0, max = 40 }",
        "variation",
        "draws that keep its zone, joint and surplus at least 1 time in 20",
    ),
    (
        "a price placeholder with no such price",
        "The market pays you {batna} points.",
        "The market pays you {batna:price}.",
        "roles[1].brief",
        "{batna:price} only for an issue whose points stay the same from game to game",
    ),
    (
        "a placeholder naming no issue",
        "The market pays you {batna} points.",
        "The market pays you {batna:ice}.",
        "roles[1].brief",
        "{batna:ice} naming an issue id (one of ['cups', 'price'])",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "key", "expected"),
    [case[1:] for case in BROKEN_VARIATION],
    ids=[case[0] for case in BROKEN_VARIATION],
)
def test_a_broken_variation_is_refused_naming_file_key_and_expectation(
    tmp_path: Path, old: str, new: str, key: str, expected: str
) -> None:
    assert old in VARIED, "the catalogue entry must change the varied file"
    path = write(tmp_path, VARIED.replace(old, new, 1))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}: "), message
    assert expected in message, message


def test_a_variation_that_is_not_a_table_is_refused() -> None:
    data = tomllib.loads(VARIED)
    data["variation"] = 3
    with pytest.raises(ScenarioError, match=r"^here: variation: a \[variation\] table$"):
        parse_scenario(data, "here")


def test_the_varied_file_loads_and_writes_back_its_variation(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, VARIED))
    assert scenario.variation is not None
    maker, seller = scenario.variation.roles
    assert maker.batna is not None and maker.batna.values() == (0, 1, 2)
    assert len(seller.cards) == 2 and seller.noise == 0.2
    assert parse_scenario(scenario.to_dict(), "again") == scenario


def test_a_price_placeholder_needs_an_option_worth_every_batna(tmp_path: Path) -> None:
    text = GOOD.replace('brief = "You make the lemonade."', 'brief = "A shop pays {batna:price}."')
    assert load_scenario(write(tmp_path, text)).roles[0].brief == "A shop pays {batna:price}."
    ranged = text + "\n[variation.roles.maker]\nbatna = { min = 0, max = 3 }\n"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, ranged))
    assert str(caught.value).endswith(
        "roles[0].brief: {batna:price} only if some option of 'price' is worth exactly each "
        "BATNA the role can have (none is worth 3)"
    )
