"""Nothing acknowledged is lost: reconnects with ``since``, SIGKILL mid-game and in a
loop while bots play, SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import signal
from pathlib import Path
from typing import Any

import websockets

from tests.backends import database_fixture, served  # noqa: F401
from tests.live import Client, Player, Server, open_session
from tests.test_server_game import paired
from tests.virtual_time import VirtualServer, virtual_time
from zopa.rules.bots import make_bot
from zopa.rules.bots.negotiator import tuned
from zopa.rules.log import read_log, replay
from zopa.rules.scoring import result
from zopa.server.bot_client import BotPlayer


def event_lines(server: Server, game: str) -> list[dict[str, object]]:
    status, text = server.call("GET", f"/api/games/{game}/log")
    assert status == 200 and isinstance(text, str)
    return [json.loads(line) for line in text.splitlines()[1:]]


@virtual_time
async def test_a_reconnect_with_since_gets_exactly_the_missed_events(server: VirtualServer) -> None:
    _, players, started = await paired(server, "new-hire")
    mover_role = players["candidate"].c.received[-1]["turn"]
    mover = players[mover_role]
    away = players["recruiter" if mover_role == "candidate" else "candidate"]
    await mover.send({"type": "chat", "text": "hello"})
    await away.event("chat")
    await away.c.close()
    terms = {
        issue: 2
        for issue in (
            "salary",
            "bonus",
            "vacation",
            "start",
            "moving",
            "insurance",
            "assignment",
            "location",
        )
    }
    await mover.send({"type": "chat", "text": "are you there?"})
    await mover.send({"type": "offer", "terms": terms})
    await mover.event("chat")
    await mover.event("offer")
    # The partner hears that the other side went away.
    presence = await mover.c.seen("presence")
    assert presence["connected"] is False and presence["role"] != mover_role

    welcome = await away.connect(since=away.last_seq)
    assert welcome["game"]["since"] == 1 and welcome["game"]["events"] == []
    missed = [await away.event(), await away.event()]
    assert [m["event"]["type"] for m in missed] == ["chat", "offer"]
    assert missed[0]["event"]["text"] == "are you there?"
    # With their statuses: folded into the returning view's, the same after each event
    # as the other side's, folded live into the view of the round's start.
    held = next(m for m in mover.c.received if m["type"] == "game")["status"]
    live = {}
    for message in (m for m in mover.c.received if m["type"] == "event"):
        held = live[message["seq"]] = {**held, **message["status"]}
    back = welcome["game"]["status"]
    for message in missed:
        back = {**back, **message["status"]}
        assert back == live[message["seq"]]
    assert back["standing"] == {"seq": 3, "by": mover_role, "final": False}

    # A page reload (no since) gets the full view with every event so far.
    reload = Player(server, away.code, away.name)
    reload.token = away.token
    view = (await reload.connect())["game"]
    assert [e["seq"] for e in view["events"]] == [1, 2, 3]
    assert view["card"] == welcome["game"]["card"]
    assert started["games"][0]["game"] == view["game"]


async def test_sigkill_mid_game_loses_nothing_and_repeats_nothing(
    tmp_path: Path, database: str
) -> None:
    server = served(tmp_path, database)
    server.start()
    try:
        _, players, started = await paired(server, "guitar")
        game = started["games"][0]["game"]
        mover_role = players["seller"].c.received[-1]["turn"]
        mover = players[mover_role]
        other = players["buyer" if mover_role == "seller" else "seller"]
        await mover.send({"type": "offer", "terms": {"price": 12}})
        await other.send({"type": "chat", "text": "too much"})
        for player in (mover, other):
            await player.event("offer")
            await player.event("chat")
        heard = {role: list(p.c.received) for role, p in players.items()}

        server.kill()
        server.start()

        logged = event_lines(server, game)
        for messages in heard.values():
            for message in messages:
                if message["type"] == "event":
                    stored = logged[message["seq"] - 1]
                    assert stored == {"seq": message["seq"], **message["event"]}

        for player in (mover, other):
            await player.connect(since=player.last_seq)
        # The server logged that it was down: the clock stopped, then ran again.
        for player in (mover, other):
            assert (await player.event())["event"]["type"] == "pause"
            assert (await player.event())["event"]["type"] == "resume"
        await other.send({"type": "offer", "terms": {"price": 8}})
        await mover.send({"type": "accept", "offer": other.last_seq + 1})
        for player in (mover, other):
            await player.event("offer")
            await player.event("accept")
            await player.event("end")
            ended = await player.c.type("ended")
            assert ended["result"]["points"] == {"seller": 400, "buyer": 400}

        status, text = server.call("GET", f"/api/games/{game}/log")
        assert status == 200
        log = read_log(text.splitlines())
        assert [e.seq for e in log.events] == list(range(1, len(log.events) + 1))
        assert result(replay(log)) == ended["result"]
    finally:
        server.stop()


async def test_sigterm_closes_sockets_with_1001_and_games_resume(
    tmp_path: Path, database: str
) -> None:
    server = served(tmp_path, database)
    server.start()
    try:
        code, players, started = await paired(server, "guitar")
        facilitator = await Client.open(server)
        await facilitator.send({"type": "hello", "key": "test-facilitator-key", "session": code})
        await facilitator.type("session")
        # uvicorn re-raises SIGTERM after its clean shutdown, as a service should.
        assert server.terminate() in (0, -signal.SIGTERM)
        assert '"stopped cleanly"' in server.log.read_text()
        for client in [p.c for p in players.values()] + [facilitator]:
            try:
                while True:
                    await client.next()
            except websockets.ConnectionClosed as closed:
                assert closed.rcvd is not None and closed.rcvd.code == 1001
        server.start()
        player = players["seller"]
        welcome = await player.connect()
        assert welcome["game"]["game"] == started["games"][0]["game"]
        assert welcome["game"]["status"]["over"] is False
    finally:
        server.stop()


@virtual_time
async def test_after_a_restart_a_reload_still_shows_how_the_last_game_ended(
    tmp_path: Path, database: str
) -> None:
    async with VirtualServer(database) as server:
        _, players, _ = await paired(server, "guitar")
        seller = players["seller"]
        await seller.send({"type": "walkout"})
        ended = await seller.c.type("ended")
        await server.restart()
        view = (await seller.connect())["game"]
        assert view["result"] == ended["result"]
        assert view["cards"] == ended["cards"]
        assert [e["type"] for e in view["events"]] == ["walkout", "end"]


@virtual_time
async def test_an_ended_game_reloads_from_storage_with_its_end(server: VirtualServer) -> None:
    """An ended game leaves memory; a reload still gets its whole view and result."""
    _, players, started = await paired(server, "guitar")
    seller, buyer = players["seller"], players["buyer"]
    await seller.send({"type": "chat", "text": "bye"})
    await seller.send({"type": "walkout"})
    ended = await buyer.c.type("ended")
    again = Player(server, buyer.code, buyer.name)
    again.token = buyer.token
    view = (await again.connect())["game"]
    assert view["game"] == started["games"][0]["game"]
    assert view["result"] == ended["result"] and view["cards"] == ended["cards"]
    assert [e["type"] for e in view["events"]] == ["chat", "walkout", "end"]
    assert view["status"]["over"] is True
    # A move on the ended game is refused as such.
    await again.send({"type": "chat", "text": "still there?"})
    refused = await again.c.type("error")
    assert refused["code"] == "game_over"


@virtual_time
async def test_a_reload_while_the_partner_is_away_still_says_so(server: VirtualServer) -> None:
    _, players, _ = await paired(server, "guitar")
    seller, buyer = players["seller"], players["buyer"]
    await buyer.c.close()
    told = await seller.c.type("presence")
    assert told["connected"] is False
    await seller.c.close()
    view = (await seller.connect())["game"]
    assert view["presence"] == {k: told[k] for k in ("role", "connected", "grace_ends")}
    await buyer.connect()
    back = await seller.c.type("presence")
    assert back["connected"] is True
    await seller.c.close()
    assert (await seller.connect())["game"]["presence"] == {"role": "buyer", "connected": True}


@virtual_time
async def test_an_older_session_is_loaded_when_first_asked_for(
    tmp_path: Path, database: str
) -> None:
    """Start-up leaves sessions that are not recent in storage, until something names them."""
    async with VirtualServer(database, recent_seconds=0.0) as server:
        code, players, started = await paired(server, "guitar")
        game = started["games"][0]["game"]
        seller = players["seller"]
        await seller.send({"type": "walkout"})
        ended = await seller.c.type("ended")
        idle = await open_session(server, "guitar")
        for name, wanted in (("by token", "token"), ("by code", "code"), ("by game", "game")):
            await server.restart()
            assert (await server.ask("GET", "/healthz"))[1]["sessions"] == 0, name
            if wanted == "token":
                view = (await seller.connect())["game"]
                assert view["game"] == game and view["result"] == ended["result"]
            elif wanted == "code":
                status, snapshot = await server.ask("GET", f"/api/sessions/{code}")
                assert status == 200 and snapshot["rounds"][0]["games"][0]["live"] is False
                assert snapshot["rounds"][0]["games"][0]["result"] == ended["result"]
            else:
                status, text = await server.ask("GET", f"/api/games/{game}/log")
                assert status == 200 and '"walkout"' in text
                status, _ = await server.ask("GET", f"/api/games/{game}/analysis", key=seller.token)
                assert status == 200
            assert (await server.ask("GET", "/healthz"))[1]["sessions"] == 1, name
        # A new round in a session loaded on demand pairs as before.
        await server.acall("POST", f"/api/sessions/{code}/rounds")
        assert (await server.ask("GET", f"/api/sessions/{idle}"))[0] == 200
        assert (await server.ask("GET", "/api/sessions/NOSUCH"))[0] == 404


@virtual_time
async def test_a_reconnect_across_rounds_gets_the_new_game_whole_and_the_old_ones_end(
    tmp_path: Path,
) -> None:
    # The default grace period: a player away for a moment is still paired.
    async with VirtualServer(tmp_path / "zopa.db") as server:
        code, players, started = await paired(server, "guitar")
        first = started["games"][0]["game"]
        seller, buyer = players["seller"], players["buyer"]
        await seller.send({"type": "chat", "text": "one"})
        await buyer.event("chat")
        await buyer.c.close()
        await seller.send({"type": "walkout"})
        ended = await seller.c.type("ended")
        second = (await server.acall("POST", f"/api/sessions/{code}/rounds"))["games"][0]["game"]
        await seller.c.type("game")
        for text in ("two", "three", "four"):
            await seller.send({"type": "chat", "text": text})
        for _ in range(3):
            await seller.c.type("event")

        # since=1 counted in the first game: all of the second, then the first one's end.
        welcome = await buyer.connect(since=buyer.last_seq, game=first)
        view = welcome["game"]
        assert view["game"] == second and "since" not in view
        assert [e["text"] for e in view["events"]] == ["two", "three", "four"]
        assert await buyer.c.next() == ended
        # Counted in the current game, a since picks up where it left off.
        await buyer.c.close()
        welcome = await buyer.connect(since=2, game=second)
        assert welcome["game"]["since"] == 2 and welcome["game"]["events"] == []
        missed = await buyer.c.next()
        assert (missed["game"], missed["seq"], missed["event"]["text"]) == (second, 3, "four")
        # Without a game, a since beyond the latest game's events cannot be from it.
        await buyer.c.close()
        welcome = await buyer.connect(since=7)
        assert "since" not in welcome["game"] and len(welcome["game"]["events"]) == 3


class Recording(BotPlayer):
    """A joined bot that keeps every message the server sent it."""

    heard: list[dict[str, Any]]
    ended: asyncio.Event

    def _receive(self, message: dict[str, Any]) -> None:
        self.heard.append(message)
        if ended_in(message) is not None:
            self.ended.set()
        super()._receive(message)


def ended_in(message: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The game and result a message tells of: an ``ended``, or the view of an ended game
    (a bot that was away when its game ended is welcomed with it)."""
    if message["type"] == "ended":
        return message["game"], message["result"]
    view = message.get("game") if message["type"] == "welcome" else None
    if isinstance(view, dict) and "result" in view:
        return view["game"], view["result"]
    return None


