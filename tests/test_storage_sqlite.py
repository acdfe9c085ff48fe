"""SQLite storage: older databases upgrade (test_storage_contract.py holds what every
backend must do)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from zopa.server.storage import GameRow, SessionRow
from zopa.server.storage_sqlite import SqliteStorage


def line(game: str, seq: int) -> str:
    return f'{{"seq": {seq}, "game": "{game}"}}'


async def record(storage: SqliteStorage, game: str, seqs: range, result: str | None = None) -> None:
    stored: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    storage.record(game, [(s, line(game, s)) for s in seqs], result, stored.set_result)
    assert await asyncio.wait_for(stored, 10)


async def opened(path: Path) -> SqliteStorage:
    storage = SqliteStorage(str(path))
    await storage.open()
    return storage


async def test_a_database_with_events_keyed_by_game_is_upgraded_once(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        # The events table as zopa wrote it before events were appended.
        old.executescript(
            "CREATE TABLE sessions (code TEXT PRIMARY KEY, scenario TEXT NOT NULL, "
            "time_limit REAL, created_at REAL NOT NULL);"
            "CREATE TABLE games (id TEXT PRIMARY KEY, session TEXT NOT NULL, "
            "round INTEGER NOT NULL, header TEXT NOT NULL, result TEXT);"
            "CREATE TABLE events (game TEXT NOT NULL REFERENCES games(id), "
            "seq INTEGER NOT NULL, line TEXT NOT NULL, PRIMARY KEY (game, seq)) WITHOUT ROWID;"
            "INSERT INTO sessions VALUES ('S', 'guitar', NULL, 1.0);"
            "INSERT INTO games VALUES ('OVER', 'S', 1, 'header OVER', '{}');"
            "INSERT INTO games VALUES ('LIVE', 'S', 1, 'header LIVE', NULL);"
            "INSERT INTO games VALUES ('EMPTY', 'S', 1, 'header EMPTY', NULL);"
        )
        # Written in the order they happened, two games at once.
        for seq in range(1, 4):
            for game in ("LIVE", "OVER"):
                old.execute("INSERT INTO events VALUES (?, ?, ?)", (game, seq, line(game, seq)))
    storage = await opened(path)
    snapshot = await storage.load()
    assert {g.id: g.events for g in snapshot.games if g.result is None} == {
        "LIVE": tuple(line("LIVE", s) for s in range(1, 4)),
        "EMPTY": (),
    }
    assert await storage.game_lines("OVER") == [
        "header OVER",
        *(line("OVER", s) for s in (1, 2, 3)),
    ]
    # Play goes on in the upgraded database, for the live games and a new one.
    await storage.add_games([GameRow("NEW", "S", 2, "header NEW", (line("NEW", 1),))])
    await record(storage, "EMPTY", range(1, 3))
    await record(storage, "LIVE", range(4, 6), result="{}")
    await record(storage, "NEW", range(2, 3))
    await storage.close()

    with sqlite3.connect(path) as check:
        (sql,) = check.execute("SELECT sql FROM sqlite_master WHERE name = 'events'").fetchone()
        tables = {name for (name,) in check.execute("SELECT name FROM sqlite_master")}
    assert "WITHOUT ROWID" not in sql.upper() and "events_keyed" not in tables
    storage = await opened(path)  # the second opening finds nothing to upgrade
    assert await storage.game_lines("LIVE") == ["header LIVE"] + [
        line("LIVE", s) for s in range(1, 6)
    ]
    assert await storage.game_lines("EMPTY") == ["header EMPTY", line("EMPTY", 1), line("EMPTY", 2)]
    assert await storage.game_lines("NEW") == ["header NEW", line("NEW", 1), line("NEW", 2)]
    assert await storage.game_lines("OVER") == [
        "header OVER",
        *(line("OVER", s) for s in (1, 2, 3)),
    ]
    snapshot = await storage.load()
    await storage.close()
    assert {g.id for g in snapshot.games if g.result is None} == {"EMPTY", "NEW"}


async def test_a_live_game_an_older_zopa_wrote_after_the_upgrade_is_recovered(
    tmp_path: Path,
) -> None:
    path = tmp_path / "zopa.db"
    storage = await opened(path)
    await storage.add_session(SessionRow("S", "guitar", None, 1.0))
    await storage.add_games([GameRow("OLD", "S", 1, "header OLD", (line("OLD", 1),))])
    await record(storage, "OLD", range(2, 3), result="{}")
    await storage.close()
    with sqlite3.connect(path) as older:
        # An older zopa knows nothing of spans: its game has none.
        older.execute("INSERT INTO games VALUES ('NOSPAN', 'S', 1, 'header NOSPAN', NULL)")
        older.execute("INSERT INTO events VALUES ('NOSPAN', 1, ?)", (line("NOSPAN", 1),))
    storage = await opened(path)
    await storage.add_games([GameRow("NEW", "S", 2, "header NEW", (line("NEW", 1),))])
    snapshot = await storage.load()
    assert await storage.game_lines("NOSPAN") == ["header NOSPAN", line("NOSPAN", 1)]
    await storage.close()
    # The ended game's events are not loaded; both live ones' are, whatever their age.
    assert {g.id: g.events for g in snapshot.games} == {
        "OLD": (),
        "NOSPAN": (line("NOSPAN", 1),),
        "NEW": (line("NEW", 1),),
    }
