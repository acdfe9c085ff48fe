"""Older sessions nobody uses leave memory, and load again with the same answers.

A real server in virtual time (tests/virtual_time.py): sessions count as old after a
minute here, idle after five minutes unasked, and a sweep looks every half minute.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.live import KEY, Client, Player, open_session
from tests.test_server_game import paired
from tests.virtual_time import VirtualServer, virtual_time

RECENT, IDLE, SWEEP = 60.0, 300.0, 30.0


def idle_server(tmp_path: Path) -> VirtualServer:
    return VirtualServer(
        tmp_path / "zopa.db", recent_seconds=RECENT, idle_seconds=IDLE, idle_sweep_seconds=SWEEP
    )


async def in_memory(server: VirtualServer) -> int:
    status, health = await server.ask("GET", "/healthz")
    assert status == 200
    return int(health["sessions"])


async def answers(server: VirtualServer, code: str, game: str) -> list[Any]:
    """What a facilitator reads of an ended class: results, the board, standings, a log."""
    found = []
    for path in (
        f"/api/sessions/{code}/results",
        f"/api/sessions/{code}",
        f"/api/sessions/{code}/standings",
        f"/api/games/{game}/log",
    ):
        status, body = await server.ask("GET", path)
        assert status == 200, path
        found.append(body)
    return found


@virtual_time
async def test_an_old_session_loaded_on_demand_leaves_memory_once_idle_and_loads_again(
    tmp_path: Path,
) -> None:
    async with idle_server(tmp_path) as server:
        code, players, started = await paired(server, "guitar")
        game = started["games"][0]["game"]
        seller = players["seller"]
        await seller.send({"type": "walkout"})
        ended = await seller.c.type("ended")
        for player in players.values():
            await player.c.close()
        await asyncio.sleep(RECENT)
        await server.stop()
        await server.start()
        assert await in_memory(server) == 0, "an old session stays in storage at start-up"
        before = await answers(server, code, game)
        assert await in_memory(server) == 1, "loaded on demand"
        asked = server.clock()

        await asyncio.sleep(IDLE - 1)
        assert server.zopa.idle.sweep() == [], "asked for less than the idle time ago"
        assert await in_memory(server) == 1
        await asyncio.sleep(asked + IDLE + SWEEP - server.clock())
        assert await in_memory(server) == 0, "the sweep let the idle session go"

        assert await answers(server, code, game) == before
        view = (await seller.connect())["game"]
        assert view["game"] == game and view["result"] == ended["result"]
        assert await in_memory(server) == 1


@virtual_time
async def test_a_session_in_use_stays_in_memory_however_old(tmp_path: Path) -> None:
    """A live game, a connected player, a watching facilitator: each keeps it there."""
    async with idle_server(tmp_path) as server:
        live, players, _ = await paired(server, "guitar", time_limit=3600)
        for player in players.values():
            await player.c.close()
        code = await open_session(server, "guitar")
        ana = await Player(server, code, "Ana").join()
        await ana.connect()
        watched = await open_session(server, "guitar")
        watcher = await Client.open(server)
        await watcher.send({"type": "hello", "key": KEY, "session": watched})
        await watcher.type("session")
        await asyncio.sleep(RECENT + IDLE + SWEEP)
        assert await in_memory(server) == 3
        assert server.zopa.idle.sweep() == []

        await ana.c.close()
        await watcher.close()
        await server.acall("POST", f"/api/sessions/{live}/end-round")
        await asyncio.sleep(IDLE + SWEEP)
        assert await in_memory(server) == 0, "each let go once nobody used it"
        for session in (live, code, watched):
            status, _ = await server.ask("GET", f"/api/sessions/{session}")
            assert status == 200
        assert await in_memory(server) == 3
