"""Both storage backends for one test: ``database`` is an empty SQLite file's path, then
an emptied PostgreSQL database's URL (tests/postgres.py: one cluster for the whole run).

A test module takes the fixture by importing it (``from tests.backends import database_fixture``)
and reads or damages what is stored through helpers that speak to either database as
another process would.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tests import faults
from tests.faults import fill, need_root, tmpfs
from tests.live import Server
from zopa.server.storage_postgres import is_postgres

# Makes the database refuse writes (True), or take them again (False).
Failing = Callable[[bool], None]


@pytest.fixture(name="database", params=["sqlite", "postgresql"])
def database_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each backend: a file's path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "zopa.db")
    url: str = request.getfixturevalue("postgres_url")
    return url


def served(tmp_path: Path, database: str, **env: str) -> Server:
    """``zopa serve`` on the test's database (not started)."""
    server = Server(tmp_path / "zopa.db", **env)
    server.db = database
    return server


def stored_seqs(database: str, game: str) -> list[int]:
    """The seqs stored for ``game``, in the order stored, read on a connection of its own."""
    if not is_postgres(database):
        return faults.stored_seqs(Path(database), game)
    with psycopg.connect(database) as pg:
        found = pg.execute("SELECT seq FROM events WHERE game = %s ORDER BY seq", (game,))
        return [int(seq) for (seq,) in found.fetchall()]


def damage_event(database: str, game: str, seq: int, line: str = "{not json") -> None:
    """Overwrite one stored event row of ``game`` with a line that does not read."""
    if not is_postgres(database):
        faults.damage_event(Path(database), game, seq, line)
        return
    with psycopg.connect(database, autocommit=True) as pg:
        changed = pg.execute(
            "UPDATE events SET line = %s WHERE game = %s AND seq = %s", (line, game, seq)
        ).rowcount
    assert changed == 1, f"no event {seq} of {game} to damage"


def database_reachable(url: str, reachable: bool) -> None:
    """Let no one connect to the test's database and cut off who is, or let them again."""
    name = conninfo_to_dict(url)["dbname"]
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS {str(reachable).lower()}")
        if not reachable:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )


@contextlib.contextmanager
def where_writes_fail(
    database: str, tmp_path: Path
) -> Iterator[tuple[str, Callable[[bool], None]]]:
    """A database that can be made to refuse writes and mended: ``(database, failing)``.

    SQLite's file on a small tmpfs, filled to the last byte (and emptied again); for
    PostgreSQL the database stops taking connections and every one it had is cut off,
    as when the network or the server goes.
    """
    if is_postgres(database):
        try:
            yield database, lambda on: database_reachable(database, not on)
        finally:
            database_reachable(database, True)
        return
    need_root()
    with tmpfs(tmp_path / "disk", "2m") as disk:
        fillers: list[Path] = []

        def failing(on: bool) -> None:
            if on:
                fillers.append(fill(disk))
            else:
                fillers.pop().unlink()

        yield str(disk / Path(database).name), failing
