"""Tournaments of agents: games a second on one process and on two, and what an agent
loaded from a file costs against the same strategy built in.

Run: ``python bench/bench_agents.py [--rounds 5] [--repeat 20] [--scenarios S1,S2]``
(default guitar,campsite,supplier).

1. ``--jobs``: the same tournament (every built-in strategy, every pair, both roles) played
   with ``jobs=1`` and ``jobs=2``, in turns, new seeds each round. Two figures each:
   wall-clock time from the first game to the last row (the processes' start included),
   which is what a user waits for but depends on what else the machine runs (its load
   average is printed with it); and the *busiest process*: the CPU time of the
   parent plus that of the busiest worker, which is what the run would take with a core
   to each process, however busy the machine. Best round of each and the ratios.
2. File-loaded against built in: a tournament of boulware, tit-for-tat and linear, and the
   same with boulware loaded from a file (a ``TimeConceder`` with boulware's settings,
   played guarded, one per game), in turns, CPU time of this process, ``jobs=1``. The
   two must play the same games (their CSV rows are compared); the median of the rounds
   and the ratio. CPU time on a shared machine moves by 10% from run to run, so
   ``--play built-in`` or ``--play file`` plays one of the two once, for counting its
   instructions, which do not move::

       valgrind --tool=cachegrind --cache-sim=no python bench/bench_agents.py --play file
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Run as a script from anywhere: make the project importable without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zopa.rules.bots import STRATEGIES
from zopa.server.agent_tournament import Settings, run, schedule

FILE_AGENT = """
from zopa.rules.bots.conceder import TimeConceder


def Boulware():
    return TimeConceder("boulware", e=0.2, manner="firm", talk=0.0)
"""


def timed(settings: Settings, jobs: int) -> tuple[float, float]:
    """Wall-clock seconds, and CPU seconds of this process plus its busiest worker."""
    games = schedule(settings)
    cpu: dict[int, float] = {}
    started, own = time.perf_counter(), time.process_time()
    run(settings, games, jobs, cpu=cpu)
    wall, own = time.perf_counter() - started, time.process_time() - own
    return wall, own + max(cpu.values(), default=0.0)


def timed_cpu(settings: Settings) -> tuple[float, list[dict[str, str]]]:
    games = schedule(settings)
    started = time.process_time()
    rows = run(settings, games, 1)
    return time.process_time() - started, [r.cells() for r in rows]


def overhead_settings(
    folder: Path, scenarios: tuple[str, ...], repeat: int
) -> tuple[Settings, Settings]:
    """Boulware, tit-for-tat and linear; and the same with boulware from a file."""
    path = folder / "boulware_file.py"
    path.write_text(FILE_AGENT)
    agents = ("boulware", "tit-for-tat", "linear")
    built_in = Settings(agents, scenarios, repeat=repeat, seed=3)
    return built_in, Settings((f"{path}:Boulware", *agents[1:]), scenarios, repeat, 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--scenarios", default="guitar,campsite,supplier")
    parser.add_argument("--play", choices=("built-in", "file"), default=None)
    args = parser.parse_args()
    scenarios = tuple(args.scenarios.split(","))
    if args.play is not None:
        with tempfile.TemporaryDirectory() as folder:
            built_in, from_file = overhead_settings(Path(folder), scenarios, args.repeat)
            settings = built_in if args.play == "built-in" else from_file
            run(settings, schedule(settings), 1)
        return 0

    everyone = Settings(tuple(STRATEGIES), scenarios, repeat=args.repeat, seed=11)
    games = len(schedule(everyone))
    print(f"1. --jobs: {games} games ({len(STRATEGIES)} strategies, {','.join(scenarios)})")
    timed(everyone, 1)  # warm the file caches and imports before timing
    one: list[tuple[float, float]] = []
    two: list[tuple[float, float]] = []
    loads = []
    for n in range(args.rounds):
        # Seeds change from round to round so no round finds the last one's caches.
        settings = Settings(everyone.agents, scenarios, repeat=args.repeat, seed=100 + n)
        loads.append(os.getloadavg()[0])
        one.append(timed(settings, 1))
        two.append(timed(settings, 2))
        print(
            f"   round {n + 1}: wall clock jobs 1 {games / one[-1][0]:,.0f} games/s, jobs 2 "
            f"{games / two[-1][0]:,.0f}; busiest process jobs 1 {games / one[-1][1]:,.0f}, "
            f"jobs 2 {games / two[-1][1]:,.0f}"
        )
    for k, what in ((0, "wall clock"), (1, "busiest process")):
        best1, best2 = games / min(t[k] for t in one), games / min(t[k] for t in two)
        print(
            f"   {what}, best round: jobs 1 {best1:,.0f} games/s, jobs 2 {best2:,.0f} games/s:"
            f" x{best2 / best1:.2f}; per round, median"
            f" x{statistics.median(a[k] / b[k] for a, b in zip(one, two, strict=True)):.2f}"
        )
    print(f"   load average {min(loads):.1f} to {max(loads):.1f} on {os.cpu_count()} cores")

    with tempfile.TemporaryDirectory() as folder:
        built_in, from_file = overhead_settings(Path(folder), scenarios, args.repeat)
        count = len(schedule(built_in))
        print(f"2. file-loaded boulware against built in: {count} games, CPU time, jobs 1")
        timed_cpu(built_in)
        timed_cpu(from_file)
        inside: list[float] = []
        outside: list[float] = []
        for _ in range(args.rounds):
            seconds, rows_in = timed_cpu(built_in)
            inside.append(seconds)
            seconds, rows_out = timed_cpu(from_file)
            outside.append(seconds)
            if rows_in != rows_out:
                print("   the file-loaded strategy played other games than the built-in one")
                return 1
        a, b = statistics.median(inside), statistics.median(outside)
        print(
            f"   built in {count / a:,.0f} games/s, from a file {count / b:,.0f} games/s"
            f" (medians of {args.rounds}): the file-loaded one costs {100 * (b / a - 1):+.1f}%;"
            " the same games, row for row"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
