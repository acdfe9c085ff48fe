"""Pairing benchmark: the rules each round keeps, its time, and the players' latency meanwhile.

Run: ``python bench/bench_pairing.py`` (about two minutes; ``--quick`` for a smoke run).

Printed, in order:

- 5 players over 4 rounds of a plain session: repeated pairs, each player's role counts;
- 100 players over 99 rounds: repeated pairs, and whether any repeat was avoidable (for
  each round with a repeat, whether a repeat-free seating existed, by an independent
  maximum matching: networkx when installed, else explicit adjacency lists), role
  balance, and the worst and median round's time; also with a tenth of the class busy
  each round (the circle has to bend) and as a Swiss tournament;
- 1,000 players: the first round, and the worst of later rounds with a tenth busy; the
  same graph's matching by networkx for comparison, when installed;
- the players' latency (p50/p99, from an action sent to the partner receiving its event)
  under a steady load on a live server, while nothing else runs and while the server
  pairs 1,000 players back to back: on its event loop (``inline``), in a ``thread``, and
  in the worker ``process`` the server uses for large rounds. The server and its worker
  are pinned to one core, the load generator to the other (bench/bench_load.py's clients).

Each pairing time is the best of three runs of the same round, so that the machine's
other work does not count as the pairing's; the garbage collector is off while timing,
as it is in the server (server/memory.py).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_load import (
    KEY,
    Http,
    Load,
    Target,
    connect_zopa,
    free_port,
    link,
    open_loop,
    percentile,
    read,
)
from bench.pairing_server import HISTORY, synthetic_class
from zopa.server import offload
from zopa.server.pairing import PLAIN, TOURNAMENT, Record, RoundPairing, Rule, pair_round
from zopa.server.pairing_history import INLINE_UP_TO
from zopa.server.tournament.schedule import Pairing

ROOT = Path(__file__).resolve().parent.parent
# The server on core 0 and the load generator on core 1, as in bench/bench_load.py.
PINNED = bool(shutil.which("taskset")) and (os.cpu_count() or 1) > 1


@dataclass
class Class:
    """A session's players as the benchmark keeps them, apart from the code it times."""

    players: list[str]
    roles: dict[str, list[int]] = field(default_factory=dict)
    partners: dict[str, set[str]] = field(default_factory=dict)
    sat: dict[str, int] = field(default_factory=dict)
    score: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for p in self.players:
            self.roles[p], self.partners[p], self.sat[p], self.score[p] = [], set(), 0, 0.0

    def records(self) -> dict[str, Record]:
        return {
            p: Record(tuple(self.roles[p]), frozenset(self.partners[p]), self.sat[p], self.score[p])
            for p in self.players
        }

    def repeats(self, pairing: RoundPairing) -> int:
        """How many of the round's pairs had met before."""
        pairs = [t.seats for t in pairing.tables]
        return sum(1 for a, b in pairs if a is not None and b is not None and b in self.partners[a])

    def record(self, pairing: RoundPairing, number: int) -> None:
        for position, table in enumerate(pairing.tables):
            a, b = table.seats
            for role, p in enumerate(table.seats):
                if p is not None:
                    self.roles[p].append(role)
                    # A made-up standing, so that Swiss has one to sort by.
                    self.score[p] += (position * 7 + number * 3 + role) % 5
            if a is not None and b is not None:
                self.partners[a].add(b)
                self.partners[b].add(a)
            else:
                self.sat[a if a is not None else str(b)] += 1
        if pairing.bye is not None:
            self.sat[pairing.bye] += 1

    def worst_lean(self) -> int:
        return max(abs(r.count(0) - r.count(1)) for r in self.roles.values())

    def repeat_free_exists(self, present: Sequence[str], balance: bool) -> bool:
        """Whether a seating of ``present`` without repeats existed, sit-outs rotating
        (and keeping everyone's role balance, with ``balance``)."""
        fewest = min(self.sat[p] for p in present)
        lean = {p: self.roles[p].count(0) - self.roles[p].count(1) for p in present}
        vertices = list(present) + (["(bot)"] if len(present) % 2 else [])
        edges = []
        for i, a in enumerate(vertices):
            for b in vertices[i + 1 :]:
                if "(bot)" in (a, b):
                    if self.sat[a if b == "(bot)" else b] == fewest:
                        edges.append((a, b))
                elif b not in self.partners[a] and not (balance and lean[a] * lean[b] > 0):
                    edges.append((a, b))
        return perfect_matching_size(vertices, edges) * 2 == len(vertices)


