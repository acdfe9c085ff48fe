"""``zopa serve --workers N``: N workers on their own ports sharing PostgreSQL, the nginx
upstream that routes to them by session, and one SIGTERM that stops them all."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.live import KEY, ROOT, Http, free_port


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def worker_ports(avoid: frozenset[int] = frozenset()) -> int:
    """A free port whose next one is free too, neither in ``avoid``."""
    while True:
        first = free_port()
        if {first, first + 1} & avoid:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", first + 1))
            except OSError:
                continue
        return first


def test_two_workers_share_the_database_and_stop_together(
    tmp_path: Path, postgres_url: str
) -> None:
    first = worker_ports()  # and the port after it
    upstream = tmp_path / "upstream.conf"
    command = [sys.executable, "-m", "zopa.server.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(first), "--workers", "2", "--upstream", str(upstream)]
    command += ["--db", postgres_url]
    log = tmp_path / "workers.log"
    env = {**os.environ, "ZOPA_FACILITATOR_KEY": KEY}
    with open(log, "wb") as out:
        supervisor = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        ports = (first, first + 1)
        deadline = time.monotonic() + 30
        while not all(healthy(port) for port in ports):
            assert supervisor.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)  # a worker starting: look again, without holding a core
        block = upstream.read_text()
        assert "hash $zopa_session consistent;" in block
        assert all(f"server 127.0.0.1:{port} " in block for port in ports)
        one, two = Http(first), Http(first + 1)
        code = one.call("POST", "/api/sessions", {"scenario": "guitar"})[1]["code"]
        assert one.call("GET", f"/api/sessions/{code}")[0] == 200
        status, answer = two.call("GET", f"/api/sessions/{code}")
        assert status == 503 and answer["error"]["code"] == "session_elsewhere"
    finally:
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(30) == 0, log.read_text()
    assert not any(healthy(port) for port in ports)


def test_the_upstream_alone_for_workers_that_systemd_runs(tmp_path: Path) -> None:
    # No database, no worker: only the blocks for zopa@8000 ... zopa@8002.
    written = tmp_path / "zopa-upstream.conf"
    command = [sys.executable, "-m", "zopa.server.cli", "serve", "--workers", "3"]
    command += ["--port", "8000", "--upstream", str(written), "--upstream-only"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "written to" in done.stdout
    block = written.read_text()
    for name in ("zopa_upstream", "zopa_elsewhere"):
        assert block.count(f"upstream {name} {{") == 1
    assert block.count("hash $zopa_session consistent;") == 2
    assert [int(port) for port in re.findall(r"server 127\.0\.0\.1:(\d+) ", block)] == [
        8000,
        8001,
        8002,
    ] * 2
