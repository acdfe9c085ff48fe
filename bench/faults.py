"""Storage faults, before and after: what players saw, what was stored, whether it restarted.

Run as root (it mounts a tmpfs and uses ``chattr``):
``python bench/faults.py [--before DIR] [--only NAME ...]``, where DIR is a checkout of
an older zopa (``git worktree add --detach /tmp/zopa-before 8cd9334``). Each fault is
made for real against ``zopa serve`` from DIR, then from this checkout:

- ``disk-full``: the database on a 2 MB tmpfs, filled after the first offer, then freed;
- ``read-only-wal``: ``chattr +i`` on the WAL after the first offer, then ``-i``;
  in both, three moves are made during the fault and two after it, then the server is
  killed (SIGKILL) and started again on the same file;
- ``damaged-row``: one event row of one game overwritten with ``{not json`` while the
  server is down; another session's game should not care;
- ``empty-file``, ``text-file``, ``foreign-file``, ``truncated-file``, ``read-only-file``:
  ``zopa serve`` started on such a database;
- ``since-across-rounds``: a player away while their game ends and the next round
  starts reconnects with ``since`` (and, as clients now do, the game it counts in).

It prints, for each, what each player saw (event seqs and types, errors, storage
notices), the seqs stored, whether the stored log replays (``zopa replay``), and
whether the server started again.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.faults import damage_event, fill, immutable_folder, set_immutable, stored_seqs, tmpfs
from tests.live import ROOT, Client, Player, Server, open_session

Report = dict[str, str]


class Listener:
    """A player whose socket is read all the time, every message kept."""

    def __init__(self, player: Player) -> None:
        self.player = player
        self.messages: list[dict[str, Any]] = []
        self.task: asyncio.Task[None] | None = None

    def listen(self) -> None:
        async def read() -> None:
            with contextlib.suppress(Exception):
                while True:
                    self.messages.append(await self.player.c.next(3600))

        self.task = asyncio.create_task(read())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    def seen(self) -> str:
        """What the player saw, briefly: ``3 offer`` per event, ``error CODE``, notices."""
        shown = []
        for m in self.messages:
            if m["type"] == "event":
                shown.append(f"{m['seq']} {m['event']['type']}")
            elif m["type"] == "error":
                shown.append(f"error {m['code']}")
            elif m["type"] == "storage":
                shown.append("storage " + ("back" if m["available"] else "failing"))
            elif m["type"] == "ended":
                shown.append("ended")
        return ", ".join(shown) or "nothing"


async def settle(seconds: float = 1.5) -> None:
    """Pacing between steps: a bench shows what happens, it waits on nothing in particular."""
    await asyncio.sleep(seconds)


async def paired(server: Server) -> tuple[str, str, Listener, Listener]:
    """A session of guitar with two connected players in one game: code, game, mover, other."""
    code = await open_session(server, "guitar")
    players = [await Player(server, code, name).join() for name in ("Ana", "Ben")]
    for player in players:
        await player.connect()
    started = await server.acall("POST", f"/api/sessions/{code}/rounds")
    views = [await p.c.type("game") for p in players]
    mover = 0 if views[0]["turn"] == views[0]["role"] else 1
    listeners = [Listener(p) for p in players]
    for listener in listeners:
        listener.listen()
    return code, started["games"][0]["game"], listeners[mover], listeners[1 - mover]


def replays(database: Path, game: str, root: Path) -> str:
    """Whether the game's stored log replays, as ``zopa replay`` of that checkout says."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            header = db.execute("SELECT header FROM games WHERE id = ?", (game,)).fetchone()[0]
            rows = db.execute("SELECT line FROM events WHERE game = ? ORDER BY rowid", (game,))
            lines = [header, *(line for (line,) in rows)]
    except sqlite3.Error as exc:
        return f"cannot read: {exc}"
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as out:
        out.write("\n".join(lines) + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "zopa.server.cli", "replay", "--json", out.name],
        cwd=root,
        capture_output=True,
        text=True,
    )
    os.unlink(out.name)
    if done.returncode != 0:
        return "no: " + done.stderr.strip().splitlines()[-1][-90:]
    found = json.loads(done.stdout)
    return "yes: " + ("still live" if found is None else str(found["reason"]))


def restarts(server: Server) -> str:
    server.kill()
    try:
        server.start(timeout=20)
    except RuntimeError as exc:
        return "no: " + _last_words(str(exc))
    return "yes"