def perfect_matching_size(vertices: list[str], edges: list[tuple[str, str]]) -> int:
    try:
        import networkx  # type: ignore[import-untyped]
    except ImportError:
        from zopa.server.matching import maximum_matching

        index = {v: i for i, v in enumerate(vertices)}
        adjacent: list[list[int]] = [[] for _ in vertices]
        for a, b in edges:
            adjacent[index[a]].append(index[b])
            adjacent[index[b]].append(index[a])
        mate = maximum_matching(len(vertices), adjacent.__getitem__)
        return sum(1 for m in mate if m != -1) // 2
    graph = networkx.Graph()
    graph.add_nodes_from(vertices)
    graph.add_edges_from(edges)
    return len(networkx.max_weight_matching(graph, maxcardinality=True))


def best_of_three(run: Callable[[], RoundPairing]) -> tuple[RoundPairing, float]:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        found = run()
        best = min(best, time.perf_counter() - started)
    return found, 1000 * best


@dataclass
class Series:
    times: list[float] = field(default_factory=list)
    repeats: int = 0
    rounds_with_repeats: int = 0
    avoidable: int = 0


def play_series(
    group: Class,
    rounds: int,
    busy: Callable[[int, int], bool],
    order: Sequence[Rule] = PLAIN,
    system: Pairing = "round_robin",
    check: bool = True,
) -> Series:
    """``rounds`` rounds, player i busy in round n when ``busy(i, n)``."""
    series = Series()
    for number in range(rounds):
        present = [p for i, p in enumerate(group.players) if not busy(i, number)]
        history = group.records()

        found, took = best_of_three(
            functools.partial(
                pair_round,
                present,
                history,
                system=system,
                odd="bot",
                index=number,
                seed=number,
                order=order,
            )
        )
        series.times.append(took)
        repeats = group.repeats(found)
        if repeats:
            series.repeats += repeats
            series.rounds_with_repeats += 1
            # A tournament keeps balance first: a repeat is avoidable only keeping it.
            balance = order[0] == "balance" and "balance" in found.rules
            series.avoidable += check and group.repeat_free_exists(present, balance)
        group.record(found, number)
    return series


def describe(name: str, group: Class, series: Series) -> str:
    avoidable = "yes" if series.avoidable == 0 else f"NO ({series.avoidable} rounds)"
    return (
        f"{name}: worst round {max(series.times):.1f} ms, median "
        f"{statistics.median(series.times):.1f} ms; repeated pairs {series.repeats} "
        f"in {series.rounds_with_repeats} rounds, no avoidable repeat: {avoidable}; "
        f"largest role difference {group.worst_lean()}"
    )


def small_class() -> None:
    group = Class([f"p{i}" for i in range(5)])
    series = play_series(group, 4, lambda i, n: False)
    counts = ", ".join(f"{r.count(0)}/{r.count(1)}" for r in group.roles.values())
    print(
        f"5 players x 4 rounds: repeated pairs {series.repeats}; roles (first/second) per "
        f"player {counts}; largest difference {group.worst_lean()}"
    )


def hundred(rounds: int) -> None:
    players = [f"p{i:03d}" for i in range(100)]
    group = Class(players)
    print(describe(f"100 players x {rounds} rounds", group, play_series(group, rounds, no_one)))
    group = Class(players)
    tenth = play_series(group, rounds, lambda i, n: (i + n) % 10 == 0)
    print(describe("  the same, a tenth busy each round", group, tenth))
    group = Class(players)
    swiss = play_series(group, rounds, no_one, TOURNAMENT, "swiss")
    print(describe("  the same, as a Swiss tournament (avoidable: keeping balance)", group, swiss))


