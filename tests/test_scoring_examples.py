"""Worked examples of efficiency on every built-in case's own cards (docs/rules.md).

Efficiency is the joint gain over both BATNAs against the most joint gain possible: an
impasse where a deal good for both existed gains nothing (0), an impasse with no zone is
a correct walkaway (no figure, never above 100%), and a trap is never "frontier".
"""

from __future__ import annotations

from zopa.rules.library import builtin
from zopa.rules.scoring import gain, gain_text, score
from zopa.rules.worked_examples import examples

# case -> outcome -> (points, old joint/max_joint, new efficiency, verdict)
EXPECTED = {
    "campsite": {
        "best deal for both": ((27, 15), 1.0, 1.0, "frontier"),
        "lopsided frontier deal in the zone": ((5, 33), 0.904762, 0.875, "frontier"),
        "agreement trap": ((36, 0), 0.857143, 0.8125, "trap"),
        "impasse": ((5, 5), 0.238095, 0.0, "missed"),
    },
    "food-truck": {
        "agreement trap": ((20000, 0), 1.0, None, "trap"),
        "impasse": ((12000, 12000), 1.2, None, "walkaway"),
    },
    "guitar": {
        "best deal for both": ((600, 200), 1.0, 1.0, "frontier"),
        "lopsided frontier deal in the zone": ((200, 600), 1.0, 1.0, "frontier"),
        "agreement trap": ((800, 0), 1.0, 1.0, "trap"),
        "impasse": ((200, 200), 0.5, 0.0, "missed"),
    },
    "moving-out": {
        "best deal for both": ((4, 10), 1.0, 1.0, "frontier"),
        "lopsided frontier deal in the zone": ((10, 0), 0.714286, 0.714286, "frontier"),
        "impasse": ((0, 0), 0.0, 0.0, "missed"),
    },
    "new-hire": {
        "best deal for both": ((21800, 11400), 1.0, 1.0, "frontier"),
        "lopsided frontier deal in the zone": ((10000, 22000), 0.963855, 0.909091, "frontier"),
        "agreement trap": ((22400, 9800), 0.96988, 0.924242, "trap"),
        "impasse": ((10000, 10000), 0.60241, 0.0, "missed"),
    },
    "supplier": {
        "best deal for both": ((8000, 6000), 1.0, 1.0, "frontier"),
        "lopsided frontier deal in the zone": ((2500, 10100), 0.9, 0.745455, "frontier"),
        "agreement trap": ((9000, 5000), 1.0, 1.0, "trap"),
        "impasse": ((2500, 6000), 0.607143, 0.0, "missed"),
    },
}


def test_every_built_in_case_scores_its_worked_examples() -> None:
    for case, expected in EXPECTED.items():
        found = {e.outcome: (e.points, e.old, e.new, e.verdict) for e in examples(builtin(case))}
        assert found == expected, case


def test_a_no_zone_walkaway_is_never_a_percentage_and_a_trap_never_the_frontier() -> None:
    truck = builtin("food-truck")
    walkaway = score(truck, "impasse", "walkout", None)
    assert walkaway["efficiency"] is None and walkaway["verdict"] == "walkaway"
    assert walkaway["gain_share"] is None
    assert gain_text(walkaway["efficiency"], walkaway["verdict"]).startswith("a correct walkaway")
    trap = gain(truck, (20000, 0), agreement=True)
    assert trap.verdict == "trap" and trap.efficiency is None


def test_each_side_gets_its_share_of_the_gain() -> None:
    guitar = builtin("guitar")
    shares = gain(guitar, (600, 200), agreement=True).share
    # 400 gained over the BATNA by the first side, none by the second: 100% / 0%.
    assert shares == (1.0, 0.0)
    hire = builtin("new-hire")
    scored = gain(hire, (21800, 11400), agreement=True)
    assert scored.share == (round(11800 / 13200, 6), round(1400 / 13200, 6))
    assert gain(hire, (10000, 10000), agreement=False).share is None
