"""Reading time on a real server: set per session, nobody negotiates while reading, the
clock starts when both are ready or the time runs out, and a plan reaches only its author.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.live import Player, Server, open_session
from tests.test_bot_client import connected, facilitator
from tests.test_server_game import paired
from tests.virtual_time import VirtualServer, virtual_time
from zopa.rules.log import read_log, replay
from zopa.rules.reading import latest_plan
from zopa.server.bot_client import run_bots


def status_of(message: dict[str, Any]) -> dict[str, Any]:
    status: dict[str, Any] = message["status"]
    return status


@virtual_time
async def test_both_ready_start_the_clock_and_a_plan_stays_with_its_author(
    server: VirtualServer,
) -> None:
    code, players, started = await paired(server, "guitar", reading="2m", estimates=True)
    snapshot = await server.acall("GET", f"/api/sessions/{code}")
    assert snapshot["reading"] == 120 and snapshot["scenario"]["reading"] == 120
    assert snapshot["rounds"][0]["games"][0]["reading"] is True
    seller, buyer = players["seller"], players["buyer"]
    view = seller.c.received[-1]
    assert view["scenario"]["protocol"]["reading"] == 120
    assert view["status"]["clock"] == "reading" and view["status"]["reading"] is True
    assert 0 < view["status"]["reading_left"] <= 120
    assert view["status"]["seconds_left"] == view["scenario"]["protocol"]["time_limit"]
    # Nobody negotiates while reading.
    for refused in ({"type": "chat", "text": "hi"}, {"type": "offer", "terms": {"price": 9}}):
        await seller.send(refused)
        error = await seller.c.type("error")
        assert error["code"] == "reading"
    plan = {"type": "plan", "target": 400, "walkaway": 250, "priorities": ["price"]}
    await seller.send(plan)
    own = await seller.event("plan")
    assert own["event"]["target"] == 400 and own["event"]["priorities"] == ["price"]
    theirs = await buyer.event("plan")
    assert theirs["event"] == {"type": "plan", "at": own["event"]["at"], "by": "seller"} | {
        "sealed": True
    }
    await seller.send({"type": "estimate", "batna": 200})
    await seller.event("estimate")
    await buyer.event("estimate")
    await seller.send({"type": "ready"})
    for player in (seller, buyer):
        ready = await player.event("ready")
        assert status_of(ready)["ready"] == ["seller"]
    await buyer.send({"type": "ready"})
    for player in (seller, buyer):
        ready = await player.event("ready")
        assert status_of(ready)["clock"] == "negotiation"
        assert status_of(ready)["reading"] is False
    await buyer.send({"type": "walkout"})
    for player in (seller, buyer):
        await player.c.type("ended")
    # After the end the estimate is open, the plan still sealed: for a reload too.
    welcome = await Player.connect(buyer)
    events = welcome["game"]["events"]
    assert next(e for e in events if e["type"] == "estimate")["batna"] == 200
    assert next(e for e in events if e["type"] == "plan") == {
        "seq": own["seq"],
        "type": "plan",
        "at": own["event"]["at"],
        "by": "seller",
        "sealed": True,
    }
    welcome = await Player.connect(seller)
    mine = next(e for e in welcome["game"]["events"] if e["type"] == "plan")
    assert mine["target"] == 400
    # The log keeps it, and replays.
    status, text = await server.ask("GET", f"/api/games/{started['games'][0]['game']}/log")
    assert status == 200
    log = read_log(text.splitlines())
    assert latest_plan(log.events, "seller") == {
        "target": 400,
        "walkaway": 250,
        "priorities": ["price"],
    }
    assert replay(log).ending is not None


@virtual_time
async def test_the_clock_starts_when_the_reading_time_runs_out(server: VirtualServer) -> None:
    _, players, started = await paired(server, "guitar", reading=30)
    for player in players.values():
        timeout = await player.event("timeout", timeout=40)
        assert timeout["event"]["what"] == "reading"
        assert status_of(timeout)["clock"] == "negotiation"
    status, text = await server.ask("GET", f"/api/games/{started['games'][0]['game']}/log")
    assert status == 200
    log = read_log(text.splitlines())
    timeout_at = next(e.at for e in log.events if e.type == "timeout")
    assert 0 <= timeout_at - (log.header.started_at + 30) < 1.0


@virtual_time
async def test_a_bot_partner_is_always_ready_and_waits_out_the_reading(
    server: VirtualServer,
) -> None:
    code = await open_session(server, "guitar", reading=60)
    players = [await Player(server, code, name).join() for name in ("Ana", "Ben", "Cy")]
    for player in players:
        await player.connect()
    started = await server.acall("POST", f"/api/sessions/{code}/rounds")
    with_bot = next(g for g in started["games"] if None in g["players"].values())
    alone = next(p for p in players if p.id in with_bot["players"].values())
    view = await alone.c.type("game")
    assert view["partner"]["bot"] is True and view["status"]["clock"] == "reading"
    alone.last_seq = view["events"][-1]["seq"]  # the bot's seat
    await alone.send({"type": "ready"})
    ready = await alone.event("ready")
    assert status_of(ready)["clock"] == "negotiation"
    # Not a move from the bot before that: the ready was the first event after its seat.
    status, text = await server.ask("GET", f"/api/games/{with_bot['game']}/log")
    assert status == 200
    kinds = [e.type for e in read_log(text.splitlines()).events]
    assert kinds[: kinds.index("ready") + 1] == ["seat", "ready"]


@virtual_time
async def test_reading_0_switches_it_off_and_a_bad_setting_is_refused(
    server: VirtualServer,
) -> None:
    _, players, _ = await paired(server, "guitar", reading=0)
    assert players["seller"].c.received[-1]["status"]["clock"] == "negotiation"
    for bad in ("soon", 7200, -1, True):
        status, answer = await server.ask(
            "POST", "/api/sessions", {"scenario": "guitar", "reading": bad}
        )
        assert status == 400 and "'reading'" in answer["error"]["message"]


@virtual_time
async def test_a_joined_bot_is_ready_at_once_and_follows_a_sealed_plan(
    server: VirtualServer,
) -> None:
    code = await open_session(server, "guitar", reading=300, time_limit=60)
    watcher = await facilitator(server, code)
    person = await Player(server, code, "Ana").join()
    await person.connect()
    bots = asyncio.create_task(
        run_bots(server.url, code, 1, "conceder", rounds=1, think=0.3, clock=server.clock)
    )
    await connected(watcher, 2)
    await server.acall("POST", f"/api/sessions/{code}/rounds")
    view = await person.c.type("game")
    me, bot_role = view["role"], view["partner"]["role"]
    assert view["status"]["clock"] == "reading"
    await person.send({"type": "plan", "target": 500, "priorities": ["price"]})
    ready = await person.event("ready", timeout=15)
    assert ready["event"]["by"] == bot_role, "the bot says it is ready without waiting"
    await person.send({"type": "ready"})
    began = await person.event("ready")
    assert status_of(began)["clock"] == "negotiation"
    if view["status"]["turn"] == me:
        await person.send({"type": "offer", "terms": {"price": 8}})
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


async def test_reading_time_and_a_plan_survive_a_restart(tmp_path: Path) -> None:
    server = Server(tmp_path / "zopa.db")
    server.start()
    try:
        code, players, _ = await paired(server, "guitar", reading=600)
        seller, buyer = players["seller"], players["buyer"]
        await seller.send({"type": "plan", "target": 450, "walkaway": 200, "priorities": []})
        await seller.event("plan")
        await seller.send({"type": "ready"})
        await seller.event("ready")
        server.terminate()
        server.start()
        welcome = await seller.connect()
        status = welcome["game"]["status"]
        assert status["reading"] is True and status["ready"] == ["seller"]
        assert 0 < status["reading_left"] <= 600
        assert any(e.get("target") == 450 for e in welcome["game"]["events"])
        assert (await server.acall("GET", f"/api/sessions/{code}"))["reading"] == 600
        # The session's setting holds for the next round too.
        await buyer.connect()
        await buyer.send({"type": "walkout"})
        await buyer.c.type("ended")
        await server.acall("POST", f"/api/sessions/{code}/rounds")
        view = await buyer.c.type("game")
        assert view["status"]["reading"] is True
        assert view["scenario"]["protocol"]["reading"] == 600
    finally:
        server.stop()
