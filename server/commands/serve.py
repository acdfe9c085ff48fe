"""``zopa serve``: run the live server (Starlette on uvicorn) on SQLite by default.

It listens on every network of the machine by default, so the phones of the room can
join; it binds the port first (a port in use stops it with one sentence), and prints
where to go only once it is serving.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import errno
import logging
import os
import socket
import sys
from types import FrameType
from typing import Any

import uvicorn
from starlette.applications import Starlette

from zopa.server import postgres_check, sqlite_file, workers
from zopa.server.app import Zopa, create_app
from zopa.server.config import Settings, settings_from_env
from zopa.server.connection_caps import Proxies
from zopa.server.errors import BadDatabase
from zopa.server.key_file import kept_key, key_path
from zopa.server.logs import FORMATS, LEVELS, configure
from zopa.server.refusal_log import ClientFaults
from zopa.server.scenario_folders import folder_problems
from zopa.server.socket_guard import guarded_protocol
from zopa.server.storage_postgres import PostgresStorage, is_postgres


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve", help="run the live server (HTTP API, websocket, web client)"
    )
    parser.add_argument(
        "--host",
        default="0.0.0.0",
        help="address to listen on (default every network, so phones in the room can join; "
        "127.0.0.1 for this machine only)",
    )
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument(
        "--db",
        default=None,
        help="SQLite file, or postgresql://USER@HOST/DB for a cluster of workers "
        "(default $ZOPA_DATABASE, $ZOPA_DB or zopa.db)",
    )
    parser.add_argument(
        "--log-level",
        default=None,
        choices=LEVELS,
        help="debug, info or warning (default $ZOPA_LOG_LEVEL or info)",
    )
    parser.add_argument(
        "--log-format",
        default=None,
        choices=FORMATS,
        help="readable lines (text, the default) or one JSON object per line "
        "(default $ZOPA_LOG_FORMAT or text)",
    )
    parser.add_argument(
        "--scenarios",
        action="append",
        default=[],
        metavar="DIR",
        help="add every .toml scenario of DIR to the library at start (may be repeated; "
        "default $ZOPA_SCENARIOS)",
    )
    parser.add_argument(
        "--forwarded-allow-ips",
        default=None,
        metavar="ADDRESSES",
        help="proxies trusted to set X-Forwarded-For/-Proto: addresses or networks, "
        "comma-separated, or * (default $ZOPA_FORWARDED_ALLOW_IPS or 127.0.0.1,::1)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="run N worker processes on ports --port, --port + 1, ... sharing a PostgreSQL "
        "--db, behind nginx's consistent hash on the session (docs/deploy.md)",
    )
    parser.add_argument(
        "--upstream",
        default=None,
        metavar="FILE",
        help="with --workers: write nginx's upstream blocks for the workers to FILE",
    )
    parser.add_argument(
        "--upstream-only",
        action="store_true",
        help="with --workers: print (or write to --upstream FILE) the upstream blocks and "
        "exit, running no worker: for workers run by systemd (zopa@PORT)",
    )
    parser.set_defaults(run=run)


class _Server(uvicorn.Server):
    """uvicorn closes sockets with 1012 on exit; we close them first with 1001 (going away).

    ``ready`` is printed once the server is serving: after start-up, on a bound port.
    """

    def __init__(self, config: uvicorn.Config, zopa: Zopa, ready: str) -> None:
        super().__init__(config)
        self.zopa = zopa
        self.ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            print(self.ready, flush=True)

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


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, or SystemExit with one sentence saying why there is none."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        if exc.errno == errno.EADDRINUSE:
            raise SystemExit(
                f"zopa: port {port} is already in use on {host}; stop the program using it "
                "or choose another port with --port."
            ) from None
        reason = exc.strerror or str(exc)
        raise SystemExit(f"zopa: cannot listen on {host} port {port}: {reason}.") from None
    listener.set_inheritable(True)
    return listener


def network_address() -> str | None:
    """This machine's address on its main network, for phones in the room to reach.

    Connecting a UDP socket sends nothing; it only makes the system choose the route.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere
            address: str = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def banner(settings: Settings, host: str, port: int, key_file: str | None = None) -> str:
    """Where to go, printed once serving: the players' address, the facilitator page and,
    unless the operator chose it, the key (with the file that keeps it)."""
    shown = host
    if host in ("0.0.0.0", "::"):
        # Everyone on the network can join: print the address they will use.
        shown = network_address() or "localhost"
    elif host == "127.0.0.1":
        shown = "localhost"
    base = f"http://{shown}:{port}"
    lines = [f"zopa: serving on {base}/ (database {postgres_check.safe_url(settings.database)})"]
    page = f"{base}/facilitator.html"
    if settings.key_generated:
        lines.append(
            "zopa: facilitator page (the join code and a QR code for phones): "
            f"{page}#key={settings.facilitator_key}"
        )
        kept = f", kept in {key_file}" if key_file else ""
        lines.append(f"zopa: facilitator key{kept}: {settings.facilitator_key}")
    else:
        # A key the operator chose is not echoed into logs; they know it.
        lines.append(f"zopa: facilitator page: {page}#key=<your ZOPA_FACILITATOR_KEY>")
    if shown == "localhost":
        if host in ("0.0.0.0", "::"):
            lines.append("zopa: no network found: only this machine can connect until it joins one")
        else:
            lines.append("zopa: only this machine can connect; leave out --host for a room")
    else:
        lines.append(
            f"zopa: players open {base}/ on this network, or scan the facilitator page's QR code"
        )
    return "\n".join(lines)


