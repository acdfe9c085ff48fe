"""A game's public status, as the rules compute it for the view and every event."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import log_of, played, scenarios, tiny
from tests.test_log import make_action, moves
from zopa.rules.actions import (
    Accept,
    Action,
    Claim,
    Extend,
    Offer,
    Pause,
    Reject,
    Request,
    Resume,
    Seat,
    Timeout,
)
from zopa.rules.errors import ActionRefused
from zopa.rules.events import Event
from zopa.rules.log import GameLog, replay_steps
from zopa.rules.negotiation import GameState, apply, next_deadline, start
from zopa.rules.scenario import Scenario
from zopa.rules.status import status, step_statuses

T0 = 1000.0
LOW = {"i0": 0, "i1": 0}
MID = {"i0": 1, "i1": 1}
HIGH = {"i0": 2, "i1": 2}


def game(**protocol: Any) -> GameState:
    protocol.setdefault("first_mover", "seller")
    return start(tiny(**protocol), seed=1, started_at=T0)


def test_a_new_game_is_the_first_movers_turn_on_a_full_clock() -> None:
    state = game(time_limit=300, breaks=2, extensions=1)
    assert status(state, T0 + 10) == {
        "turn": "seller",
        "clock": "negotiation",
        "seconds_left": 290.0,
        "deadline": T0 + 300,
        "break_left": None,
        "paused": False,
        "on_break": False,
        "pending_break": None,
        "pending_extension": None,
        "breaks_left": 2,
        "extensions_left": 1,
        "offers_left": None,
        "standing": None,
        "claimed": [],
        "seats": {"seller": "player", "buyer": "player"},
        "over": False,
        "reading": False,
        "reading_left": None,
        "ready": [],
        "walkout": None,
        "mediator": None,
    }


def test_offers_pass_the_turn_stand_until_answered_and_count_down_a_limit() -> None:
    state, _ = apply(game(max_offers=3), Offer("seller", HIGH), T0 + 1)
    now = status(state, T0 + 1)
    assert now["turn"] == "buyer" and now["offers_left"] == 2
    assert now["standing"] == {"seq": 1, "by": "seller", "final": False}
    state, _ = apply(state, Offer("buyer", LOW, final=True), T0 + 2)
    assert status(state, T0 + 2)["standing"] == {"seq": 2, "by": "buyer", "final": True}
    state, _ = apply(state, Reject("seller", 2), T0 + 3)
    now = status(state, T0 + 3)
    assert now["standing"] is None and now["turn"] == "seller" and now["offers_left"] == 1


def test_a_break_stops_the_negotiation_clock_and_runs_its_own() -> None:
    state = game(time_limit=300, break_seconds=60)
    state, _ = apply(state, Request("buyer", "break_request"), T0 + 10)
    assert status(state, T0 + 10)["pending_break"] == "buyer"
    state, _ = apply(state, Request("seller", "break_accept"), T0 + 20)
    on_break = status(state, T0 + 30)
    assert on_break["clock"] == "break" and on_break["on_break"] is True
    assert on_break["pending_break"] is None and on_break["breaks_left"] == 0
    assert on_break["seconds_left"] == 280.0  # frozen since the break began
    assert on_break["break_left"] == 50.0
    assert on_break["deadline"] == T0 + 80  # the break's end
    # A pause stops the break's clock too; nothing runs out while paused.
    state, _ = apply(state, Pause(), T0 + 40)
    paused = status(state, T0 + 100)
    assert paused["clock"] is None and paused["deadline"] is None and paused["paused"]
    assert paused["break_left"] == 40.0 and paused["seconds_left"] == 280.0
    state, _ = apply(state, Resume(), T0 + 100)
    assert status(state, T0 + 100)["deadline"] == T0 + 140
    state, events = apply(state, Timeout(), T0 + 140)
    assert events[0].data == {"what": "break"}
    back = status(state, T0 + 150)
    assert back["clock"] == "negotiation" and back["on_break"] is False
    assert back["break_left"] is None
    assert back["seconds_left"] == 270.0 and back["deadline"] == T0 + 420


def test_an_extension_adds_to_the_clock_and_uses_one_up() -> None:
    state = game(time_limit=300, extensions=1, extension_seconds=120)
    state, _ = apply(state, Request("seller", "extension_request"), T0 + 10)
    assert status(state, T0 + 10)["pending_extension"] == "seller"
    state, _ = apply(state, Request("buyer", "extension_accept"), T0 + 20)
    now = status(state, T0 + 20)
    assert now["pending_extension"] is None and now["extensions_left"] == 0
    assert now["seconds_left"] == 400.0 and now["deadline"] == T0 + 420
    state, _ = apply(state, Extend(30), T0 + 30)
    assert status(state, T0 + 30)["deadline"] == T0 + 450


def test_claims_are_public_by_who_not_by_what_and_seats_follow_bots() -> None:
    state = game(closing="claims", turns="free")
    state, _ = apply(state, Claim("buyer", MID), T0 + 1)
    state, _ = apply(state, Seat("seller", "bot:conceder"), T0 + 2)
    now = status(state, T0 + 2)
    assert now["claimed"] == ["buyer"] and now["turn"] is None
    assert now["seats"] == {"seller": "bot:conceder", "buyer": "player"}
    assert "i0" not in json.dumps(now)  # the claim's terms are not in it


def test_once_over_nothing_runs_nothing_stands_and_nothing_is_pending() -> None:
    state, _ = apply(game(), Offer("seller", HIGH), T0 + 1)
    state, _ = apply(state, Request("seller", "break_request"), T0 + 2)
    state, _ = apply(state, Accept("buyer", 1), T0 + 3)
    over = status(state, T0 + 50)
    assert over["over"] is True and over["clock"] is None and over["deadline"] is None
    assert over["turn"] is None and over["standing"] is None and over["pending_break"] is None
    assert over["seconds_left"] == 897.0  # stopped when the game ended


def statuses(log: GameLog) -> list[dict[str, Any]]:
    """The status after each event of a log: its step's."""
    return [now for produced, now in step_statuses(log) for _ in produced]


