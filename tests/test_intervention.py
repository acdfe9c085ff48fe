"""The facilitator stepping in, as the rules see it: messages and hints, the mediator's
seat, one game's pause, and a walkout with a reason and a window to take it back."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import HIGH, LOW, MID, T0, log_of, played, scenarios, tiny
from tests.test_log import make_action
from zopa.rules.actions import (
    Chat,
    Mediate,
    MediatorSuggest,
    Message,
    Offer,
    Pause,
    Request,
    Resume,
    Walkout,
    parse_action,
)
from zopa.rules.errors import ActionRefused
from zopa.rules.intervention import seated_bot_move
from zopa.rules.log import log_lines, read_log, replay
from zopa.rules.negotiation import GameState, advance, apply, next_deadline, seconds_left, start
from zopa.rules.scenario import Scenario
from zopa.rules.scoring import result
from zopa.rules.status import status, step_statuses
from zopa.server.seated_bots import bot_moves

WINDOW = 30


def windowed(**protocol: object) -> Scenario:
    return tiny(first_mover="seller", walkout_window=WINDOW, time_limit=300, **protocol)


def run(scenario: Scenario, *steps: tuple[object, float]) -> tuple[GameState, list[str]]:
    state = start(scenario, 1, T0)
    kinds: list[str] = []
    for action, at in steps:
        state, events = advance(state, at)
        kinds += [e.type for e in events]
        state, events = apply(state, action, at)  # type: ignore[arg-type]
        kinds += [e.type for e in events]
    return state, kinds


def refused(state: GameState, action: object, at: float) -> str:
    with pytest.raises(ActionRefused) as caught:
        apply(state, action, at)  # type: ignore[arg-type]
    return caught.value.code


def test_without_a_window_a_walkout_ends_the_game_at_once_and_keeps_its_reason() -> None:
    log = played(tiny(first_mover="seller"), Walkout("buyer", "they will not move on price"))
    assert [e.type for e in log.events] == ["walkout", "end"]
    assert log.events[0].data == {"reason": "they will not move on price"}
    scored = result(replay(log))
    assert scored is not None and scored["reason"] == "walkout"
    assert scored["walkout"] == {"by": "buyer", "reason": "they will not move on price"}
    # A walkout without a reason is written as it always was: old logs replay the same.
    plain = played(tiny(first_mover="seller"), Walkout("buyer"))
    assert plain.events[0].data == {}
    assert "walkout" not in (result(replay(plain)) or {})


def test_a_walkout_in_a_window_stops_the_clock_closes_the_table_and_ends_when_it_closes() -> None:
    state, _ = run(windowed(), (Offer("seller", HIGH), T0 + 10), (Walkout("buyer"), T0 + 20))
    assert state.ending is None and result(state) is None
    assert status(state, T0 + 25)["walkout"] == {
        "by": "buyer",
        "ends": T0 + 20 + WINDOW,
        "return_asked": False,
    }
    assert status(state, T0 + 25)["clock"] is None
    assert seconds_left(state, T0 + 45) == seconds_left(state, T0 + 21) == 280
    assert refused(state, Offer("buyer", LOW), T0 + 21) == "walked_out"
    assert refused(state, Request("seller", "break_request"), T0 + 21) == "walked_out"
    assert refused(state, Walkout("buyer"), T0 + 21) == "not_allowed"
    state, _ = apply(state, Chat("seller", "come back?"), T0 + 22)  # talk stays open
    assert next_deadline(state) == T0 + 20 + WINDOW
    state, events = advance(state, T0 + 20 + WINDOW)
    assert [e.type for e in events] == ["timeout", "end"]
    assert events[0].data == {"what": "walkout"}
    assert result(state)["reason"] == "walkout"  # type: ignore[index]


def test_the_walker_may_come_back_if_the_other_side_agrees() -> None:
    state, _ = run(
        windowed(),
        (Offer("seller", HIGH), T0 + 10),
        (Walkout("buyer", "too far apart"), T0 + 20),
    )
    assert refused(state, Request("seller", "return_request"), T0 + 21) == "not_allowed"
    assert refused(state, Request("seller", "return_accept"), T0 + 21) == "no_request"
    state, _ = apply(state, Request("buyer", "return_request"), T0 + 25)
    assert status(state, T0 + 25)["walkout"]["return_asked"] is True
    assert refused(state, Request("buyer", "return_accept"), T0 + 26) == "no_request"
    state, events = apply(state, Request("seller", "return_accept"), T0 + 30)
    assert [e.type for e in events] == ["return_accept"]
    assert status(state, T0 + 30)["walkout"] is None
    # The clock runs on from where it stopped; the buyer's turn is still the buyer's.
    assert seconds_left(state, T0 + 30) == 280
    assert next_deadline(state) == T0 + 30 + 280
    state, events = apply(state, Offer("buyer", MID), T0 + 31)
    assert events[0].type == "offer"


def test_the_other_side_may_decline_at_once_and_the_game_is_scored_then() -> None:
    state, _ = run(windowed(), (Walkout("seller"), T0 + 5))
    state, events = apply(state, Request("buyer", "return_decline"), T0 + 6)
    assert [e.type for e in events] == ["return_decline", "end"]
    assert result(state)["points"] == {"seller": 2, "buyer": 2}  # type: ignore[index]


def test_both_walking_out_ends_the_game_and_a_pause_does_not_hold_the_window() -> None:
    state, _ = run(windowed(), (Walkout("seller"), T0 + 5))
    ended, events = apply(state, Walkout("buyer"), T0 + 6)
    assert [e.type for e in events] == ["walkout", "end"] and ended.ending is not None
    paused, _ = apply(state, Pause(), T0 + 6)
    assert next_deadline(paused) == T0 + 5 + WINDOW
    # A resume in the window leaves the clocks for the walkout's answer.
    resumed, _ = apply(paused, Resume(), T0 + 7)
    assert status(resumed, T0 + 8)["clock"] is None
    back, _ = apply(resumed, Request("seller", "return_request"), T0 + 8)
    back, _ = apply(back, Request("buyer", "return_accept"), T0 + 9)
    assert status(back, T0 + 10)["clock"] == "negotiation"


def test_a_window_log_replays_to_the_same_state() -> None:
    log = played(
        windowed(),
        Offer("seller", HIGH),
        Walkout("buyer", "no"),
        Request("buyer", "return_request"),
        Request("seller", "return_accept"),
        Offer("buyer", LOW),
        Walkout("seller"),
        (Request("buyer", "return_decline"), T0 + 20),
    )
    assert result(replay(log))["reason"] == "walkout"  # type: ignore[index]
    timed = played(windowed(), Walkout("buyer"), (Chat("seller", "bye"), T0 + 3))
    state = replay(timed)
    state, events = advance(state, T0 + 1 + WINDOW)
    assert log_of(windowed(), [*timed.events, *events], seed=1).events[-1].type == "end"
    assert result(replay(log_of(windowed(), [*timed.events, *events], seed=1))) is not None


def test_facilitator_messages_and_hints_reach_the_game_even_while_paused() -> None:
    state, _ = run(tiny(first_mover="seller"), (Pause(), T0 + 1))
    state, events = apply(state, Message("facilitator", "Try trading across issues", True), T0 + 2)
    assert events[0].type == "message" and events[0].by is None
    said = {"from": "facilitator", "text": "Try trading across issues", "hint": True}
    assert events[0].data == said
    assert parse_action({"type": "message", **events[0].data}, None) == Message(
        "facilitator", "Try trading across issues", True
    )


def test_the_mediator_sits_chats_and_suggests_without_a_card_or_a_turn() -> None:
    state = start(tiny(first_mover="seller"), 1, T0)
    assert refused(state, Message("mediator", "hello"), T0 + 1) == "not_allowed"
    assert refused(state, MediatorSuggest({"i0": 1}), T0 + 1) == "not_allowed"
    state, _ = apply(state, Mediate("Dr Lee", True), T0 + 1)
    assert status(state, T0 + 1)["mediator"] == "Dr Lee"
    assert refused(state, Mediate("Someone", True), T0 + 2) == "already_seated"
    state, events = apply(state, Message("mediator", "What matters most to you?"), T0 + 2)
    assert events[0].data["name"] == "Dr Lee" and events[0].data["from"] == "mediator"
    assert refused(state, MediatorSuggest({"i9": 1}), T0 + 3) == "invalid_terms"
    state, events = apply(state, MediatorSuggest({"i0": 1}), T0 + 3)
    assert events[0].type == "mediator_suggest" and events[0].data["name"] == "Dr Lee"
    # Nothing at the table moves: the turn, the offers, the points.
    assert state.turn == "seller" and state.offers == 0
    state, _ = apply(state, Mediate("Dr Lee", False), T0 + 4)
    assert status(state, T0 + 4)["mediator"] is None
    log = played(
        tiny(first_mover="seller"),
        Mediate("Dr Lee", True),
        Message("mediator", "hi"),
        MediatorSuggest({"i1": 0}),
        Message("facilitator", "Five minutes left", False),
        Offer("seller", MID),
        Mediate("Dr Lee", False),
    )
    assert replay(log).offers == 1


def test_players_cannot_send_the_facilitators_actions() -> None:
    for kind in ("message", "mediator", "mediator_suggest"):
        with pytest.raises(ActionRefused):
            parse_action({"type": kind, "from": "facilitator", "text": "x"}, "seller")
    with pytest.raises(ActionRefused):
        parse_action({"type": "message", "from": "seller", "text": "x"}, None)
    with pytest.raises(ActionRefused):
        parse_action({"type": "walkout", "reason": "x" * 501}, "seller")
    assert parse_action({"type": "walkout", "reason": "  "}, "seller") == Walkout("seller")


def test_the_replays_timeline_tells_the_interventions() -> None:
    from zopa.rules.timeline import describe

    log = played(
        windowed(),
        Mediate("Dr Lee", True),
        Message("mediator", "hi"),
        MediatorSuggest({"i0": 1}),
        Message("facilitator", "Try trading", True),
        Walkout("buyer", "too far"),
    )
    told = [describe(log.header.scenario, e) for e in log.events]
    assert told == [
        "Dr Lee takes the mediator's seat",
        "the mediator Dr Lee says: 'hi'",
        "the mediator Dr Lee suggests (not binding): I0: o1",
        "the facilitator's hint: 'Try trading'",
        "walks out: 'too far'",
    ]


STEPS_IN = st.lists(
    st.tuples(
        st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0, 20.0]),
        st.sampled_from(
            [
                "offer",
                "offer",
                "accept",
                "chat",
                "walkout",
                "return_request",
                "return_request",
                "return_accept",
                "return_accept",
                "return_accept",
                "return_decline",
                "break_request",
                "break_accept",
                "pause",
                "resume",
                "message",
                "mediator",
                "mediator",
                "mediator_suggest",
            ]
        ),
        st.integers(0, 3),
        st.lists(st.integers(0, 5), min_size=4, max_size=4),
    ),
    min_size=5,
    max_size=40,
)


def step_in(scenario: Scenario, state: GameState, kind: str, who: int, picks: list[int]) -> Any:
    # The window's next sensible step, mostly by the side whose step it is: the walker
    # asks to return, the other answers.
    walker = state.walked_out or scenario.role_ids[picks[0] % 2]
    if kind.startswith("return") and state.walked_out is not None and kind != "return_decline":
        kind = "return_accept" if state.return_asked else "return_request"
    role = walker if (kind == "return_request") == (who < 3) else scenario.other(walker)
    match kind:
        case "return_request" | "return_accept" | "return_decline":
            return Request(role, kind)
        case "message":
            return Message("mediator" if picks[1] % 2 else "facilitator", "words", picks[2] == 0)
        case "mediator":
            return Mediate(state.mediator or f"M{picks[0]}", state.mediator is None)
        case "mediator_suggest":
            return MediatorSuggest({scenario.issue_ids[0]: picks[3] % 2})
        case "walkout":
            return Walkout(role, "why" if picks[1] % 2 else None)
    return make_action(scenario, state, kind, who, picks)


@settings(max_examples=300, deadline=None)
@given(scenario=scenarios(), seed=st.integers(0, 2**32), script=STEPS_IN)
def test_random_games_with_a_window_and_a_mediator_replay_the_same(
    scenario: Scenario, seed: int, script: list[Any]
) -> None:
    scenario = dataclasses.replace(
        scenario, protocol=dataclasses.replace(scenario.protocol, walkout_window=15)
    )
    state, now, events = start(scenario, seed, T0), T0, []
    for wait, kind, who, picks in script:
        now += wait
        state, due = advance(state, now)
        events += due
        try:
            state, more = apply(state, step_in(scenario, state, kind, who, picks), now)
        except ActionRefused:
            continue
        events += more
        running = [c for c in (state.clock_started, state.break_started) if c is not None]
        if state.walked_out is not None or state.paused or state.ending is not None:
            assert not running
        if state.ending is None:
            assert result(state) is None
    log = log_of(scenario, events, seed)
    again = read_log(log_lines(log))
    assert log_lines(again) == log_lines(log)
    assert replay(again) == state
    assert result(replay(again)) == result(state)
    told = [s for _, s in step_statuses(again)]
    assert all(s["walkout"] is None or s["clock"] is None for s in told)


def test_a_seated_bot_waits_out_a_walkouts_window_and_lets_the_walker_back_when_asked() -> None:
    state, _ = run(
        windowed(),
        (Offer("seller", HIGH), T0 + 10),
        (Walkout("buyer", "too far apart"), T0 + 20),
    )
    state = dataclasses.replace(state, seats=("bot:linear", "player"))
    # Before any request the bot makes no move (a strategy's offer would be refused).
    assert list(bot_moves(state, [], T0 + 21)) == []
    assert seated_bot_move(state, "buyer") is None  # never the walker's move
    state, _ = apply(state, Request("buyer", "return_request"), T0 + 25)
    moves = list(bot_moves(state, [], T0 + 26))
    assert moves == [("bot:linear", Request("seller", "return_accept"))]
    state, events = apply(state, moves[0][1], T0 + 26)
    assert [e.type for e in events] == ["return_accept"]
    assert status(state, T0 + 26)["walkout"] is None
