"""A round's games write their header with the scenario encoded once: the same bytes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from zopa.rules.library import builtin_scenarios
from zopa.rules.log import Header, dumps
from zopa.rules.scenario import Scenario
from zopa.server.games import header_line


@given(
    scenario=st.sampled_from(builtin_scenarios()),
    names=st.lists(st.text(max_size=40), min_size=2, max_size=2),
    seed=st.integers(0, 2**32 - 1),
)
def test_the_header_line_is_the_log_formats_own(
    scenario: Scenario, names: list[str], seed: int
) -> None:
    roles = scenario.role_ids
    header = Header(
        game="g0123456789ab",
        scenario=scenario,
        players={
            r: {"id": f"p{i}", "name": n} for i, (r, n) in enumerate(zip(roles, names, strict=True))
        },
        seed=seed,
        started_at=1.5e9,
        extra={"session": "ABCDEF", "round": 3},
    )
    assert header_line(header, dumps(scenario.to_dict())) == dumps(header.to_dict())


def test_a_name_that_looks_like_the_scenarios_place_stays_a_name() -> None:
    scenario = builtin_scenarios()[0]
    roles = scenario.role_ids
    header = Header(
        "g1",
        scenario,
        {roles[0]: {"id": "p1", "name": '"scenario":0,'}, roles[1]: {"id": "bot", "bot": "x"}},
        7,
        1.0,
    )
    assert header_line(header, dumps(scenario.to_dict())) == dumps(header.to_dict())
