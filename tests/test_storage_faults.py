"""Storage faults for real, against ``zopa serve``: the worst a fault costs is a pause.

A full disk (a 2 MB tmpfs, filled mid-game), a read-only database (``chattr +i`` on its
WAL, mid-game), and a PostgreSQL that goes away (no connection allowed, every one cut):
the move is refused with ``storage_unavailable`` and not applied,
``/healthz`` and the dashboard say storage fails, and once storage works the game goes
on by itself with no gap, no duplicate and nothing announced that is not stored; its
log replays to the result the players were told, and the server restarts on it. A
damaged event row sets its game aside and every other game resumes (on both backends).

The full disk and the read-only file are SQLite's faults: PostgreSQL's server has the
disk, and what a worker meets of its faults is a lost connection.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.backends import (
    damage_event,
    database_fixture,  # noqa: F401
    database_reachable,
    served,
    stored_seqs,
)
from tests.faults import fill, immutable_folder, need_root, replayed, set_immutable, tmpfs
from tests.live import Player, Server
from tests.test_server_game import paired
from zopa.server.storage_postgres import is_postgres

FIRST, SECOND = "seller", "buyer"


def log_text(server: Server, game: str) -> str:
    status, text = server.call("GET", f"/api/games/{game}/log")
    assert status == 200 and isinstance(text, str), (status, text)
    return text


def heard_events(player: Player) -> list[dict[str, Any]]:
    return [{"seq": m["seq"], **m["event"]} for m in player.c.received if m["type"] == "event"]


async def through_a_fault(
    server: Server, tmp: Path, break_storage: Callable[[], object], mend: Callable[[], object]
) -> None:
    """A game of guitar played through a storage fault, and everything checked after it."""
    code, players, started = await paired(server, "guitar")
    game = started["games"][0]["game"]
    mover = players[players[FIRST].c.received[-1]["turn"]]
    other = players[SECOND] if mover is players[FIRST] else players[FIRST]
    await mover.send({"type": "offer", "terms": {"price": 12}})
    for player in (mover, other):
        await player.event("offer")

    break_storage()
    await other.send({"type": "chat", "text": "lost to the fault"})
    refused = await other.c.type("error", timeout=10)
    assert refused["code"] == "storage_unavailable"
    for player in (mover, other):
        notice = await player.c.seen("storage", timeout=10)
        assert notice == {"type": "storage", "game": game, "available": False}
    status, health = server.call("GET", "/healthz")
    assert status == 503 and health["storage"]["ok"] is False, health
    status, snapshot = server.call("GET", f"/api/sessions/{code}")
    assert status == 200 and snapshot["storage"]["ok"] is False
    assert snapshot["rounds"][0]["games"][0]["storage_available"] is False
    # While storage fails, moves are refused at once, and none is applied.
    await mover.send({"type": "chat", "text": "also refused"})
    assert (await mover.c.type("error", timeout=10))["code"] == "storage_unavailable"
    if not is_postgres(server.db):  # one that went away is read once back, in the log
        assert stored_seqs(server.db, game) == [1]

    mend()
    # The game's clock stood still while it could not be stored; then it goes on.
    for player in (mover, other):
        assert (await player.event(timeout=20))["event"]["type"] == "pause"
        assert (await player.event())["event"]["type"] == "resume"
        back = await player.c.until(lambda m: m["type"] == "storage")
        assert back == {"type": "storage", "game": game, "available": True}
    assert server.call("GET", "/healthz")[0] == 200
    await other.send({"type": "offer", "terms": {"price": 8}})
    await mover.send({"type": "accept", "offer": other.last_seq + 1})
    for player in (mover, other):
        await player.event("accept")
        await player.event("end")
    ended = await other.c.type("ended")

    # Nothing announced that is not stored, no gap, no duplicate; the log replays.
    log = log_text(server, game)
    stored = [json.loads(line) for line in log.splitlines()[1:]]
    assert [e["seq"] for e in stored] == list(range(1, len(stored) + 1))
    assert not any(e.get("text") in ("lost to the fault", "also refused") for e in stored)
    for player in (mover, other):
        assert heard_events(player) == stored
    assert replayed(log, tmp) == ended["result"]
    # And the server starts again on that database.
    server.kill()
    server.start()
    assert log_text(server, game) == log
    assert server.call("GET", "/healthz")[0] == 200


async def test_a_full_disk_pauses_the_game_and_it_goes_on_when_space_is_freed(
    tmp_path: Path,
) -> None:
    need_root()
    with tmpfs(tmp_path / "disk", "2m") as disk:
        server = Server(disk / "zopa.db")
        server.log = tmp_path / "server.log"  # not on the disk that fills up
        server.start()
        filler: list[Path] = []
        try:
            await through_a_fault(
                server, tmp_path, lambda: filler.append(fill(disk)), lambda: filler[0].unlink()
            )
        finally:
            server.stop()
    log = server.log.read_text()
    assert "storage is failing (database or disk is full)" in log
    assert "storage works again" in log


async def test_a_read_only_wal_pauses_the_game_and_it_goes_on_when_writable(
    tmp_path: Path,
) -> None:
    need_root()
    with immutable_folder(tmp_path) as folder:
        server = Server(folder / "zopa.db")
        server.log = tmp_path / "server.log"
        server.start()
        wal = folder / "zopa.db-wal"
        try:
            fault, mend = (lambda: set_immutable(wal, True)), (lambda: set_immutable(wal, False))
            await through_a_fault(server, tmp_path, fault, mend)
        finally:
            set_immutable(wal, False)
            server.stop()
    assert "storage is failing (disk I/O error)" in server.log.read_text()


async def test_a_lost_postgresql_pauses_the_game_and_it_goes_on_when_back(
    tmp_path: Path, postgres_url: str
) -> None:
    server = served(tmp_path, postgres_url)
    server.start()
    try:
        await through_a_fault(
            server,
            tmp_path,
            lambda: database_reachable(postgres_url, False),
            lambda: database_reachable(postgres_url, True),
        )
    finally:
        database_reachable(postgres_url, True)
        server.stop()
    assert "lost the database" in server.log.read_text()


async def test_a_damaged_event_row_sets_its_game_aside_and_every_other_game_resumes(
    tmp_path: Path, database: str
) -> None:
    server = served(tmp_path, database)
    server.start()
    try:
        # Two sessions: the damaged game's own, with a second game, and another one.
        damaged_code, damaged, first = await paired(server, "guitar")
        other_code, others, second = await paired(server, "guitar")
        ids = [first["games"][0]["game"], second["games"][0]["game"]]
        for players in (damaged, others):
            seller = players[FIRST]
            await seller.send({"type": "chat", "text": "one"})
            await seller.send({"type": "chat", "text": "two"})
            for player in players.values():
                await player.event("chat")
                await player.event("chat")
        server.kill()
        damage_event(server.db, ids[0], 2)
        server.start()

        # The damaged game is set aside, its rows kept as they were, the reason shown.
        status, snapshot = server.call("GET", f"/api/sessions/{damaged_code}")
        assert status == 200
        line = snapshot["rounds"][0]["games"][0]
        assert line["live"] is False and line["result"] is None
        assert "do not replay" in line["quarantined"]
        assert log_text(server, ids[0]).splitlines()[2] == "{not json"
        assert "game quarantined" in server.log.read_text()
        for player in damaged.values():
            assert (await player.connect(since=player.last_seq))["game"] is None
        # Its players are free for the next round.
        again = await server.acall("POST", f"/api/sessions/{damaged_code}/rounds")
        assert again["round"] == 2 and len(again["games"]) == 1

        # The other session's game resumes where it was and plays to its end.
        for player in others.values():
            await player.connect(since=player.last_seq)
        assert server.call("GET", f"/api/sessions/{other_code}")[1]["rounds"][0]["games"][0]["live"]
        await others[FIRST].send({"type": "walkout"})
        ended = await others[SECOND].c.type("ended")
        assert replayed(log_text(server, ids[1]), tmp_path) == ended["result"]
    finally:
        server.stop()
