"""Open sockets: who is connected, and the one queue each socket is written from.

Every socket gets its own outbox and writer task, so a game's actor hands a message
over without waiting for any client: a slow phone on a bad network delays only itself.
A message for a socket with nothing waiting is written at once (``server/eager.py``),
and goes through the outbox only if that write has to wait. A socket whose outbox
overflows is closed (4008) rather than allowed to hold memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from starlette.types import Message
from starlette.websockets import WebSocket

from zopa.server.eager import Rest, start
from zopa.server.mailbox import Mailbox
from zopa.server.wire import Prepared, encode

log = logging.getLogger("zopa.ws")

OUTBOX = 1000  # messages waiting for one socket before it counts as stuck

# The ASGI send under Starlette's WebSocket; uvicorn's is a coroutine function.
FrameSend = Callable[[Message], Coroutine[Any, Any, None]]


@dataclass(frozen=True, slots=True)
class _Close:
    code: int
    reason: str


class Connection:
    """One open socket: its frames go straight to the ASGI ``send``, not through ``socket``.

    Starlette's ``WebSocket`` is kept for the close; for each frame it would only add a
    state check and a coroutine on top of ``send``, one of the layers every move's frames
    pass through (docs/performance.md).
    """

    def __init__(
        self, socket: WebSocket, send: FrameSend, binary: bool, rate: float, burst: float
    ) -> None:
        self.socket = socket
        self._send = send
        self.binary = binary
        self.player: str | None = None
        self.session: str | None = None  # for a facilitator's socket
        self._outbox: Mailbox[dict[str, Any] | Prepared | _Close | Rest] = Mailbox(OUTBOX)
        self._parked = False  # the writer waits on an empty outbox
        self._writer: asyncio.Task[None] | None = None
        self._rate = rate
        self._burst = burst
        self._tokens = burst
        # Held, not looked up per message: on Python 3.11 every lookup is a getpid().
        self._loop = asyncio.get_running_loop()
        self._filled_at = self._loop.time()
        self.closing = False

    def start(self) -> None:
        self._writer = asyncio.create_task(self._write(), name="ws writer")

    def allow(self) -> bool:
        """Take one message from the token bucket; False when the client sends too fast."""
        now = self._loop.time()
        self._tokens = min(self._burst, self._tokens + (now - self._filled_at) * self._rate)
        self._filled_at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    def send(self, message: dict[str, Any] | Prepared) -> None:
        if self.closing:
            return
        if self._parked and not self._outbox:
            self._send_now(message)
        elif not self._outbox.put(message):
            log.warning("outbox full; closing a stuck socket", extra={"player": self.player})
            self.close(4008, "too far behind")

    def close(self, code: int, reason: str = "") -> None:
        if self.closing:
            return
        self.closing = True
        if not self._outbox.put(_Close(code, reason)) and self._writer is not None:
            self._writer.cancel()
            self._writer = asyncio.create_task(self._close_now(code, reason))

    async def _close_now(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self.socket.close(code, reason)

    def _send_now(self, message: dict[str, Any] | Prepared) -> None:
        try:
            rest = start(self._send(self._frame(message)))
        except Exception:  # the peer is gone; the reader notices and detaches
            self.closing = True
            return
        if rest is not None:
            # The write waits: the writer finishes it before anything sent after it.
            self._outbox.put(rest)

    def _frame(self, message: dict[str, Any] | Prepared) -> Message:
        frame = encode(message, self.binary)
        if isinstance(frame, bytes):
            return {"type": "websocket.send", "bytes": frame}
        return {"type": "websocket.send", "text": frame}

    async def _write(self) -> None:
        try:
            while True:
                self._parked = True
                try:
                    item = await self._outbox.get()
                finally:
                    self._parked = False
                if isinstance(item, _Close):
                    await self._close_now(item.code, item.reason)
                    return
                if isinstance(item, Rest):
                    await item
                else:
                    await self._send(self._frame(item))
        except Exception:  # the peer is gone; the reader notices and detaches
            self.closing = True

    async def finished(self, timeout: float) -> None:
        """Wait up to ``timeout`` for the writer to end, whichever way it ends.

        ``asyncio.wait`` neither raises the writer's cancellation into the caller nor
        cancels the writer at the timeout; suppressing ``CancelledError`` around
        ``wait_for`` did both jobs but also swallowed a cancellation of the caller.
        """
        if self._writer is not None:
            await asyncio.wait([self._writer], timeout=timeout)

    def stop(self) -> None:
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()


class Hub:
    def __init__(self) -> None:
        self._players: dict[str, set[Connection]] = defaultdict(set)
        self._facilitators: dict[str, set[Connection]] = defaultdict(set)

    def attach(self, connection: Connection) -> int:
        """Register a player's socket; how many that player now has open."""
        assert connection.player is not None
        sockets = self._players[connection.player]
        sockets.add(connection)
        return len(sockets)

    def detach(self, connection: Connection) -> int:
        """Forget a socket; how many the player still has open."""
        if connection.session is not None:
            watching = self._facilitators.get(connection.session, set())
            watching.discard(connection)
            if not watching:
                self._facilitators.pop(connection.session, None)
            return 0
        if connection.player is None:
            return 0
        sockets = self._players.get(connection.player, set())
        sockets.discard(connection)
        if not sockets:
            self._players.pop(connection.player, None)
        return len(sockets)

    def watch(self, connection: Connection, session: str) -> None:
        """Register a facilitator's socket for the session's snapshots."""
        connection.session = session
        self._facilitators[session].add(connection)

    def watched(self, session: str) -> bool:
        """Some facilitator watches the session."""
        return bool(self._facilitators.get(session))

    def connected(self, player: str) -> bool:
        return bool(self._players.get(player))

    def close_player(self, player: str, code: int, reason: str) -> None:
        """Close every socket of the player (removed from the session, say)."""
        for connection in list(self._players.get(player, ())):
            connection.close(code, reason)

    def to_player(self, player: str, message: dict[str, Any] | Prepared) -> None:
        for connection in self._players.get(player, ()):
            connection.send(message)

    def to_facilitators(self, session: str, message: dict[str, Any] | Prepared) -> None:
        for connection in self._facilitators.get(session, ()):
            connection.send(message)

    def everyone(self) -> list[Connection]:
        found = [c for group in self._players.values() for c in group]
        found += [c for group in self._facilitators.values() for c in group]
        return found