def test_the_status_of_every_event_of_a_log_is_the_status_after_its_step() -> None:
    log = played(
        tiny(first_mover="seller"),
        Offer("seller", HIGH),
        Offer("buyer", MID),
        Accept("seller", 2),
    )
    found = statuses(log)
    assert [s["turn"] for s in found] == ["buyer", "seller", None, None]
    # The accept and the end it causes are one step: one status, the game over.
    assert found[2] == found[3] and found[2]["over"] is True
    assert found[0]["seconds_left"] == 899.0 and found[1]["seconds_left"] == 898.0


def live(scenario: Scenario, seed: int, script: list[Any]) -> tuple[list[Event], list[Any]]:
    """A random game played as the server's actor plays it: each passed deadline is a
    step of its own, then the move; each step's events with the status after it."""
    state = start(scenario, seed, T0)
    now = T0
    events: list[Event] = []
    told: list[dict[str, Any]] = []

    def step(action: Action) -> None:
        nonlocal state
        state, more = apply(state, action, now)
        events.extend(more)
        told.extend([status(state, now)] * len(more))

    for wait, kind, who, picks in script:
        now += wait
        while (deadline := next_deadline(state)) is not None and now >= deadline:
            step(Timeout())
        if state.ending is not None:
            break
        try:
            step(make_action(scenario, state, kind, who, picks))
        except ActionRefused:
            continue
    return events, told


@settings(max_examples=200, deadline=None)
@given(scenario=scenarios(), seed=st.integers(0, 2**32), script=moves)
def test_statuses_from_a_log_are_those_sent_live_and_agree_with_the_events(
    scenario: Scenario, seed: int, script: list[Any]
) -> None:
    events, told = live(scenario, seed, script)
    log = log_of(scenario, events, seed)
    found = statuses(log)
    assert found == told
    protocol = scenario.protocol
    roles = scenario.role_ids
    count = 0
    for _, produced in replay_steps(log):
        count += len(produced)
        # Checked against the events up to the end of the step, as the status is.
        so_far = events[:count]
        now = found[count - 1]
        json.dumps(now, allow_nan=False)
        kinds = Counter(e.type for e in so_far)
        assert now["over"] == (kinds["end"] == 1)
        assert now["breaks_left"] == protocol.breaks - kinds["break_accept"]
        assert now["extensions_left"] == protocol.extensions - kinds["extension_accept"]
        if protocol.max_offers:
            assert now["offers_left"] == protocol.max_offers - kinds["offer"]
        else:
            assert now["offers_left"] is None
        assert now["claimed"] == [
            r for r in roles if any(e.by == r for e in so_far if e.type == "claim")
        ]
        seats = {r: "player" for r in roles}
        for e in so_far:
            if e.type == "seat":
                seats[e.data["role"]] = e.data["occupant"]
        assert now["seats"] == seats
        if now["standing"] is not None:
            offer = so_far[now["standing"]["seq"] - 1]
            assert offer.type == "offer" and offer.by == now["standing"]["by"]
            assert offer.data["final"] == now["standing"]["final"]
        if now["over"]:
            assert now["clock"] is None and now["turn"] is None and now["standing"] is None
        elif now["walkout"] is not None:
            # A walkout's window: no clock runs and the window's close is the deadline.
            assert now["clock"] is None and now["deadline"] == now["walkout"]["ends"]
        elif now["paused"]:
            assert now["clock"] is None and now["deadline"] is None
        else:
            assert now["clock"] == ("break" if now["on_break"] else "negotiation")
            left = now["break_left"] if now["on_break"] else now["seconds_left"]
            at = produced[-1].at
            if left == 0:
                # A deadline that passed while a later one was awaited (a break's end taken
                # late) stands in the past until its own timeout step: no time is left.
                assert now["deadline"] <= at + 0.002
            else:
                assert abs(now["deadline"] - (at + left)) < 0.002
        assert (now["break_left"] is not None) == now["on_break"]
