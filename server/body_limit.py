"""Request bodies: at most so many bytes, arriving within so many seconds, checked as read.

Starlette reads a body whole before the API could look at its size, so one 1 GiB POST
was a gigabyte of memory before it was refused. Here a declared ``Content-Length``
over the limit is refused before anything is read, and the bytes of a body are counted
as they arrive: the request is refused (413) the moment it passes the limit, and a body
that trickles in is refused (408) when its time is up. Either way the answer closes the
connection, so the rest is never read. A body only a little too big is read to its end
first (at most ``DRAIN_BYTES`` more, for a second): closing with unread bytes resets
the connection, and the client's kernel may then drop the answer before it is read.

A few routes take bigger bodies (a scenario's TOML, ``scenario_api.py``): ``wider``
gives each its own limit, which that route checks again in its own words.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zopa.server.errors import TooLarge, TooSlow
from zopa.server.http_api import error_response
from zopa.server.scope import route_path

DRAIN_BYTES = 64 * 1024
DRAIN_SECONDS = 1.0


class BodyLimit:
    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        seconds: float,
        wider: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.seconds = seconds
        # Route path -> its own larger limit.
        self.wider = dict(wider or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        most = max(self.max_bytes, self.wider.get(route_path(scope), 0))
        too_large = TooLarge(f"a request body is at most {most} bytes")
        declared = _declared_length(scope)
        if declared > most:
            if declared <= most + DRAIN_BYTES:
                await _drain(receive)
            await error_response(too_large)(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.seconds
        received = 0
        complete = False
        started = False

        async def limited() -> Message:
            nonlocal received, complete
            if complete:
                # After the body, receive only waits for the client to leave: no deadline.
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                late = f"a request body must arrive within {self.seconds:g} s"
                raise TooSlow(late) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > most:
                    if message.get("more_body", False):
                        await _drain(receive)
                    raise too_large
                complete = not message.get("more_body", False)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, watched)
        except (TooLarge, TooSlow) as cut:
            # The API's routes answer these themselves; any other reader of bodies gets it here.
            if started:
                raise
            await error_response(cut)(scope, receive, send)


def _declared_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


async def _drain(receive: Receive) -> None:
    """Read and drop what is left of a body, up to ``DRAIN_BYTES`` and ``DRAIN_SECONDS``."""
    drained = 0
    try:
        async with asyncio.timeout(DRAIN_SECONDS):
            while drained <= DRAIN_BYTES:
                message = await receive()
                if message["type"] != "http.request":
                    return
                drained += len(message.get("body", b""))
                if not message.get("more_body", False):
                    return
    except TimeoutError:
        pass
