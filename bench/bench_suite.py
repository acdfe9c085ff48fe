"""The test suite's wall time against an older checkout's, like for like.

Run: ``python bench/bench_suite.py BASE [--rounds N] [-- PYTEST ARGS]`` from this
checkout, where BASE is a checkout of the commit to compare with (for issue 20:
``git worktree add /tmp/zopa-suitebase 8cd9334``). Each round runs, in turns, the
base's whole suite, this checkout's whole suite, and this checkout's suite restricted
to the tests the base also has (matched by node id): the third figure is the like-for-
like one, the same tests on today's code. Each run is ``python -m pytest -q -p
no:cacheprovider --durations=0`` from the checkout's root, so ``zopa`` is imported
from that checkout. Prints each run's wall time and tests, the base's tests not found
here (renamed or gone), and the ratios of the medians to the base's.

Arguments after ``--`` go to this checkout's runs only. With ``--parallel`` each round
also runs this checkout's like-for-like tests on pytest-xdist's workers (``-n auto
--dist loadscope``, one module's tests on one worker), as a fourth figure.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
PARALLEL = ["-n", "auto", "--dist", "loadscope"]
SUMMARY = re.compile(r"^=*\s*(\d+ (?:passed|failed|error).*?) in [\d.]+s", re.MULTILINE)


def node_ids(checkout: Path) -> list[str]:
    """The suite's tests as pytest names them, collected in ``checkout``."""
    done = subprocess.run(
        [*PYTEST, "--collect-only"],
        cwd=checkout,
        env=environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in done.stdout.splitlines() if line.startswith("tests/") and "::" in line]


def environment() -> dict[str, str]:
    """Both checkouts read the datasets from beside this one (the base may be elsewhere)."""
    env = dict(os.environ)
    env.setdefault("ZOPA_DATASETS", str(HERE.parent / "shared" / "datasets"))
    return env


def timed(checkout: Path, args: list[str], log: Path) -> tuple[float, str]:
    """Wall seconds of one pytest run and its summary line (``797 passed, ...``)."""
    started = time.perf_counter()
    with log.open("w") as out:
        subprocess.run(
            [*PYTEST, "--durations=0", *args],
            cwd=checkout,
            env=environment(),
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    wall = time.perf_counter() - started
    found = SUMMARY.findall(log.read_text())
    return wall, found[-1] if found else "no summary (see the log)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("base", type=Path, help="a checkout of the commit to compare with")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--logs", type=Path, help="keep each run's output in this folder")
    parser.add_argument(
        "--parallel", action="store_true", help="also the like-for-like tests on xdist workers"
    )
    parser.add_argument("extra", nargs="*", help="after --: pytest arguments for this checkout")
    args = parser.parse_args()
    base = args.base.resolve()
    before, now = node_ids(base), node_ids(HERE)
    kept = [test for test in before if test in set(now)]
    gone = [test for test in before if test not in set(now)]
    print(f"base {base}: {len(before)} tests; this checkout {HERE}: {len(now)} tests")
    print(f"the base's tests found here by node id: {len(kept)}; not found: {len(gone)}")
    for test in gone:
        print(f"  not found: {test}")
    with tempfile.TemporaryDirectory() as scratch:
        logs = args.logs or Path(scratch)
        logs.mkdir(parents=True, exist_ok=True)
        chosen = Path(scratch) / "base-tests.txt"
        chosen.write_text("".join(f"{test}\n" for test in kept))
        runs: dict[str, list[float]] = {"base": [], "whole": [], "like": []}
        plan = [
            ("base", base, []),
            ("whole", HERE, list(args.extra)),
            ("like", HERE, [*args.extra, f"@{chosen}"]),
        ]
        if args.parallel:
            runs["like-n"] = []
            plan.append(("like-n", HERE, [*PARALLEL, *args.extra, f"@{chosen}"]))
        for round_ in range(1, args.rounds + 1):
            for name, checkout, run_args in plan:
                wall, summary = timed(checkout, run_args, logs / f"{name}-{round_}.log")
                runs[name].append(wall)
                print(f"round {round_} {name:5}  {wall:7.1f} s  {summary}", flush=True)
    medians = {name: statistics.median(walls) for name, walls in runs.items()}
    print(f"(a) base's whole suite              {medians['base']:7.1f} s")
    print(f"(b) this checkout's whole suite     {medians['whole']:7.1f} s")
    print(f"(c) the base's tests on this code   {medians['like']:7.1f} s")
    print(f"ratio (c)/(a)                       {medians['like'] / medians['base']:7.2f}")
    print(f"ratio (b)/(a)                       {medians['whole'] / medians['base']:7.2f}")
    if "like-n" in medians:
        print(f"(c) on xdist's workers              {medians['like-n']:7.1f} s")
        print(f"ratio (c on workers)/(a)            {medians['like-n'] / medians['base']:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
