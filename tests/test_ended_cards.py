"""An ended game's record keeps its cards compactly; the scenario it gives for scoring
holds exactly the cards its log header holds, whichever way the record was made."""

from __future__ import annotations

import json

import pytest

from zopa.rules.deal import cards_of, deal, pack_cards, unpack_cards
from zopa.rules.library import builtin, builtin_scenarios
from zopa.rules.log import Header, dumps, parse_header
from zopa.server.records import GameEntry
from zopa.server.restore import ended_entry
from zopa.server.storage import GameRow


def _row(game: str, scenario_id: str, seed: int | None) -> GameRow:
    header = Header(
        game=game,
        scenario=deal(builtin(scenario_id), seed),
        players={"a": {"id": "p1", "name": "A"}, "b": {"id": "bot", "name": "Bot", "bot": "x"}},
        seed=1,
        started_at=0.0,
        deal=seed,
    )
    fields = header.to_dict()
    roles = header.scenario.role_ids
    fields["players"] = {roles[0]: fields["players"]["a"], roles[1]: fields["players"]["b"]}
    return GameRow(game, "S", 1, dumps(fields), result='{"outcome":"impasse"}')


@pytest.mark.parametrize("scenario_id", sorted(s.id for s in builtin_scenarios()))
def test_a_restored_ended_game_scores_with_the_cards_of_its_header(scenario_id: str) -> None:
    rows = [_row(f"g{n}", scenario_id, seed) for n, seed in enumerate([None, 7, 8, 99, 7])]
    entries = [ended_entry(row) for row in rows]
    for row, entry in zip(rows, entries, strict=True):
        told = parse_header(json.loads(row.header)).scenario
        assert cards_of(entry.scenario) == cards_of(told)
        assert entry.scenario.role_ids == told.role_ids
        assert entry.seats[0] == "p1" and entry.seats[1] is None
        assert entry.result == {"outcome": "impasse"}
    # Games that differ only in their cards share one parsed scenario.
    assert len({id(e.base) for e in entries}) == 1


@pytest.mark.parametrize("scenario_id", sorted(s.id for s in builtin_scenarios()))
def test_a_game_made_here_keeps_its_seed_and_deals_the_same_cards_again(scenario_id: str) -> None:
    base = builtin(scenario_id)
    for seed in (None, 1, 2, 123456789):
        entry = GameEntry("g", 1, ("p1", None), base, seed)
        assert entry.scenario == deal(base, seed)


def test_packed_cards_read_back_the_same() -> None:
    dealt = deal(builtin("supplier"), 42)
    assert unpack_cards(pack_cards(cards_of(dealt))) == cards_of(dealt)
