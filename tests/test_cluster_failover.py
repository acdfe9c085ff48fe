"""Two workers on one PostgreSQL: each session served by one, and a SIGKILLed worker's
sessions taken over by the other, without an event lost, duplicated or unheard.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import websockets

from tests.backends import database_reachable
from tests.faults import replayed
from tests.live import KEY, Http, Player, Server, open_session

FIRST, SECOND = "seller", "buyer"


class Routed(Http):
    """A worker reached as the proxy would: the session's code in the socket's URL."""

    def __init__(self, server: Http, code: str) -> None:
        super().__init__(server.port)
        self.code = code

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws?session={self.code}"


def worker(tmp_path: Path, name: str, url: str) -> Server:
    server = Server(tmp_path / f"{name}.db", ZOPA_GRACE_SECONDS="30")
    server.db = url
    return server


async def session_on(server: Server) -> tuple[str, dict[str, Player], str]:
    """A session opened on ``server``, two players paired in it; the game's id."""
    code = await open_session(server, "guitar")
    route = Routed(server, code)
    players = [await Player(route, code, name).join() for name in ("Ana", "Ben")]
    for player in players:
        await player.connect()
    started = await server.acall("POST", f"/api/sessions/{code}/rounds")
    by_role = {}
    for player in players:
        view = await player.c.type("game")
        by_role[view["role"]] = player
    return code, by_role, started["games"][0]["game"]


async def chat(players: dict[str, Player], text: str) -> None:
    await players[FIRST].send({"type": "chat", "text": text})
    for player in players.values():
        await player.event("chat")


async def take_over(server: Server, player: Player, deadline: float) -> float:
    """Connect to ``server`` until it serves the player's session; when it did."""
    player.server = Routed(server, player.code)
    while True:
        try:
            await player.connect(since=player.last_seq)
            return time.monotonic()
        except websockets.InvalidStatus as refused:
            # 503 while the dead worker's lock is not yet freed: what a client retries.
            assert refused.response.status_code == 503, refused
            assert time.monotonic() < deadline, "no worker took the session over"
            await asyncio.sleep(0.05)


def heard(player: Player) -> list[dict[str, Any]]:
    return [{"seq": m["seq"], **m["event"]} for m in player.c.received if m["type"] == "event"]


async def test_a_killed_workers_sessions_go_on_in_the_other_worker(
    tmp_path: Path, postgres_url: str
) -> None:
    one, two = worker(tmp_path, "one", postgres_url), worker(tmp_path, "two", postgres_url)
    one.start()
    two.start()
    try:
        lost_code, lost, lost_game = await session_on(one)
        kept_code, kept, kept_game = await session_on(two)
        await chat(lost, "before")
        await chat(kept, "before")
        # The same key on both workers, kept in the database; each session has one owner.
        status, answer = two.call("GET", f"/api/sessions/{lost_code}")
        assert status == 503 and answer["error"]["code"] == "session_elsewhere", answer
        assert two.call("GET", f"/api/games/{lost_game}/log", key=KEY)[0] == 200
        # Mid-move: the offer is on its way when the worker dies.
        before = {role: player.last_seq for role, player in lost.items()}
        await lost[FIRST].send({"type": "offer", "terms": {"price": 11}})
        killed = time.monotonic()
        one.kill()
        first_socket = {id(player): heard(player) for player in lost.values()}

        back = [await take_over(two, player, killed + 20) for player in lost.values()]
        took = max(back) - killed
        print(f"takeover: {took:.2f} s from SIGKILL to both players welcomed by the other worker")
        assert took < 10
        for role, player in lost.items():
            # Caught up from their last seq: the offer if it was stored, nothing if not.
            assert player.last_seq >= before[role]
        await chat(lost, "after")
        await chat(kept, "after")
        await lost[FIRST].send({"type": "walkout"})
        await kept[SECOND].send({"type": "walkout"})
        for players, game in ((lost, lost_game), (kept, kept_game)):
            ended = [await p.c.type("ended", timeout=10) for p in players.values()]
            status, text = two.call("GET", f"/api/games/{game}/log")
            assert status == 200 and isinstance(text, str)
            stored = [json.loads(line) for line in text.splitlines()[1:]]
            seqs = [event["seq"] for event in stored]
            assert seqs == list(range(1, len(stored) + 1)), seqs  # none lost, none twice
            for player in players.values():
                # What each heard, across both sockets, is exactly what is stored: the
                # second socket may repeat what the first got but had not acknowledged.
                both = first_socket.get(id(player), []) + heard(player)
                by_seq = {event["seq"]: event for event in both}
                assert all(by_seq[event["seq"]] == event for event in both)
                assert [by_seq[seq] for seq in sorted(by_seq)] == stored
            assert replayed(text, tmp_path) == ended[0]["result"]
        assert kept_code != lost_code
    finally:
        one.stop()
        two.stop()


async def test_a_worker_cut_off_from_postgresql_takes_no_moves_until_it_is_back(
    tmp_path: Path, postgres_url: str
) -> None:
    server = worker(tmp_path, "one", postgres_url)
    server.start()
    try:
        code, players, game = await session_on(server)
        await chat(players, "before")
        database_reachable(postgres_url, False)
        await players[SECOND].send({"type": "chat", "text": "lost to the cut"})
        refused = await players[SECOND].c.type("error", timeout=10)
        assert refused["code"] == "storage_unavailable"
        for player in players.values():
            notice = await player.c.seen("storage", timeout=10)
            assert notice == {"type": "storage", "game": game, "available": False}
        status, health = server.call("GET", "/healthz")
        assert status == 503 and health["storage"]["ok"] is False, health

        database_reachable(postgres_url, True)
        # Connected again, its session's lock taken back: the game goes on by itself.
        for player in players.values():
            assert (await player.event(timeout=30))["event"]["type"] == "pause"
            assert (await player.event())["event"]["type"] == "resume"
        assert server.call("GET", "/healthz")[0] == 200
        await players[FIRST].send({"type": "walkout"})
        endings = [await player.c.type("ended", timeout=10) for player in players.values()]
        ended = endings[0]
        status, text = server.call("GET", f"/api/games/{game}/log")
        stored = [json.loads(line) for line in text.splitlines()[1:]]
        assert [e["seq"] for e in stored] == list(range(1, len(stored) + 1))
        assert not any(e.get("text") == "lost to the cut" for e in stored)
        for player in players.values():
            assert heard(player) == stored
        assert replayed(text, tmp_path) == ended["result"] == endings[1]["result"]
        assert code
    finally:
        database_reachable(postgres_url, True)
        server.stop()
