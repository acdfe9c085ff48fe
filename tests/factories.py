"""Small scenarios and games built in memory for the rules' tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from zopa.rules.actions import Action
from zopa.rules.events import Event
from zopa.rules.log import GameLog, Header
from zopa.rules.negotiation import apply, start
from zopa.rules.scenario import Scenario, parse_scenario

T0 = 1000.0
LOW = {"i0": 0, "i1": 0}
MID = {"i0": 1, "i1": 1}
HIGH = {"i0": 2, "i1": 2}


def scenario_dict(
    *,
    issues: int = 2,
    options: int = 3,
    batnas: tuple[int, int] = (2, 2),
    **protocol: Any,
) -> dict[str, Any]:
    """A small scenario where the seller likes high options and the buyer low ones."""
    ids = [f"i{n}" for n in range(issues)]
    return {
        "format": "zopa-scenario/1",
        "id": "tiny",
        "title": "Tiny",
        "description": "A scenario for tests.",
        "protocol": protocol,
        "issues": [
            {"id": i, "label": i.upper(), "options": [f"o{k}" for k in range(options)]} for i in ids
        ],
        "roles": [
            {
                "id": "seller",
                "batna": batnas[0],
                "points": {i: list(range(options)) for i in ids},
            },
            {
                "id": "buyer",
                "batna": batnas[1],
                "points": {i: list(range(options - 1, -1, -1)) for i in ids},
            },
        ],
    }


def tiny(**kwargs: Any) -> Scenario:
    return parse_scenario(scenario_dict(**kwargs), "tiny")


def header_for(scenario: Scenario, seed: int = 7, started_at: float = 1000.0) -> Header:
    return Header(
        game="g1",
        scenario=scenario,
        players={r: {"id": f"p-{r}", "name": r.title()} for r in scenario.role_ids},
        seed=seed,
        started_at=started_at,
    )


def log_of(scenario: Scenario, events: list[Event], seed: int = 7) -> GameLog:
    return GameLog(header_for(scenario, seed), tuple(events))


def played(scenario: Scenario, *steps: Action | tuple[Action, float]) -> GameLog:
    """A valid log: every step goes through the rules, one second apart unless timed."""
    state = start(scenario, 1, T0)
    events = []
    now = T0
    for step in steps:
        action, now = step if isinstance(step, tuple) else (step, now + 1)
        state, more = apply(state, action, now)
        events.extend(more)
    return log_of(scenario, events, seed=1)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Random small scenarios covering every protocol setting."""
    n_issues = draw(st.integers(1, 4))
    ids = [f"i{n}" for n in range(n_issues)]
    sizes = [draw(st.integers(2, 4)) for _ in ids]
    row = st.integers(-5, 20)
    data = {
        "format": "zopa-scenario/1",
        "id": "random",
        "title": "Random",
        "protocol": {
            "time_limit": draw(st.sampled_from([30, 60.5, 300, 900])),
            "turns": draw(st.sampled_from(["alternating", "free"])),
            "first_mover": draw(st.sampled_from(["random", "a", "b"])),
            "max_offers": draw(st.integers(0, 4)),
            "closing": draw(st.sampled_from(["accept", "claims"])),
            "breaks": draw(st.integers(0, 2)),
            "break_seconds": draw(st.sampled_from([5, 20])),
            "extensions": draw(st.integers(0, 2)),
            "extension_seconds": draw(st.sampled_from([10, 30.5])),
        },
        "issues": [
            {"id": i, "options": [f"o{k}" for k in range(size)]}
            for i, size in zip(ids, sizes, strict=True)
        ],
        "roles": [
            {
                "id": role,
                "batna": draw(st.integers(0, 30)),
                "points": {
                    i: draw(st.lists(row, min_size=size, max_size=size))
                    for i, size in zip(ids, sizes, strict=True)
                },
            }
            for role in ("a", "b")
        ],
    }
    return parse_scenario(data, "random")
