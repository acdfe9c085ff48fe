"""The bare relay: the ceiling for zopa on the same stack (docs/performance.md).

Starlette on the same uvicorn and websocket implementation as ``zopa serve``. Two
sockets that say hello with the same ``pair`` are partners; every later message is
forwarded to the partner and acknowledged to the sender, as zopa sends each event to
both players. No rules, no storage.

Run: ``python bench/relay.py PORT``.
"""

from __future__ import annotations

import sys

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

waiting: dict[str, WebSocket] = {}
partners: dict[WebSocket, WebSocket] = {}


async def relay(socket: WebSocket) -> None:
    await socket.accept()
    try:
        hello = orjson.loads(await socket.receive_text())
        pair = str(hello["pair"])
        if pair in waiting:
            other = waiting.pop(pair)
            partners[socket], partners[other] = other, socket
        else:
            waiting[pair] = socket
        await socket.send_text('{"type":"welcome"}')
        seq = 0
        while True:
            text = await socket.receive_text()
            seq += 1
            message = orjson.loads(text)
            out = orjson.dumps({"type": "event", "seq": seq, "event": message}).decode()
            partner = partners.get(socket)
            if partner is not None:
                await partner.send_text(out)
            await socket.send_text(out)
    except WebSocketDisconnect:
        pass
    finally:
        partner = partners.pop(socket, None)
        if partner is not None:
            partners.pop(partner, None)


app = Starlette(routes=[WebSocketRoute("/ws", relay)])

if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
        ws_per_message_deflate=False,
        ws_max_size=16 * 1024,
    )