def no_one(i: int, n: int) -> bool:
    return False


def thousand(rounds: int, compare: bool = True) -> None:
    players = [f"p{i:04d}" for i in range(1000)]
    group = Class(players)
    first = play_series(group, 1, no_one, check=False)
    later = play_series(group, rounds, lambda i, n: (i * 7 + n) % 10 == 0, check=False)
    print(
        f"1000 players: first round {first.times[0]:.1f} ms; rounds 2-{rounds + 1} with a "
        f"tenth busy: worst {max(later.times):.1f} ms, median "
        f"{statistics.median(later.times):.1f} ms; repeated pairs {later.repeats}"
    )
    group = Class(players)
    swiss = play_series(group, rounds, no_one, TOURNAMENT, "swiss", check=False)
    print(
        f"  as a Swiss tournament, {rounds} rounds: worst {max(swiss.times):.1f} ms, median "
        f"{statistics.median(swiss.times):.1f} ms"
    )
    try:
        import networkx  # noqa: F401
    except ImportError:
        return
    if not compare:
        return
    present = [p for i, p in enumerate(players) if (i * 7 + rounds) % 10]
    edges = [
        (a, b)
        for i, a in enumerate(present)
        for b in present[i + 1 :]
        if b not in group.partners[a]
    ]
    started = time.perf_counter()
    perfect_matching_size(present, edges)
    print(
        f"  networkx max_weight_matching on the next round's graph of new partners: "
        f"{1000 * (time.perf_counter() - started):.0f} ms"
    )


async def through_the_worker(size: int, rounds: int) -> None:
    """What pairing a large round in the worker process costs the server's own process (its
    CPU time, the event loop's), and the round's time as the loop awaits it: every player's
    whole record pickled each time, as before, and the history kept in the worker, which is
    sent each round's changes (``pair_session_round``)."""
    base = synthetic_class(size)
    history, present = base.history(), base.present(HISTORY)
    how = {"system": "round_robin", "odd": "bot", "seed": 1}
    await offload.run(pair_round, [], {}, index=0, **how)  # starts the worker

    async def pickled() -> None:
        theirs = {p: history[p] for p in present}
        await offload.run(pair_round, present, theirs, index=HISTORY, order=PLAIN, **how)

    session = base.again()

    kept = session.next_round

    first = await measured(kept)
    costs: dict[str, list[tuple[float, float]]] = {"pickled": [], "kept": []}
    for _ in range(rounds):
        for name, run in (("pickled", pickled), ("kept", kept)):
            costs[name].append(await measured(run))
    await offload.shutdown()
    (cpu_p, wall_p), (cpu_k, wall_k) = (
        tuple(statistics.median(c[i] for c in costs[name]) for i in (0, 1))
        for name in ("pickled", "kept")
    )
    print(
        f"{size} players through the worker process, the server's CPU time per round (median "
        f"of {rounds}, in turns): whole records pickled {cpu_p:.2f} ms, history kept in the "
        f"worker {cpu_k:.2f} ms (x{cpu_k / cpu_p:.2f}; a round of changes sent each time, the "
        f"whole history the first time: {first[0]:.2f} ms); the round as the loop awaits it "
        f"{wall_p:.1f} and {wall_k:.1f} ms"
    )


async def measured(run: Callable[[], Awaitable[None]]) -> tuple[float, float]:
    """This process's CPU milliseconds and the wall milliseconds that ``run`` took."""
    cpu, wall = time.process_time(), time.perf_counter()
    await run()
    return 1000 * (time.process_time() - cpu), 1000 * (time.perf_counter() - wall)


def largest_inline(rounds: int) -> None:
    group = Class([f"p{i:03d}" for i in range(INLINE_UP_TO)])
    series = play_series(group, rounds, lambda i, n: (i + n) % 10 == 0, check=False)
    print(
        f"{INLINE_UP_TO} players, the largest round paired on the event loop, {rounds} rounds "
        f"with a tenth busy: worst {max(series.times):.1f} ms, median "
        f"{statistics.median(series.times):.1f} ms"
    )


