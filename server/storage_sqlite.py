"""SQLite storage (WAL) with group commit.

One thread owns the connection. Callers queue work and await it; the thread takes
everything queued since its last commit, runs it in one transaction and commits once
(no savepoint per item: they tripled the statements; a failing batch is redone item by
item instead),
so a burst of events from many games costs one fsync instead of one each. Results are
handed back only after the commit: an event the server announces is already on disk.
``synchronous=FULL`` keeps that promise across power loss, not only a killed process.

A commit that fails (a full disk, a read-only file, an I/O error) changes nothing and
is reported as ``errors.Unavailable``; ``health`` says storage is failing until a write
commits again. Each live game's next seq is kept here, in the storage thread, so that a
record that does not continue what is stored is refused: when one record of a game
fails, the ones it has already queued behind it cannot leave a gap on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from zopa.server import sqlite_reads
from zopa.server.errors import Unavailable
from zopa.server.seq_guard import Changes, NextSeq, Record, next_seqs, plan, settle, unknown
from zopa.server.sqlite_file import connect
from zopa.server.sqlite_schema import (
    CLOSE_SPAN,
    END,
    LAST_ROWID,
    finish,
    insert_events,
)
from zopa.server.storage import (
    GameRow,
    Health,
    PlayerRow,
    RoundRow,
    ScenarioRow,
    SessionRow,
    Snapshot,
)
from zopa.server.storage_gathering import Gathering, resolve

T = TypeVar("T")
_Work = tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any], asyncio.AbstractEventLoop]

log = logging.getLogger("zopa.storage")

# Most work items a single transaction takes, so one huge burst cannot stall everyone.
BATCH = 2000


class SqliteStorage:
    def __init__(self, path: str, interval: float = 0.0) -> None:
        self.path = path
        self.interval = interval
        self._queue: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        # Records made during this turn of the event loop, handed over together.
        self.record = Gathering(self._hand_over).add
        self.health = Health()
        # Owned by the storage thread: the next seqs as committed, the changes the open
        # transaction makes to them, and whether its last write failed.
        self._next_seq: NextSeq = {}
        self._changes: Changes = {}
        self._failing = False
        self._loop: asyncio.AbstractEventLoop | None = None

    async def open(self) -> None:
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="zopa-sqlite")
        self._thread.daemon = True
        self._thread.start()
        await ready

    async def close(self) -> None:
        if self._thread is None:
            return
        self._queue.put(None)
        await asyncio.to_thread(self._thread.join)
        self._thread = None

    async def _do(self, work: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put((work, future, loop))
        return await future

    def _run(self, ready: asyncio.Future[None]) -> None:
        loop = self._loop = ready.get_loop()
        try:
            connection = connect(self.path)
        except Exception as exc:
            loop.call_soon_threadsafe(resolve, ready, None, exc)
            return
        loop.call_soon_threadsafe(resolve, ready, None, None)
        stopping = False
        started = -math.inf
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            # Wait out the interval since the last commit began, so that what arrives
            # meanwhile shares this commit: each commit costs an fsync and a wake-up of
            # the loop whatever it holds.
            pause = started + self.interval - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            started = time.monotonic()
            batch = [first]
            while len(batch) < BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            self._commit(connection, batch)
        connection.close()

    def _commit(self, connection: sqlite3.Connection, batch: list[_Work]) -> None:
        outcomes: list[tuple[Any, BaseException | None]]
        written = connection.total_changes
        try:
            connection.execute("BEGIN IMMEDIATE")
            values = [work(connection) for work, _, _ in batch]
            connection.execute("COMMIT")
            outcomes = [(value, None) for value in values]
        except sqlite3.Error as exc:
            self._changes.clear()
            if connection.in_transaction:
                # After an I/O error the rollback may fail too; SQLite has then already
                # rolled back, and the next BEGIN starts clean.
                with contextlib.suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
            if len(batch) > 1:
                # Rare: one bad item. Commit one at a time so the others still land.
                for item in batch:
                    self._commit(connection, [item])
                return
            failure: BaseException = exc
            if _storage_fault(exc):
                failure = Unavailable(f"storage is failing: {exc}")
                self._report(False, str(exc))
            outcomes = [(None, failure)]
        else:
            settle(self._changes, self._next_seq)
            if connection.total_changes > written:
                self._report(True, "")
        # One wake-up of each waiting loop per batch, not one per item: each wake-up is a
        # write to the loop's self-pipe and a pass of its selector.
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], Any, Any]]] = {}
        for (_, future, loop), (value, error) in zip(batch, outcomes, strict=True):
            by_loop.setdefault(loop, []).append((future, value, error))
        for loop, settled in by_loop.items():
            loop.call_soon_threadsafe(_settle_all, settled)

    def _report(self, ok: bool, reason: str) -> None:
        """Tell ``health`` on the loop when writes start or stop failing (storage thread)."""
        if ok == (not self._failing):
            return
        self._failing = not ok
        assert self._loop is not None
        if ok:
            self._loop.call_soon_threadsafe(self.health.recovered)
        else:
            self._loop.call_soon_threadsafe(self.health.failed, reason, time.time())

    async def add_session(self, row: SessionRow) -> None:
        def work(c: sqlite3.Connection) -> None:
            c.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?)",
                (row.code, row.scenario, row.time_limit, row.created_at),
            )
            if row.schedule is not None:
                c.execute("INSERT INTO schedules VALUES (?, ?)", (row.code, row.schedule))
            if row.options is not None:
                c.execute("INSERT INTO session_options VALUES (?, ?)", (row.code, row.options))
            if row.practice:
                c.execute("INSERT INTO practice VALUES (?, NULL)", (row.code,))

        await self._do(work)

    async def add_player(self, row: PlayerRow) -> None:
        await self._do(
            lambda c: c.execute(
                "INSERT INTO players VALUES (?, ?, ?, ?, ?, ?)",
                (row.id, row.session, row.name, row.token, row.joined_at, int(row.removed)),
            )
        )

    async def remove_player(self, player_id: str) -> None:
        await self._do(
            lambda c: c.execute("UPDATE players SET removed = 1 WHERE id = ?", (player_id,))
        )

    async def add_games(self, rows: Sequence[GameRow], started: RoundRow | None = None) -> None:
        def work(c: sqlite3.Connection) -> None:
            if started is not None:
                c.execute(
                    "INSERT INTO rounds VALUES (?, ?, ?, ?)",
                    (
                        started.session,
                        started.number,
                        started.started_at,
                        json.dumps(list(started.byes)),
                    ),
                )
            for row in rows:
                c.execute(
                    "INSERT INTO games VALUES (?, ?, ?, ?, ?)",
                    (row.id, row.session, row.round, row.header, row.result),
                )
                c.execute(f"INSERT INTO spans VALUES (?, ({LAST_ROWID}), NULL)", (row.id,))
                events = [(row.id, seq, line) for seq, line in enumerate(row.events, start=1)]
                insert_events(c, events)
                if row.result is not None:
                    c.execute(CLOSE_SPAN, (row.id,))
                else:
                    self._changes[row.id] = len(row.events) + 1

        await self._do(work)

    def _hand_over(self, records: list[Record], done: asyncio.Future[list[bool]]) -> None:
        """One work item for every record of this loop turn: one future, one wake-up."""

        def work(c: sqlite3.Connection) -> list[bool]:
            return _write(c, records, self._next_seq, self._changes)

        self._queue.put((work, done, done.get_loop()))

    async def end_game(self, game_id: str, result: str) -> None:
        def work(c: sqlite3.Connection) -> None:
            finish(c, game_id, result)
            self._changes[game_id] = None

        await self._do(work)

    async def add_note(self, game_id: str, line: str) -> None:
        await self._do(lambda c: c.execute("INSERT INTO notes VALUES (?, ?)", (game_id, line)))

    async def game_lines(self, game_id: str) -> list[str] | None:
        return await self._do(lambda c: sqlite_reads.game_lines(c, game_id))

    async def find_session(
        self, *, code: str | None = None, token: str | None = None, game: str | None = None
    ) -> str | None:
        return await self._do(lambda c: sqlite_reads.find_session(c, code, token, game))

    async def heartbeat(self, now: float) -> None:
        await self._do(
            lambda c: c.execute(
                "INSERT INTO alive VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
                (now,),
            )
        )

    async def prune_practice(self, ended_before: float, most: int) -> int:
        def work(c: sqlite3.Connection) -> int:
            doomed = [
                code
                for (code,) in c.execute(
                    "SELECT session FROM practice WHERE ended_at < ? LIMIT ?", (ended_before, most)
                )
            ]
            for code in doomed:
                _delete_session(c, code)
            return len(doomed)

        return await self._do(work)

    async def load(self, recent_since: float = 0.0) -> Snapshot:
        def work(c: sqlite3.Connection) -> Snapshot:
            snapshot = sqlite_reads.startup(c, recent_since)
            self._changes.update(next_seqs(snapshot))
            return snapshot

        return await self._do(work)

    async def load_sessions(self, codes: Sequence[str]) -> Snapshot:
        def work(c: sqlite3.Connection) -> Snapshot:
            # A live game among them goes on from here: its next seq is guarded too.
            snapshot = sqlite_reads.sessions(c, codes)
            self._changes.update(next_seqs(snapshot))
            return snapshot

        return await self._do(work)

    async def add_scenario(self, row: ScenarioRow) -> None:
        await self._do(
            lambda c: c.execute(
                "INSERT INTO scenarios VALUES (?, ?, ?, ?)",
                (row.id, row.hash, row.toml, row.added_at),
            )
        )

    async def scenarios(self) -> tuple[ScenarioRow, ...]:
        def work(c: sqlite3.Connection) -> tuple[ScenarioRow, ...]:
            rows = c.execute("SELECT id, hash, toml, added_at FROM scenarios ORDER BY rowid")
            return tuple(ScenarioRow(*row) for row in rows)

        return await self._do(work)

    async def scenario(self, scenario_id: str) -> ScenarioRow | None:
        def work(c: sqlite3.Connection) -> ScenarioRow | None:
            row = c.execute(
                "SELECT id, hash, toml, added_at FROM scenarios WHERE id = ?", (scenario_id,)
            ).fetchone()
            return None if row is None else ScenarioRow(*row)

        return await self._do(work)


def _write(
    connection: sqlite3.Connection, records: list[Record], stored: NextSeq, changes: Changes
) -> list[bool]:
    """Insert the records in order (``seq_guard.plan``); which records were written."""
    found = sqlite_reads.next_seqs(connection, unknown(records, stored, changes))
    steps, written = plan(records, stored, changes, found)
    for step in steps:
        if isinstance(step, list):
            insert_events(connection, step)
        else:
            finish(connection, *step)
    return written


def _storage_fault(exc: sqlite3.Error) -> bool:
    """A failure of the disk or the file (full, read-only, I/O, damaged), not of a query."""
    return isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError


def _delete_session(connection: sqlite3.Connection, code: str) -> None:
    """Delete a session and everything in it; each game's events found by its span."""
    games = connection.execute(
        "SELECT g.id, coalesce(s.first, 0), coalesce(s.last, ?) FROM games g "
        "LEFT JOIN spans s ON s.game = g.id WHERE g.session = ?",
        (END, code),
    ).fetchall()
    for game, first, last in games:
        connection.execute(
            "DELETE FROM events WHERE rowid > ? AND rowid <= ? AND game = ?", (first, last, game)
        )
        for table in ("notes", "spans"):
            connection.execute(f"DELETE FROM {table} WHERE game = ?", (game,))
    for table in ("games", "players", "rounds", "schedules", "session_options", "practice"):
        connection.execute(f"DELETE FROM {table} WHERE session = ?", (code,))
    connection.execute("DELETE FROM sessions WHERE code = ?", (code,))


def _settle_all(settled: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, value, error in settled:
        resolve(future, value, error)
