"""A sweep run every so many seconds until stopped, for the rooms that let things go.

A sweep that fails (storage trouble, say) is logged, and the next one tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable


class Sweeper:
    def __init__(
        self, name: str, seconds: float, sweep: Callable[[], Awaitable[object]], log: logging.Logger
    ) -> None:
        self._name = name
        self._seconds = seconds
        self._sweep = sweep
        self._log = log
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Sweep every ``seconds`` from now on; never, for 0 or less."""
        if self._seconds > 0:
            self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._seconds)
            try:
                await self._sweep()
            except Exception:
                self._log.exception("%s failed", self._name)
