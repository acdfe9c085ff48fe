"""Memory follows live work: what an ended game costs, start-up, and a big round's start.

Run: ``python bench/bench_memory.py [--games 10000] [--round 500]``.

In process, on a real SQLite file, with the server's own rooms and no sockets:

1. **Ended games.** Classes of 40 players play rounds of 20 games; each round is ended
   by the facilitator (``end-round``) and the next one starts, until ``--games`` have
   ended. The resident set is read after a first class has played (so the live work's
   own memory is already there), again once ``--warm-up`` of them have ended, and at the
   end: the growth from the second reading to the third, divided by the games ended in
   between, is what each ended game keeps. The first games' growth is bounded, not per
   game: SQLite's page cache (2 MB by default) and the scenario caches fill up, and the
   allocator's pools grow to the live work's peak; it is printed too, with the growth
   over every game. Printed last: the resident set every ``--step`` games with what
   SQLite's heap and Python's small-object arenas hold of it, the growth per game between
   readings, and what grew once beyond the later rate; then the idle sweep
   (``idle_sessions.py``) letting the month-old classes go.
2. **Start-up.** That database, plus a recent session with 20 live games, is opened by
   a fresh process that times ``storage.open`` and ``Sessions.recover``: once with the
   classes older than ``ZOPA_RECENT_HOURS`` (their sessions load on demand) and once
   with every session recent (all of them loaded).
3. **A big round.** A session of twice ``--round`` players; the time from the call that
   starts the round to every game stored, its actor started and its views sent (the
   best of three sessions: the machine's other work only ever adds to it), and the
   pairing's own share.
"""

from __future__ import annotations

import _sqlite3
import argparse
import asyncio
import ctypes
import dataclasses
import gc
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zopa.server.config import Settings
from zopa.server.hub import Hub
from zopa.server.idle_sessions import IdleSessions
from zopa.server.pairing import PLAIN, pair_round
from zopa.server.sessions import Sessions
from zopa.server.storage_sqlite import SqliteStorage

CLASS = 40  # players in one class
ROUNDS = 10  # rounds one class plays
DAY = 24 * 3600.0


