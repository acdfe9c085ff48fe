"""Virtual time: timing tests that take milliseconds, not the seconds they describe.

``VirtualTimeLoop`` is an asyncio event loop whose clock stands still while anything
can happen (a callback is ready, a socket has bytes or bytes are on their way to it, a
thread is working for the loop) and jumps straight to the next timer when nothing can.
Deadlines, breaks, bot ticks, grace periods and scheduled rounds then fall exactly when
they are due, however loaded the machine is, and a test's own ``wait_for`` timeouts run
in the same time.

``VirtualServer`` is zopa on that loop, in the test's process: the same app as
``zopa serve`` (real uvicorn, real sockets on 127.0.0.1, a real SQLite file), given the
loop's clock through ``create_app(clock=...)``, so the server's wall-clock readings and
its timers agree. The clients of ``tests/live.py`` talk to it unchanged, and so does
``run_bots(clock=...)``. A test opts in with the ``virtual_time`` decorator, and gets
a running server as its ``server`` argument, as a real-server test does from the
``server`` fixture::

    @virtual_time
    async def test_a_deadline(server: VirtualServer) -> None:
        ...

The clock waits only for what the loop can see: bytes between two of its own TCP
sockets (Linux's ``tcp_info``), work handed to ``run_in_executor`` (``asyncio.to_thread``:
``Http.ask``, the bots' joins), and the server's storage (wrapped here: SQLite works on
a thread of its own). A child process runs in real time, so tests with one (``zopa bots
join``, a killed server, a browser) use ``tests/live.Server``. ``Http.call`` blocks its
thread: on the server's own loop use ``await server.ask``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import functools
import inspect
import os
import selectors
import socket
import struct
import termios
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Mapping
from concurrent.futures import Executor
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar, cast, overload

import uvicorn

from tests.live import KEY, Http
from zopa.server.app import Zopa, create_app
from zopa.server.commands.serve import uvicorn_config
from zopa.server.config import Settings
from zopa.server.storage import Storage
from zopa.server.storage_open import storage_for

T = TypeVar("T")

# Real seconds the loop waits for the world outside it before looking again: a thread's
# answer wakes it sooner. Nothing here is a timing: only how often a stuck test looks up.
_OUTSIDE = 0.05
# Real seconds the loop waits for bytes still on their way between two of its sockets:
# loopback TCP delivers them a moment after ``send``, and a moment can be long on a
# loaded machine (``tcp_in_flight``).
_IN_FLIGHT = 0.001
# A test that waits this long in real time is stuck, whatever its virtual clock says.
REAL_LIMIT = 120.0


class VirtualClock:
    """One loop's time: ``now`` for ``loop.time()``, and, called, wall-clock seconds."""

    def __init__(self, epoch: float | None = None) -> None:
        self.now = 0.0
        # Wall-clock seconds at loop time 0: today, so dates and schedules look real.
        self.epoch = time.time() if epoch is None else epoch
        self.busy = 0  # pieces of work in flight outside the loop

    def __call__(self) -> float:
        return self.epoch + self.now

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """While the block runs, work outside the loop is in flight: the clock waits."""
        self.busy += 1
        try:
            yield
        finally:
            self.busy -= 1


class _Stopwatch(selectors.BaseSelector):
    """The loop's selector: asked to sleep until the next timer, it moves the clock instead."""

    def __init__(self, clock: VirtualClock) -> None:
        self._real = selectors.DefaultSelector()
        self._clock = clock

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._real.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.modify(fileobj, events, data)

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return self._real.get_map()

    def close(self) -> None:
        self._real.close()

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = self._real.select(0)
        if ready or timeout == 0:
            return ready
        if self._clock.busy:
            # A thread is working for the loop: its answer comes in real time.
            return self._real.select(_OUTSIDE)
        if tcp_in_flight([key.fd for key in self._real.get_map().values()]):
            return self._real.select(_IN_FLIGHT)
        if timeout is None:
            # No timer at all: only the outside world could wake the loop now.
            return self._real.select(_OUTSIDE)
        self._clock.now += timeout
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self.clock = VirtualClock()
        super().__init__(_Stopwatch(self.clock))

    def time(self) -> float:
        return self.clock.now

    def run_in_executor(  # type: ignore[override]
        self, executor: Executor | None, func: Callable[..., T], *args: Any
    ) -> asyncio.Future[T]:
        future = super().run_in_executor(executor, func, *args)
        self.clock.busy += 1

        def done(_: asyncio.Future[T]) -> None:
            self.clock.busy -= 1

        future.add_done_callback(done)
        return future


# Offsets in Linux's ``struct tcp_info`` (linux/tcp.h): the state, then byte counters.
_TCP_INFO_SIZE = 216
_STATE = 0
_BYTES_RECEIVED = 128
_NOTSENT_BYTES = 144  # written by the program, not yet sent by TCP
_BYTES_SENT = 200  # retransmissions included
_BYTES_RETRANS = 208
_SYN_SENT, _SYN_RECV, _LISTEN = 2, 3, 10
_INTERNET = (socket.AF_INET, socket.AF_INET6)


