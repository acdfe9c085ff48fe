"""Load benchmark: zopa against a bare websocket relay, in the same run.

Run: ``python bench/bench_load.py`` (about four minutes; ``--quick`` for a smoke run;
``--rounds 3`` takes turns three times and prints medians, for a shared machine).
``--db postgresql://...`` measures zopa on that PostgreSQL database too (column ``pg``),
and with ``--workers 2`` two workers sharing it (each its own session and half the
players; all on core 0 unless ``--spread`` gives each a core). CPU per action is the
zopa processes' own; PostgreSQL's own (its server processes on this machine, unpinned)
is the row ``PG CPU us/action``. ``--rate 400,2000`` times the latency at each offered
load in turn; with ``--rounds`` above 1 each round's PostgreSQL/SQLite ratios are printed
under the table of medians.

Each server runs pinned to core 0, the load generator to core 1. The load is real
games: for zopa, players joined over HTTP, paired by a round, each sending offers in
the ``campsite`` scenario (free turns, so any player may offer at any time), every
event committed to SQLite before it is sent; for the relay, the same frames forwarded
to the partner and acknowledged to the sender. Printed:

- saturated throughput (actions/s) at each connection count: every player keeps one
  action in flight, sending the next when its own event comes back;
- latency p50/p99 from an action sent to the partner receiving its event, at a fixed
  offered load spread over all players;
- resident memory per connected player (RSS growth over the idle server / players).

With ``--facilitator`` a facilitator's dashboard socket watches zopa's session all
along, as in a class, and the snapshots it got during the latency window are counted.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import functools
import gc
import http.client
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.wsclient import RawSocket

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench-load-facilitator-key"  # at least 16 characters, or zopa refuses it
# Long enough to hold at least one of the server's garbage sweeps (every 30 s), whose
# pause belongs in the p99.
LATENCY_SECONDS = 35.0
# Pauses around the measurements: before counting (the pipeline fills), after the
# latency window (the last actions arrive), and before reading memory (the server
# settles). ``--quick`` shortens them: a smoke run checks the figures come, not their size.
WARM_UP_SECONDS = 1.0
TAIL_SECONDS = 1.0
SETTLE_SECONDS = 0.5
PROFILE = ""  # a path: py-spy records the zopa server's stacks there during saturation
FACILITATOR = False  # a facilitator's dashboard watches zopa's session while it is measured
# Targets on PostgreSQL (``--db``): name -> (URL, workers). "zopa" stays on SQLite.
DATABASES: dict[str, tuple[str, int]] = {}
SPREAD = False  # several workers pinned to a core each, rather than all to core 0
TERMS = [{"food": f, "water": w, "firewood": (f + w) % 4} for f in range(4) for w in range(4)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@dataclass
class Target:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    workdir: Path
    session: str = ""  # zopa's session code, once players have joined

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def launch(
    name: str, workdir: Path, root: Path = ROOT, database: str = "", core: str = "0"
) -> Target:
    """Start the relay, or zopa from the checkout at ``root`` (on ``database``: a
    PostgreSQL URL, or by default an SQLite file of its own), pinned to ``core``."""
    port = free_port()
    pinned = core and shutil.which("taskset") and (os.cpu_count() or 1) > 1
    pin = ["taskset", "-c", core] if pinned else []
    if name != "relay":
        command = [sys.executable, "-m", "zopa.server.cli", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(port)]
        command += ["--db", database or str(workdir / "bench.db"), "--log-level", "warning"]
    else:
        command = [sys.executable, str(ROOT / "bench" / "relay.py"), str(port)]
    # Thousands of players join and connect from this one address: a load test, not an
    # attack, so the per-address limits are lifted (docs/security.md).
    env = {
        **os.environ,
        "ZOPA_FACILITATOR_KEY": KEY,
        "ZOPA_RATE": "1000",
        "ZOPA_BURST": "1000",
        "ZOPA_RATE_LIMITS": "off",
    }
    out = open(workdir / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the child
    # ``python -m`` puts the working directory first on the path: zopa runs from ``root``.
    process = subprocess.Popen(pin + command, cwd=root, env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + 60  # a loaded machine starts a worker slowly
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {(workdir / f'{name}.log').read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return Target(name, port, process, workdir)
        time.sleep(0.05)  # waiting for a child process to listen; nothing to await
    process.kill()
    process.wait()
    raise RuntimeError(f"{name} did not listen")


class Http:
    """One keep-alive HTTP connection for the facilitator's and the joins' calls."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method: str, path: str, body: object = None, key: bool = True) -> object:
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {KEY}"
        try:
            self.connection.request(method, path, json.dumps(body) if body else None, headers)
            answer = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed the kept-alive connection while thousands of sockets
            # connected (its keep-alive is 5 s): the request never reached it. Once more.
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.connection.request(method, path, json.dumps(body) if body else None, headers)
            answer = self.connection.getresponse()
        data = answer.read()
        if answer.status >= 300:
            raise RuntimeError(f"{method} {path}: {answer.status} {data[:200]!r}")
        return json.loads(data)


