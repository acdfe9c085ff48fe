"""``zopa bots join``: bots as real players of a live session.

First without a server: a bot's copy of its game, built from the view and events a
player is sent, gives its strategy exactly what ``seen_by`` gives a bot seated by the
server. Then end to end, with a real server and real websockets.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from typing import Any

import orjson
import pytest

from tests.factories import header_for
from tests.live import KEY, ROOT, Client, Http, Player, Server, open_session
from tests.virtual_time import VirtualServer, virtual_time
from zopa.rules.actions import Action, Offer, Pause, Request, Resume
from zopa.rules.bots import make_bot, seen_by
from zopa.rules.events import Event, event_from_dict
from zopa.rules.library import builtin
from zopa.rules.log import read_log, replay
from zopa.rules.negotiation import GameState, advance, apply, start
from zopa.rules.scenario import Scenario
from zopa.rules.scoring import result
from zopa.rules.status import status
from zopa.server.bot_client import BotPlayer, base_url, message_of, run_bots
from zopa.server.bot_table import Table
from zopa.server.views import event_message, player_view

SKEW = -100.0  # the bot's clock runs 100 s behind the server's


def wire(message: dict[str, Any]) -> dict[str, Any]:
    decoded: dict[str, Any] = orjson.loads(orjson.dumps(message))
    return decoded


Checkpoint = tuple[GameState, int]  # the state after an action, and how many events so far


def game_with_stops(scenario: Scenario, seed: int) -> tuple[list[Checkpoint], list[Event]]:
    """Two bots play, with a mutual break and a facilitator's pause in the middle."""
    first, second = scenario.role_ids
    bots = {first: make_bot("linear"), second: make_bot("boulware")}
    state = start(scenario, seed, 0.0)
    events: list[Event] = []
    checkpoints: list[Checkpoint] = [(state, 0)]

    def act(action: Action, at: float) -> None:
        nonlocal state
        state, more = apply(state, action, at)
        events.extend(more)
        checkpoints.append((state, len(events)))

    stopped = False
    now = 0.0
    while state.ending is None:
        now += 1.0
        state, due = advance(state, now)
        if due:
            events.extend(due)
            checkpoints.append((state, len(events)))
        if not stopped and len(events) >= 6 and state.ending is None:
            stopped = True
            if scenario.protocol.breaks:
                act(Request(first, "break_request"), now)
                act(Request(second, "break_accept"), now)
                act(Request(first, "break_end"), now + 7)
            act(Pause(), now + 8)
            act(Resume(), now + 20)
            now += 20
        for role in scenario.role_ids:
            if state.ending is not None:
                break
            action = bots[role].decide(seen_by(state, role, events, now))
            if action is not None:
                act(action, now)
    return checkpoints, events


@pytest.mark.parametrize("name", ["guitar", "new-hire", "moving-out"])
def test_a_bots_copy_of_its_game_sees_what_a_seated_bot_sees(name: str) -> None:
    scenario = builtin(name)
    header = header_for(scenario, seed=3, started_at=0.0)
    checkpoints, events = game_with_stops(scenario, 3)
    role = scenario.role_ids[1]
    for k, (state, seen_so_far) in enumerate(checkpoints):
        # A view at any moment (after the start, mid-break, paused, ...), through JSON.
        now = (events[seen_so_far - 1].at if seen_so_far else 0.0) + 0.5
        view = wire(player_view(header, state, events[:seen_so_far], role, now, None))
        table = Table(view, now + SKEW)
        if state.live and not state.paused and not state.on_break:
            # A running clock in the view fixes the server's time; a stopped one waits
            # for the next event to do so.
            assert table.seen(now + 0.25 + SKEW) == seen_by(
                state, role, events[:seen_so_far], now + 0.25
            )._replace(seed=table.seed)
        # Then the rest arrives event by event, as the websocket sends it.
        heard = seen_so_far
        for later_state, upto in checkpoints[k + 1 :]:
            for event in events[heard:upto]:
                public = status(later_state, event.at)  # the bot reads only the event
                message = wire(event_message(header.game, event, role, False, public))
                table.hear(
                    event_from_dict({"seq": message["seq"], **message["event"]}), event.at + SKEW
                )
            heard = upto
            if not later_state.live:
                break  # the other side's claim is unsealed only in views made after the end
            at = events[upto - 1].at + 0.25
            truth = seen_by(later_state, role, events[:upto], at)
            assert table.seen(at + SKEW) == truth._replace(seed=table.seed), (k, upto)
            assert not table.broken