async def test_a_crash_loop_while_bots_play_loses_no_event(tmp_path: Path) -> None:
    """SIGKILL at random moments, 20 times, while joined bots play game after game.

    On SQLite alone, for the suite's time: PostgreSQL's recovery from SIGKILL is the test
    above and test_storage_contract's killed writer."""
    server = Server(tmp_path / "zopa.db")
    server.start()
    chance = random.Random(15)
    bot = tuned(make_bot("conceder"), think=0.2)
    bots = [Recording(server.url, "", f"bot {n}", bot, report=lambda _: None) for n in range(4)]
    tasks: list[asyncio.Task[None]] = []
    try:
        code = await open_session(server, "guitar", time_limit=8)
        an_end = asyncio.Event()  # set whenever a bot hears a game end
        for player in bots:
            player.code, player.heard, player.ended = code, [], an_end
            await player.join()
        tasks = [asyncio.create_task(player.play()) for player in bots]
        restarts = 0
        while restarts < 20:
            # A new round whenever the last one is over (409 while a game is live).
            await asyncio.to_thread(server.call, "POST", f"/api/sessions/{code}/rounds")
            await asyncio.sleep(chance.uniform(0.2, 1.2))
            server.kill()
            server.start()
            restarts += 1
        await server.acall("POST", f"/api/sessions/{code}/end-round")
        results = await server.acall("GET", f"/api/sessions/{code}/results")
        games = [g for r in results["rounds"] for g in r["games"]]
        # Every game's end reaches its bots, the last round's included.
        ends = {g["game"] for g in games}
        async with asyncio.timeout(30):
            while ends - {end[0] for b in bots for m in b.heard if (end := ended_in(m))}:
                an_end.clear()
                await an_end.wait()
        # Read again now every end is heard: a game may have reached its own end while
        # the round was being ended, after the first read.
        results = await server.acall("GET", f"/api/sessions/{code}/results")
        games = [g for r in results["rounds"] for g in r["games"]]
        assert {g["game"] for g in games} == ends
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    try:
        assert len(games) >= 4, games
        stored: dict[str, list[dict[str, Any]]] = {}
        for entry in games:
            status, text = server.call("GET", f"/api/games/{entry['game']}/log")
            assert status == 200 and isinstance(text, str)
            log = read_log(text.splitlines())
            assert [e.seq for e in log.events] == list(range(1, len(log.events) + 1))
            assert result(replay(log)) == entry["result"] is not None
            stored[entry["game"]] = [json.loads(line) for line in text.splitlines()[1:]]
        lost = 0
        heard = 0
        for player in bots:
            for message in player.heard:
                if message["type"] == "event":
                    heard += 1
                    events = stored[message["game"]]
                    told = {"seq": message["seq"], **message["event"]}
                    lost += len(events) < told["seq"] or events[told["seq"] - 1] != told
                elif (told_end := ended_in(message)) is not None:
                    found = next(g for g in games if g["game"] == told_end[0])
                    assert told_end[1] == found["result"]
        assert heard > 0 and lost == 0
    finally:
        server.stop()
