"""The PostgreSQL database's tables and their numbered migrations.

``zopa_schema`` holds the version the database is at; ``migrate`` applies every newer
step of ``MIGRATIONS`` in one transaction, under a transaction-level advisory lock, so
workers starting together upgrade once and a failed upgrade leaves the database as it
was. A new version is a new entry at the end: entries already released never change.

Unlike SQLite's appended events (sqlite_schema.py), events are keyed by (game, seq): the
primary key is the database's own guard that a game's seq is never stored twice, even
by two workers that both believed they owned the game.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg

log = logging.getLogger("zopa.storage")

# Any number of the 64-bit advisory key space, kept for zopa's schema upgrades.
MIGRATION_LOCK = 0x7A6F_7061_0001

MIGRATIONS: tuple[str, ...] = (
    # 1: the tables of zopa 0.1, as SQLite has them, with events keyed by (game, seq).
    """
    CREATE TABLE sessions (
        code text PRIMARY KEY, scenario text NOT NULL, time_limit double precision,
        created_at double precision NOT NULL);
    CREATE TABLE players (
        id text PRIMARY KEY, session text NOT NULL REFERENCES sessions(code),
        name text NOT NULL, token text NOT NULL UNIQUE, joined_at double precision NOT NULL,
        removed boolean NOT NULL DEFAULT false);
    CREATE TABLE games (
        id text PRIMARY KEY, session text NOT NULL REFERENCES sessions(code),
        round integer NOT NULL, header text NOT NULL, result text,
        created bigserial NOT NULL);
    CREATE TABLE events (
        game text NOT NULL REFERENCES games(id), seq integer NOT NULL, line text NOT NULL,
        PRIMARY KEY (game, seq));
    CREATE TABLE notes (
        id bigserial PRIMARY KEY, game text NOT NULL REFERENCES games(id), line text NOT NULL);
    CREATE INDEX notes_by_game ON notes (game);
    CREATE TABLE alive (id integer PRIMARY KEY CHECK (id = 1), at double precision NOT NULL);
    CREATE TABLE schedules (
        session text PRIMARY KEY REFERENCES sessions(code), schedule text NOT NULL);
    CREATE TABLE rounds (
        session text NOT NULL REFERENCES sessions(code), number integer NOT NULL,
        started_at double precision NOT NULL, byes text NOT NULL DEFAULT '[]',
        PRIMARY KEY (session, number));
    CREATE INDEX games_by_session ON games (session);
    CREATE INDEX live_games ON games (session) WHERE result IS NULL;
    CREATE INDEX players_by_session ON players (session);
    CREATE INDEX sessions_by_age ON sessions (created_at);
    CREATE TABLE session_options (
        session text PRIMARY KEY REFERENCES sessions(code), options text NOT NULL);
    CREATE TABLE scenarios (
        id text PRIMARY KEY, hash text NOT NULL, toml text NOT NULL,
        added_at double precision NOT NULL, added bigserial NOT NULL);
    CREATE TABLE practice (
        session text PRIMARY KEY REFERENCES sessions(code), ended_at double precision);
    CREATE INDEX practice_by_end ON practice (ended_at);
    -- Shared by every worker: the facilitator key, when the operator set none.
    CREATE TABLE kept (name text PRIMARY KEY, value text NOT NULL);
    """,
)


async def migrate(connection: psycopg.AsyncConnection[Any]) -> int:
    """Bring the database to the newest version; the version it was at."""
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        await connection.execute("CREATE TABLE IF NOT EXISTS zopa_schema (version integer)")
        found = await (await connection.execute("SELECT max(version) FROM zopa_schema")).fetchone()
        was = int(found[0]) if found and found[0] is not None else 0
        for version in range(was + 1, len(MIGRATIONS) + 1):
            log.warning("upgrading the PostgreSQL schema to version %d", version)
            await connection.execute(MIGRATIONS[version - 1].encode())
            await connection.execute("INSERT INTO zopa_schema VALUES (%s)", (version,))
    return was


def newest() -> int:
    return len(MIGRATIONS)
