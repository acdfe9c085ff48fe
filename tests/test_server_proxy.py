"""Forwarded headers are believed only from the configured proxies (``--forwarded-allow-ips``).

Every address in 127.0.0.0/8 is this machine, so one test can play a trusted proxy at
127.0.0.3 and a stranger at 127.0.0.2, each claiming to speak for someone else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.live import Player, Server, open_session
from zopa.server.app import create_app
from zopa.server.cli import build_parser
from zopa.server.commands.serve import uvicorn_config
from zopa.server.config import Settings, settings_from_env

FORGED = "203.0.113.66"


def connections(server: Server) -> list[dict[str, Any]]:
    """The server's "player connected" log lines, oldest first."""
    entries = [
        json.loads(line)
        for line in server.log.read_text().splitlines()
        if line.startswith("{") and '"player connected"' in line
    ]
    return entries


async def hello_from(url: str, source: str, token: str, headers: dict[str, str]) -> None:
    """A player's socket from one local address, sending forwarding headers of its own."""
    async with websockets.connect(
        url, local_addr=(source, 0), additional_headers=headers, compression=None
    ) as socket:
        await socket.send(json.dumps({"type": "hello", "token": token}))
        # The log line is written before the welcome is sent, so it is there once this arrives.
        welcome = json.loads(await socket.recv(decode=True))
        assert welcome["type"] == "welcome"


async def test_forwarded_headers_are_believed_only_from_the_configured_proxy(
    tmp_path: Path,
) -> None:
    server = Server(tmp_path / "zopa.db", ZOPA_FORWARDED_ALLOW_IPS="127.0.0.3")
    server.start()
    try:
        code = await open_session(server, "guitar")
        ana = await Player(server, code, "Ana").join()
        claims = {"X-Forwarded-For": FORGED, "X-Forwarded-Proto": "https"}
        await hello_from(server.ws_url, "127.0.0.2", ana.token, claims)
        await hello_from(server.ws_url, "127.0.0.3", ana.token, claims)
        stranger, proxy = connections(server)
        assert (stranger["client"], stranger["scheme"]) == ("127.0.0.2", "ws")
        assert (proxy["client"], proxy["scheme"]) == (FORGED, "wss")
        assert stranger["player"] == proxy["player"] == ana.id
    finally:
        server.stop()


def test_the_flag_overrides_the_environment_and_loopback_is_the_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = create_app(Settings(database=str(tmp_path / "unused.db")))
    parser = build_parser()

    monkeypatch.delenv("ZOPA_FORWARDED_ALLOW_IPS", raising=False)
    config = uvicorn_config(parser.parse_args(["serve"]), settings_from_env(), app)
    assert config.proxy_headers is True
    assert config.forwarded_allow_ips == "127.0.0.1,::1"

    monkeypatch.setenv("ZOPA_FORWARDED_ALLOW_IPS", "10.1.2.3")
    config = uvicorn_config(parser.parse_args(["serve"]), settings_from_env(), app)
    assert config.forwarded_allow_ips == "10.1.2.3"

    args = parser.parse_args(["serve", "--forwarded-allow-ips", "172.30.80.0/24"])
    config = uvicorn_config(args, settings_from_env(), app)
    assert config.forwarded_allow_ips == "172.30.80.0/24"
