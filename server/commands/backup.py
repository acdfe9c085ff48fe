"""``zopa backup DEST``: a consistent copy of the database, taken while the server runs.

SQLite's online backup API copies every page inside one read transaction. In WAL mode
the server's writers carry on meanwhile, and the copy is the database as of one commit:
never half of a group commit, never a torn page, which copying the file with ``cp``
while the server writes can give.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any
from urllib.request import pathname2url

from zopa.server.errors import ServerError
from zopa.server.storage_postgres import is_postgres


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "backup", help="copy the database safely, even while the server runs"
    )
    parser.add_argument("dest", help="the copy to write; an existing file is replaced")
    parser.add_argument("--db", default=None, help="SQLite file (default $ZOPA_DB or zopa.db)")
    parser.set_defaults(run=run)


class BackupError(ServerError):
    """The backup could not be made; the message says why."""


def backup(source: Path, dest: Path) -> str:
    """Copy ``source`` to ``dest`` with the online backup API; a one-line summary."""
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    if dest.is_dir():
        raise BackupError(f"{dest} is a folder; name the file to write")
    if dest.resolve() == source.resolve():
        raise BackupError("the copy must go to another file than the database")
    # Written beside the destination and renamed at the end, so an interrupted backup
    # never leaves a half-written file under the name of a good one.
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        # mode=rw: a mistyped path is an error here, not a new empty database.
        with (
            contextlib.closing(
                sqlite3.connect(f"file:{pathname2url(str(source))}?mode=rw", uri=True, timeout=30)
            ) as live,
            contextlib.closing(sqlite3.connect(partial)) as copy,
        ):
            live.backup(copy)
            # The copy stands alone as one file: no -wal beside it to lose in transit.
            copy.execute("PRAGMA journal_mode=DELETE")
            check = copy.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"the copy failed SQLite's check: {check}")
            summary = _summary(copy)
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, dest)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"{source}: {exc}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return f"zopa: backed up {source} to {dest}: {summary}, {dest.stat().st_size} bytes"


def _summary(copy: sqlite3.Connection) -> str:
    try:
        sessions = copy.execute("SELECT count(*) FROM sessions").fetchone()[0]
        games, live = copy.execute(
            "SELECT count(*), count(*) - count(result) FROM games"
        ).fetchone()
    except sqlite3.Error:
        return "not a zopa database, copied as it is"
    return f"{_count(sessions, 'session')}, {_count(games, 'game')} ({live} live)"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def run(args: argparse.Namespace) -> int:
    named = args.db or os.environ.get("ZOPA_DATABASE") or os.environ.get("ZOPA_DB", "zopa.db")
    if is_postgres(named):
        print(
            "zopa: backup copies an SQLite file; back up PostgreSQL with pg_dump, or its WAL "
            "archive for point-in-time recovery (docs/deploy.md)",
            file=sys.stderr,
        )
        return 2
    source = Path(named)
    try:
        print(backup(source, Path(args.dest)))
    except BackupError as exc:
        print(f"zopa: backup failed: {exc}", file=sys.stderr)
        return 1
    return 0
