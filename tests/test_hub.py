"""A socket's writes: at once when nothing waits, in order when a write has to wait."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any, cast

import pytest
from starlette.websockets import WebSocket

from zopa.server.hub import Connection


class Socket:
    """Records frames; while ``gate`` is closed, a send waits for it to open."""

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.gate = gate
        self.frames: list[str] = []
        self.arrived = asyncio.Event()
        self.expected = 0
        self.cancelled = False

    async def send(self, message: MutableMapping[str, Any]) -> None:
        if self.gate is not None and not self.gate.is_set():
            try:
                await self.gate.wait()
            except asyncio.CancelledError:
                self.cancelled = True
                raise
        self.frames.append(message["text"])
        if len(self.frames) >= self.expected:
            self.arrived.set()


def connection(socket: Socket) -> Connection:
    made = Connection(cast(WebSocket, socket), socket.send, False, 100.0, 100.0)
    made.start()
    return made


async def parked(made: Connection) -> None:
    # The writer task parks on its empty outbox at its first step.
    await asyncio.sleep(0)


async def test_with_nothing_waiting_a_message_is_written_in_the_senders_turn() -> None:
    socket = Socket()
    made = connection(socket)
    await parked(made)
    for n in range(3):
        made.send({"n": n})
    # No await since the sends: the frames were written by the calls themselves.
    assert socket.frames == ['{"n":0}', '{"n":1}', '{"n":2}']
    made.stop()


async def test_a_write_that_waits_is_finished_first_and_later_ones_follow_in_order() -> None:
    gate = asyncio.Event()
    socket = Socket(gate)
    socket.expected = 4
    made = connection(socket)
    await parked(made)
    made.send({"n": 0})  # starts at once, then waits for the gate
    made.send({"n": 1})
    made.send({"n": 2})
    await asyncio.sleep(0)
    assert socket.frames == []
    gate.set()
    made.send({"n": 3})
    await asyncio.wait_for(socket.arrived.wait(), 5)
    assert socket.frames == ['{"n":0}', '{"n":1}', '{"n":2}', '{"n":3}']
    made.stop()


async def test_a_waiting_write_is_cancelled_with_its_socket() -> None:
    socket = Socket(asyncio.Event())
    made = connection(socket)
    await parked(made)
    made.send({"n": 0})
    await asyncio.sleep(0)  # the writer takes over the waiting write
    made.stop()
    await made.finished(5)
    assert socket.cancelled and socket.frames == []


async def test_a_socket_that_fails_to_write_is_marked_closing() -> None:
    class Broken(Socket):
        async def send(self, message: MutableMapping[str, Any]) -> None:
            raise RuntimeError("the peer is gone")

    made = connection(Broken())
    await parked(made)
    made.send({"n": 0})
    assert made.closing
    made.stop()


@pytest.mark.parametrize("size", [1, 5])
async def test_a_burst_while_the_writer_is_busy_arrives_whole(size: int) -> None:
    gate = asyncio.Event()
    socket = Socket(gate)
    socket.expected = size + 1
    made = connection(socket)
    await parked(made)
    made.send({"n": "first"})
    for n in range(size):
        made.send({"n": n})
    gate.set()
    await asyncio.wait_for(socket.arrived.wait(), 5)
    assert socket.frames == ['{"n":"first"}', *(f'{{"n":{n}}}' for n in range(size))]
    made.stop()


async def test_waiting_for_a_stuck_writer_gives_up_at_the_timeout_and_leaves_it_running() -> None:
    socket = Socket(asyncio.Event())
    made = connection(socket)
    await parked(made)
    made.send({"n": 0})  # waits for a gate that never opens
    await made.finished(0.01)
    assert not socket.cancelled  # the writer is the socket's to stop, not the waiter's
    made.stop()
    await made.finished(5)
    assert socket.cancelled


async def test_a_caller_cancelled_while_waiting_for_the_writer_is_cancelled() -> None:
    # Suppressing CancelledError around the wait once swallowed this: a shutdown that
    # cancelled a handler waiting here saw the handler carry on instead.
    socket = Socket(asyncio.Event())
    made = connection(socket)
    await parked(made)
    made.send({"n": 0})
    waiting = asyncio.create_task(made.finished(60))
    await asyncio.sleep(0)  # the waiter is now inside finished()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert not socket.cancelled
    made.stop()
    await made.finished(5)
