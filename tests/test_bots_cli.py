"""``zopa bots match``: the round robin on the command line."""

from __future__ import annotations

import json

import pytest

from zopa.rules.bots import STRATEGIES
from zopa.rules.bots.match import play_match
from zopa.rules.bots.tournament import cards_seed, round_robin
from zopa.rules.bots.variety import game_seed
from zopa.rules.deal import cards_of, deal
from zopa.rules.library import builtin, builtin_scenarios
from zopa.rules.scoring import result, tally
from zopa.server.cli import main


def test_the_json_table_has_every_pairing_in_both_roles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bots", "match", "guitar", "--repeat", "2", "--seed", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    n = len(STRATEGIES)
    assert out["scenario"] == "guitar" and out["roles"] == ["seller", "buyer"]
    assert out["games"] == 2 * n * n and len(out["pairings"]) == n * n
    assert out["refused"] == 0 and out["talk"] is False
    assert out["games_per_second"] > 0
    pairs = {(p["strategies"]["seller"], p["strategies"]["buyer"]) for p in out["pairings"]}
    assert pairs == {(a, b) for a in STRATEGIES for b in STRATEGIES}
    for p in out["pairings"]:
        assert 0 <= p["agreement_rate"] <= 1
        assert set(p["points"]) == {"seller", "buyer"}
        # Guitar is all price: every deal splits 800 points, an impasse pays 200 each.
        joint = p["points"]["seller"] + p["points"]["buyer"]
        assert joint == pytest.approx(400 + 400 * p["agreement_rate"])
        # Every deal gains all 400 points over the BATNAs, an impasse none of them.
        assert p["efficiency"] == pytest.approx(p["agreement_rate"])
    assert {s["strategy"] for s in out["standings"]} == set(STRATEGIES)


def test_the_round_robin_tally_is_the_result_of_each_game() -> None:
    # The round robin adds up tally(), not result(): they must agree on what it reads.
    names = list(STRATEGIES)
    for scenario in builtin_scenarios():
        first, second = scenario.role_ids
        for n, a in enumerate(names):
            b = names[(n + 2) % len(names)]
            state = play_match(scenario, {first: STRATEGIES[a], second: STRATEGIES[b]}, n).state
            full, short = result(state), tally(state)
            assert full is not None and short is not None
            assert short.agreement == (full["outcome"] == "agreement")
            assert short.points == (full["points"][first], full["points"][second])
            assert short.surplus == (full["surplus"][first], full["surplus"][second])
            assert short.efficiency == full["efficiency"]


def test_the_same_seed_plays_the_same_series(capsys: pytest.CaptureFixture[str]) -> None:
    runs = []
    for _ in range(2):
        main(["bots", "match", "campsite", "--repeat", "2", "--seed", "9", "--json"])
        out = json.loads(capsys.readouterr().out)
        runs.append(out["pairings"])
    assert runs[0] == runs[1]


def test_the_text_table(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["bots", "match", "food-truck", "--repeat", "1", "--strategies", "conceder,hardliner"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("food-truck: The Food Truck - 2 strategies")
    assert "owner" in lines[2] and "cook pts" in lines[2] and "efficiency" in lines[2]
    rows = [line.split() for line in lines[3:7]]
    assert [r[:2] for r in rows] == [
        ["conceder", "conceder"],
        ["conceder", "hardliner"],
        ["hardliner", "conceder"],
        ["hardliner", "hardliner"],
    ]
    assert all(r[2] == "0%" for r in rows)  # no zone of agreement, no deal
    assert "by strategy" in out
    assert lines[-1].startswith("4 games in ") and "s of CPU" in lines[-1]
    assert lines[-1].endswith("games/s on one core")


def test_the_bots_may_talk(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bots", "match", "guitar", "--repeat", "1", "--talk", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["talk"] is True


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["guitar", "--strategies", "conceder,genius"],
            "no strategy 'genius'; there are: conceder",
        ),
        (["chess"], "chess"),
        (["guitar", "--repeat", "0"], "--repeat must be 1 or more"),
    ],
)
def test_bad_arguments_say_what_was_expected(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["bots", "match", *argv]) == 2
    assert message in capsys.readouterr().err


def test_each_bot_game_deals_its_own_cards_reproducibly() -> None:
    scenario = builtin("new-hire")
    strategies = {"conceder": STRATEGIES["conceder"], "hardliner": STRATEGIES["hardliner"]}
    dealt = round_robin(scenario, strategies, 3, seed=4)
    again = round_robin(scenario, strategies, 3, seed=4)
    same = round_robin(scenario, strategies, 3, seed=4, same_cards=True)
    assert dealt.to_json() == again.to_json()
    assert dealt.to_json()["cards"] == "dealt per game" and same.to_json()["cards"] == "same"
    assert dealt.to_json()["pairings"] != same.to_json()["pairings"]
    # The n-th game of the series is dealt from a seed drawn from its game seed.
    seeds = [game_seed(4, n) for n in range(12)]
    cards = {cards_of(deal(scenario, cards_seed(s))) for s in seeds}
    assert len(cards) == 12


def test_the_table_says_how_the_cards_were_dealt(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bots", "match", "guitar", "--repeat", "1", "--same-cards"]) == 0
    assert "the scenario's own cards in every game" in capsys.readouterr().out
    assert main(["bots", "match", "guitar", "--repeat", "1"]) == 0
    assert "cards dealt per game" in capsys.readouterr().out
