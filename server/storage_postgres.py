"""PostgreSQL storage: one connection, group commit, and the sessions this worker owns.

Any number of workers share one database. Each owns the sessions it serves through a
session-level advisory lock on its one connection, taken when it first uses a session
(loads it at start-up or on demand; the worker that creates one lets it go at once, for
the worker the proxy routes its code to) and held while it lives: a worker
asked for a session another live worker holds raises ``errors.Elsewhere``, which the
edges answer so that the client or proxy asks again (docs/deploy.md). The locks go with
the connection, so when a worker dies the database frees its sessions at once for the
next worker asked about them.

Writes are queued and a writer task takes everything queued since its last commit and
runs it in one transaction (as ``storage_sqlite`` does with its thread): a move is
handed back, and so announced, only after the commit, which PostgreSQL's default
``synchronous_commit`` makes durable. Each live game's next seq is kept here and a
record that would leave a gap is refused (``seq_guard``); the events' primary key
refuses a seq stored twice.

A worker that loses its connection takes no more moves: every write fails with
``errors.Unavailable`` (the games wait in their durable state) until it connects again
and takes back the lock of every session it owned, finding each live game's stored
events as it left them. If any lock is held elsewhere or any game moved on, another
worker has taken over: this one is fenced, writes nothing ever again, and calls
``on_fenced`` (``zopa serve`` exits, to start afresh). Never two owners.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import psycopg

from zopa.server import postgres_reads, postgres_writes
from zopa.server.errors import Elsewhere, Unavailable
from zopa.server.postgres_schema import migrate
from zopa.server.seq_guard import Changes, NextSeq, Record, plan, settle
from zopa.server.storage import (
    GameRow,
    Health,
    PlayerRow,
    RoundRow,
    ScenarioRow,
    SessionRow,
    Snapshot,
)

T = TypeVar("T")
Connection = psycopg.AsyncConnection[Any]
_Job = Callable[[Connection], Awaitable[Any]]
_Work = tuple[_Job, asyncio.Future[Any]]

log = logging.getLogger("zopa.storage")

# Most work items a single transaction takes, so one huge burst cannot stall everyone.
BATCH = 2000
# A session's advisory lock: a 64-bit hash of its code (a clash of two codes only makes
# them share an owner).
LOCK = "pg_try_advisory_lock(hashtextextended(code, 0))"
# Seconds a (re)connection may take before the write that needed it fails.
CONNECT_SECONDS = 5


def is_postgres(database: str) -> bool:
    return database.startswith(("postgresql://", "postgres://"))


class PostgresStorage:
    def __init__(self, url: str, interval: float = 0.0) -> None:
        self.url = url
        self.interval = interval
        self.health = Health()
        # Called once if another worker took this one's sessions (the module's docstring).
        self.on_fenced: Callable[[], None] | None = None
        self._queue: asyncio.Queue[_Work | None] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self._connection: Connection | None = None
        self._gathering: list[Record] | None = None
        # The sessions whose locks this worker's connection holds.
        self._owned: set[str] = set()
        self._next_seq: NextSeq = {}
        self._changes: Changes = {}
        self._fenced = False
        self._lost = False

    # ---- the connection and the writer -----------------------------------------------

    async def open(self) -> None:
        self._connection = await self._connect()
        await migrate(self._connection)
        self._writer = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        if self._writer is not None:
            self._queue.put_nowait(None)
            await self._writer
            self._writer = None
        if self._connection is not None:
            # Freed now, not whenever the server notices the connection is gone: the next
            # worker asked about these sessions can take them at once.
            with contextlib.suppress(psycopg.Error):
                await self._connection.execute("SELECT pg_advisory_unlock_all()")
            await self._connection.close()
            self._connection = None

    async def _connect(self) -> Connection:
        return await psycopg.AsyncConnection.connect(
            self.url, autocommit=True, connect_timeout=CONNECT_SECONDS
        )

    async def _do(self, work: Callable[[Connection], Awaitable[T]]) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((work, future))
        return await future

    async def _run(self) -> None:
        started = -math.inf
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is None:
                break
            # Wait out the interval since the last commit began, so that what arrives
            # meanwhile shares this commit (and its flush to disk).
            pause = started + self.interval - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            started = time.monotonic()
            batch = [first]
            while len(batch) < BATCH and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            await self._commit(batch)

    async def _commit(self, batch: list[_Work]) -> None:
        connection = await self._usable()
        if connection is None:
            self._changes.clear()
            reason = self.health.reason or "the database cannot be reached"
            for _, future in batch:
                _settle(future, None, Unavailable(f"storage is failing: {reason}"))
            return
        try:
            # Not pipelined: psycopg's pipeline mode cost more client CPU per batch than the
            # round trips it saved on a local socket (docs/performance.md).
            async with connection.transaction():
                values = [await work(connection) for work, _ in batch]
        except Exception as exc:  # a query's error, or a refusal such as ``Elsewhere``
            self._changes.clear()
            if connection.broken:
                self._lose(str(exc))
            if connection.broken or isinstance(exc, psycopg.OperationalError):
                # Lost, or a fault of the server's (out of disk, of shared memory): the
                # connection, and the locks on it, stay if it is still there.
                self.health.failed(f"storage is failing: {exc}", time.time())
                for _, future in batch:
                    _settle(future, None, Unavailable(f"storage is failing: {exc}"))
                return
            if len(batch) > 1:
                # Rare: one bad item. Commit one at a time so the others still land.
                for item in batch:
                    await self._commit([item])
                return
            _settle(batch[0][1], None, exc)
            return
        settle(self._changes, self._next_seq)
        self.health.recovered()
        for (_, future), value in zip(batch, values, strict=True):
            _settle(future, value, None)

    def _lose(self, reason: str) -> None:
        """The connection is gone, and with it every lock: no write until it is back."""
        log.error("lost the database: %s", reason)
        self._lost = True
        self.health.failed(f"lost the database: {reason}", time.time())
        if self._connection is not None:
            connection, self._connection = self._connection, None
            asyncio.get_running_loop().create_task(_quietly_close(connection))

    async def _usable(self) -> Connection | None:
        """The connection, connected again and its sessions taken back after a loss."""
        if self._fenced:
            return None
        if self._connection is not None and not self._lost:
            return self._connection
        try:
            connection = await self._connect()
        except psycopg.Error as exc:
            self.health.failed(f"cannot reach the database: {exc}", time.time())
            return None
        try:
            taken_back = await self._take_back(connection)
        except psycopg.Error as exc:
            await _quietly_close(connection)
            self.health.failed(f"cannot reach the database: {exc}", time.time())
            return None
        if not taken_back:
            await _quietly_close(connection)
            self._fence()
            return None
        self._connection, self._lost = connection, False
        log.warning(
            "the database is back; this worker still owns its %d sessions", len(self._owned)
        )
        return connection

    async def _take_back(self, connection: Connection) -> bool:
        """Whether every owned session's lock was free and no live game moved meanwhile."""
        owned = sorted(self._owned)
        rows = await (
            await connection.execute(
                f"SELECT count(*) FROM unnest(%s::text[]) code WHERE NOT {LOCK}", (owned,)
            )
        ).fetchone()
        if rows is None or rows[0]:
            return False
        games = sorted(self._next_seq)
        stored = await (
            await connection.execute(
                "SELECT g.id, coalesce(max(e.seq), 0) + 1, g.result IS NULL "
                "FROM games g LEFT JOIN events e ON e.game = g.id "
                "WHERE g.id = ANY(%s) GROUP BY g.id",
                (games,),
            )
        ).fetchall()
        now = {str(game): (int(seq), bool(live)) for game, seq, live in stored}
        return all(now.get(game) == (seq, True) for game, seq in self._next_seq.items())

    def _fence(self) -> None:
        self._fenced = True
        log.critical(
            "another worker has taken this worker's sessions while it was cut off from the "
            "database: it takes no more moves"
        )
        self.health.failed("another worker took over this worker's sessions", time.time())
        if self.on_fenced is not None:
            self.on_fenced()

    # ---- ownership -------------------------------------------------------------------

    async def _claim(self, c: Connection, codes: Sequence[str]) -> list[str]:
        """The codes whose locks this worker now holds (it held some already)."""
        wanted = [code for code in codes if code not in self._owned]
        if wanted:
            taken = await (
                await c.execute(f"SELECT code FROM unnest(%s::text[]) code WHERE {LOCK}", (wanted,))
            ).fetchall()
            # Held whatever becomes of the transaction: session locks ignore rollbacks.
            self._owned.update(str(code) for (code,) in taken)
        return [code for code in codes if code in self._owned]

    async def _unlock(self, c: Connection, codes: Sequence[str]) -> None:
        """Give up the locks of those of ``codes`` this worker holds."""
        mine = [code for code in codes if code in self._owned]
        if mine:
            # Forgotten first: were the unlock lost with the connection, so is the lock.
            self._owned.difference_update(mine)
            await c.execute(
                "SELECT pg_advisory_unlock(hashtextextended(code, 0)) FROM unnest(%s::text[]) code",
                (mine,),
            )

    async def let_go(self, code: str) -> None:
        """Give up a session this worker holds, to the next worker asked about it (a new
        session: the one the proxy sends its code to)."""
        await self._do(lambda c: self._unlock(c, [code]))

    def _live(self, snapshot: Snapshot) -> None:
        for game in snapshot.games:
            if game.result is None:
                self._changes[game.id] = len(game.events) + 1

    # ---- the Storage protocol --------------------------------------------------------

    async def add_session(self, row: SessionRow) -> None:
        async def work(c: Connection) -> None:
            if not await self._claim(c, [row.code]):
                raise Elsewhere(f"another worker holds the code {row.code}")
            await postgres_writes.add_session(c, row)

        await self._do(work)

    async def add_player(self, row: PlayerRow) -> None:
        await self._do(lambda c: postgres_writes.add_player(c, row))

    async def remove_player(self, player_id: str) -> None:
        await self._do(lambda c: postgres_writes.remove_player(c, player_id))

    async def add_games(self, rows: Sequence[GameRow], started: RoundRow | None = None) -> None:
        async def work(c: Connection) -> None:
            await postgres_writes.add_games(c, rows, started)
            for row in rows:
                if row.result is None:
                    self._changes[row.id] = len(row.events) + 1

        await self._do(work)

    def record(
        self,
        game_id: str,
        events: list[tuple[int, str]],
        result: str | None,
        then: Callable[[bool], None],
    ) -> None:
        if self._gathering is None:
            self._gathering = []
            asyncio.get_running_loop().call_soon(self._hand_over)
        rows = [(game_id, seq, line) for seq, line in events]
        self._gathering.append((game_id, rows, result, then))

    def _hand_over(self) -> None:
        """One work item for every record of this loop turn: one transaction for them all."""
        records, self._gathering = self._gathering or [], None
        done: asyncio.Future[list[bool]] = asyncio.get_running_loop().create_future()

        def announce(future: asyncio.Future[list[bool]]) -> None:
            failed = future.exception()
            if failed is not None:
                log.error("events could not be stored: %s", failed)
                stored = [False] * len(records)
            else:
                stored = future.result()
            for (*_, then), ok in zip(records, stored, strict=True):
                then(ok)

        async def work(c: Connection) -> list[bool]:
            steps, written = plan(records, self._next_seq, self._changes)
            for step in steps:
                if isinstance(step, list):
                    await postgres_writes.insert_events(c, step)
                else:
                    await postgres_writes.finish(c, *step)
            return written

        done.add_done_callback(announce)
        self._queue.put_nowait((work, done))

    async def end_game(self, game_id: str, result: str) -> None:
        async def work(c: Connection) -> None:
            await postgres_writes.finish(c, game_id, result)
            self._changes[game_id] = None

        await self._do(work)

    async def add_note(self, game_id: str, line: str) -> None:
        await self._do(lambda c: postgres_writes.add_note(c, game_id, line))

    async def game_lines(self, game_id: str) -> list[str] | None:
        return await self._do(lambda c: postgres_reads.game_lines(c, game_id))

    async def find_session(
        self, *, code: str | None = None, token: str | None = None, game: str | None = None
    ) -> str | None:
        return await self._do(lambda c: postgres_reads.find_session(c, code, token, game))

    async def heartbeat(self, now: float) -> None:
        await self._do(lambda c: postgres_writes.heartbeat(c, now))

    async def prune_practice(self, ended_before: float, most: int) -> int:
        async def work(c: Connection) -> int:
            doomed = await postgres_writes.prune_practice(c, ended_before, most)
            # Each lock is a slot of PostgreSQL's shared lock table: give them back.
            await self._unlock(c, doomed)
            return len(doomed)

        return await self._do(work)

    async def load(self, recent_since: float = 0.0) -> Snapshot:
        """What start-up needs, of the sessions no other live worker owns."""

        async def work(c: Connection) -> Snapshot:
            codes = await self._claim(c, await postgres_reads.startup_codes(c, recent_since))
            snapshot = await postgres_reads.sessions(c, codes)
            self._live(snapshot)
            return snapshot

        return await self._do(work)

    async def load_sessions(self, codes: Sequence[str]) -> Snapshot:
        """These sessions, whole, now owned here; ``Elsewhere`` if another worker owns one.

        A live game among them is one whose worker died: it is resumed here.
        """

        async def work(c: Connection) -> Snapshot:
            mine = await self._claim(c, codes)
            refused = [code for code in codes if code not in mine]
            if refused and await postgres_reads.sessions_exist(c, refused):
                raise Elsewhere(f"another worker serves the session {refused[0]} now")
            snapshot = await postgres_reads.sessions(c, mine)
            self._live(snapshot)
            return snapshot

        return await self._do(work)

    async def add_scenario(self, row: ScenarioRow) -> None:
        await self._do(lambda c: postgres_writes.add_scenario(c, row))

    async def scenarios(self) -> tuple[ScenarioRow, ...]:
        return await self._do(postgres_reads.scenarios)

    async def scenario(self, scenario_id: str) -> ScenarioRow | None:
        """One scenario of the library by id: what another worker was sent since this one
        started is read through here."""
        return await self._do(lambda c: postgres_reads.scenario(c, scenario_id))


async def _quietly_close(connection: Connection) -> None:
    with contextlib.suppress(psycopg.Error, OSError):
        await connection.close()


def _settle(future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)