def test_messages_and_addresses() -> None:
    assert message_of(Offer("buyer", {"price": 3}, True)) == {
        "type": "offer",
        "terms": {"price": 3},
        "final": True,
    }
    assert message_of(Request("buyer", "extension_accept")) == {"type": "extension_accept"}
    assert base_url("127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert base_url("ws://h:1/ws") == "http://h:1"
    assert base_url("https://zopa.example/") == "https://zopa.example"


# -- end to end ------------------------------------------------------------------------


async def facilitator(server: Http, code: str) -> Client:
    watcher = await Client.open(server)
    await watcher.send({"type": "hello", "key": KEY, "session": code})
    return watcher


async def connected(watcher: Client, count: int) -> None:
    """Until the facilitator's snapshot shows ``count`` players connected."""
    await watcher.until(
        lambda m: m["type"] == "session" and sum(p["connected"] for p in m["players"]) == count,
        15,
    )


@virtual_time
async def test_a_bot_plays_a_person_on_a_live_server(server: VirtualServer) -> None:
    code = await open_session(server, "guitar", time_limit=60)
    watcher = await facilitator(server, code)
    person = await Player(server, code, "Ana").join()
    await person.connect()
    said: list[str] = []
    bots = asyncio.create_task(
        run_bots(
            server.url,
            code,
            1,
            "conceder",
            rounds=1,
            think=0.3,
            report=said.append,
            clock=server.clock,
        )
    )
    await connected(watcher, 2)
    await server.acall("POST", f"/api/sessions/{code}/rounds")
    view = await person.c.type("game")
    me, bot_role = view["role"], view["partner"]["role"]
    assert view["partner"]["bot"] is False  # a joined bot is a player like any other
    if view["turn"] == me:
        await person.send({"type": "offer", "terms": {"price": 8}})
    # The person takes the bot's first offer (or the bot takes theirs).
    while True:
        message = await person.c.until(lambda m: m["type"] in ("event", "ended"), 15)
        if message["type"] == "ended":
            break
        event = message["event"]
        if event["type"] == "offer" and event["by"] == bot_role:
            await person.send({"type": "accept", "offer": message["seq"]})
    assert message["result"]["outcome"] == "agreement"
    players = await asyncio.wait_for(bots, 15)
    assert players[0].refused == 0
    assert [o.result for o in players[0].outcomes] == [message["result"]]
    assert said and "agreement" in said[0]
    game = view["game"]
    status, text = await server.ask("GET", f"/api/games/{game}/log")
    assert status == 200 and isinstance(text, str)
    assert result(replay(read_log(text.splitlines()))) == message["result"]


@virtual_time
async def test_two_bots_play_each_other_over_messagepack(server: VirtualServer) -> None:
    code = await open_session(server, "guitar", time_limit=12)
    watcher = await facilitator(server, code)
    said: list[str] = []
    bots = asyncio.create_task(
        run_bots(
            server.url,
            code,
            2,
            "conceder",
            binary=True,
            rounds=1,
            think=0.2,
            report=said.append,
            clock=server.clock,
        )
    )
    await connected(watcher, 2)
    started = await server.acall("POST", f"/api/sessions/{code}/rounds")
    assert all(p is not None for p in started["games"][0]["players"].values())
    players = await asyncio.wait_for(bots, 30)
    assert [p.refused for p in players] == [0, 0]
    results = await server.acall("GET", f"/api/sessions/{code}/results")
    outcome = results["rounds"][0]["games"][0]["result"]
    assert outcome["outcome"] == "agreement"
    assert {o.result["joint"] for p in players for o in p.outcomes} == {outcome["joint"]}


async def test_zopa_bots_join_on_the_command_line(server: Server) -> None:
    # Two linear bots' claims match a little after half their time, with seconds to spare.
    code = await open_session(server, "moving-out", time_limit=6)
    watcher = await facilitator(server, code)
    command = [sys.executable, "-m", "zopa.server.cli", "bots", "join", server.url, code]
    command += ["--count", "2", "--strategy", "linear", "--rounds", "1", "--think", "0.2"]
    process = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        await connected(watcher, 2)
        await server.acall("POST", f"/api/sessions/{code}/rounds")
        out, err = await asyncio.wait_for(process.communicate(), 40)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert len(lines) == 2 and all("claims_matched" in line for line in lines), lines


async def test_a_bot_for_an_unknown_session_says_so(server: Server) -> None:
    command = [sys.executable, "-m", "zopa.server.cli", "bots", "join", server.url, "ZZZZZZ"]
    process = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 2
    assert "404" in err.decode() and "no_such_session" in err.decode()
    json.dumps(out.decode())


async def test_joined_bots_come_back_when_the_server_restarts(server: Server) -> None:
    # Two conceders meet about halfway through their time: after the second offer that
    # leaves the restart seconds to come first, whatever the machine's load.
    code = await open_session(server, "guitar", time_limit=10)
    watcher = await facilitator(server, code)
    said: list[str] = []
    bots = asyncio.create_task(
        run_bots(server.url, code, 2, "conceder", rounds=1, think=0.2, report=said.append)
    )
    await connected(watcher, 2)
    await server.acall("POST", f"/api/sessions/{code}/rounds")
    await watcher.until(
        lambda m: (
            m["type"] == "session"
            and bool(m["rounds"])
            and m["rounds"][0]["games"][0]["offers"] >= 2
        ),
        15,
    )
    # SIGTERM closes every socket with 1001; the game resumes from its log on restart.
    assert server.terminate() in (0, -signal.SIGTERM)
    server.start()
    players = await asyncio.wait_for(bots, 60)
    assert sum("reconnecting" in line for line in said) == 2
    assert [len(p.outcomes) for p in players] == [1, 1]
    results = await server.acall("GET", f"/api/sessions/{code}/results")
    outcome = results["rounds"][0]["games"][0]["result"]
    assert outcome["outcome"] == "agreement"
    assert [p.outcomes[0].result for p in players] == [outcome, outcome]
    # What the bots did after coming back is in the log and replays like the rest.
    game = results["rounds"][0]["games"][0]["game"]
    status, text = server.call("GET", f"/api/games/{game}/log")
    assert status == 200 and isinstance(text, str)
    kinds = [json.loads(line)["type"] for line in text.splitlines()[1:]]
    assert "resume" in kinds and kinds.index("resume") < kinds.index("accept")
    assert result(replay(read_log(text.splitlines()))) == outcome


def test_a_game_that_ended_while_a_bot_was_away_counts_as_played() -> None:
    scenario = builtin("guitar")
    header = header_for(scenario, seed=3, started_at=0.0)
    checkpoints, events = game_with_stops(scenario, 3)
    role = scenario.role_ids[0]
    said: list[str] = []
    bot = BotPlayer("http://x", "CODE", "b", make_bot("linear"), rounds=1, report=said.append)
    live, n = checkpoints[3]
    bot._receive(wire({"type": "game", **player_view(header, live, events[:n], role, 30.0, None)}))
    assert bot.table is not None and not bot.done
    # The reconnect's welcome holds the finished game; no "ended" message follows.
    over, n = checkpoints[-1]
    view = player_view(header, over, events[:n], role, 500.0, result(over))
    bot._receive(wire({"type": "welcome", "player": "p", "game": view}))
    assert bot.done and bot.table is None
    assert bot.outcomes[0].result == result(over) and said
