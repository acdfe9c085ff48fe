"""The HTTP protocol zopa runs uvicorn with: connection caps and a header deadline.

uvicorn (0.55) has no deadline for a request's headers: its keep-alive timer runs only
between requests and stops at the first byte of the next, so a client sending a byte
every few seconds holds its connection, and a file descriptor, for ever. Thousands of
such clients exhaust the server without sending a request. This protocol is uvicorn's
own (httptools) with two guards added at the socket:

- a connection over the overall cap, or over its peer's cap or rate, is answered 503
  and closed at once, before anything is read (server/connection_caps.py);
- each request's headers must have arrived within ``header_seconds`` of the connection
  opening or of the previous answer, or it is answered 408 and closed. A websocket's
  handshake is such a request; after it the hello deadline (server/ws.py) takes over.

The peer's count is given back when its socket closes, whichever protocol holds it by
then: a websocket protocol class is derived for that.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from zopa.server.connection_caps import ConnectionCaps
from zopa.server.refusal_log import RefusalLog


def _answer(status: str, text: str) -> bytes:
    body = text.encode()
    head = f"HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\n"
    head += f"content-length: {len(body)}\r\nretry-after: 10\r\nconnection: close\r\n\r\n"
    return head.encode() + body


BUSY = _answer("503 Service Unavailable", "too many connections; try again soon\n")
TOO_SLOW = _answer("408 Request Timeout", "the request's headers came too slowly\n")


def guarded_protocol(
    caps: ConnectionCaps, header_seconds: float, refusals: RefusalLog
) -> type[asyncio.Protocol]:
    """An HTTP protocol class for ``uvicorn.Config(http=...)``, sharing these caps."""
    counted: dict[asyncio.BaseTransport, str] = {}  # socket -> the peer it counts against
    releasing: dict[type[Any], type[Any]] = {}

    def release(transport: asyncio.BaseTransport) -> None:
        peer = counted.pop(transport, None)
        if peer is not None and caps.peers is not None:
            caps.peers.give(peer)

    def releasing_class(base: type[Any]) -> type[Any]:
        """``base``, a websocket protocol class, giving the peer's count back on close."""
        if base not in releasing:

            class Releasing(base):  # type: ignore[misc]
                def connection_lost(self, exc: Exception | None) -> None:
                    try:
                        super().connection_lost(exc)
                    finally:
                        release(self.transport)

            releasing[base] = Releasing
        return releasing[base]

    class Guarded(HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._deadline: asyncio.TimerHandle | None = None
            if self.ws_protocol_class is not None:
                self.ws_protocol_class = releasing_class(self.ws_protocol_class)

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            peer = self.client[0] if self.client else None
            if len(self.connections) > caps.overall:
                self._refuse("refused a connection over the overall cap", peer)
                return
            if peer is not None and caps.peers is not None and peer not in caps.proxies:
                if not caps.peers.take(peer):
                    self._refuse("refused a connection over its address's cap", peer)
                    return
                counted[transport] = peer
                if caps.opening is not None and caps.opening.take(peer) > 0:
                    self._refuse("refused a connection over its address's rate", peer)
                    return
            self._arm()

        def _refuse(self, what: str, peer: str | None) -> None:
            refusals.note(what, peer, logging.WARNING)
            self.transport.write(BUSY)
            self.transport.close()

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(header_seconds, self._too_slow)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            self._deadline = None
            if not self.transport.is_closing():
                refusals.note(
                    "closed a connection whose request headers did not arrive in time",
                    self.client[0] if self.client else None,
                )
                self.transport.write(TOO_SLOW)
                self.transport.close()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            # A request queued behind this one has its headers already.
            queued = bool(self.pipeline)
            super().on_response_complete()
            if not queued and not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            release(self.transport)
            super().connection_lost(exc)

    return Guarded
