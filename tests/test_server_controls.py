"""The facilitator's controls, the live dashboard feed, and dropouts."""

from __future__ import annotations

import asyncio

import websockets

from tests.live import KEY, Client, Player
from tests.test_server_game import paired
from tests.virtual_time import VirtualServer, virtual_time
from zopa.server.snapshots import snapshot_interval


@virtual_time
async def test_pause_resume_extend_and_end_the_round(server: VirtualServer) -> None:
    code, players, _ = await paired(server, "guitar")
    seller = players["seller"]
    before = seller.c.received[-1]["seconds_left"]
    assert (await server.acall("POST", f"/api/sessions/{code}/pause"))["games"] == 1
    assert (await seller.event("pause"))["event"]["by"] is None
    # While paused the game refuses moves with a code that says why.
    mover = players[(await seller.c.seen("game"))["turn"]]
    await mover.send({"type": "offer", "terms": {"price": 9}})
    error = await mover.c.seen("error")
    assert error["code"] == "paused"
    assert (await server.acall("POST", f"/api/sessions/{code}/resume"))["games"] == 1
    await seller.event("resume")
    assert (await server.acall("POST", f"/api/sessions/{code}/extend", {"seconds": 60}))[
        "games"
    ] == 1
    extended = await seller.event("extend")
    assert extended["event"]["seconds"] == 60
    snapshot = await server.acall("GET", f"/api/sessions/{code}")
    assert snapshot["rounds"][0]["games"][0]["seconds_left"] > before
    assert (await server.acall("POST", f"/api/sessions/{code}/end-round"))["games"] == 1
    for player in players.values():
        ended = await player.c.type("ended")
        assert ended["result"]["reason"] == "aborted"
    status, answer = await server.ask("POST", f"/api/sessions/{code}/extend", {"seconds": -5})
    assert status == 400 and answer["error"]["code"] == "bad_request"


@virtual_time
async def test_the_facilitator_feed_follows_the_session(server: VirtualServer) -> None:
    code = (await server.acall("POST", "/api/sessions", {"scenario": "campsite"}))["code"]
    feed = await Client.open(server)
    await feed.send({"type": "hello", "key": KEY, "session": code.lower()})
    first = await feed.type("session")
    assert first["code"] == code and first["players"] == []
    ana = await Player(server, code, "Ana").join()
    joined = await feed.until(lambda m: m["type"] == "session" and len(m["players"]) == 1)
    assert joined["players"][0]["name"] == "Ana" and joined["players"][0]["connected"] is False
    await ana.connect()
    await feed.until(lambda m: m["type"] == "session" and m["players"][0]["connected"])
    await server.acall("POST", f"/api/sessions/{code}/rounds")
    live = await feed.until(lambda m: m["type"] == "session" and bool(m["rounds"]))
    game = live["rounds"][0]["games"][0]
    assert game["live"] is True and None in game["players"].values()


def test_big_sessions_snapshots_are_spaced_out_by_their_size() -> None:
    # A class's snapshots (tens of KB) go out four times a second; a 4,000-player
    # session's (about 900 KB) no faster than 500 KB a second.
    assert snapshot_interval(0) == snapshot_interval(45_000) == 0.25
    assert snapshot_interval(900_000) == 1.8
    sizes = [0, 100_000, 125_000, 200_000, 1_000_000, 10_000_000]
    gaps = [snapshot_interval(size) for size in sizes]
    assert gaps == sorted(gaps) and gaps[-1] == 20.0


@virtual_time
async def test_a_removed_player_is_closed_out_and_a_bot_takes_the_seat(
    server: VirtualServer,
) -> None:
    code, players, _ = await paired(server, "guitar")
    seller, buyer = players["seller"], players["buyer"]
    answer = await server.acall("DELETE", f"/api/sessions/{code}/players/{buyer.id}")
    assert answer["removed"] == buyer.id
    seat = await seller.event("seat")
    assert seat["event"]["role"] == "buyer" and seat["event"]["occupant"].startswith("bot:")
    try:
        while True:
            await buyer.c.next()
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None and closed.rcvd.code == 4403
    again = await Client.open(server)
    await again.send({"type": "hello", "token": buyer.token})
    try:
        await again.next()
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None and closed.rcvd.code == 4401


@virtual_time
async def test_a_dropout_seat_goes_to_a_bot_after_the_grace_and_back_on_return(
    server: VirtualServer,
) -> None:
    _, players, _ = await paired(server, "guitar")
    seller, buyer = players["seller"], players["buyer"]
    await seller.send({"type": "seat_bot"})
    assert (await seller.c.type("error"))["code"] == "not_allowed", "the partner is here"
    await buyer.c.close()
    presence = await seller.c.type("presence")
    assert presence["role"] == "buyer" and presence["connected"] is False
    # The grace period is the thing under test: wait for it to run out, by the clock.
    await asyncio.sleep(max(0.0, presence["grace_ends"] - server.clock()) + 0.05)
    await seller.send({"type": "seat_bot"})
    seat = await seller.event("seat")
    assert seat["event"] == {**seat["event"], "role": "buyer", "occupant": "bot:conceder"}
    await buyer.connect(since=buyer.last_seq)
    back = await seller.event("seat")
    assert back["event"]["occupant"] == "player"
    assert (await buyer.event("seat"))["seq"] == seat["seq"]
