"""The worker process: answers, errors, a worker that dies, and no worker left behind."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from zopa.server import offload


async def test_work_runs_in_another_process_and_its_errors_come_back() -> None:
    try:
        assert await offload.run(os.getpid) != os.getpid()
        assert await offload.run(divmod, 17, 5) == (3, 2)
        with pytest.raises(ValueError, match="invalid literal"):
            await offload.run(int, "seventeen")
        # Not importable in the worker: an error, and the worker still answers after it.
        with pytest.raises(AttributeError):
            await offload.run(lambda: 1)
        assert await offload.run(abs, -4) == 4
    finally:
        await offload.shutdown()


async def test_a_worker_that_died_is_replaced() -> None:
    try:
        first = await offload.run(os.getpid)
        os.kill(first, signal.SIGKILL)
        second = await offload.run(os.getpid)
        assert second != first
    finally:
        await offload.shutdown()


async def test_the_worker_stops_when_its_input_closes() -> None:
    worker = await offload.run(os.getpid)
    await offload.shutdown()
    # shutdown waited for it: the process is gone (or a zombie already reaped).
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)


async def test_a_cancelled_request_does_not_garble_the_next() -> None:
    try:
        slow = asyncio.create_task(offload.run(sum, range(10**8)))
        await asyncio.sleep(0.05)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        assert await offload.run(divmod, 9, 4) == (2, 1)
    finally:
        await offload.shutdown()
