"""A queue read by exactly one task: a game's actor, or a socket's writer.

``asyncio.Queue`` serves many readers and many writers, with bounded waits, joins and
``task_done``; every message paid for that bookkeeping twice, once into a game's actor
and once into each player's socket, and under load it was a visible share of the
server's time. One reader needs only a deque and the one future it waits on.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class Mailbox(Generic[T]):
    __slots__ = ("_items", "_limit", "_waiter")

    def __init__(self, limit: int = 0) -> None:
        self._items: deque[T] = deque()
        self._limit = limit  # 0: unbounded
        self._waiter: asyncio.Future[None] | None = None

    def __len__(self) -> int:
        return len(self._items)

    def full(self) -> bool:
        return 0 < self._limit <= len(self._items)

    def put(self, item: T) -> bool:
        """Add an item, waking the reader; ``False`` (and nothing added) when full."""
        if self.full():
            return False
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        return True

    def take(self) -> T:
        """The oldest item; ``IndexError`` when empty."""
        return self._items.popleft()

    async def get(self) -> T:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()