@dataclass
class Seat:
    socket: RawSocket
    game: str
    role: str
    message: bytes
    sent: collections.deque[float]  # send times of this seat's actions awaiting the partner
    partner_sent: collections.deque[float] = field(default_factory=collections.deque)


@dataclass
class Load:
    seats: list[Seat]
    received: int = 0  # partner receipts
    latencies: list[float] = field(default_factory=list)
    measuring: bool = False
    on_ack: Callable[[Seat], None] | None = None


async def connect_zopa(target: Target, players: int) -> list[Seat]:
    http = Http(target.port)
    code = http.call("POST", "/api/sessions", {"scenario": "campsite", "time_limit": 86400})
    assert isinstance(code, dict)
    target.session = code["code"]
    tokens = []
    for n in range(players):
        joined = http.call(
            "POST", f"/api/sessions/{code['code']}/players", {"name": f"p{n}"}, False
        )
        assert isinstance(joined, dict)
        tokens.append(joined["token"])
    sockets = await asyncio.gather(*(RawSocket.connect("127.0.0.1", target.port) for _ in tokens))
    for sock, token in zip(sockets, tokens, strict=True):
        sock.send(orjson.dumps({"type": "hello", "token": token}))
    for sock in sockets:
        await sock.recv()  # welcome
    await asyncio.to_thread(http.call, "POST", f"/api/sessions/{code['code']}/rounds")
    seats = []
    for n, sock in enumerate(sockets):
        view = orjson.loads(await sock.recv())
        message = orjson.dumps({"type": "offer", "terms": TERMS[n % len(TERMS)]})
        seats.append(Seat(sock, view["game"], view["role"], message, collections.deque()))
    return seats


