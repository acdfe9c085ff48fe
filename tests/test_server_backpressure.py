"""A player whose device stops reading is closed with 4008; the game goes on for the other.

Nothing is mocked: the stuck player's websocket client stops taking frames (its queue
fills and it stops reading the socket), the kernel's buffers and uvicorn's fill behind
it, its outbox in zopa fills (server/hub.py), and the server gives up on it.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets

from tests.live import Player, Server, open_session
from zopa.server.hub import OUTBOX

LINE = "x" * 1900  # near the longest chat
CHATS = 4 * OUTBOX  # about 8 MB for the stuck player
WINDOW = 64  # chats the talker has in flight


@pytest.fixture
def fast(tmp_path: Path) -> Iterator[Server]:
    live = Server(tmp_path / "zopa.db", ZOPA_RATE="100000", ZOPA_BURST="100000")
    live.start()
    yield live
    live.stop()


def small_socket(server: Server) -> socket.socket:
    """A connection with a small receive buffer: the kernel cannot soak up the backlog."""
    made = socket.socket()
    made.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: the window
    made.connect(("127.0.0.1", server.port))
    made.setblocking(False)
    return made


async def talk(talker: Player) -> None:
    """Send every chat, a window of them in flight, reading the talker's own events."""
    sent = 0
    heard = 0
    while heard < CHATS:
        while sent < CHATS and sent - heard < WINDOW:
            await talker.send({"type": "chat", "text": f"{sent} {LINE}"})
            sent += 1
        await talker.event("chat", timeout=10)  # in order, without gaps
        heard += 1


async def test_a_player_who_stops_reading_is_closed_and_the_partner_plays_on(
    fast: Server,
) -> None:
    code = await open_session(fast, "campsite")
    talker = await Player(fast, code, "Ana").join()
    stuck = await Player(fast, code, "Ben").join()
    await talker.connect()
    await stuck.connect(sock=small_socket(fast))
    await fast.acall("POST", f"/api/sessions/{code}/rounds")
    for player in (talker, stuck):
        await player.c.type("game")
    # From here ``stuck`` reads nothing: its client stops taking frames from the socket
    # once a few are queued.
    await talk(talker)
    await talker.send({"type": "ping"})
    assert (await talker.c.type("pong"))["type"] == "pong"

    chats = 0
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await stuck.event("chat", timeout=10)  # in order, without gaps
            chats += 1
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4008
    # Cut off: it was sent what fit in the buffers and its outbox, in order, no more.
    assert 0 < chats < CHATS - OUTBOX, chats
    await asyncio.wait_for(talker.send({"type": "ping"}), 5)
    assert (await talker.c.type("pong"))["type"] == "pong"
