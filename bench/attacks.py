"""Attacks on a running ``zopa serve``, for bench/bench_attacks.py and the hostile tests.

Each is what someone on the workshop's Wi-Fi could do with a laptop: huge bodies, slow
headers, thousands of idle sockets, floods of practice games and guesses, bad frames.
They speak raw HTTP and websocket frames over asyncio streams, so the client stays
cheap next to the server. Every one targets the loopback range only (a source address
in 127.0.0.0/8 stands for another machine) and is bounded in count and time.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import resource
import secrets
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.wsclient import CLOSE, PING, PONG, frame

HOST = "127.0.0.1"
PROBE_TIMEOUT = 3.0


def raise_file_limit() -> int:
    """This process's file limit raised to its hard limit: thousands of sockets need it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def memory_kb(pid: int) -> dict[str, int]:
    """The process's resident memory now (``VmRSS``) and at its peak (``VmHWM``), in KB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def _connect(
    port: int, source: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
    try:
        return await asyncio.open_connection(HOST, port, local_addr=(source, 0))
    except OSError:
        return None


async def _status(reader: asyncio.StreamReader, timeout: float) -> int | None:
    """The status of the HTTP answer being read, or None if the connection just ends."""
    try:
        line = await asyncio.wait_for(reader.readline(), timeout)
    except (TimeoutError, ConnectionError):
        return None
    parts = line.split()
    return int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None


# ---- one huge body ----------------------------------------------------------------


async def huge_body(
    port: int, size: int, chunked: bool = False, block: int = 1 << 20
) -> tuple[int | None, int]:
    """POST ``size`` bytes to /api/practice; the status answered and the bytes sent.

    Sending stops when the server answers or closes: a server that reads the whole body
    before refusing it takes all of it.
    """
    connected = await _connect(port, HOST)
    assert connected is not None, "the server does not accept connections"
    reader, writer = connected
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    writer.write(
        f"POST /api/practice HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
        f"{length}\r\n\r\n".encode()
    )
    answer = asyncio.create_task(_status(reader, 600))
    # A moment for an answer to the headers alone, as a client sending
    # "Expect: 100-continue" would wait: a server may refuse by the declared length.
    await asyncio.wait([answer], timeout=0.5)
    payload = b"x" * block
    sent = 0
    try:
        while sent < size and not answer.done():
            piece = payload[: min(block, size - sent)]
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece)
            await writer.drain()
            sent += len(piece)
        if chunked and not answer.done():
            writer.write(b"0\r\n\r\n")
        status = await answer
    except ConnectionError:
        status = await answer
    finally:
        writer.close()
    return status, sent


# ---- crowds of connections ----------------------------------------------------------


@dataclass
class Crowd:
    """What became of each connection of an attack, and the probes of /healthz beside it."""

    refused: int = 0  # not accepted, or answered and closed within a second
    cut: list[float] = field(default_factory=list)  # closed later: seconds after opening
    held: int = 0  # still open when the attack ended
    answers: Counter[int | str] = field(default_factory=Counter)  # status or close code
    probes: list[float | None] = field(default_factory=list)  # /healthz latency, None: failed
    peak_files: int = 0  # the server's open files at most, when sampled

    def summary(self) -> str:
        cut = "0 cut"
        if self.cut:
            cut = f"{len(self.cut)} cut after {min(self.cut):.1f}-{max(self.cut):.1f} s"
        answered = [p for p in self.probes if p is not None]
        worst = f"{max(answered) * 1000:.0f} ms" if answered else "-"
        within = sum(1 for p in answered if p < 1.0)
        return (
            f"{self.refused} refused at once, {cut}, {self.held} still held"
            + (f" (server: {self.peak_files} open files at most)" if self.peak_files else "")
            + "; "
            f"/healthz {len(answered)}/{len(self.probes)} answered "
            f"({within} within a second), slowest {worst}"
        )


async def probe_health(port: int, over: asyncio.Event, every: float = 0.25) -> list[float | None]:
    """GET /healthz on a new connection from 127.0.0.1 every ``every`` s until ``over``.

    Each probe's seconds to a 200; None if it failed or took over ``PROBE_TIMEOUT``.
    The probes run on a thread of their own with blocking sockets, so the attack's
    thousands of coroutines on this event loop do not delay them.
    """
    stop = threading.Event()
    probing = asyncio.ensure_future(asyncio.to_thread(_probe_until, port, stop, every))
    await over.wait()
    stop.set()
    return await probing


def _probe_until(port: int, stop: threading.Event, every: float) -> list[float | None]:
    found: list[float | None] = []
    while not stop.is_set():
        started = time.monotonic()
        found.append(_probe(port, started))
        stop.wait(max(0.0, every - (time.monotonic() - started)))
    return found


def _probe(port: int, started: float) -> float | None:
    try:
        with socket.create_connection((HOST, port), timeout=PROBE_TIMEOUT) as probe:
            probe.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
            probe.settimeout(max(0.01, PROBE_TIMEOUT - (time.monotonic() - started)))
            answer = probe.recv(64)
    except OSError:
        return None
    return time.monotonic() - started if answer.startswith(b"HTTP/1.1 200") else None


class _Hold:
    """An attack's clock: over ``seconds`` after its last connection was tried.

    Counting from the last one keeps the verdicts the same on a slow machine: a socket
    opened late is held as long as the first before it is counted as held.
    """

    def __init__(self, count: int, seconds: float) -> None:
        self.loop = asyncio.get_running_loop()
        self.left = count
        self.seconds = seconds
        self.over = asyncio.Event()

    def tried(self) -> None:
        self.left -= 1
        if self.left == 0:
            self.loop.call_later(self.seconds, self.over.set)


async def slow_headers(
    port: int,
    source: str,
    count: int,
    seconds: float,
    byte_every: float,
    server_pid: int | None = None,
) -> Crowd:
    """``count`` connections from ``source``, each sending its headers a byte at a time."""
    crowd = Crowd()
    hold = _Hold(count, seconds)
    loop = hold.loop
    opening = asyncio.Semaphore(256)

    async def one() -> None:
        async with opening:
            connected = await _connect(port, source)
        hold.tried()
        if connected is None:
            crowd.refused += 1
            return
        reader, writer = connected
        opened = loop.time()
        writer.write(b"GET /healthz HTTP/1.1\r\nX-Slow: ")
        while not hold.over.is_set():
            try:
                data = await asyncio.wait_for(reader.read(4096), byte_every)
            except TimeoutError:
                writer.write(b"x")
                continue
            except ConnectionError:
                data = b""
            _closed_after(crowd, data, loop.time() - opened)
            break
        else:
            crowd.held += 1
        writer.close()

    probes = asyncio.create_task(probe_health(port, hold.over))
    sampling = asyncio.create_task(_sample_files(crowd, server_pid, hold.over))
    await asyncio.gather(*(one() for _ in range(count)))
    crowd.probes = await probes
    await sampling
    return crowd


def _closed_after(crowd: Crowd, data: bytes, after: float) -> None:
    """A connection the server ended: a 503 was turned away, anything else was cut."""
    parts = data.split(b" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    crowd.answers["closed" if status is None else status] += 1
    if status == 503 or (status is None and after < 1.0):
        crowd.refused += 1
    else:
        crowd.cut.append(after)


def _upgrade(port: int) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET /ws HTTP/1.1\r\nHost: {HOST}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


async def _frames(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int:
    """Read frames, answering pings, until the server closes; its close code."""
    while True:
        head = await reader.readexactly(2)
        size = head[1] & 0x7F
        if size == 126:
            size = int.from_bytes(await reader.readexactly(2), "big")
        elif size == 127:
            size = int.from_bytes(await reader.readexactly(8), "big")
        payload = await reader.readexactly(size) if size else b""
        opcode = head[0] & 0x0F
        if opcode == PING:
            writer.write(frame(payload, PONG))
        elif opcode == CLOSE:
            return int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005


async def idle_sockets(
    port: int,
    source: str,
    count: int,
    seconds: float,
    hello: dict[str, object] | None,
    server_pid: int | None = None,
) -> Crowd:
    """``count`` websockets from ``source``, each saying ``hello`` (if any), then idle.

    With ``server_pid`` the server's open files are sampled meanwhile (``peak_files``).
    """
    crowd = Crowd()
    hold = _Hold(count, seconds)
    loop = hold.loop
    opening = asyncio.Semaphore(256)
    greeting = None if hello is None else frame(json.dumps(hello).encode())

    async def one() -> None:
        async with opening:
            connected = await _connect(port, source)
            if connected is None:
                hold.tried()
                crowd.refused += 1
                return
            reader, writer = connected
            opened = loop.time()
            writer.write(_upgrade(port))
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
                head = b""
        hold.tried()
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            _closed_after(crowd, head, loop.time() - opened)
            writer.close()
            return
        if greeting is not None:
            writer.write(greeting)
        closing = asyncio.ensure_future(_frames(reader, writer))
        over = asyncio.ensure_future(hold.over.wait())
        await asyncio.wait([closing, over], return_when=asyncio.FIRST_COMPLETED)
        over.cancel()
        if not closing.done():
            closing.cancel()
            crowd.held += 1
        elif closing.exception() is not None:
            crowd.answers["dropped"] += 1
            crowd.cut.append(loop.time() - opened)
        else:
            crowd.answers[closing.result()] += 1
            after = loop.time() - opened
            if after < 1.0:
                crowd.refused += 1
            else:
                crowd.cut.append(after)
        writer.close()

    probes = asyncio.create_task(probe_health(port, hold.over))
    sampling = asyncio.create_task(_sample_files(crowd, server_pid, hold.over))
    await asyncio.gather(*(one() for _ in range(count)))
    crowd.probes = await probes
    await sampling
    return crowd


async def _sample_files(crowd: Crowd, pid: int | None, over: asyncio.Event) -> None:
    while pid is not None and not over.is_set():
        crowd.peak_files = max(crowd.peak_files, open_files(pid))
        await asyncio.sleep(0.1)


# ---- floods of requests ----------------------------------------------------------------


async def http_call(
    port: int,
    method: str,
    path: str,
    body: object = None,
    bearer: str | None = None,
    source: str = HOST,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request on its own connection: status, headers (lower-case), body.

    Status 0: the connection was refused or reset before an answer could be read.
    """
    connected = await _connect(port, source)
    if connected is None:
        return 0, {}, b""
    reader, writer = connected
    data = b"" if body is None else json.dumps(body).encode()
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n"
    head += f"Content-Length: {len(data)}\r\nContent-Type: application/json\r\n"
    if bearer is not None:
        head += f"Authorization: Bearer {bearer}\r\n"
    writer.write(head.encode() + b"\r\n" + data)
    try:
        raw = await asyncio.wait_for(reader.read(), 10)
    except ConnectionError:
        raw = b""
    writer.close()
    if not raw:
        return 0, {}, b""
    top, _, content = raw.partition(b"\r\n\r\n")
    lines = top.decode().split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, content


