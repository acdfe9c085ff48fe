"""The SQLite database's tables, their upgrades, and the statements every writer shares.

Tables are added with IF NOT EXISTS, so a database written by an older zopa opens: its
sessions simply have no schedule and no round rows. The one table whose form changed,
events, is rebuilt once by ``migrate``.

Events are appended in the order they happen, whichever game they belong to, and a
game's rows are found by scanning its span of rowids (``spans``: after ``first``, up to
``last`` once it ended). Keyed by (game, seq), every commit rewrote one page per game
that moved, with hundreds of games live; appended, a commit writes the one or two pages
at the table's end (docs/performance.md).
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import time

from zopa.server.seq_guard import Rows

log = logging.getLogger("zopa.storage")


# The events table's form: in SCHEMA for a new database, and in ``migrate`` for an older one.
EVENTS_TABLE = """CREATE TABLE IF NOT EXISTS events (
    game TEXT NOT NULL REFERENCES games(id), seq INTEGER NOT NULL, line TEXT NOT NULL);"""

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS sessions (
    code TEXT PRIMARY KEY, scenario TEXT NOT NULL, time_limit REAL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS players (
    id TEXT PRIMARY KEY, session TEXT NOT NULL REFERENCES sessions(code), name TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE, joined_at REAL NOT NULL, removed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS games (
    id TEXT PRIMARY KEY, session TEXT NOT NULL REFERENCES sessions(code),
    round INTEGER NOT NULL, header TEXT NOT NULL, result TEXT);
{EVENTS_TABLE}
CREATE TABLE IF NOT EXISTS spans (
    game TEXT PRIMARY KEY REFERENCES games(id), first INTEGER NOT NULL, last INTEGER)
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS notes (
    game TEXT NOT NULL REFERENCES games(id), line TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS notes_by_game ON notes (game);
CREATE TABLE IF NOT EXISTS alive (id INTEGER PRIMARY KEY CHECK (id = 1), at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS schedules (
    session TEXT PRIMARY KEY REFERENCES sessions(code), schedule TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rounds (
    session TEXT NOT NULL REFERENCES sessions(code), number INTEGER NOT NULL,
    started_at REAL NOT NULL, byes TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (session, number)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS games_by_session ON games (session);
CREATE INDEX IF NOT EXISTS live_games ON games (session) WHERE result IS NULL;
CREATE INDEX IF NOT EXISTS players_by_session ON players (session);
CREATE TABLE IF NOT EXISTS session_options (
    session TEXT PRIMARY KEY REFERENCES sessions(code), options TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scenarios (
    id TEXT PRIMARY KEY, hash TEXT NOT NULL, toml TEXT NOT NULL, added_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS practice (
    session TEXT PRIMARY KEY REFERENCES sessions(code), ended_at REAL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS practice_by_end ON practice (ended_at);
"""

SET_RESULT = "UPDATE games SET result = ? WHERE id = ?"
LAST_ROWID = "SELECT coalesce(max(rowid), 0) FROM events"
CLOSE_SPAN = f"UPDATE spans SET last = ({LAST_ROWID}) WHERE game = ?"
PRACTICE_ENDED = (
    "UPDATE practice SET ended_at = ? WHERE session = (SELECT session FROM games WHERE id = ?)"
)
END = 2**63 - 1  # the largest rowid: the span of a game still being played
CHUNKS = (64, 32, 16, 8, 4, 2, 1)


def insert_events(connection: sqlite3.Connection, rows: Rows) -> None:
    """Insert event rows, many to a statement.

    A multi-row statement costs SQLite less than ``executemany`` stepping one row at a
    time (docs/performance.md). Statements of 64, 32, ... 1 rows keep the distinct
    statements few, so they stay in the connection's statement cache.
    """
    done = 0
    for size in CHUNKS:
        while len(rows) - done >= size:
            chunk = rows[done : done + size]
            connection.execute(insert_sql(size), [value for row in chunk for value in row])
            done += size


@functools.cache
def insert_sql(rows: int) -> str:
    return "INSERT INTO events (game, seq, line) VALUES " + ", ".join(["(?, ?, ?)"] * rows)


def finish(connection: sqlite3.Connection, game_id: str, result: str) -> None:
    """Store a game's result and close its span: its events are all in."""
    connection.execute(SET_RESULT, (result, game_id))
    connection.execute(CLOSE_SPAN, (game_id,))
    # A practice game's end starts its retention; for any other game this changes nothing.
    connection.execute(PRACTICE_ENDED, (time.time(), game_id))


def migrate(connection: sqlite3.Connection) -> None:
    """Rebuild an older database's events table, keyed by (game, seq), as appended rows.

    Each game's events are copied together and in order, and its span recorded; one
    transaction, so an interrupted upgrade leaves the old table as it was.
    """
    found = connection.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'"
    ).fetchone()
    if found is None or "WITHOUT ROWID" not in found[0].upper():
        return
    log.warning("upgrading the events table to appended rows (once)")
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute("ALTER TABLE events RENAME TO events_keyed")
        connection.execute(EVENTS_TABLE)
        connection.execute(
            "INSERT INTO events (game, seq, line) "
            "SELECT game, seq, line FROM events_keyed ORDER BY game, seq"
        )
        connection.execute("DELETE FROM spans")
        connection.execute(
            "INSERT INTO spans (game, first, last) "
            f"SELECT g.id, coalesce(a.lo - 1, ({LAST_ROWID})), "
            f"CASE WHEN g.result IS NULL THEN NULL ELSE coalesce(a.hi, ({LAST_ROWID})) END "
            "FROM games g LEFT JOIN (SELECT game, min(rowid) AS lo, max(rowid) AS hi "
            "FROM events GROUP BY game) a ON a.game = g.id"
        )
        connection.execute("DROP TABLE events_keyed")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
