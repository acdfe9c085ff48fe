"""Bots: they play legal moves, reach deals where deals exist, and never see the other card."""

from __future__ import annotations

import pytest

from game_rules.bots import STRATEGIES, make_bot, seen_by
from game_rules.bots.ladder import build_ladder
from game_rules.bots.match import play_match
from game_rules.log import GameLog, replay
from game_rules.negotiation import start
from game_rules.scenario import parse_scenario
from game_rules.scoring import result
from tests.factories import header_for, scenario_dict, tiny


@pytest.mark.parametrize("first", sorted(STRATEGIES))
@pytest.mark.parametrize("second", sorted(STRATEGIES))
@pytest.mark.parametrize("turns", ["alternating", "free"])
def test_bots_play_legal_games_to_an_agreement(first: str, second: str, turns: str) -> None:
    scenario = tiny(issues=3, options=5, batnas=(3, 3), turns=turns, time_limit=120)
    match = play_match(scenario, {"seller": make_bot(first), "buyer": make_bot(second)}, seed=3)
    assert match.refused == 0
    outcome = result(match.state)
    assert outcome is not None and outcome["outcome"] == "agreement"
    assert all(outcome["points"][r] >= outcome["batna"][r] for r in scenario.role_ids)
    # Bot games are games like any other: their log replays to the same end.
    assert (
        replay(GameLog(header_for(scenario, seed=3, started_at=0.0), match.events)) == match.state
    )


@pytest.mark.parametrize("seed", range(5))
def test_bots_settle_by_matching_claims(seed: int) -> None:
    scenario = tiny(closing="claims", turns="free", time_limit=60, batnas=(0, 0))
    bots = {"seller": make_bot("linear"), "buyer": make_bot("conceder")}
    match = play_match(scenario, bots, seed=seed)
    assert match.refused == 0
    assert match.state.ending is not None
    assert match.state.ending.reason == "claims_matched"


def test_a_bot_sees_its_own_card_only() -> None:
    data = scenario_dict(issues=2, options=3)
    data["roles"][1]["batna"] = 987_654
    data["roles"][1]["points"] = {
        "i0": [111_111, 222_222, 333_333],
        "i1": [444_444, 555_555, 666_666],
    }
    scenario = parse_scenario(data, "secret")
    seen = seen_by(start(scenario, 1, 0.0), "seller", (), 1.0)
    text = repr(seen)
    for secret in ("987654", "111111", "222222", "333333", "444444", "555555", "666666"):
        assert secret not in text


def test_the_ladder_has_every_total_with_terms_reaching_it() -> None:
    ladder = build_ladder(((0, 5, 1), (2, 0)))
    assert ladder.totals == (0, 1, 2, 3, 5, 7)
    for total, terms in zip(ladder.totals, ladder.terms, strict=True):
        assert (0, 5, 1)[terms[0]] + (2, 0)[terms[1]] == total
    assert ladder.at_least(4) == (5, ladder.terms[4])
    assert ladder.at_least(99)[0] == 7


def test_unknown_strategy_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="conceder"):
        make_bot("genius")