async def ws_exchange(
    port: int, messages: list[bytes], source: str = HOST, wait: float = 5.0
) -> int | str:
    """Open a websocket, send these raw frames' payloads as text frames, read until closed.

    The close code, or "open" if the server kept the socket ``wait`` seconds.
    """
    connected = await _connect(port, source)
    if connected is None:
        return "refused"
    reader, writer = connected
    writer.write(_upgrade(port))
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (ConnectionError, asyncio.IncompleteReadError):
        writer.close()
        return "dropped"
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        writer.close()
        return int(head.split()[1])
    for payload in messages:
        writer.write(frame(payload))
    try:
        code: int | str = await asyncio.wait_for(_frames(reader, writer), wait)
    except TimeoutError:
        code = "open"
    except (ConnectionError, asyncio.IncompleteReadError):
        code = "dropped"
    writer.close()
    return code


def hello(token: str) -> bytes:
    return json.dumps({"type": "hello", "token": token}).encode()


def code_guess() -> str:
    return "".join(secrets.choice("34679ACDEFGHJKMNPQRTWXY") for _ in range(6))


@dataclass
class Guessing:
    """How a stream of wrong guesses fared: answers by status or close code."""

    seconds: float = 0.0
    answers: Counter[int | str] = field(default_factory=Counter)

    def checked_per_second(self, wrong: int | str) -> float:
        """Guesses the server looked at and found ``wrong`` (401, 404, 4401) per second."""
        return self.answers[wrong] / self.seconds


