"""The records of one turn of the event loop, handed to a backend's writer together.

Both backends take ``Storage.record`` the same way: every record made during one turn of
the loop becomes one work item (so one transaction, one commit, one wake-up of the loop),
and each record's ``then`` is called, in order, with whether it was written
(``seq_guard.plan``), or with ``False`` for all when the commit failed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from zopa.server.seq_guard import Record

log = logging.getLogger("zopa.storage")

# What a backend does with a turn's records: queue them for its writer, which settles
# the future with which records were written, or with the commit's failure.
HandOver = Callable[[list[Record], asyncio.Future[list[bool]]], None]


class Gathering:
    def __init__(self, hand_over: HandOver) -> None:
        self._hand_over = hand_over
        self._records: list[Record] | None = None

    def add(
        self,
        game_id: str,
        events: list[tuple[int, str]],
        result: str | None,
        then: Callable[[bool], None],
    ) -> None:
        """``Storage.record``: gather, and hand over once this turn of the loop is done."""
        if self._records is None:
            self._records = []
            asyncio.get_running_loop().call_soon(self._flush)
        rows = [(game_id, seq, line) for seq, line in events]
        self._records.append((game_id, rows, result, then))

    def _flush(self) -> None:
        records, self._records = self._records or [], None
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

        done.add_done_callback(announce)
        self._hand_over(records, done)


def resolve(future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    """Hand a work item's outcome to whoever awaits it (unless they stopped waiting)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)
