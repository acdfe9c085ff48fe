"""``zopa serve`` refuses a database file it cannot run on: one sentence, exit 2.

Empty (0 bytes), not a database, another program's database, damaged (a truncated
file), read-only, or in a folder that does not exist: each refusal names the file and
what to do, with no traceback, and the file is left as it was.
"""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.faults import immutable_folder, need_root, set_immutable
from tests.live import ROOT, free_port
from zopa.server.sqlite_file import connect


def serve(database: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "zopa.server.cli", "serve", "--port", str(free_port())]
    return subprocess.run(
        [*command, "--db", str(database)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def empty(path: Path) -> None:
    path.touch()


def text(path: Path) -> None:
    path.write_text("name,score\nAna,3\n" * 100)


def foreign(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as other:
        other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        other.commit()


def truncated(path: Path) -> None:
    """A zopa database with some sessions, cut to half its length."""
    with contextlib.closing(connect(str(path))) as database:
        for n in range(400):
            database.execute(
                "INSERT INTO sessions VALUES (?, 'guitar', NULL, ?)", (f"S{n:04d}" * 20, n)
            )
        database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    with open(path, "r+b") as file:
        file.truncate(size // 2)


FILES: dict[str, tuple[Callable[[Path], None], str]] = {
    "empty": (empty, "is empty (0 bytes)"),
    "text": (text, "is not an SQLite database"),
    "foreign": (foreign, "another program's SQLite database"),
    "truncated": (truncated, "is damaged"),
}


@pytest.mark.parametrize("kind", list(FILES))
def test_a_file_zopa_cannot_run_on_is_refused_in_one_sentence(tmp_path: Path, kind: str) -> None:
    make, said = FILES[kind]
    database = tmp_path / "zopa.db"
    make(database)
    before = database.read_bytes()
    done = serve(database)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith(f"zopa: {database} ") and said in lines[0]
    assert database.read_bytes() == before  # nothing written: not made a new database


def test_a_read_only_database_is_refused_in_one_sentence(tmp_path: Path) -> None:
    need_root()  # as root, only an immutable file is read-only
    with immutable_folder(tmp_path) as folder:
        database = folder / "zopa.db"
        with contextlib.closing(connect(str(database))):
            pass
        set_immutable(database, True)
        try:
            done = serve(database)
        finally:
            set_immutable(database, False)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"zopa: {database} is read-only")
    assert "lsattr" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_database_in_a_missing_folder_is_refused_in_one_sentence(tmp_path: Path) -> None:
    done = serve(tmp_path / "nowhere" / "zopa.db")
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"zopa: the folder of {tmp_path}/nowhere/zopa.db does not exist: " + (
        f"create {tmp_path}/nowhere or choose another --db\n"
    )
