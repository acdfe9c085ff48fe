"""Reading time in the rules: the brief read and a plan made before the clock starts.

Nobody negotiates while reading; the clock starts when both are ready (a bot always is)
or when the reading time runs out, at the moment it ran out; a pause stops the reading
countdown; a plan is its author's alone, for good; logs replay to the same states, and
a log from before reading time reads and writes the same bytes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from tests.factories import HIGH, T0, log_of, played, tiny
from tests.test_scenario import GOOD
from tests.test_scenario_problems import found, line_with
from zopa.rules.actions import (
    Abort,
    Chat,
    Estimate,
    Offer,
    Pause,
    Plan,
    Ready,
    Resume,
    Seat,
    Timeout,
    Walkout,
    parse_action,
)
from zopa.rules.bots import make_bot
from zopa.rules.bots.match import play_match
from zopa.rules.errors import ActionRefused, LogError
from zopa.rules.events import visible_to
from zopa.rules.library import builtin_scenarios
from zopa.rules.log import dumps, log_lines, read_log, read_log_file, replay, replay_steps
from zopa.rules.negotiation import GameState, advance, apply, next_deadline, start
from zopa.rules.reading import latest_plan, plan_review, with_reading, without_reading
from zopa.rules.scenario import duration_seconds, parse_scenario, read_scenario
from zopa.rules.scenario_toml import scenario_toml
from zopa.rules.status import clock_started, status
from zopa.rules.timeline import describe
from zopa.server.cli import main


def game(reading: Any = 60, **protocol: Any) -> GameState:
    protocol.setdefault("first_mover", "seller")
    return start(tiny(reading=reading, time_limit=300, **protocol), seed=1, started_at=T0)


def test_a_duration_is_seconds_or_minutes_and_seconds_written_out() -> None:
    assert duration_seconds("3m") == 180
    assert duration_seconds("90s") == 90
    assert duration_seconds("1m30s") == 90
    assert duration_seconds(45) == 45
    assert duration_seconds(0) == 0
    for bad in ("", "3h", "-1m", "m", True, -5, None, float("nan")):
        assert duration_seconds(bad) is None


def test_the_scenario_key_reads_3m_and_a_bad_value_is_named_with_its_line() -> None:
    text = GOOD.replace("[protocol]", '[protocol]\nreading = "3m"', 1)
    assert read_scenario(text, "f").protocol.reading == 180
    bad = GOOD.replace("[protocol]", '[protocol]\nreading = "soon"', 1)
    [(key, line, expected)] = found(bad)
    assert key == "protocol.reading" and line == line_with(bad, "reading =")
    assert 'a duration like "3m"' in expected


def test_reading_is_written_only_when_there_is_some_and_round_trips() -> None:
    plain = tiny()
    assert "reading" not in plain.to_dict()["protocol"]
    assert "reading" not in scenario_toml(plain)
    timed = tiny(reading=120)
    assert timed.to_dict()["protocol"]["reading"] == 120
    assert read_scenario(scenario_toml(timed), "f") == timed
    assert parse_scenario(timed.to_dict(), "again") == timed


def test_a_session_overrides_the_scenarios_reading_time_and_0_switches_it_off() -> None:
    timed = tiny(reading=120)
    assert with_reading(timed, None) is timed
    assert with_reading(timed, 0).protocol.reading == 0
    assert with_reading(tiny(), 30).protocol.reading == 30
    assert without_reading(timed).protocol.reading == 0
    assert without_reading(tiny()) == tiny()


def test_while_reading_the_clock_stands_and_only_the_reading_countdown_runs() -> None:
    state = game(reading=60)
    now = status(state, T0 + 10)
    assert now["clock"] == "reading" and now["reading"] is True
    assert now["reading_left"] == 50.0 and now["seconds_left"] == 300.0
    assert now["deadline"] == T0 + 60 and now["ready"] == []
    assert next_deadline(state) == T0 + 60


@pytest.mark.parametrize(
    "action",
    [
        Offer("seller", HIGH),
        Chat("buyer", "hello"),
        parse_action({"type": "suggest", "terms": {"i0": 1}}, "buyer"),
        parse_action({"type": "break_request"}, "seller"),
        parse_action({"type": "reveal", "about": "batna", "value": 3}, "seller"),
    ],
    ids=lambda a: a.kind,
)
def test_nobody_negotiates_while_reading(action: Any) -> None:
    with pytest.raises(ActionRefused) as refused:
        apply(game(), action, T0 + 5)
    assert refused.value.code == "reading"


def test_a_walkout_stays_open_while_reading() -> None:
    state, _ = apply(game(), Walkout("buyer"), T0 + 5)
    assert state.ending is not None and state.ending.reason == "walkout"
    assert status(state, T0 + 5)["clock"] is None and status(state, T0 + 5)["reading"] is False


def test_when_both_are_ready_the_clock_starts_at_once() -> None:
    state, [event] = apply(game(), Ready("seller"), T0 + 5)
    assert event.type == "ready" and status(state, T0 + 5)["ready"] == ["seller"]
    assert status(state, T0 + 5)["clock"] == "reading"
    with pytest.raises(ActionRefused) as twice:
        apply(state, Ready("seller"), T0 + 6)
    assert twice.value.code == "already_pending"
    state, _ = apply(state, Ready("buyer"), T0 + 20)
    now = status(state, T0 + 30)
    assert now["clock"] == "negotiation" and now["reading"] is False
    assert now["reading_left"] is None and now["seconds_left"] == 290.0
    assert next_deadline(state) == T0 + 20 + 300
    state, _ = apply(state, Offer("seller", HIGH), T0 + 31)
    with pytest.raises(ActionRefused) as late:
        apply(state, Ready("buyer"), T0 + 32)
    assert late.value.code == "not_allowed"


def test_when_reading_time_runs_out_the_clock_starts_when_it_ran_out() -> None:
    state, events = advance(game(reading=60), T0 + 75)
    assert [(e.type, e.data, e.at) for e in events] == [("timeout", {"what": "reading"}, T0 + 75)]
    assert status(state, T0 + 75)["seconds_left"] == 285.0
    assert next_deadline(state) == T0 + 60 + 300


def test_a_pause_stops_the_reading_countdown() -> None:
    state, _ = apply(game(reading=60), Pause(), T0 + 10)
    assert status(state, T0 + 100)["reading_left"] == 50.0
    assert status(state, T0 + 100)["clock"] is None and next_deadline(state) is None
    state, _ = apply(state, Ready("seller"), T0 + 100)
    state, _ = apply(state, Ready("buyer"), T0 + 101)
    assert state.reading, "nobody starts the clock while the game is paused"
    state, _ = apply(state, Resume(), T0 + 200)
    assert status(state, T0 + 200)["clock"] == "negotiation"
    assert next_deadline(state) == T0 + 200 + 300
    unready, _ = apply(game(reading=60), Pause(), T0 + 10)
    unready, _ = apply(unready, Resume(), T0 + 40)
    assert next_deadline(unready) == T0 + 40 + 50


def test_a_bot_is_always_ready() -> None:
    state, _ = apply(game(), Seat("buyer", "bot:conceder"), T0)
    state, _ = apply(state, Ready("seller"), T0 + 3)
    assert status(state, T0 + 3)["clock"] == "negotiation"
    # A bot taking the seat of the one not yet ready leaves nobody to wait for.
    state, _ = apply(game(), Ready("seller"), T0 + 3)
    state, _ = apply(state, Seat("buyer", "bot:conceder"), T0 + 4)
    assert status(state, T0 + 4)["clock"] == "negotiation"


def test_a_plan_is_checked_and_made_only_while_reading() -> None:
    state, [event] = apply(game(), Plan("seller", 5, 3, ("i1", "i0")), T0 + 1)
    assert event.data == {"target": 5, "walkaway": 3, "priorities": ["i1", "i0"]}
    for bad, code in (
        (Plan("seller", 5, 3, ("nope",)), "invalid_terms"),
        (Plan("seller", 5, 3, ("i0", "i0")), "bad_message"),
    ):
        with pytest.raises(ActionRefused) as refused:
            apply(state, bad, T0 + 2)
        assert refused.value.code == code
    with pytest.raises(ActionRefused) as empty:
        parse_action({"type": "plan"}, "seller")
    assert empty.value.code == "bad_message"
    assert parse_action({"type": "plan", "target": 4}, "buyer") == Plan("buyer", 4, None, ())
    with pytest.raises(ActionRefused) as late:
        apply(game(reading=0), Plan("seller", 5, 3, ()), T0 + 1)
    assert late.value.code == "not_allowed"


def test_a_plan_is_private_to_its_author_even_after_the_end() -> None:
    log = played(
        tiny(reading=60, first_mover="seller"),
        Plan("seller", 5, 3, ("i0",)),
        Estimate("seller", 2, None),
        Ready("seller"),
        Ready("buyer"),
        Abort(),
    )
    plan = log.events[0]
    for ended in (False, True):
        assert visible_to(plan, "seller", ended) == plan
        assert visible_to(plan, "buyer", ended).data == {"sealed": True}
    assert visible_to(log.events[1], "buyer", True).data["batna"] == 2
    assert latest_plan(log.events, "seller") == plan.data
    assert latest_plan(log.events, "buyer") is None


def test_the_plan_is_shown_back_beside_the_outcome() -> None:
    scenario = tiny(reading=60)
    plan = {"target": 5, "walkaway": 3, "priorities": ["i0", "i1"]}
    assert plan_review(scenario, "seller", plan, 4) == {
        "points": 4,
        "batna": 2,
        "target": 5,
        "met": False,
        "short": 1,
        "walkaway": 3,
        "walkaway_vs_batna": 1,
        "priorities": ["i0", "i1"],
    }
    assert plan_review(scenario, "buyer", {"target": 1}, 2) == {
        "points": 2,
        "batna": 2,
        "target": 1,
        "met": True,
        "short": 0,
    }


def test_a_game_with_reading_replays_to_the_same_states_and_bytes() -> None:
    log = played(
        tiny(reading=60, first_mover="seller"),
        Plan("buyer", 4, 2, ("i1", "i0")),
        Ready("buyer"),
        (Pause(), T0 + 10),
        (Resume(), T0 + 20),
        (Timeout(), T0 + 70),
        (Offer("seller", HIGH), T0 + 75),
    )
    # The reading time ran out 60 s after the start plus the 10 s paused, and the clock
    # started then.
    assert [e.type for e in log.events] == [
        "plan",
        "ready",
        "pause",
        "resume",
        "timeout",
        "offer",
    ]
    assert log.events[4].at == T0 + 70 and log.events[4].data == {"what": "reading"}
    again = read_log(log_lines(log))
    assert again.events == log.events and log_lines(again) == log_lines(log)
    states = [state for state, _ in replay_steps(again)]
    assert states[-1] == replay(log)
    assert status(states[-1], T0 + 80)["seconds_left"] == 900 - 10


def test_a_log_from_before_reading_time_reads_replays_and_writes_the_same_bytes() -> None:
    log = played(tiny(first_mover="seller"), Offer("seller", HIGH), Walkout("buyer"))
    lines = log_lines(log)
    assert '"reading"' not in lines[0]
    again = read_log(lines)
    assert log_lines(again) == lines
    final = replay(again)
    assert final.reading is False and final.ending is not None
    assert [dumps(e.to_dict()) for e in again.events] == lines[1:]


def test_bot_matches_skip_the_reading_time() -> None:
    scenario = next(s for s in builtin_scenarios() if s.id == "guitar")
    timed = dataclasses.replace(
        scenario, protocol=dataclasses.replace(scenario.protocol, reading=180)
    )
    bots = {role: make_bot("conceder") for role in scenario.role_ids}
    plain = play_match(scenario, bots, 3)
    bots = {role: make_bot("conceder") for role in scenario.role_ids}
    read = play_match(timed, bots, 3)
    assert read.events == plain.events and read.refused == 0
    assert read.state.scenario.protocol.reading == 0
    assert log_of(read.state.scenario, list(read.events)).events == read.events


def test_minutes_into_the_game_count_from_when_the_clock_started() -> None:
    plain = played(tiny(first_mover="seller"), Offer("seller", HIGH))
    assert clock_started(plain) == T0
    log = played(
        tiny(reading=60, first_mover="seller"),
        (Ready("seller"), T0 + 10),
        (Ready("buyer"), T0 + 25),
        (Offer("seller", HIGH), T0 + 30),
    )
    assert clock_started(log) == T0 + 25
    timed_out = played(tiny(reading=60, first_mover="seller"), (Timeout(), T0 + 61))
    assert clock_started(timed_out) == T0 + 60
    walked = played(tiny(reading=60, first_mover="seller"), Walkout("buyer"))
    assert clock_started(walked) == T0


def test_the_timeline_tells_the_reading_time() -> None:
    scenario = tiny(reading=60, first_mover="seller")
    log = played(
        scenario,
        Plan("seller", 5, None, ("i1", "i0")),
        Ready("seller"),
        (Timeout(), T0 + 61),
    )
    told = [describe(scenario, e) for e in log.events]
    assert told == [
        "plans (private): target 5, order I1 > I0",
        "is ready to negotiate",
        "the reading time is over: the negotiation clock starts",
    ]
    sealed = visible_to(log.events[0], "buyer", True)
    assert describe(scenario, sealed) == "writes down a plan (private)"


def test_zopa_replay_reads_a_game_with_reading_and_refuses_a_move_made_while_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tiny(reading=60, first_mover="seller")
    log = played(
        scenario,
        Plan("seller", 4, 2, ("i0",)),
        Ready("seller"),
        Ready("buyer"),
        Offer("seller", HIGH),
        parse_action({"type": "accept", "offer": 4}, "buyer"),
    )
    path = tmp_path / "game.jsonl"
    path.write_text("\n".join(log_lines(log)) + "\n")
    assert main(["replay", str(path)]) == 0
    out = capsys.readouterr().out
    assert "plans (private): target 4, walk-away 2, order I0" in out
    assert "AGREEMENT (accepted)" in out
    # The same offer a line earlier, before the buyer was ready: the rules refuse it.
    lines = log_lines(log)
    early = [lines[0], lines[1], lines[2], lines[4].replace('"seq":4', '"seq":3')]
    path.write_text("\n".join(early) + "\n")
    with pytest.raises(LogError) as refused:
        replay(read_log_file(str(path)))
    assert refused.value.line == 4 and "still reading" in str(refused.value)
