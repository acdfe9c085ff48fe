"""A minimal websocket client over asyncio streams, for load generation only.

The ``websockets`` client saturates its own core before our server does
(docs/performance.md), so the load generator speaks the few frames it needs itself: text or
binary frames masked with the all-zero key (legal, RFC 6455 5.3, and it makes masking a
no-op), unmasked frames from the server, pings answered with pongs. Nothing else.
"""

from __future__ import annotations

import asyncio
import base64
import os

TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA
_ZERO_MASK = b"\x00\x00\x00\x00"


def frame(payload: bytes, opcode: int = TEXT) -> bytes:
    size = len(payload)
    if size < 126:
        head = bytes((0x80 | opcode, 0x80 | size))
    elif size < 65536:
        head = bytes((0x80 | opcode, 0xFE)) + size.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0xFF)) + size.to_bytes(8, "big")
    return head + _ZERO_MASK + payload


class RawSocket:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, host: str, port: int, path: str = "/ws") -> RawSocket:
        reader, writer = await asyncio.open_connection(host, port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        answer = await reader.readuntil(b"\r\n\r\n")
        if b" 101 " not in answer.split(b"\r\n", 1)[0]:
            raise ConnectionError(answer.decode(errors="replace"))
        return cls(reader, writer)

    def send(self, payload: bytes) -> None:
        self.writer.write(frame(payload))

    async def recv(self) -> bytes:
        """The next text or binary payload; answers pings on the way."""
        while True:
            head = await self.reader.readexactly(2)
            size = head[1] & 0x7F
            if size == 126:
                size = int.from_bytes(await self.reader.readexactly(2), "big")
            elif size == 127:
                size = int.from_bytes(await self.reader.readexactly(8), "big")
            payload = await self.reader.readexactly(size) if size else b""
            opcode = head[0] & 0x0F
            if opcode == PING:
                self.writer.write(frame(payload, PONG))
            elif opcode == CLOSE:
                raise ConnectionError(f"closed by the server: {payload[:2].hex()}")
            elif opcode in (TEXT, BINARY):
                return payload

    def close(self) -> None:
        self.writer.close()