def tcp_in_flight(fds: list[int]) -> bool:
    """Whether any of these sockets has bytes on their way that have not arrived.

    A connection with both ends here is in flight when the bytes one end was given to
    send exceed the bytes the other end received; with the other end elsewhere, when
    bytes wait to be sent or acknowledged. A handshake under way is in flight too. Linux
    only (``struct tcp_info``): elsewhere, never.
    """
    ends: dict[tuple[Any, Any], tuple[int, int, int]] = {}  # (here, there) -> counts
    for fd in fds:
        try:
            end = socket.socket(fileno=os.dup(fd))
        except OSError:
            continue
        with end:
            if end.type != socket.SOCK_STREAM or end.family not in _INTERNET:
                continue
            try:
                info = end.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCP_INFO_SIZE)
            except (OSError, AttributeError):
                return False
            if len(info) < _TCP_INFO_SIZE:
                return False
            state = info[_STATE]
            if state in (_SYN_SENT, _SYN_RECV):
                return True
            if state == _LISTEN:
                continue
            try:
                here, there = end.getsockname(), end.getpeername()
            except OSError:
                continue
            (received,) = struct.unpack_from("Q", info, _BYTES_RECEIVED)
            (unsent,) = struct.unpack_from("I", info, _NOTSENT_BYTES)
            if unsent:
                # Linux may hold a small write back until the ones before it are handed
                # over (autocorking), which a loaded machine takes its time over: setting
                # TCP_NODELAY, already on, pushes it out now.
                end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sent, again = struct.unpack_from("QQ", info, _BYTES_SENT)
            unacknowledged = fcntl.ioctl(end.fileno(), termios.TIOCOUTQ, bytes(4))
            waiting = struct.unpack("i", unacknowledged)[0]
            ends[(here, there)] = (sent - again + unsent, received, waiting)
    for (here, there), (given, _, waiting) in ends.items():
        other = ends.get((there, here))
        if (other[1] < given) if other is not None else waiting > 0:
            return True
    return False


def virtual_clock() -> VirtualClock:
    """The clock of the running loop, which must be a ``VirtualTimeLoop``."""
    loop = asyncio.get_running_loop()
    if not isinstance(loop, VirtualTimeLoop):
        raise RuntimeError("not on a virtual-time loop: decorate the test with @virtual_time")
    return loop.clock


# What the server a virtual-time test is given is set to, as tests/conftest.py sets the
# real ``server`` fixture's.
SERVER_SETTINGS: dict[str, Any] = {"grace_seconds": 0.5}


AsyncTest = Callable[..., Coroutine[Any, Any, None]]


@overload
def virtual_time(test: AsyncTest, /) -> Callable[..., None]: ...


@overload
def virtual_time(**settings: Any) -> Callable[[AsyncTest], Callable[..., None]]: ...


def virtual_time(
    test: AsyncTest | None = None, /, **settings: Any
) -> Callable[..., None] | Callable[[AsyncTest], Callable[..., None]]:
    """Run an async test on a fresh ``VirtualTimeLoop`` (pytest sees a plain test).

    A test with a ``server`` parameter is given a ``VirtualServer`` there, on a database
    in its ``tmp_path``, started before the test and stopped after it: the test reads as
    it would with the real ``server`` fixture. ``@virtual_time(**settings)`` sets that
    server's ``Settings`` fields beyond ``SERVER_SETTINGS``, as a test module's own
    ``server`` fixture would (``practice_limit="200/60"``).
    """
    if test is None:
        return functools.partial(_on_virtual_time, settings={**SERVER_SETTINGS, **settings})
    return _on_virtual_time(test, SERVER_SETTINGS)


def _on_virtual_time(test: AsyncTest, settings: dict[str, Any]) -> Callable[..., None]:
    signature = inspect.signature(test)
    serves = "server" in signature.parameters
    own_folder = "tmp_path" in signature.parameters
    shown = [p for name, p in signature.parameters.items() if name != "server"]
    if serves and not own_folder:
        shown.append(inspect.Parameter("tmp_path", inspect.Parameter.KEYWORD_ONLY))

    async def served(*args: Any, **kwargs: Any) -> None:
        if not serves:
            await test(*args, **kwargs)
            return
        folder: Path = kwargs["tmp_path"] if own_folder else kwargs.pop("tmp_path")
        async with VirtualServer(folder / "zopa.db", **settings) as server:
            await test(*args, server=server, **kwargs)

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            runner.run(_within_real_time(served(*args, **kwargs), REAL_LIMIT))

    # What pytest reads to choose the fixtures: the test's own, less ``server``.
    setattr(run, "__signature__", signature.replace(parameters=shown))  # noqa: B010
    return run


