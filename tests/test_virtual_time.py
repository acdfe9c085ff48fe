"""The virtual-time harness itself: time jumps when nothing can happen, and only then."""

from __future__ import annotations

import asyncio
import time

from tests.live import open_session
from tests.test_server_game import paired
from tests.virtual_time import VirtualServer, virtual_clock, virtual_time


@virtual_time
async def test_an_hour_asleep_takes_no_real_time() -> None:
    clock = virtual_clock()
    loop = asyncio.get_running_loop()
    started, real = loop.time(), time.perf_counter()
    await asyncio.sleep(3600)
    assert loop.time() - started == 3600
    assert clock() == clock.epoch + loop.time()
    assert time.perf_counter() - real < 1


@virtual_time
async def test_the_clock_waits_for_a_thread_working_for_the_loop() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    # Without the hold, the loop would find nothing to do and jump past the timeout.
    await asyncio.wait_for(asyncio.to_thread(time.sleep, 0.05), timeout=0.001)
    assert loop.time() == started


@virtual_time
async def test_the_clock_waits_for_frames_on_their_way(server: VirtualServer) -> None:
    started = server.clock()
    # A round's start and every move send frames to both players back to back:
    # Linux holds some of them back for a moment, which must not count as idle.
    _, players, _ = await paired(server, "guitar")
    turn = players["seller"].c.received[-1]["turn"]
    mover, other = players[turn], players["buyer" if turn == "seller" else "seller"]
    for price in range(12):
        await mover.send({"type": "offer", "terms": {"price": price}})
        for player in players.values():
            await player.event("offer", timeout=0.001)
        mover, other = other, mover
    assert server.clock() == started


@virtual_time
async def test_a_server_call_and_its_commit_take_no_virtual_time(server: VirtualServer) -> None:
    started = server.clock()
    await open_session(server, "guitar")
    assert server.clock() == started
    await server.restart(down=30)
    assert server.clock() >= started + 30
