"""Game logs: lossless writing and reading, exact replay, and refusal of broken logs."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import header_for, log_of, scenarios, tiny
from zopa.rules.actions import (
    Accept,
    Action,
    Chat,
    Claim,
    Estimate,
    Extend,
    Offer,
    Pause,
    Reject,
    Request,
    Resume,
    Reveal,
    Seat,
    Suggest,
    Walkout,
)
from zopa.rules.errors import ActionRefused, LogError
from zopa.rules.events import Event
from zopa.rules.log import GameLog, log_lines, read_log, replay
from zopa.rules.negotiation import GameState, advance, apply, start, terms_dict
from zopa.rules.scenario import Scenario
from zopa.rules.scoring import result
from zopa.server.cli import main

T0 = 1000.0

# One random move: a wait, then an action kind, the role making it, and a few numbers
# to pick terms or offers from; many of them are illegal, which is the point.
moves = st.lists(
    st.tuples(
        st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 1.0, 2.0, 3.0, 400.0]),
        st.sampled_from(
            [
                "offer",
                "offer",
                "offer",
                "accept",
                "accept",
                "reject",
                "chat",
                "suggest",
                "reveal",
                "walkout",
                "claim",
                "claim",
                "break_request",
                "break_accept",
                "break_decline",
                "break_end",
                "extension_request",
                "extension_accept",
                "extension_decline",
                "pause",
                "resume",
                "extend",
                "seat",
                "estimate",
            ]
        ),
        st.integers(0, 3),
        st.lists(st.integers(0, 5), min_size=4, max_size=4),
    ),
    min_size=5,
    max_size=60,
)


def make_action(
    scenario: Scenario, state: GameState, kind: str, who: int, picks: list[int]
) -> Action:
    # Mostly the role that may legally move, so games get far; sometimes the other one.
    sensible = state.turn or (
        scenario.other(state.standing.by) if state.standing else scenario.role_ids[picks[0] % 2]
    )
    pending = state.pending_break if kind.startswith("break") else state.pending_extension
    if pending is not None and kind.endswith(("_accept", "_decline")):
        sensible = scenario.other(pending)
    role = sensible if who < 3 else scenario.other(sensible)
    terms = {i.id: picks[n % 4] % len(i.options) for n, i in enumerate(scenario.issues)}
    standing = state.standing.seq if state.standing else picks[0]
    match kind:
        case "offer":
            return Offer(role, terms, final=picks[1] == 0)
        case "accept":
            return Accept(role, standing)
        case "reject":
            return Reject(role, standing)
        case "chat":
            return Chat(role, f"message {picks[0]}")
        case "suggest":
            return Suggest(role, dict(list(terms.items())[: 1 + picks[2] % len(terms)]))
        case "reveal":
            if picks[3] % 2:
                return Reveal(role, "batna", value=picks[0] * 3)
            return Reveal(role, "priority", issue=scenario.issue_ids[0], rank=1)
        case "walkout":
            return Walkout(role)
        case "claim" if picks[2] == 5:
            return Claim(role, None)
        case "claim" if state.standing is not None and picks[1] % 2:
            return Claim(role, terms_dict(scenario, state.standing.terms))
        case "claim":
            return Claim(role, terms)
        case "pause":
            return Pause()
        case "resume":
            return Resume()
        case "extend":
            return Extend(picks[0] + 1)
        case "seat":
            return Seat(role, "bot:conceder" if picks[0] % 2 else "player")
        case "estimate":
            issue = None if picks[1] % 3 == 0 else scenario.issue_ids[picks[2] % len(terms)]
            return Estimate(role, picks[0] * 2, issue)
        case _:
            return Request(role, kind)


def play_random(scenario: Scenario, seed: int, script: list[Any]) -> tuple[GameState, list[Event]]:
    state = start(scenario, seed, T0)
    now = T0
    events: list[Event] = []
    for wait, kind, who, picks in script:
        now += wait
        state, due = advance(state, now)
        events.extend(due)
        try:
            state, more = apply(state, make_action(scenario, state, kind, who, picks), now)
        except ActionRefused:
            continue
        events.extend(more)
        check_invariants(state, events)
    return state, events


def check_invariants(state: GameState, events: list[Event]) -> None:
    protocol = state.scenario.protocol
    assert state.seq == len(events) == events[-1].seq
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert all(a.at <= b.at for a, b in itertools.pairwise(events))
    assert 0 <= state.breaks_taken <= protocol.breaks
    assert 0 <= state.extensions_taken <= protocol.extensions
    if protocol.max_offers:
        assert state.offers <= protocol.max_offers
    running = [c for c in (state.clock_started, state.break_started) if c is not None]
    if state.ending is not None:
        assert not running and state.turn is None
        assert events[-1].type == "end"
        assert sum(e.type == "end" for e in events) == 1
    elif state.paused or state.walked_out is not None:
        assert not running  # a walkout's window stops both clocks
    else:
        assert len(running) == 1
        assert (state.break_started is not None) == state.on_break
    if state.standing is not None:
        assert state.standing.by in state.scenario.role_ids


@settings(max_examples=300, deadline=None)
@given(scenario=scenarios(), seed=st.integers(0, 2**32), script=moves)
def test_random_games_replay_from_their_logs_to_the_same_state_and_result(
    scenario: Scenario, seed: int, script: list[Any]
) -> None:
    state, events = play_random(scenario, seed, script)
    log = log_of(scenario, events, seed)
    lines = log_lines(log)
    again = read_log(lines)
    assert again.header == log.header
    assert again.events == log.events
    assert log_lines(again) == lines  # byte for byte
    replayed = replay(again)
    assert replayed == state
    assert result(replayed) == result(state)


def test_a_finished_game_replays_to_its_result() -> None:
    scenario = tiny(first_mover="seller")
    state = start(scenario, 1, T0)
    events: list[Event] = []
    steps: list[tuple[Action, float]] = [
        (Offer("seller", {"i0": 2, "i1": 2}), T0 + 5),
        (Chat("buyer", "too much"), T0 + 6),
        (Offer("buyer", {"i0": 1, "i1": 0}), T0 + 9),
        (Accept("seller", 3), T0 + 12),
    ]
    for action, at in steps:
        state, more = apply(state, action, at)
        events.extend(more)
    replayed = replay(log_of(scenario, events, seed=1))
    assert result(replayed) == result(state)
    outcome = result(state)
    assert outcome is not None and outcome["points"] == {"seller": 1, "buyer": 3}


def _good_lines() -> list[str]:
    scenario = tiny(first_mover="seller")
    state = start(scenario, 1, T0)
    state, events = apply(state, Offer("seller", {"i0": 2, "i1": 2}), T0 + 5)
    state, more = apply(state, Accept("buyer", 1), T0 + 6)
    return log_lines(GameLog(header_for(scenario, seed=1), tuple(events + more)))


def _edit(lines: list[str], index: int, **changes: Any) -> list[str]:
    record = json.loads(lines[index])
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return [*lines[:index], json.dumps(record), *lines[index + 1 :]]


@pytest.mark.parametrize(
    ("lines", "line", "fragment"),
    [
        ([], None, "empty"),
        (["{not json"], 1, "not valid JSON"),
        (_edit(_good_lines(), 0, format="zopa-log/9"), 1, "format must be 'zopa-log/1'"),
        (_edit(_good_lines(), 0, seed=None), 1, "no 'seed'"),
        (_edit(_good_lines(), 0, players={"seller": {}}), 1, "a player for each role"),
        (_edit(_good_lines(), 1, seq=5), 2, "expected seq 1, found 5"),
        (_edit(_good_lines(), 1, type=None), 2, "needs 'type'"),
        (_edit(_good_lines(), 1, by="buyer"), 2, "not legal: it is seller's turn"),
        (_edit(_good_lines(), 1, terms={"i0": 9, "i1": 0}), 2, "option 9 does not exist"),
        (_edit(_good_lines(), 2, offer=4), 3, "not legal"),
        (_edit(_good_lines(), 3, outcome="impasse"), 4, "the rules produce"),
        (_good_lines()[:3], 3, "the end of the log"),
        (
            [*_good_lines()[:1], _good_lines()[3].replace('"seq":3', '"seq":1')],
            2,
            "does not follow",
        ),
        (["[1, 2]"], 1, "header must be a JSON object"),
    ],
)
def test_invalid_logs_are_refused_naming_the_line(
    lines: list[str], line: int | None, fragment: str
) -> None:
    with pytest.raises(LogError) as info:
        replay(read_log(lines))
    assert info.value.line == line
    assert fragment in str(info.value)


def test_zopa_replay_prints_timeline_and_json_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "game.jsonl"
    path.write_text("\n".join(_good_lines()) + "\n")
    assert main(["replay", str(path)]) == 0
    out = capsys.readouterr().out
    assert "offer: I0: o2, I1: o2   [seller 4 / buyer 0]" in out
    assert "AGREEMENT (accepted)" in out
    assert main(["replay", str(path), "--json"]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["outcome"] == "agreement" and outcome["reason"] == "accepted"
    assert outcome["points"] == {"seller": 4, "buyer": 0}
    assert outcome["terms"] == {"i0": 2, "i1": 2} and outcome["joint"] == 4
    assert set(outcome) >= {"outcome", "reason", "terms", "points", "batna", "joint"}


def test_zopa_replay_exits_1_on_an_invalid_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(_edit(_good_lines(), 2, offer=4)) + "\n")
    assert main(["replay", str(path)]) == 1
    err = capsys.readouterr().err
    assert "invalid log" in err and "line 3" in err
    assert main(["replay", str(tmp_path / "missing.jsonl")]) == 1
