"""The PostgreSQL storage's second connection, for reads: games' logs, sessions loaded,
the scenario library.

On the writer's connection a read waits for the group commit before it, and every commit
behind it waits for the read: a long log, or a large class loaded at once, held up the
moves of every game. Here each read is a snapshot of what is committed, in a read-only
transaction of its own (REPEATABLE READ, so a log's events and notes are of one moment),
beside the writes. What a read returns was committed, so it was durable before it was
read; what is still queued behind the writer is not announced yet, so no one is told
of it either way.

Nothing of ownership lives here: advisory locks, the seq guard and fencing stay on the
writer's connection. A read that loses the connection raises ``errors.Unavailable``, and
the next read connects again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import psycopg
from psycopg import IsolationLevel

from zopa.server.errors import Unavailable

T = TypeVar("T")
Connection = psycopg.AsyncConnection[Any]


class Reader:
    def __init__(self, url: str, connect_seconds: int) -> None:
        self.url = url
        self.connect_seconds = connect_seconds
        self._connection: Connection | None = None
        # One read at a time: a transaction spans several statements of one task, and a
        # second task's would otherwise run inside it.
        self._turn = asyncio.Lock()

    async def read(self, work: Callable[[Connection], Awaitable[T]]) -> T:
        async with self._turn:
            # A connection kept from before may have died while idle (a restart of
            # PostgreSQL, a cut): a read is safe to run again, on a new one, once.
            fresh = self._connection is None
            while True:
                connection = await self._connected()
                try:
                    async with connection.transaction():
                        return await work(connection)
                except psycopg.OperationalError as exc:
                    if not connection.broken:
                        raise Unavailable(f"storage is failing: {exc}") from exc
                    self._connection = None
                    await quietly_close(connection)
                    if fresh:
                        raise Unavailable(f"storage is failing: {exc}") from exc
                    fresh = True

    async def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await quietly_close(connection)

    async def _connected(self) -> Connection:
        if self._connection is None or self._connection.closed:
            try:
                connection = await psycopg.AsyncConnection.connect(
                    self.url, autocommit=True, connect_timeout=self.connect_seconds
                )
                await connection.set_isolation_level(IsolationLevel.REPEATABLE_READ)
                await connection.set_read_only(True)
            except psycopg.Error as exc:
                raise Unavailable(f"storage is failing: cannot reach the database: {exc}") from exc
            self._connection = connection
        return self._connection


async def quietly_close(connection: Connection) -> None:
    with contextlib.suppress(psycopg.Error, OSError):
        await connection.close()
