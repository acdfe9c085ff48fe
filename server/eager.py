"""Start a coroutine at once, in the caller's turn, and finish it later only if it waits.

What Python 3.12 calls an eager task, for the one place that needs it: writing to a
socket. uvicorn's websocket send hands the frame to the transport and returns without
ever waiting, so a task per message only added a wake-up and a switch to each of the
two frames every move sends. A send that does wait (another server underneath, say)
is finished by the socket's writer, in order, like any queued message.
"""

from __future__ import annotations

from collections.abc import Coroutine, Generator
from typing import Any


class Rest:
    """The part of a started coroutine after its first wait; awaiting it runs that part."""

    __slots__ = ("_coro", "_waiting")

    def __init__(self, coro: Coroutine[Any, Any, None], waiting: Any) -> None:
        self._coro = coro
        self._waiting = waiting  # what the coroutine yielded: the future it waits on

    def __await__(self) -> Generator[Any, Any, None]:
        # Pass the awaited future up to the task running us, and each outcome back down,
        # exactly as the task would have done had it run the coroutine from the start.
        waiting = self._waiting
        while True:
            try:
                sent = yield waiting
            except BaseException as exc:  # cancellation too: the coroutine decides
                try:
                    waiting = self._coro.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    waiting = self._coro.send(sent)
                except StopIteration:
                    return


def start(coro: Coroutine[Any, Any, None]) -> Rest | None:
    """Run ``coro`` until it first waits: ``None`` if it finished, else what is left of it.

    Exceptions the coroutine raises before waiting are raised here.
    """
    try:
        waiting = coro.send(None)
    except StopIteration:
        return None
    return Rest(coro, waiting)
