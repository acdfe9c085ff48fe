"""PostgreSQL storage: a writer's connection, group commit, and the sessions this worker
owns; reads beside it on a second connection (``postgres_reader``).

Any number of workers share one database. Each owns the sessions it serves through a
session-level advisory lock on its writer's connection, taken when it first uses a session
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
record that would leave a gap or repeat a seq is refused (``seq_guard``); the events'
primary key refuses a seq stored twice whatever this worker believes.

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
from zopa.server.postgres_reader import Reader, quietly_close
from zopa.server.postgres_schema import migrate
from zopa.server.seq_guard import Changes, NextSeq, Record, next_seqs, plan, settle, unknown
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
Connection = psycopg.AsyncConnection[Any]
_Job = Callable[[Connection], Awaitable[Any]]


class _Turn:
    """A loop turn's records, queued as one work item (see ``_commit``)."""

    __slots__ = ("records",)

    def __init__(self, records: list[Record]) -> None:
        self.records = records


_Work = tuple[_Job | _Turn, asyncio.Future[Any]]

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
        # Reads beside the writer, not behind its commits (postgres_reader.py).
        self._reader = Reader(url, CONNECT_SECONDS)
        # Records made during this turn of the event loop, handed over together.
        self.record = Gathering(self._hand_over).add
        # The sessions whose locks this worker's connection holds.
        self._owned: set[str] = set()
        self._next_seq: NextSeq = {}
        self._changes: Changes = {}
        self._fenced = False
        self._lost = False

    # ---- the connection and the writer -----------------------------------------------

    async def open(self) -> None:
        connection = await self._connect()
        try:
            await migrate(connection)
        except BaseException:
            await quietly_close(connection)
            raise
        self._connection = connection
        self._writer = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        await self._reader.close()
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
                resolve(future, None, Unavailable(f"storage is failing: {reason}"))
            return
        try:
            turns = [work for work, _ in batch if isinstance(work, _Turn)]
            if len(turns) == len(batch):
                # Moves alone, the common batch: every turn's records in one statement,
                # which is its own transaction (the connection is in autocommit), so one
                # round trip instead of three (BEGIN, the statement, COMMIT).
                values = await self._write_turns(connection, turns)
            else:
                # Not pipelined: psycopg's pipeline mode cost more client CPU per batch than
                # the round trips it saved on a local socket (docs/performance.md).
                async with connection.transaction():
                    values = [await self._work(connection, work) for work, _ in batch]
        except Exception as exc:  # a query's error, or a refusal such as ``Elsewhere``
            self._changes.clear()
            if connection.broken:
                self._lose(str(exc))
            if connection.broken or isinstance(exc, psycopg.OperationalError):
                # Lost, or a fault of the server's (out of disk, of shared memory): the
                # connection, and the locks on it, stay if it is still there.
                self.health.failed(f"storage is failing: {exc}", time.time())
                for _, future in batch:
                    resolve(future, None, Unavailable(f"storage is failing: {exc}"))
                return
            if len(batch) > 1:
                # Rare: one bad item. Commit one at a time so the others still land.
                for item in batch:
                    await self._commit([item])
                return
            resolve(batch[0][1], None, exc)
            return
        settle(self._changes, self._next_seq)
        self.health.recovered()
        for (_, future), value in zip(batch, values, strict=True):
            resolve(future, value, None)

    async def _work(self, c: Connection, work: _Job | _Turn) -> Any:
        if isinstance(work, _Turn):
            return (await self._write_turns(c, [work]))[0]
        return await work(c)

    async def _write_turns(self, c: Connection, turns: list[_Turn]) -> list[list[bool]]:
        """Each turn's records written in order (``seq_guard.plan``): which were."""
        records = [record for turn in turns for record in turn.records]
        games = unknown(records, self._next_seq, self._changes)
        found = await postgres_reads.next_seqs(c, games)
        steps, written = plan(records, self._next_seq, self._changes, found)
        await postgres_writes.write_steps(c, steps)
        each, start = [], 0
        for turn in turns:
            each.append(written[start : start + len(turn.records)])
            start += len(turn.records)
        return each

    def _lose(self, reason: str) -> None:
        """The connection is gone, and with it every lock: no write until it is back."""
        log.error("lost the database: %s", reason)
        self._lost = True
        self.health.failed(f"lost the database: {reason}", time.time())
        if self._connection is not None:
            connection, self._connection = self._connection, None
            asyncio.get_running_loop().create_task(quietly_close(connection))

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
            await quietly_close(connection)
            self.health.failed(f"cannot reach the database: {exc}", time.time())
            return None
        if not taken_back:
            await quietly_close(connection)
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
        now = await postgres_reads.next_seqs(connection, sorted(self._next_seq))
        return now == self._next_seq

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

    def _hand_over(self, records: list[Record], done: asyncio.Future[list[bool]]) -> None:
        """One work item for every record of this loop turn: one transaction for them all."""

        self._queue.put_nowait((_Turn(records), done))

    async def end_game(self, game_id: str, result: str) -> None:
        async def work(c: Connection) -> None:
            await postgres_writes.finish(c, game_id, result)
            self._changes[game_id] = None

        await self._do(work)

    async def add_note(self, game_id: str, line: str) -> None:
        await self._do(lambda c: postgres_writes.add_note(c, game_id, line))

    async def game_lines(self, game_id: str) -> list[str] | None:
        return await self._reader.read(lambda c: postgres_reads.game_lines(c, game_id))

    async def find_session(
        self, *, code: str | None = None, token: str | None = None, game: str | None = None
    ) -> str | None:
        return await self._reader.read(lambda c: postgres_reads.find_session(c, code, token, game))

    async def heartbeat(self, now: float) -> None:
        await self._do(lambda c: postgres_writes.heartbeat(c, now))

    async def prune_practice(self, ended_before: float, most: int) -> int:
        """Of the practice sessions ended before then, the ones no other live worker holds:
        one that does may still serve its ended game, and prunes it itself."""

        async def work(c: Connection) -> int:
            ended = await postgres_reads.ended_practice(c, ended_before, most)
            doomed = await self._claim(c, ended)
            await postgres_writes.delete_sessions(c, doomed)
            # Each lock is a slot of PostgreSQL's shared lock table: give them back.
            await self._unlock(c, doomed)
            return len(doomed)

        return await self._do(work)

    async def load(self, recent_since: float = 0.0) -> Snapshot:
        """What start-up needs, of the sessions no other live worker owns."""
        found = await self._reader.read(lambda c: postgres_reads.startup_codes(c, recent_since))
        return await self._take(found)

    async def load_sessions(self, codes: Sequence[str]) -> Snapshot:
        """These sessions, whole, now owned here; ``Elsewhere`` if another worker owns one.

        A live game among them is one whose worker died: it is resumed here.
        """
        snapshot = await self._take(codes)
        refused = [code for code in codes if code not in self._owned]
        if refused:
            known: bool = await self._reader.read(
                lambda c: postgres_reads.sessions_exist(c, refused)
            )
            if known:
                raise Elsewhere(f"another worker serves the session {refused[0]} now")
        return snapshot

    async def _take(self, codes: Sequence[str]) -> Snapshot:
        """The sessions of these codes this worker holds, or now took, read whole.

        The locks are taken on the writer's connection, which holds them; the sessions
        are read after, beside the writes: once locked, nothing of them changes but
        through this worker, which has not got them live yet.
        """
        mine = await self._do(lambda c: self._claim(c, codes))
        snapshot = await self._reader.read(lambda c: postgres_reads.sessions(c, mine))
        # Stored next seqs, which no failed transaction may forget; a game this worker
        # already writes to knows better than a snapshot read beside its commits.
        for game, seq in next_seqs(snapshot).items():
            self._next_seq.setdefault(game, seq)
        return snapshot

    async def add_scenario(self, row: ScenarioRow) -> None:
        await self._do(lambda c: postgres_writes.add_scenario(c, row))

    async def scenarios(self) -> tuple[ScenarioRow, ...]:
        return await self._reader.read(postgres_reads.scenarios)

    async def scenario(self, scenario_id: str) -> ScenarioRow | None:
        """One scenario of the library by id: what another worker was sent since this one
        started is read through here."""
        return await self._reader.read(lambda c: postgres_reads.scenario(c, scenario_id))