def late_in_a_long_session(rounds: int) -> None:
    players = [f"p{i:04d}" for i in range(1000)]
    group = Class(players)
    play_series(group, rounds, lambda i, n: (i * 7 + n) % 10 == 0, check=False)
    last = play_series(group, 1, lambda i, n: (i * 3) % 10 == 0, check=False)
    print(f"1000 players, round {rounds + 1} with a tenth busy: {last.times[0]:.1f} ms")


# ---- the players' latency while the server pairs ----------------------------------------


def launch(workdir: Path) -> Target:
    port = free_port()
    pin = ["taskset", "-c", "0"] if PINNED else []
    command = [sys.executable, str(ROOT / "bench" / "pairing_server.py"), "--port", str(port)]
    command += ["--db", str(workdir / "bench.db"), "--log-level", "warning"]
    env = {
        **os.environ,
        "ZOPA_FACILITATOR_KEY": KEY,
        "ZOPA_RATE": "1000",
        "ZOPA_BURST": "1000",
        # No garbage sweep inside a window: each would show in one mode's p99 only.
        "ZOPA_GC_SWEEP_SECONDS": "100000",
    }
    out = open(workdir / "server.log", "ab")  # noqa: SIM115 - lives as long as the child
    process = subprocess.Popen(pin + command, cwd=ROOT, env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((workdir / "server.log").read_text())
        try:
            Http(port).call("GET", "/healthz", key=False)
            return Target("zopa", port, process, workdir)
        except (ConnectionError, OSError):
            time.sleep(0.05)  # waiting for a child process to listen; nothing to await
    raise RuntimeError("the server did not listen")


def windows(spare_core: bool) -> dict[str, dict[str, object] | None]:
    """Each latency window's pairing, by column. With the server alone on its core: none,
    on the loop, in a thread, and in the worker process sharing the server's core: sent
    whole records (``pickled``, as before 2026-12-06) and as the server pairs now
    (``process``: the worker keeps the history), both at nice 19 as the server runs its
    worker, and the same at ``SCHED_IDLE`` (``idle``, tried and not kept: it starved the
    worker on a busy machine and did not lower the players' latency), and the worker only
    spinning at nice 19, no pairing at all (``busy``: what any work on the server's core
    costs the players). With
    ``spare_core``: none and the worker moved to the other core, as before, as now, and
    as now at nice 0 (``nice 0``: on a machine shared with other work, a worker at nice
    19 gets little of the other core, and so pairs far less often in a window)."""
    cores = [1] if spare_core else [0] if PINNED else []
    worker: dict[str, dict[str, object] | None] = {
        "pickled": {"mode": "pickled", "cores": cores, "policy": "nice"},
        "process": {"mode": "server", "cores": cores, "policy": "nice"},
    }
    if spare_core:
        if os.geteuid() == 0:
            worker["nice 0"] = {"mode": "server", "cores": cores, "policy": "normal"}
        return {"none": None, **worker}
    worker["idle"] = {"mode": "server", "cores": cores, "policy": "idle"}
    # The worker at nice 19 spinning, no pairing: what any work on the server's core costs.
    worker["busy"] = {"mode": "busy", "cores": cores, "policy": "nice"}
    return {"none": None, "inline": {"mode": "inline"}, "thread": {"mode": "thread"}, **worker}


async def latency(
    players: int, size: int, rate: float, seconds: float, turns: int, spare_core: bool = False
) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="zopa-bench-pairing-"))
    target = launch(workdir)
    columns = windows(spare_core)
    if spare_core:
        # The load generator joins the server on core 0, leaving core 1 to the worker.
        os.sched_setaffinity(0, {0})
    try:
        seats = await connect_zopa(target, players)

        def pairings(body: dict[str, object]) -> object:
            # A connection each: uvicorn closes idle keep-alive ones after five seconds.
            return Http(target.port).call("POST", "/bench/pairing", body)

        # Builds the class to pair and starts the worker process: not measured.
        await asyncio.to_thread(pairings, {"mode": "server", "players": size, "seconds": 0})
        gc.collect()
        gc.freeze()
        gc.disable()
        partner = link(seats)
        load = Load(seats)
        readers = [asyncio.create_task(read(s, partner.get(id(s)), load)) for s in seats]
        figures: dict[str, list[tuple[float, float, int, float]]] = {c: [] for c in columns}
        for _ in range(turns):
            for column, how in columns.items():
                pairing = None
                if how is not None:
                    body = {**how, "players": size, "seconds": seconds}
                    pairing = asyncio.create_task(asyncio.to_thread(pairings, body))
                latencies = await open_loop(seats, load, rate, seconds)
                done = await pairing if pairing is not None else {"pairings": 0, "ms": 0.0}
                assert isinstance(done, dict)
                figures[column].append(
                    (
                        1000 * percentile(latencies, 0.50),
                        1000 * percentile(latencies, 0.99),
                        int(done["pairings"]),
                        float(done["ms"]),
                    )
                )
        for reader in readers:
            reader.cancel()
        for seat in seats:
            seat.socket.close()
        await asyncio.gather(*readers, return_exceptions=True)
        gc.enable()
    finally:
        target.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    if spare_core:
        os.sched_setaffinity(0, {1})
    where = (
        "server and load generator on core 0, the worker alone on core 1"
        if spare_core
        else "server on core 0 (the worker too), load generator on core 1"
    )
    print(
        f"players' latency, {where}: {players} players at {rate:.0f} actions/s, "
        f"{seconds:.0f} s per window, median of {turns} turn(s); {size}-player pairings "
        "back to back"
    )
    print(f"{'measure':<12}" + "".join(f"{c:>12}" for c in columns))
    rows = ("p50 ms", "p99 ms", "pairings", "ms each")
    medians: dict[str, list[float]] = {}
    for index, row in enumerate(rows):
        values = medians[row] = [statistics.median(f[index] for f in figures[c]) for c in columns]
        print(f"{row:<12}" + "".join(f"{v:>12.1f}" for v in values))
    # The players' p99 while the server pairs, against the windows with no pairing (the
    # first column), each pair of windows taken in turns in this run.
    for row in ("p50 ms", "p99 ms"):
        base = medians[row][0]
        ratios = [v / base if base else float("nan") for v in medians[row]]
        print(f"{row.split()[0] + ' ratio':<12}" + "".join(f"{r:>12.2f}" for r in ratios))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: fewer, smaller")
    parser.add_argument(
        "--latency-only",
        action="store_true",
        help="only the server's share of a pairing and the players' latency",
    )
    parser.add_argument("--players", type=int, default=200, help="players under load")
    parser.add_argument("--rate", type=float, default=1000.0, help="offered actions/s")
    parser.add_argument("--seconds", type=float, default=8.0, help="each latency window")
    parser.add_argument("--turns", type=int, default=3, help="latency windows per mode")
    parser.add_argument(
        "--boost",
        type=int,
        default=0,
        help="nice value (e.g. -10) for this run's autogroup while latency is measured, so "
        "that other sessions' work on a shared machine weighs less on every column",
    )
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if PINNED:
        os.sched_setaffinity(0, {1})
    gc.disable()
    if not args.latency_only:
        small_class()
        hundred(20 if args.quick else 99)
        largest_inline(10 if args.quick else 40)
        thousand(2 if args.quick else 20, compare=not args.quick)
    asyncio.run(through_the_worker(300 if args.quick else 1000, 3 if args.quick else 10))
    if not args.quick and not args.latency_only:
        late_in_a_long_session(99)
    gc.enable()
    if args.quick:
        asyncio.run(latency(20, 300, 200.0, 1.0, 1))
        return
    if args.boost:
        # The kernel shares the CPU between sessions first (autogroups), then by nice
        # within one: the server, its worker and the load generator all share this one.
        Path("/proc/self/autogroup").write_text(str(args.boost))
    asyncio.run(latency(args.players, 1000, args.rate, args.seconds, args.turns))
    if PINNED:
        asyncio.run(latency(args.players, 1000, args.rate, args.seconds, args.turns, True))
    if args.boost:
        Path("/proc/self/autogroup").write_text("0")


if __name__ == "__main__":
    main()
