"""``zopa serve --workers N``: N worker processes on one host, one port each, one service.

Every worker is a whole ``zopa serve`` on the shared PostgreSQL database, listening on
its own port (``--port``, ``--port`` + 1, ...). Sessions are spread among them by an
existing proxy's consistent hash on the session's code, not by a router of our own:
``upstream`` is the nginx block that does it, printed at start and written to
``--upstream FILE`` when asked (deploy/nginx/zopa.conf, docs/deploy.md).

This process only supervises: a worker that exits by itself (a crash, or fenced after
another took its sessions) is started again; SIGTERM or SIGINT is passed on to every
worker, which drains as a single ``zopa serve`` does, and this process waits for them.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from types import FrameType

log = logging.getLogger("zopa.workers")

# Least seconds between two starts of one worker: a worker that cannot start at all is
# not restarted in a tight loop, while one that ran a while comes back at once (its
# sessions' players reconnect meanwhile, to another worker).
RESTART_SECONDS = 1.0
# Seconds between two looks at the workers.
LOOK_SECONDS = 0.1


def upstream(host: str, ports: Sequence[int]) -> str:
    """The nginx upstream blocks that send each session to its worker, by its code.

    They take the place of the site file's own (deploy/nginx/zopa.conf, between its
    ``# --- upstream`` lines): ``zopa_upstream`` is tried first and skips a worker that
    is down; ``zopa_elsewhere``, the same workers in the same hash, is where a request a
    worker refused with 503 (another worker holds the session) is asked again. It counts
    no failures, so such a 503 never takes a live worker out of the first one's turn.
    """
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    servers = [f"{shown}:{port}" for port in ports]
    return (
        "# Written by `zopa serve --workers`: one server line per worker. $zopa_session is\n"
        "# the session's code (deploy/nginx/zopa.conf maps it from ?session= or the path).\n"
        + _block("zopa_upstream", servers, "max_fails=1 fail_timeout=2s")
        + _block("zopa_elsewhere", servers, "max_fails=0")
    )


def _block(name: str, servers: Sequence[str], failures: str) -> str:
    lines = "".join(f"    server {server} {failures};\n" for server in servers)
    return (
        f"upstream {name} {{\n"
        "    hash $zopa_session consistent;\n"
        f"{lines}"
        "    keepalive 16;\n"
        "    keepalive_timeout 4s;\n"
        "}\n"
    )


def worker_command(argv: Sequence[str], port: int) -> list[str]:
    """The command line of one worker: the same ``serve`` with its own port, alone."""
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("--workers", "--upstream", "--port"):
            skip = True
            continue
        if arg.startswith(("--workers=", "--upstream=", "--port=")):
            continue
        kept.append(arg)
    return [sys.executable, "-m", "zopa.server.cli", *kept, "--port", str(port)]


def supervise(argv: Sequence[str], ports: Sequence[int]) -> int:
    """Run a worker per port until told to stop; 0 once every worker has exited."""
    stopping = threading.Event()
    processes: dict[int, subprocess.Popen[bytes]] = {}
    started: dict[int, float] = {}
    lock = threading.Lock()

    def start(port: int) -> None:
        processes[port] = subprocess.Popen(worker_command(argv, port))
        started[port] = time.monotonic()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()
        with lock:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with lock:
        for port in ports:
            start(port)
    while not stopping.is_set():
        with lock:
            due = time.monotonic() - RESTART_SECONDS
            exited = [
                port
                for port, process in processes.items()
                if process.poll() is not None and started[port] <= due
            ]
            for port in exited:
                code = processes[port].returncode
                print(
                    f"zopa: the worker on port {port} exited ({code}); starting it again",
                    file=sys.stderr,
                    flush=True,
                )
                start(port)
        stopping.wait(LOOK_SECONDS)
    for process in processes.values():
        process.wait()
    return 0