def uvicorn_config(args: argparse.Namespace, settings: Settings, app: Starlette) -> uvicorn.Config:
    zopa: Zopa = app.state.zopa
    proxies = args.forwarded_allow_ips or settings.forwarded_allow_ips
    zopa.caps.proxies = Proxies(proxies)
    return uvicorn.Config(
        app,
        # uvicorn's HTTP protocol with connection caps and a header deadline.
        http=guarded_protocol(zopa.caps, settings.header_seconds, zopa.refusals),
        host=args.host,
        port=args.port,
        log_level="warning",
        ws_max_size=settings.max_frame_bytes,
        # Our messages are small: compression cost throughput (docs/performance.md).
        ws_per_message_deflate=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
        # Behind nginx the peer is the proxy; the player's address and https come in its
        # headers, believed only from the configured proxies (docs/deploy.md).
        proxy_headers=True,
        forwarded_allow_ips=proxies,
    )


def several(args: argparse.Namespace, settings: Settings) -> int:
    """``--workers N``: N ``zopa serve`` processes, and the nginx upstream to reach them."""
    ports = [args.port + i for i in range(args.workers)]
    if args.upstream_only:
        _upstream(args, ports)
        return 0
    if not is_postgres(settings.database):
        print(
            "zopa: several workers share one PostgreSQL database: give --db "
            "postgresql://USER@HOST/DB (an SQLite file has one writer)",
            file=sys.stderr,
        )
        return 2
    try:
        postgres_check.check(settings.database)
    except BadDatabase as refused:
        print(f"zopa: {refused.message}", file=sys.stderr)
        return 2
    _upstream(args, ports)
    return workers.supervise(sys.argv[1:], ports)


def _upstream(args: argparse.Namespace, ports: list[int]) -> None:
    """The nginx upstream blocks for workers on ``ports``: to --upstream FILE, or printed."""
    block = workers.upstream(args.host, ports)
    if args.upstream:
        with open(args.upstream, "w", encoding="utf-8") as out:
            out.write(block)
        print(f"zopa: nginx upstream for {len(ports)} workers written to {args.upstream}")
    else:
        print(block, end="")
    sys.stdout.flush()


def fenced() -> None:
    """Another worker took this one's sessions while it was cut off from PostgreSQL.

    Nothing it holds in memory may be written any more; it exits at once, so that its
    supervisor (systemd, ``--workers``) starts it afresh on what the database holds.
    """
    logging.getLogger("zopa.serve").critical("exiting: another worker owns its sessions now")
    logging.shutdown()
    os._exit(3)


def with_kept_key(settings: Settings) -> tuple[Settings, str | None]:
    """The settings with the key kept beside the database when none was chosen (in the
    database itself on PostgreSQL, so every worker has the same)."""
    if not settings.key_generated:
        return settings, None
    if is_postgres(settings.database):
        kept = postgres_check.kept_key(settings.database)
        return dataclasses.replace(settings, facilitator_key=kept), "the database"
    path = key_path(settings.database)
    key, _ = kept_key(path)
    return dataclasses.replace(settings, facilitator_key=key), str(path)


def run(args: argparse.Namespace) -> int:
    level = args.log_level or os.environ.get("ZOPA_LOG_LEVEL") or "info"
    fmt = args.log_format or os.environ.get("ZOPA_LOG_FORMAT") or "text"
    if level not in LEVELS or fmt not in FORMATS:
        raise SystemExit(f"zopa: unknown log level {level!r} or format {fmt!r}")
    configure(level, fmt)
    settings = settings_from_env(args.db)
    if args.scenarios:
        settings = dataclasses.replace(settings, scenario_folders=tuple(args.scenarios))
    problems = folder_problems(settings.scenario_folders)
    if problems:
        print("zopa serve: scenario files with problems:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    if args.workers > 1 or args.upstream_only:
        return several(args, settings)
    try:
        # Before listening: a database zopa cannot run on is one sentence, not a traceback.
        if is_postgres(settings.database):
            postgres_check.check(settings.database)
        else:
            sqlite_file.check(settings.database)
    except BadDatabase as refused:
        print(f"zopa: {refused.message}", file=sys.stderr)
        return 2
    listener = bind(args.host, args.port)
    settings, key_file = with_kept_key(settings)
    app = create_app(settings)
    app.state.zopa.caps.fit_file_limit()
    ready = banner(settings, args.host, args.port, key_file)
    server = _Server(uvicorn_config(args, settings, app), app.state.zopa, ready)
    storage = app.state.zopa.storage
    if isinstance(storage, PostgresStorage):
        storage.on_fenced = fenced
    # After uvicorn's own logging set-up, which the config above has just done.
    logging.getLogger("uvicorn.error").addFilter(ClientFaults(app.state.zopa.refusals))
    server.run(sockets=[listener])
    return 0 if server.started else 1


if __name__ == "__main__":
    sys.exit(run(argparse.Namespace()))
