"""Storage faults made for real: a full disk, an immutable file, damaged rows and files.

A full disk is a small tmpfs mounted for the test and filled; a read-only database is
``chattr +i`` on a file of it, on a file system that then refuses writes to open files
(ext4 does, tmpfs does not: ``immutable_folder`` mounts an ext4 image when the test's
folder is not on one). Both need root, which CI has; elsewhere the tests that need them
skip, saying so. Used by
tests/test_storage_faults.py and by bench/faults.py, which shows each fault before and
after the fix.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def need_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("making storage faults for real (mount, chattr) needs root, as CI runs")


@contextlib.contextmanager
def tmpfs(folder: Path, size: str = "2m") -> Iterator[Path]:
    """A small tmpfs at ``folder`` for the test's database; unmounted afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        check=True,
        capture_output=True,
    )
    try:
        yield folder
    finally:
        # Lazy: a server killed a moment ago may still hold the files for an instant.
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


def fill(folder: Path) -> Path:
    """Fill the file system holding ``folder`` to the last byte; the filler file."""
    filler = folder / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for size in (65536, 4096, 1):  # then what is left of partly used pages
            with contextlib.suppress(OSError):
                while True:
                    os.write(descriptor, b"\0" * size)
    finally:
        os.close(descriptor)
    return filler


def immutable_works(folder: Path) -> bool:
    """Whether ``chattr +i`` stops writes through a file already open in ``folder``.

    ext4 refuses them; tmpfs, and some others, take the flag and write all the same.
    """
    probe = folder / "immutable-probe"
    descriptor = os.open(probe, os.O_WRONLY | os.O_CREAT)
    try:
        if subprocess.run(["chattr", "+i", str(probe)], capture_output=True).returncode:
            return False
        try:
            os.write(descriptor, b"x")
        except PermissionError:
            return True
        return False
    finally:
        os.close(descriptor)
        subprocess.run(["chattr", "-i", str(probe)], capture_output=True)
        probe.unlink()


@contextlib.contextmanager
def immutable_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder where an immutable file is read-only even to a writer that has it open:
    ``tmp_path`` on ext4, else a small ext4 image mounted on a loop device."""
    if immutable_works(tmp_path):
        yield tmp_path
        return
    image, folder = tmp_path / "ext4.img", tmp_path / "ext4"
    folder.mkdir()
    with open(image, "wb") as file:
        file.truncate(32 * 1024 * 1024)
    made = subprocess.run(["mkfs.ext4", "-q", str(image)], capture_output=True, text=True)
    mounted = (
        made.returncode == 0
        and not subprocess.run(
            ["mount", "-o", "loop", str(image), str(folder)], capture_output=True
        ).returncode
    )
    if not mounted:
        pytest.skip(f"no immutable files on {tmp_path}, and no ext4 on a loop device to try")
    try:
        if not immutable_works(folder):
            pytest.skip("chattr +i does not stop writes to open files, even on ext4 here")
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


def set_immutable(path: Path, on: bool) -> None:
    """``chattr +i`` (or ``-i``): not even root may write the file while it is set."""
    done = subprocess.run(
        ["chattr", "+i" if on else "-i", str(path)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"chattr on {path.parent} fails ({done.stderr.strip()}): no immutable files")


def stored_seqs(database: Path, game: str) -> list[int]:
    """The seqs stored for ``game``, read from the file as another process would."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT seq FROM events WHERE game = ? ORDER BY rowid", (game,))
        return [seq for (seq,) in rows]


def damage_event(database: Path, game: str, seq: int, line: str = "{not json") -> None:
    """Overwrite one stored event row of ``game`` with a line that does not read."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        changed = db.execute(
            "UPDATE events SET line = ? WHERE game = ? AND seq = ?", (line, game, seq)
        ).rowcount
        db.commit()
    assert changed == 1, f"no event {seq} of {game} to damage"


def replayed(log: str, folder: Path, root: Path = ROOT) -> dict[str, Any]:
    """``zopa replay --json`` of a log's text: the result it replays to."""
    path = folder / "replayed.jsonl"
    path.write_text(log)
    done = subprocess.run(
        [sys.executable, "-m", "zopa.server.cli", "replay", "--json", str(path)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result