async def _within_real_time(test: Coroutine[Any, Any, None], seconds: float) -> None:
    """The test, cancelled if it runs longer than ``seconds`` of real time."""
    task = asyncio.ensure_future(test)
    loop = asyncio.get_running_loop()
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        loop.call_soon_threadsafe(task.cancel)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        await task
    except asyncio.CancelledError:
        if expired.is_set():
            raise TimeoutError(f"the test ran over {seconds} s of real time") from None
        raise
    finally:
        timer.cancel()


class HeldStorage:
    """A storage whose every call holds the clock until its work is done.

    SQLite works on a thread of its own and PostgreSQL over a socket, in real time: a
    commit in progress must not let a deadline or a test's timeout fall before its
    result is back on the loop.
    """

    def __init__(self, inner: Storage, clock: VirtualClock) -> None:
        self._inner = inner
        self._clock = clock

    def record(
        self,
        game_id: str,
        events: list[tuple[int, str]],
        result: str | None,
        then: Callable[[bool], None],
    ) -> None:
        self._clock.busy += 1

        def stored(ok: bool) -> None:
            self._clock.busy -= 1
            then(ok)

        self._inner.record(game_id, events, result, stored)

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._inner, name)
        if not inspect.iscoroutinefunction(found):
            return found

        @functools.wraps(found)
        async def held(*args: Any, **kwargs: Any) -> Any:
            with self._clock.holding():
                return await found(*args, **kwargs)

        return held


class _InLoop(uvicorn.Server):
    """uvicorn as a task of the test's loop: the test runner keeps its signal handlers."""

    @contextlib.contextmanager
    def capture_signals(self) -> Any:
        yield


class VirtualServer(Http):
    """zopa in this process on the virtual-time loop, on a database of its own.

    ``database`` is a SQLite file or a PostgreSQL URL, as ``zopa serve --db`` takes.

    ``settings`` are ``Settings`` fields (``grace_seconds=0.5``, ``bot_tick=...``).
    ``stop`` is what SIGTERM does to ``zopa serve``: every socket closed with 1001, the
    games stopped, storage flushed; ``start`` again is a restart on the same database
    and port, and virtual time may pass in between.
    """

    def __init__(self, database: Path | str, **settings: Any) -> None:
        self._socket: socket.socket | None = _listening(0)
        super().__init__(self._socket.getsockname()[1])
        self.database = database
        chosen: dict[str, Any] = {
            # Python's own collector stays on: the sweeper would switch it off for the
            # whole test run, not for this server alone.
            "gc_sweep_seconds": 0.0,
            # A commit waits for the one before it in real time: no reason to wait more.
            "commit_interval": 0.0,
            **settings,
        }
        self.settings = Settings(
            database=str(database), facilitator_key=KEY, key_generated=False, **chosen
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._uvicorn: _InLoop | None = None
        self._serving: asyncio.Task[None] | None = None
        self._zopa: Zopa | None = None

    @property
    def clock(self) -> VirtualClock:
        """The clock the server reads: use it for times the test compares with the server's."""
        return virtual_clock()

    @property
    def zopa(self) -> Zopa:
        assert self._zopa is not None, "the server is not running"
        return self._zopa

    async def start(self) -> None:
        clock = virtual_clock()
        self._loop = asyncio.get_running_loop()
        storage = storage_for(self.settings.database, self.settings.commit_interval)
        app = create_app(self.settings, clock, cast(Storage, HeldStorage(storage, clock)))
        self._zopa = app.state.zopa
        args = argparse.Namespace(host="127.0.0.1", port=self.port, forwarded_allow_ips=None)
        server = _InLoop(uvicorn_config(args, self.settings, app))
        listening = self._socket or _listening(self.port)
        self._socket = None  # uvicorn closes it when it stops
        self._uvicorn = server
        self._serving = asyncio.create_task(server.serve(sockets=[listening]), name="uvicorn")
        while not server.started:
            if self._serving.done():
                self._serving.result()  # start-up failed: its exception
                raise RuntimeError("the server stopped during start-up")
            await asyncio.sleep(0.001)

    async def stop(self) -> None:
        """Stop as on SIGTERM: sockets closed with 1001, games stopped, storage closed."""
        if self._serving is None or self._uvicorn is None:
            return
        await self.zopa.drain()
        self._uvicorn.should_exit = True
        await self._serving
        self._serving = self._uvicorn = self._zopa = None

    async def restart(self, down: float = 0.0) -> None:
        """Stop, let ``down`` seconds pass with the server away, and start again."""
        await self.stop()
        await asyncio.sleep(down)
        await self.start()

    def call(
        self, method: str, path: str, body: Any = None, key: str | None = KEY
    ) -> tuple[int, Any]:
        if self._loop is not None and _running_loop() is self._loop:
            raise RuntimeError("the server runs on this thread: use `await server.ask(...)`")
        return super().call(method, path, body, key)

    async def __aenter__(self) -> VirtualServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.stop()
        if self._socket is not None:
            self._socket.close()


def _listening(port: int) -> socket.socket:
    """A socket bound to 127.0.0.1 (uvicorn listens on it), on a free port if 0."""
    bound = socket.socket()
    bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    bound.bind(("127.0.0.1", port))
    return bound


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
