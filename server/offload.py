"""Pure work too heavy for the event loop, run in a worker process.

Pairing a round of a thousand players is pure Python: on the event loop it would
freeze every game while it runs, and in a thread it would hold the interpreter lock the
loop needs (bench/bench_pairing.py measures all three; the figures are in
docs/performance.md). So it runs in one worker process, ``python -m zopa.server.offload``,
started on first use and kept, at the lowest CPU priority.

The worker is a plain child on two pipes, spoken to through the event loop: a request
is the pickled function (by name) and its arguments, the answer its pickled result, each
after its length. No helper threads in the server (a process pool's would take the
interpreter lock to pickle), no re-import of the server's main module (as a pool's
spawned workers do), and when the server dies, however it dies, the worker reads the end
of its input and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import pickle
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

T = TypeVar("T")
_LENGTH = struct.Struct("!Q")


class OffloadError(Exception):
    """The worker process died twice on the same work."""


@dataclass
class _Worker:
    process: asyncio.subprocess.Process
    loop: asyncio.AbstractEventLoop
    lock: asyncio.Lock
    # Set as soon as a conversation fails: the process may not have been reaped yet.
    broken: bool = False

    @property
    def usable(self) -> bool:
        alive = not self.broken and self.process.returncode is None
        return alive and self.loop is asyncio.get_running_loop()

    def stop(self) -> None:
        self.broken = True
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()


_worker: _Worker | None = None


async def _started() -> _Worker:
    global _worker
    if _worker is not None and _worker.usable:
        return _worker
    if _worker is not None:
        _worker.stop()
    # The worker imports the work's module by name: it must see the modules we see.
    path = os.pathsep.join(p for p in sys.path if p)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "zopa.server.offload",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path},
    )
    _worker = _Worker(process, asyncio.get_running_loop(), asyncio.Lock())
    return _worker


async def run(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``work(*args, **kwargs)`` in the worker process; ``work`` must be importable by name,
    its arguments and answer picklable. An exception it raises is raised here."""
    request = pickle.dumps((work, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
    for attempt in (1, 2):
        worker = await _started()
        try:
            ok, value = await _ask(worker, request)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            # The worker died (killed, out of memory): start another, once.
            worker.stop()
            if attempt == 2:
                raise OffloadError(f"the worker process died running {work.__name__}") from exc
            continue
        if not ok:
            raise cast(BaseException, value)
        return cast(T, value)
    raise AssertionError("unreachable")


async def _ask(worker: _Worker, request: bytes) -> tuple[bool, object]:
    stdin, stdout = worker.process.stdin, worker.process.stdout
    assert stdin is not None and stdout is not None
    async with worker.lock:
        try:
            stdin.write(_LENGTH.pack(len(request)) + request)
            await stdin.drain()
            (size,) = _LENGTH.unpack(await stdout.readexactly(_LENGTH.size))
            answer = await stdout.readexactly(size)
        except asyncio.CancelledError:
            # Half a conversation would garble the next one: this worker is done.
            worker.stop()
            raise
    return cast(tuple[bool, object], pickle.loads(answer))


async def shutdown() -> None:
    """Stop the worker, if one was started (it also stops by itself when the server exits)."""
    global _worker
    worker, _worker = _worker, None
    if worker is not None and worker.process.returncode is None:
        assert worker.process.stdin is not None
        worker.process.stdin.close()
        await worker.process.wait()


def serve(requests: Any, answers: Any) -> None:
    """The worker's loop: answer each request until the server closes the pipe."""
    while True:
        head = requests.read(_LENGTH.size)
        if len(head) < _LENGTH.size:
            return
        (size,) = _LENGTH.unpack(head)
        request = requests.read(size)
        try:
            work, args, kwargs = pickle.loads(request)
            answer: tuple[bool, object] = (True, work(*args, **kwargs))
        except Exception as exc:
            answer = (False, exc)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            # Here this module is __main__, which the server cannot unpickle from: a builtin.
            data = pickle.dumps((False, RuntimeError(f"unpicklable answer: {exc!r}")))
        answers.write(_LENGTH.pack(len(data)) + data)
        answers.flush()
        # Collected between requests, not during one (the collector is off, as in the
        # server): the work's many short-lived objects would set it off again and again.
        # What survives (modules the work imported, what it keeps) is frozen, so that the
        # next sweep looks only at what the next request leaves: sweeping the worker's
        # every object after each request took longer than a small request itself.
        gc.collect()
        gc.freeze()


if __name__ == "__main__":
    # Where the server shares a core with its worker, its players come first.
    os.nice(19)
    gc.disable()
    # Answers go on the real standard output only: anything printed goes to stderr.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(sys.stdin.buffer, answers)