async def guess(
    port: int, what: str, seconds: float = 60.0, attempts: int = 10**9, source: str = HOST
) -> Guessing:
    """Wrong join codes, facilitator keys or player tokens, as fast as one client can.

    For ``seconds`` or ``attempts``, whichever ends first.
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    found = Guessing()
    while loop.time() - started < seconds and found.answers.total() < attempts:
        answer: int | str
        if what == "code":
            path = f"/api/sessions/{code_guess()}/players"
            answer = (await http_call(port, "POST", path, {"name": "x"}, source=source))[0]
        elif what == "key":
            bearer = secrets.token_urlsafe(18)
            answer = (await http_call(port, "GET", "/api/sessions/ABCDEF", None, bearer, source))[0]
        else:
            answer = await ws_exchange(port, [hello(secrets.token_urlsafe(24))], source)
        found.answers[answer] += 1
    found.seconds = loop.time() - started
    return found


@dataclass
class Flood:
    games: int = 0
    refused: int = 0
    retry_after: set[str] = field(default_factory=set)
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)  # 0: connection refused


async def practice_flood(
    port: int,
    seconds: float,
    workers: int = 4,
    source: str = HOST,
    games: int = 10**9,
    refusals: int = 10**9,
) -> Flood:
    """Practice games started and walked out of in a loop, with no login.

    For ``seconds``, or until so many ``games`` were made or ``refusals`` answered.
    """
    loop = asyncio.get_running_loop()
    until = loop.time() + seconds
    flood = Flood()
    body = {"name": "flood", "scenario": "guitar"}

    async def worker() -> None:
        while loop.time() < until and flood.games < games and flood.refused < refusals:
            status, headers, content = await http_call(
                port, "POST", "/api/practice", body, source=source
            )
            flood.statuses[status] += 1
            if status != 201:
                flood.refused += 1
                flood.retry_after.add(headers.get("retry-after", ""))
                continue
            flood.games += 1
            token = json.loads(content)["token"]
            walkout = json.dumps({"type": "walkout"}).encode()
            await ws_exchange(port, [hello(token), walkout], source, wait=0.05)

    started = loop.time()
    await asyncio.gather(*(worker() for _ in range(workers)))
    flood.seconds = loop.time() - started
    return flood


def database_bytes(path: Path) -> int:
    """The SQLite file with its write-ahead log."""
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
