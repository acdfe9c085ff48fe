"""Opening the SQLite file: a database zopa can run on, or one sentence saying why not.

zopa refuses a file it cannot serve from rather than meet the problem mid-session: an
empty file (a copy or a restore gone wrong; SQLite would quietly make it a new, empty
database and every session would seem lost), a file that is not a database, another
program's database, a damaged one, or one it cannot write to. Each refusal is
``BadDatabase``, whose message names the file and says what to do; ``zopa serve``
prints it and exits (docs/deploy.md).
"""

from __future__ import annotations

import os
import sqlite3

from zopa.server.errors import BadDatabase
from zopa.server.sqlite_schema import SCHEMA, migrate

RESTORE = "restore your latest backup in its place (docs/deploy.md)"
# A database with tables, none of them one of these, is another program's.
OUR_TABLES = frozenset({"sessions", "players", "games", "events"})


def connect(path: str) -> sqlite3.Connection:
    """The server's connection: WAL, ``synchronous=FULL``, the schema made or upgraded."""
    if os.path.isfile(path) and os.path.getsize(path) == 0:
        raise BadDatabase(
            f"{path} is empty (0 bytes), so it holds no zopa database: {RESTORE}, "
            "or delete it to start a new, empty database"
        )
    connection: sqlite3.Connection | None = None
    try:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # Read before anything is written: another program's file is left as it was.
        tables = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if tables and not tables & OUR_TABLES:
            raise BadDatabase(
                f"{path} is another program's SQLite database (tables "
                f"{', '.join(sorted(tables)[:5])}), not zopa's: point --db at zopa's "
                "database, or at a new file"
            )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.executescript(SCHEMA)
        migrate(connection)
    except (sqlite3.Error, BadDatabase) as exc:
        if connection is not None:
            connection.close()
        if isinstance(exc, BadDatabase):
            raise
        raise BadDatabase(refusal(path, exc)) from None
    return connection


def check(path: str) -> None:
    """What ``zopa serve`` makes sure of before it listens: ``connect``'s checks, every
    page readable, and a write committed (to a header field nothing reads)."""
    connection = connect(path)
    try:
        found = connection.execute("PRAGMA quick_check").fetchall()
        if found != [("ok",)]:
            raise BadDatabase(damaged(path, str(found[0][0])))
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(f"PRAGMA user_version = {int(version)}")
        connection.execute("COMMIT")
    except sqlite3.Error as exc:
        raise BadDatabase(refusal(path, exc)) from None
    finally:
        connection.close()


def damaged(path: str, found: str) -> str:
    return (
        f"{path} is damaged (SQLite: {found}): stop zopa and {RESTORE}, or salvage what "
        f"reads with `sqlite3 {path} .recover | sqlite3 salvaged.db`"
    )


def refusal(path: str, exc: sqlite3.Error) -> str:
    """One sentence: what is wrong with ``path``, and what the operator can do about it."""
    name = getattr(exc, "sqlite_errorname", "")
    folder = os.path.dirname(os.path.abspath(path))
    if name.startswith("SQLITE_NOTADB"):
        return (
            f"{path} is not an SQLite database: point --db at zopa's database, "
            "or move this file away to start a new one"
        )
    if name.startswith("SQLITE_CORRUPT"):
        return damaged(path, str(exc))
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM")):
        return (
            f"{path} is read-only ({exc}): let the user zopa runs as write to it, to its "
            f"-wal and -shm files and to {folder} (see `ls -l` and `lsattr`), then start again"
        )
    if name.startswith("SQLITE_CANTOPEN"):
        if not os.path.isdir(folder):
            return f"the folder of {path} does not exist: create {folder} or choose another --db"
        return (
            f"{path} cannot be opened for writing, or its -wal and -shm files cannot be "
            f"made beside it: let the user zopa runs write to it and to {folder}"
        )
    if name.startswith("SQLITE_FULL"):
        return f"the disk holding {path} is full: free some space, then start zopa again"
    return (
        f"{path} cannot be used ({exc}): check the disk and its free space "
        f"(`df`, `dmesg`), or {RESTORE}"
    )