def rss_kb() -> int:
    """The resident set now, in KB (``ru_maxrss`` is only the peak)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def sqlite_kb() -> int:
    """What SQLite has allocated in this process (its page caches most of it), in KB."""
    used, peak = ctypes.c_int64(), ctypes.c_int64()
    status = ctypes.CDLL(_sqlite3.__file__).sqlite3_status64
    if status(0, ctypes.byref(used), ctypes.byref(peak), 0) != 0:  # SQLITE_STATUS_MEMORY_USED
        return -1
    return used.value // 1024


def python_arenas_kb() -> tuple[int, int]:
    """Python's small-object allocator: its arenas, and what its live blocks fill, in KB."""
    with tempfile.TemporaryFile() as out:
        saved = os.dup(2)
        os.dup2(out.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read().decode()
    arenas = re.search(r"arenas \* \d+ bytes/arena\s*=\s*([\d,]+)", text)
    blocks = re.search(r"# bytes in allocated blocks\s*=\s*([\d,]+)", text)
    if arenas is None or blocks is None:
        return -1, -1
    return (int(arenas[1].replace(",", "")) // 1024, int(blocks[1].replace(",", "")) // 1024)


@dataclasses.dataclass(frozen=True)
class Reading:
    games: int
    rss: int  # KB, as every figure here
    sqlite: int
    arenas: int
    blocks: int


def reading(games: int) -> Reading:
    gc.collect()
    return Reading(games, rss_kb(), sqlite_kb(), *python_arenas_kb())


class Clock:
    """The time the server believes it is: the past while the old classes play."""

    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at if self.at else time.time()


async def open_sessions(
    path: Path, clock: Clock, **settings: float
) -> tuple[Sessions, SqliteStorage]:
    storage = SqliteStorage(str(path), 0.002)
    await storage.open()
    config = dataclasses.replace(Settings(database=str(path)), **settings)  # type: ignore[arg-type]
    return Sessions(storage, Hub(), config, clock=clock), storage


async def play_class(sessions: Sessions, scenario: str) -> int:
    """A class of ``CLASS`` players plays ``ROUNDS`` rounds, each ended by the facilitator."""
    session = await sessions.open(scenario)
    for n in range(CLASS):
        await sessions.players.join(session.code, f"Player {n}")
    played = 0
    for _ in range(ROUNDS):
        _, games = await sessions.rounds.start(session.code)
        played += await sessions.controls.end_round(session.code)
        assert all(not g.live for g in games), "an ended game kept its actor"
    return played


async def ended_games(
    path: Path, count: int, warm_up: int, step: int, later: list[Callable[[], None]]
) -> float:
    """KB of resident memory each ended game keeps; the readings' lines go to ``later``,
    printed after the other figures."""
    clock = Clock(time.time() - 30 * DAY)
    sessions, storage = await open_sessions(path, clock, gc_sweep_seconds=0)
    scenarios = ["guitar", "new-hire", "supplier"]
    await play_class(sessions, "guitar")  # the live work's own memory, before measuring
    gc.collect()
    start = rss_kb()
    played = warmed = 0
    before = start if warm_up <= 0 else 0  # 0: not read yet
    readings = [reading(0)]  # every ``step`` games
    while played < count:
        played += await play_class(sessions, scenarios[played // (CLASS // 2) % 3])
        clock.at += 60
        if not before and played >= warm_up:
            gc.collect()
            before, warmed = rss_kb(), played
        if played >= readings[-1].games + step or played >= count:
            readings.append(reading(played))
    gc.collect()
    after = rss_kb()
    # Twenty live games in a session of today, for start-up to resume.
    clock.at = 0
    today = await sessions.open("guitar")
    for n in range(CLASS):
        await sessions.players.join(today.code, f"Live {n}")
    await sessions.rounds.start(today.code)
    # The classes, a month old and not asked for since, leave memory at the idle sweep.
    held = reading(played)
    idle = IdleSessions(sessions, Hub(), sessions.settings, clock)
    gone = len(idle.sweep())
    count_left = sessions.registry.count()
    swept = reading(played)
    ctypes.CDLL(None).malloc_trim(0)  # what the C allocator could give back at once
    trimmed = rss_kb()
    await sessions.shutdown()
    await storage.close()
    counted = played - warmed
    print(
        f"ended games: {played:,}; the last {counted:,} kept {after - before:,} KB of RSS "
        f"more ({after} KB in all): {1024 * (after - before) / counted:.0f} bytes per ended "
        f"game (the first {warmed:,} grew it {before - start:,} KB, caches and pools filling; "
        f"over all {played:,}: {1024 * (after - start) / played:.0f} bytes per game)"
    )
    later.append(lambda: print_growth(readings))
    later.append(
        lambda: print(
            f"idle sweep: {gone} old sessions left memory ({count_left} left); Python's live "
            f"blocks {held.blocks:,} -> {swept.blocks:,} KB, free for new work in the process; "
            f"RSS {held.rss:,} -> {swept.rss:,} KB ({trimmed:,} KB once the C allocator "
            "trimmed: arenas with any block in use stay)"
        )
    )
    return (after - before) / counted


def print_growth(readings: list[Reading]) -> None:
    """The resident set at each reading, what SQLite and Python's small-object allocator
    hold of it, and the growth per game between readings: a fixed cost shows as growth
    in the first stretch only, a per-game one in every one."""

    def row(name: str, values: list[float], form: str = ",.0f") -> None:
        print(f"  {name:<24}" + "".join(f"{v:>8{form}}" for v in values))

    row("games ended", [r.games for r in readings])
    row("RSS KB", [r.rss for r in readings])
    row("  SQLite's heap KB", [r.sqlite for r in readings])
    row("  Python's arenas KB", [r.arenas for r in readings])
    row("    in live blocks KB", [r.blocks for r in readings])
    steps = list(itertools.pairwise(readings))
    row(
        "RSS B/game since last",
        [0] + [1024 * (r.rss - p.rss) / (r.games - p.games) for p, r in steps],
    )
    zero, first, last = readings[0], readings[1], readings[-1]
    if last.games <= first.games:
        return
    late = 1024 * (last.rss - first.rss) / (last.games - first.games)

    def grew(name: str) -> tuple[int, int]:
        """How much ``name`` grew over the first stretch, and over all the others."""
        early = getattr(first, name) - getattr(zero, name)
        return early, getattr(last, name) - getattr(first, name)

    rss, sqlite, arenas, blocks = (grew(n) for n in ("rss", "sqlite", "arenas", "blocks"))
    print(
        f"  the first {first.games:,} games grew the RSS {rss[0]:,} KB, the next "
        f"{last.games - first.games:,} {rss[1]:,} KB ({late:.0f} B/game); grown once, beyond "
        f"that rate: {rss[0] - late * first.games / 1024:,.0f} KB, of which SQLite's heap "
        f"{sqlite[0]:,} KB (later {sqlite[1]:+,}) and Python's arenas {arenas[0]:,} KB (later "
        f"{arenas[1]:+,}; their live blocks {blocks[0]:+,}, later {blocks[1]:+,})"
    )


async def start_up(path: str, recent_hours: float) -> None:
    """In a fresh process: open storage and recover, timed; the figures as JSON."""
    started = time.perf_counter()
    storage = SqliteStorage(path, 0.002)
    await storage.open()
    settings = Settings(database=path, recent_seconds=recent_hours * 3600)
    sessions = Sessions(storage, Hub(), settings)
    resumed = await sessions.recover()
    spent = time.perf_counter() - started
    loaded = sessions.registry.count()
    await sessions.shutdown()
    await storage.close()
    print(json.dumps({"seconds": spent, "resumed": resumed, "sessions": loaded}))


def timed_start_up(path: Path, recent_hours: float) -> dict[str, float]:
    command = [sys.executable, __file__, "--start-up", str(path), "--recent-hours"]
    answer = subprocess.run(
        [*command, str(recent_hours)], capture_output=True, text=True, check=True
    )
    found: dict[str, float] = json.loads(answer.stdout.splitlines()[-1])
    return found


async def big_round(path: Path, games: int, tries: int = 3) -> tuple[float, float]:
    """The best of ``tries`` round starts, each in a session of its own; and the pairing's."""
    clock = Clock(0)
    sessions, storage = await open_sessions(path, clock)
    best = pairing = float("inf")
    for _ in range(tries):
        session = await sessions.open("new-hire")
        for n in range(2 * games):
            await sessions.players.join(session.code, f"Player {n}")
        free = list(session.players)
        started = time.perf_counter()
        _, made = await sessions.rounds.start(session.code)
        best = min(best, time.perf_counter() - started)
        assert len(made) == games
        # The pairing alone, on the same players, for the share of it that is not this
        # module's: ``server/pairing.py`` decides who plays whom.
        started = time.perf_counter()
        pair_round(free, {}, system="round_robin", odd="bot", index=0, seed=1, order=PLAIN)
        pairing = min(pairing, time.perf_counter() - started)
    await sessions.shutdown()
    await storage.close()
    return best, pairing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--games", type=int, default=10_000)
    parser.add_argument("--round", type=int, default=500)
    parser.add_argument(
        "--warm-up", type=int, help="ended games before the first reading (a fifth of --games)"
    )
    parser.add_argument(
        "--step", type=int, default=1000, help="ended games between two readings of the RSS"
    )
    parser.add_argument("--start-up", help=argparse.SUPPRESS)
    parser.add_argument("--recent-hours", type=float, default=24, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.start_up:
        asyncio.run(start_up(args.start_up, args.recent_hours))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "zopa.db"
        warm_up = args.games // 5 if args.warm_up is None else args.warm_up
        if not 0 <= warm_up < args.games - CLASS * ROUNDS // 2:
            parser.error("--warm-up leaves no games to measure")
        later: list[Callable[[], None]] = []
        asyncio.run(ended_games(path, args.games, warm_up, args.step, later))
        for hours, what in ((24, "older classes on demand"), (1e6, "every session recent")):
            found = timed_start_up(path, hours)
            loaded, resumed = int(found["sessions"]), int(found["resumed"])
            print(
                f"start-up, {what}: {found['seconds'] * 1000:.0f} ms "
                f"({loaded} sessions loaded, {resumed} live games resumed)"
            )
        spent, pairing = asyncio.run(big_round(Path(folder) / "round.db", args.round))
        print(
            f"a round of {args.round} games: {1000 * spent:.0f} ms to start, best of 3 "
            f"(the pairing alone: {1000 * pairing:.0f} ms)"
        )
        for line in later:
            line()


if __name__ == "__main__":
    main()