async def connect_relay(target: Target, players: int) -> list[Seat]:
    sockets = await asyncio.gather(
        *(RawSocket.connect("127.0.0.1", target.port) for _ in range(players))
    )
    seats = []
    for n, sock in enumerate(sockets):
        sock.send(orjson.dumps({"type": "hello", "pair": n // 2}))
        role = "a" if n % 2 == 0 else "b"
        message = orjson.dumps({"type": "offer", "by": role, "terms": TERMS[n % len(TERMS)]})
        seats.append(Seat(sock, str(n // 2), role, message, collections.deque()))
    for sock in sockets:
        await sock.recv()
    return seats


def link(seats: list[Seat]) -> dict[int, Seat]:
    """Each seat's partner, by the seat's id."""
    by_game: dict[str, list[Seat]] = collections.defaultdict(list)
    for seat in seats:
        by_game[seat.game].append(seat)
    partner: dict[int, Seat] = {}
    for pair in by_game.values():
        if len(pair) == 2:
            partner[id(pair[0])], partner[id(pair[1])] = pair[1], pair[0]
    return partner


async def read(seat: Seat, partner: Seat | None, load: Load) -> None:
    try:
        while True:
            message = orjson.loads(await seat.socket.recv())
            if message.get("type") != "event":
                continue
            by = message["event"].get("by")
            if by == seat.role:
                if load.on_ack is not None:
                    load.on_ack(seat)
            elif partner is not None and partner.sent:
                sent = partner.sent.popleft()
                if load.measuring:
                    load.received += 1
                    load.latencies.append(time.perf_counter() - sent)
    except (ConnectionError, asyncio.IncompleteReadError):
        return


async def watch(target: Target, snapshots: list[int]) -> None:
    """A facilitator's dashboard on zopa's session: the size of each snapshot it gets."""
    dashboard = await RawSocket.connect("127.0.0.1", target.port)
    dashboard.send(orjson.dumps({"type": "hello", "key": KEY, "session": target.session}))
    try:
        while True:
            snapshots.append(len(await dashboard.recv()))
    except (ConnectionError, asyncio.IncompleteReadError):
        return
    finally:
        dashboard.close()


def send(seat: Seat) -> None:
    seat.sent.append(time.perf_counter())
    seat.socket.send(seat.message)


def fresh_schema(url: str) -> tuple[str, str]:
    """A schema of its own in the database at ``url``, and the URL that puts zopa's tables
    there: each measurement starts empty, as on SQLite's new file, and a worker's start
    does not load (and own) the sessions of the measurements before it."""
    import psycopg  # only with --db

    schema = f"zopa_bench_{os.getpid()}_{time.monotonic_ns()}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}".encode())
    return schema, f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA {schema} CASCADE".encode())


def database_pids(url: str) -> list[int]:
    """PostgreSQL's server processes (backends, WAL writer, checkpointer...) when it runs
    on this machine: their CPU is the database's share of an action."""
    import psycopg  # only with --db

    with psycopg.connect(url, autocommit=True) as connection:
        pids = [int(pid) for (pid,) in connection.execute("SELECT pid FROM pg_stat_activity")]
    return [pid for pid in pids if Path(f"/proc/{pid}/stat").exists()]


def cpu_seconds(pid: int) -> float:
    """CPU time the process has used, all its threads, user and system."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def saturate(
    seats: list[Seat], load: Load, seconds: float, pids: list[int], others: list[int]
) -> tuple[float, float, float]:
    """Actions per second, and the server's CPU microseconds per action, and the
    ``others``' (the database's processes).

    The second figure moves much less than the first when the machine is shared: it is
    what to compare between two versions of the server.
    """
    load.on_ack = send
    for seat in seats:
        send(seat)
    await asyncio.sleep(WARM_UP_SECONDS)  # let the pipeline fill before counting
    load.received, load.measuring = 0, True
    started, cpu = time.perf_counter(), sum(map(cpu_seconds, pids))
    cpu_others = _cpu_of(others)
    await asyncio.sleep(seconds)
    # A window of the smoke run's size can pass on a starved machine with nothing back:
    # measure on until something is, the rate still over the time it took.
    await until(lambda: load.received > 0)
    load.measuring = False
    rate = load.received / (time.perf_counter() - started)
    per_action = 1e6 * (sum(map(cpu_seconds, pids)) - cpu) / max(1, load.received)
    others_per_action = 1e6 * (_cpu_of(others) - cpu_others) / max(1, load.received)
    load.on_ack = None
    # Every action still in flight must reach its partner before the next measurement,
    # or the next one would time this one's backlog.
    await until(lambda: not any(seat.sent for seat in seats))
    return rate, per_action, others_per_action


def _cpu_of(pids: list[int]) -> float:
    """CPU seconds of these processes, those that still run."""
    total = 0.0
    for pid in pids:
        # A backend that ended meanwhile (an autovacuum worker) is left out.
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            total += cpu_seconds(pid)
    return total


async def open_loop(seats: list[Seat], load: Load, rate: float, seconds: float) -> list[float]:
    load.latencies.clear()
    load.measuring = True
    started = time.perf_counter()
    sent = 0
    index = 0
    while (elapsed := time.perf_counter() - started) < seconds:
        due = int(elapsed * rate)
        while sent < due:
            send(seats[index % len(seats)])
            index += 1
            sent += 1
        await asyncio.sleep(0.002)
    await asyncio.sleep(TAIL_SECONDS)
    load.measuring = False
    return sorted(load.latencies)


async def until(done: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait for ``done`` to hold, looking every 50 ms, for ``timeout`` at most."""
    deadline = time.perf_counter() + timeout
    while not done() and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(share * len(values)))]


async def measure(
    name: str, sizes: list[int], rates: list[float], seconds: float, root: Path = ROOT
) -> dict[str, object]:
    workdir = Path(tempfile.mkdtemp(prefix=f"zopa-bench-{name}-"))
    given, workers = DATABASES.get(name, ("", 1))
    schema, database = fresh_schema(given) if given else ("", "")
    # Several workers share core 0 with nothing pinned, or take a core each with --spread.
    cores = [str(n % (os.cpu_count() or 1)) if SPREAD else "0" for n in range(workers)]
    targets: list[Target] = []
    figures: dict[str, object] = {}
    try:
        targets += [launch(name, workdir, root, database, cores[n]) for n in range(workers)]
        target = targets[0]
        pids = [t.process.pid for t in targets]
        connect = connect_relay if name == "relay" else connect_zopa
        for size in sizes:
            idle = rss_kb(target.process.pid)
            # Each worker its own session, its share of the players: sessions spread so.
            shares = await asyncio.gather(*(connect(t, size // len(targets)) for t in targets))
            seats = [seat for share in shares for seat in share]
            # The load generator is the instrument: its own collections must not show up
            # as server latency, and its objects live for the whole measurement.
            gc.collect()
            gc.freeze()
            gc.disable()
            await asyncio.sleep(SETTLE_SECONDS)
            grown = rss_kb(target.process.pid) - idle
            partner = link(seats)
            load = Load(seats)
            readers = [asyncio.create_task(read(s, partner.get(id(s)), load)) for s in seats]
            snapshots: list[int] = []
            if FACILITATOR and name != "relay":
                readers.append(asyncio.create_task(watch(target, snapshots)))
            spy = None
            if PROFILE and name != "relay" and size == max(sizes):
                spy = subprocess.Popen(
                    [
                        "py-spy",
                        "record",
                        "-p",
                        str(target.process.pid),
                        "-d",
                        str(int(seconds)),
                        "-r",
                        "200",
                        "-f",
                        "raw",
                        "-o",
                        f"{PROFILE}.{name.replace(' ', '-')}",
                        "--nonblocking",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            others = database_pids(database) if database else []
            actions, per_action, others_per_action = await saturate(
                seats, load, seconds, pids, others
            )
            figures[f"throughput {size}"] = actions
            figures[f"CPU us/action {size}"] = per_action
            if others:
                figures[f"PG CPU us/action {size}"] = others_per_action
            if DATABASES:
                # The worker's and the database's together: SQLite's is all in the worker.
                figures[f"total CPU us/action {size}"] = per_action + others_per_action
            if spy is not None:
                await asyncio.to_thread(spy.wait)
            if size == max(sizes):
                figures["memory KB/player"] = grown / size
                snapshots.clear()
                for rate in rates:
                    latencies = await open_loop(seats, load, rate, LATENCY_SECONDS)
                    if FACILITATOR and name != "relay":
                        # The window's moves bring a snapshot; a starved server sends it late.
                        await until(functools.partial(bool, snapshots))
                    at = f" @{rate:g}/s" if len(rates) > 1 else ""
                    figures[f"p50 ms{at}"] = 1000 * percentile(latencies, 0.50)
                    figures[f"p99 ms{at}"] = 1000 * percentile(latencies, 0.99)
                    figures[f"latency samples{at}"] = len(latencies)
                if snapshots:
                    figures["dashboard snapshots"] = len(snapshots)
                    figures["dashboard KB each"] = sum(snapshots) / len(snapshots) / 1024
            gc.enable()
            for seat in seats:
                seat.socket.close()
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)
    finally:
        for each in targets:
            each.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        if schema:
            drop_schema(given, schema)
    return figures


def median_figures(runs: list[dict[str, object]]) -> dict[str, object]:
    merged: dict[str, object] = {}
    for key in runs[0]:
        values = sorted(float(cast(float, run[key])) for run in runs)
        merged[key] = values[len(values) // 2]
    return merged


def main() -> None:
    global PROFILE, LATENCY_SECONDS, FACILITATOR, WARM_UP_SECONDS, TAIL_SECONDS, SETTLE_SECONDS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,4000")
    parser.add_argument(
        "--rate", default="2000", help="offered actions/s; several (400,2000) in turn"
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--latency-seconds", type=float, default=LATENCY_SECONDS)
    parser.add_argument("--profile", default="", help="write py-spy raw stacks of zopa here")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 20 players, 0.3 s")
    parser.add_argument(
        "--facilitator",
        action="store_true",
        help="a facilitator's dashboard socket watches zopa's session throughout",
    )
    parser.add_argument("--rounds", type=int, default=1, help="relay and zopa in turns, medians")
    parser.add_argument(
        "--db",
        default="",
        help="postgresql://...: measure zopa on PostgreSQL too, beside zopa on SQLite",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="with --db: measure this many workers too (each its session, its share of the "
        "players)",
    )
    parser.add_argument(
        "--spread", action="store_true", help="pin each worker to a core of its own"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout of zopa (git worktree add DIR COMMIT), measured in turns "
        "with this one: before and after in the same run",
    )
    args = parser.parse_args()
    if args.baseline is not None and not (args.baseline / "server" / "cli.py").is_file():
        parser.error(f"{args.baseline} is not a checkout of zopa (no server/cli.py)")
    sizes = [int(s) for s in args.sizes.split(",")]
    PROFILE = args.profile
    FACILITATOR = args.facilitator
    LATENCY_SECONDS = args.latency_seconds
    rates, seconds = [float(r) for r in args.rate.split(",")], args.seconds
    if args.quick:
        sizes, rates, seconds, LATENCY_SECONDS = [20], [200.0], 0.3, 0.4
        WARM_UP_SECONDS, TAIL_SECONDS, SETTLE_SECONDS = 0.2, 0.3, 0.1
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {1})
    # Relay and zopa take turns, so that a machine slowing down or speeding up over the
    # run weighs on both; each figure is the median of the rounds.
    runs: dict[str, list[dict[str, object]]] = {"relay": [], "zopa": []}
    roots = {"relay": ROOT, "zopa": ROOT}
    global SPREAD
    SPREAD = args.spread
    if args.db:
        DATABASES["pg"] = (args.db, 1)
        runs["pg"], roots["pg"] = [], ROOT
        if args.workers > 1:
            name = f"pg x{args.workers}"
            DATABASES[name] = (args.db, args.workers)
            runs[name], roots[name] = [], ROOT
    if args.baseline is not None:
        runs["baseline"], roots["baseline"] = [], args.baseline.resolve()
        if args.db:
            # The other checkout on PostgreSQL too: its before and after in the same run.
            DATABASES["pg base"] = (args.db, 1)
            runs["pg base"], roots["pg base"] = [], args.baseline.resolve()
    for _ in range(args.rounds):
        for name in runs:
            runs[name].append(asyncio.run(measure(name, sizes, rates, seconds, roots[name])))
    results = {name: median_figures(found) for name, found in runs.items()}
    print(
        f"players: {sizes}; offered load {'/'.join(f'{r:.0f}' for r in rates)} actions/s "
        f"at {max(sizes)} players "
        f"for {LATENCY_SECONDS:g} s; "
        f"{seconds:g} s per measurement; median of {args.rounds} round(s)"
    )
    baseline = results.get("baseline")
    more = [name for name in results if name in DATABASES]
    head = f"{'measure':<25}{'relay':>12}{'zopa':>12}{'zopa/relay':>12}"
    head += "".join(f"{name:>12}{name + '/zopa':>14}" for name in more)
    print(head + (f"{'baseline':>12}{'zopa/base':>12}" if baseline is not None else ""))
    for key in _keys(results):
        zopa = results["zopa"].get(key)
        relay = results["relay"].get(key)
        line = f"{key:<25}{_shown(relay)}{_shown(zopa)}{_ratio(zopa, relay)}"
        for name in more:
            figure = results[name].get(key)
            line += _shown(figure) + _ratio(figure, zopa, 14)
        if baseline is not None:
            line += f"{_shown(baseline.get(key))}{_ratio(zopa, baseline.get(key))}"
        print(line)
    if args.rounds > 1:
        # The medians hide how far apart the rounds were: each round's ratios.
        for name in more:
            for key in _keys(results):
                if key.startswith(("throughput", "total CPU", "p99")):
                    each = [
                        _ratio(run.get(key), zopa.get(key), 0)
                        for run, zopa in zip(runs[name], runs["zopa"], strict=True)
                    ]
                    print(f"{name}/zopa, {key}, by round: {' '.join(each)}")


def _keys(results: dict[str, dict[str, object]]) -> list[str]:
    """Every figure's name, in the order measured (a database's own rows in place)."""
    keys: list[str] = []
    for found in results.values():
        at = len(keys)
        for key in found:
            if key in keys:
                at = keys.index(key) + 1
            else:
                keys.insert(at, key)
                at += 1
    return keys


def _shown(figure: object) -> str:
    return f"{figure:>12,.1f}" if isinstance(figure, int | float) else f"{'-':>12}"


def _ratio(figure: object, other: object, width: int = 12) -> str:
    """``figure / other``, or a dash where either is missing."""
    if isinstance(figure, int | float) and isinstance(other, int | float) and other:
        return f"{figure / other:>{width}.2f}"
    return f"{'-':>{width}}"


if __name__ == "__main__":
    main()
