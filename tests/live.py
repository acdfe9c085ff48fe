"""A real zopa server in a child process, and real websocket players talking to it.

The server runs as ``zopa serve`` would (its own process, uvicorn, SQLite file), so
tests can kill it with SIGKILL or SIGTERM and start it again on the same database.
Every wait is on an event with a timeout: a frame arriving, a port answering.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgpack
import websockets
from websockets.asyncio.client import ClientConnection

KEY = "test-facilitator-key"
_LOOK_AGAIN = 0.005  # seconds between two looks at a starting server's port
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Http:
    """A zopa server's address and its HTTP API, wherever the server runs."""

    def __init__(self, port: int) -> None:
        self.port = port
        # The CA to trust when clients reach the server through a TLS proxy.
        self.tls: ssl.SSLContext | None = None

    @property
    def direct_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """Where clients send HTTP: the server itself, or a proxy in front of it."""
        return self.direct_url

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def connect_options(self) -> dict[str, Any]:
        """Extra arguments for ``websockets.connect``: none, unless a proxy is in front."""
        return {}

    def call(
        self, method: str, path: str, body: Any = None, key: str | None = KEY
    ) -> tuple[int, Any]:
        """An HTTP call; the status and the decoded JSON (or text) answer."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if key is not None:
            request.add_header("Authorization", f"Bearer {key}")
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10, context=self.tls) as answer:
                status, raw = answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read().decode()
        try:
            return status, json.loads(raw)
        except json.JSONDecodeError:
            return status, raw

    async def ask(
        self, method: str, path: str, body: Any = None, key: str | None = KEY
    ) -> tuple[int, Any]:
        """``call`` from async code, off the event loop (which may be the server's own)."""
        return await asyncio.to_thread(self.call, method, path, body, key)

    async def acall(self, method: str, path: str, body: Any = None, key: str | None = KEY) -> Any:
        """An HTTP call from async code that must succeed (2xx); the answer."""
        status, answer = await self.ask(method, path, body, key)
        assert 200 <= status < 300, (status, answer)
        return answer


class Server(Http):
    """``zopa serve`` in a child process on a free port, with its own SQLite file."""

    root = ROOT  # the checkout whose zopa runs (bench/faults.py runs an older one too)

    def __init__(self, database: Path, **env: str) -> None:
        super().__init__(free_port())
        self.database = database
        # What --db says: the file, or a PostgreSQL URL a test puts here instead.
        self.db = str(database)
        # Tests read the server's log as JSON, connections included.
        logs = {"ZOPA_LOG_FORMAT": "json", "ZOPA_LOG_LEVEL": "debug"}
        self.env = {**os.environ, "ZOPA_FACILITATOR_KEY": KEY, **logs, **env}
        self.process: subprocess.Popen[bytes] | None = None
        self.log = database.with_suffix(".log")

    def start(self, timeout: float = 15.0) -> None:
        command = [sys.executable, "-m", "zopa.server.cli", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port)]
        command += ["--db", self.db]
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                command, cwd=self.root, env=self.env, stdout=out, stderr=out
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited at start-up:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.direct_url + "/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                # Not listening yet: look again in a moment. Asking without a pause kept a
                # core busy that the starting server needed, on a machine of two.
                time.sleep(_LOOK_AGAIN)
        raise RuntimeError(f"the server did not answer in {timeout} s:\n{self.log.read_text()}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def terminate(self, timeout: float = 15.0) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


class Client:
    """One websocket, JSON or MessagePack, recording every message it receives."""

    def __init__(self, socket: ClientConnection, binary: bool) -> None:
        self.socket = socket
        self.binary = binary
        self.received: list[dict[str, Any]] = []
        self.frames: list[str | bytes] = []

    @classmethod
    async def open(cls, server: Http, binary: bool = False, **options: Any) -> Client:
        """Connect; ``options`` go to ``websockets.connect`` (``sock``, say)."""
        protocols = ["zopa.msgpack"] if binary else None
        socket = await websockets.connect(
            server.ws_url,
            subprotocols=protocols,  # type: ignore[arg-type]
            compression=None,
            max_size=2**22,
            **{**server.connect_options(), **options},
        )
        return cls(socket, binary)

    async def send(self, message: dict[str, Any]) -> None:
        if self.binary:
            await self.socket.send(msgpack.packb(message, use_bin_type=True))
        else:
            await self.socket.send(json.dumps(message))

    async def next(self, timeout: float = 5.0) -> dict[str, Any]:
        frame = await asyncio.wait_for(self.socket.recv(), timeout)
        self.frames.append(frame)
        message: dict[str, Any] = (
            msgpack.unpackb(frame, raw=False) if isinstance(frame, bytes) else json.loads(frame)
        )
        self.received.append(message)
        return message

    async def until(
        self, wanted: Callable[[dict[str, Any]], bool], timeout: float = 5.0
    ) -> dict[str, Any]:
        """Read until a message matches; every message read on the way is kept."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"no matching message; last ones: {self.received[-5:]}")
            message = await self.next(left)
            if wanted(message):
                return message

    async def type(self, kind: str, timeout: float = 5.0) -> dict[str, Any]:
        return await self.until(lambda m: m["type"] == kind, timeout)

    async def seen(self, kind: str, timeout: float = 5.0) -> dict[str, Any]:
        """The first message of a type already received, or else the next one to arrive."""
        for message in self.received:
            if message["type"] == kind:
                return message
        return await self.type(kind, timeout)

    async def close(self) -> None:
        await self.socket.close()


class Player:
    """A joined player: name, id, token, and an open socket once connected."""

    def __init__(self, server: Http, code: str, name: str, binary: bool = False) -> None:
        self.server = server
        self.code = code
        self.name = name
        self.binary = binary
        self.id = ""
        self.token = ""
        self.client: Client | None = None
        self.last_seq = 0

    async def join(self) -> Player:
        answer = await self.server.acall(
            "POST", f"/api/sessions/{self.code}/players", {"name": self.name}, key=None
        )
        self.id, self.token = answer["player"], answer["token"]
        return self

    async def connect(
        self, since: int | None = None, game: str | None = None, **options: Any
    ) -> dict[str, Any]:
        """Say hello; with ``since`` (and the ``game`` it counts in) to pick up after it."""
        self.client = await Client.open(self.server, self.binary, **options)
        hello: dict[str, Any] = {"type": "hello", "token": self.token}
        if since is not None:
            hello["since"] = since
        if game is not None:
            hello["game"] = game
        await self.client.send(hello)
        return await self.client.type("welcome")

    @property
    def c(self) -> Client:
        assert self.client is not None
        return self.client

    async def event(self, kind: str | None = None, timeout: float = 5.0) -> dict[str, Any]:
        """The next game event (of a type); seqs must arrive in order without gaps."""
        while True:
            message = await self.c.until(lambda m: m["type"] in ("event",), timeout)
            assert message["seq"] == self.last_seq + 1, (message["seq"], self.last_seq)
            self.last_seq = message["seq"]
            if kind is None or message["event"]["type"] == kind:
                return message

    async def send(self, message: dict[str, Any]) -> None:
        await self.c.send(message)


async def open_session(server: Http, scenario: str, **extra: Any) -> str:
    answer = await server.acall("POST", "/api/sessions", {"scenario": scenario, **extra})
    code: str = answer["code"]
    return code