def _last_words(log: str) -> str:
    """The line that says why: a one-line refusal, or a traceback's exception line."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    why = [line for line in lines if line.startswith("zopa: ") or "Error: " in line]
    found = why[-1] if why else lines[-1] if lines else "(nothing said)"
    return found[:150]


Step = Callable[[], object]


async def through(server: Server, database: Path, root: Path, fault: Step, mend: Step) -> Report:
    _, game, mover, other = await paired(server)
    await mover.player.send({"type": "offer", "terms": {"price": 12}})
    await settle()
    fault()
    for sender, text in ((other, "during 1"), (mover, "during 2"), (other, "during 3")):
        await sender.player.send({"type": "chat", "text": text})
        await settle(1.0)
    health = server.call("GET", "/healthz")[0]
    mend()
    await settle(6)  # the fixed server tries storage again within a few seconds
    for sender, text in ((other, "after 1"), (mover, "after 2")):
        await sender.player.send({"type": "chat", "text": text})
        await settle(1.0)
    for listener in (mover, other):
        await listener.stop()
    report = {
        "first mover saw": mover.seen(),
        "partner saw": other.seen(),
        "/healthz during": str(health),
        "stored seqs": str(stored_seqs(database, game)),
        "log replays": replays(database, game, root),
    }
    report["restarts"] = restarts(server)
    return report


async def disk_full(root: Path, folder: Path) -> Report:
    with tmpfs(folder / "disk", "2m") as disk:
        server = _started(root, disk / "zopa.db", folder)
        filler: list[Path] = []
        try:
            return await through(
                server,
                disk / "zopa.db",
                root,
                lambda: filler.append(fill(disk)),
                lambda: filler[0].unlink(),
            )
        finally:
            server.stop()


async def read_only_wal(root: Path, folder: Path) -> Report:
    with immutable_folder(folder) as disk:
        server = _started(root, disk / "zopa.db", folder)
        wal = disk / "zopa.db-wal"
        try:
            return await through(
                server,
                disk / "zopa.db",
                root,
                lambda: set_immutable(wal, True),
                lambda: set_immutable(wal, False),
            )
        finally:
            if wal.exists():
                set_immutable(wal, False)
            server.stop()


async def damaged_row(root: Path, folder: Path) -> Report:
    server = _started(root, folder / "zopa.db", folder)
    try:
        games = []
        for _ in range(2):
            _, game, mover, other = await paired(server)
            for text in ("one", "two"):
                await mover.player.send({"type": "chat", "text": text})
            await settle(1.0)
            await mover.stop()
            await other.stop()
            games.append((game, mover.player, other.player))
        server.kill()
        damage_event(server.database, games[0][0], 2)
        try:
            server.start(timeout=20)
        except RuntimeError as exc:
            return {"restarts": "no: " + _last_words(str(exc))}
        report = {"restarts": "yes"}
        _, player, partner = games[1]
        await player.connect(since=2)
        await partner.connect(since=2)
        await player.send({"type": "walkout"})
        ended = await partner.c.type("ended", timeout=10)
        report["the other game"] = f"resumed and ended ({ended['result']['reason']})"
        welcome = await games[0][1].connect()
        report["damaged game's player gets"] = "no game" if welcome["game"] is None else "a view"
        return report
    finally:
        server.stop()


def bad_file(make: Callable[[Path], object]) -> Callable[[Path, Path], Awaitable[Report]]:
    async def run(root: Path, folder: Path) -> Report:
        database = folder / "zopa.db"
        make(database)
        before = database.read_bytes() if database.exists() else b""
        server = _server(root, database, folder)
        try:
            server.start(timeout=20)
        except RuntimeError as exc:
            said = [line for line in str(exc).splitlines()[1:] if line.strip()]
            told = "a traceback" if any("Traceback" in line for line in said) else "no traceback"
            return {
                "starts": f"no (exit {server.process.returncode if server.process else '?'})",
                "says": f"{len(said)} lines, {told}: {_last_words(str(exc))}",
            }
        finally:
            server.stop()
            if database.exists():
                with contextlib.suppress(OSError):
                    set_immutable(database, False)
        changed = database.read_bytes() != before
        return {"starts": "yes", "the file": "was changed" if changed else "unchanged"}

    return run


def _empty(path: Path) -> None:
    path.touch()


def _text(path: Path) -> None:
    path.write_text("name,score\nAna,3\n" * 100)


def _foreign(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as other:
        other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        other.commit()


def _zopa_database(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.executescript(
            "CREATE TABLE sessions (code TEXT PRIMARY KEY, scenario TEXT NOT NULL, "
            "time_limit REAL, created_at REAL NOT NULL);"
            "CREATE TABLE games (id TEXT PRIMARY KEY, session TEXT NOT NULL, "
            "round INTEGER NOT NULL, header TEXT NOT NULL, result TEXT);"
        )
        db.executemany(
            "INSERT INTO sessions VALUES (?, 'guitar', NULL, ?)",
            [(f"S{n:04d}" * 20, n) for n in range(400)],
        )
        db.commit()


def _truncated(path: Path) -> None:
    _zopa_database(path)
    with open(path, "r+b") as file:
        file.truncate(path.stat().st_size // 2)


def _read_only(path: Path) -> None:
    _zopa_database(path)
    set_immutable(path, True)


async def since_across_rounds(root: Path, folder: Path) -> Report:
    server = _started(root, folder / "zopa.db", folder)
    try:
        code, first, mover, other = await paired(server)
        await mover.player.send({"type": "chat", "text": "one"})
        await settle(1.0)
        await other.stop()
        await other.player.c.close()
        await mover.player.send({"type": "walkout"})
        await settle(1.0)
        second = (await server.acall("POST", f"/api/sessions/{code}/rounds"))["games"][0]["game"]
        await settle(0.5)
        for text in ("two", "three", "four"):
            await mover.player.send({"type": "chat", "text": text})
        await settle(1.0)
        client = await Client.open(server)
        hello = {"type": "hello", "token": other.player.token, "since": 1, "game": first}
        await client.send(hello)
        got = []
        with contextlib.suppress(TimeoutError):
            while True:
                got.append(await client.next(1.5))
        said = []
        for m in got:
            if m["type"] == "welcome":
                view = m["game"]
                mark = "2nd" if view["game"] == second else "1st"
                said.append(f"welcome: {mark} game, seqs {[e['seq'] for e in view['events']]}")
            elif m["type"] == "event":
                said.append(f"{'2nd' if m['game'] == second else '1st'} game {m['seq']}")
            elif m["type"] == "ended":
                said.append(f"ended of the {'2nd' if m['game'] == second else '1st'} game")
        await client.close()
        await mover.stop()
        return {"hello since=1 (game 1) gets": "; ".join(said)}
    finally:
        server.stop()


def _server(root: Path, database: Path, folder: Path) -> Server:
    server = Server(database, ZOPA_GRACE_SECONDS="60")
    server.root = root
    server.log = folder / "server.log"  # never on a disk that fills up
    return server


def _started(root: Path, database: Path, folder: Path) -> Server:
    server = _server(root, database, folder)
    server.start(timeout=20)
    return server


FAULTS: dict[str, Callable[[Path, Path], Awaitable[Report]]] = {
    "disk-full": disk_full,
    "read-only-wal": read_only_wal,
    "damaged-row": damaged_row,
    "empty-file": bad_file(_empty),
    "text-file": bad_file(_text),
    "foreign-file": bad_file(_foreign),
    "truncated-file": bad_file(_truncated),
    "read-only-file": bad_file(_read_only),
    "since-across-rounds": since_across_rounds,
}


async def run(name: str, root: Path) -> Report:
    with tempfile.TemporaryDirectory(prefix="zopa-faults-") as folder:
        started = Path(folder)
        try:
            async with asyncio.timeout(180):
                return await FAULTS[name](root, started)
        except pytest.skip.Exception as skipped:
            return {"cannot run here": str(skipped)}
        except Exception as exc:  # a bench reports what it saw, whatever it was
            where = traceback.extract_tb(exc.__traceback__)[-1]
            return {
                "bench failed": f"{type(exc).__name__}: {str(exc)[-160:]} "
                f"(line {where.lineno} of {Path(where.filename).name})"
            }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--before", type=Path, help="a checkout of an older zopa to compare")
    parser.add_argument("--only", nargs="*", choices=list(FAULTS), default=list(FAULTS))
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench/faults.py makes faults for real (mount, chattr): run it as root")
    runs = [("after", ROOT)] if args.before is None else [("before", args.before), ("after", ROOT)]
    for name in args.only:
        print(f"== {name}")
        for label, root in runs:
            report = await run(name, root)
            for key, value in report.items():
                print(f"  {label:<6} {key:<28} {value}")
        print(flush=True)


if __name__ == "__main__":
    asyncio.run(main())
