"""``zopa serve``: run the live server (Starlette on uvicorn) on SQLite by default."""

from __future__ import annotations

import argparse
import asyncio
import sys
from types import FrameType
from typing import Any

import uvicorn
from starlette.applications import Starlette

from server.app import Zopa, create_app
from server.config import Settings, settings_from_env
from server.logs import configure


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve", help="run the live server (HTTP API, websocket, web client)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument("--db", default=None, help="SQLite file (default $ZOPA_DB or zopa.db)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    parser.add_argument(
        "--forwarded-allow-ips",
        default=None,
        metavar="ADDRESSES",
        help="proxies trusted to set X-Forwarded-For/-Proto: addresses or networks, "
        "comma-separated, or * (default $ZOPA_FORWARDED_ALLOW_IPS or 127.0.0.1,::1)",
    )
    parser.set_defaults(run=run)


class _Server(uvicorn.Server):
    """uvicorn closes sockets with 1012 on exit; we close them first with 1001 (going away)."""

    def __init__(self, config: uvicorn.Config, zopa: Zopa) -> None:
        super().__init__(config)
        self.zopa = zopa

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        zopa = self.zopa
        if self.should_exit:
            super().handle_exit(sig, frame)
            return
        loop = asyncio.get_event_loop()

        async def drain_then_exit() -> None:
            try:
                await zopa.drain()
            finally:
                super(_Server, self).handle_exit(sig, frame)

        loop.call_soon_threadsafe(lambda: loop.create_task(drain_then_exit()))


def banner(settings: Settings, host: str, port: int) -> str:
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    lines = [f"zopa: serving on http://{shown}:{port}/ (database {settings.database})"]
    if settings.key_generated:
        lines.append("zopa: no ZOPA_FACILITATOR_KEY set; this run's facilitator key is:")
        lines.append(f"    {settings.facilitator_key}")
    lines.append(
        f"zopa: facilitator page: http://{shown}:{port}/facilitator.html#key={settings.facilitator_key}"
    )
    return "\n".join(lines)


def uvicorn_config(args: argparse.Namespace, settings: Settings, app: Starlette) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        log_level="warning",
        ws_max_size=settings.max_frame_bytes,
        # Our messages are small: compression cost a third of throughput (PERFORMANCE.md).
        ws_per_message_deflate=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
        # Behind nginx the peer is the proxy; the player's address and https come in its
        # headers, believed only from the configured proxies (docs/deploy.md).
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips or settings.forwarded_allow_ips,
    )


def run(args: argparse.Namespace) -> int:
    configure(args.log_level)
    settings = settings_from_env(args.db)
    app = create_app(settings)
    server = _Server(uvicorn_config(args, settings, app), app.state.zopa)
    print(banner(settings, args.host, args.port), flush=True)
    server.run()
    return 0 if server.started else 1


if __name__ == "__main__":
    sys.exit(run(argparse.Namespace()))
