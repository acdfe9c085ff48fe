"""An ended game's record keeps its result packed, and gives back exactly what was stored."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zopa.rules.bots import make_bot
from zopa.rules.bots.match import play_match
from zopa.rules.deal import deal
from zopa.rules.library import builtin_scenarios
from zopa.rules.log import dumps
from zopa.rules.scoring import result
from zopa.server import packed
from zopa.server.records import GameEntry, pack_json

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), json_values, max_size=8))
def test_any_json_object_packs_and_unpacks_to_itself_keys_in_order(found: dict[str, Any]) -> None:
    stored = orjson.loads(orjson.dumps(found))
    back = packed.unpack(packed.pack(stored))
    assert back == stored
    assert orjson.dumps(back) == orjson.dumps(stored)  # the same keys in the same order


@pytest.mark.parametrize("scenario", builtin_scenarios(), ids=lambda s: s.id)
def test_a_released_game_gives_back_its_stored_result_in_a_quarter_of_the_bytes(
    scenario: Any,
) -> None:
    dealt = deal(scenario, 5)
    roles = dealt.role_ids
    played = play_match(
        dealt, {roles[0]: make_bot("conceder"), roles[1]: make_bot("boulware")}, seed=3
    )
    found = result(played.state)
    assert found is not None
    stored = dumps(found)
    entry = GameEntry("g", 1, ("p1", "p2"), scenario, 5)
    entry.released(stored)
    assert entry.result == orjson.loads(stored)
    assert entry.packed_result is not None
    assert len(entry.packed_result) * 3 < len(stored)


def test_a_stored_result_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ValueError):
        pack_json("[1, 2]")
