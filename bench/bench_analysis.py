"""How much faster the issue-by-issue analysis is than listing every outcome.

Run: ``python bench/bench_analysis.py [--seed N]``. Prints one row per scenario size:
fast and brute-force times and their ratio, then the 12-issue x 10-option case that only
the fast method can do. Two kinds of point tables:

- ``random``: both roles' points drawn independently, 0..100 per option;
- ``opposed``: on every issue the roles rank the options in opposite orders, so every
  option is Pareto-optimal on its own and the frontier is as large as it gets.
"""

from __future__ import annotations

import argparse
import functools
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Run as a script from anywhere: make the project importable without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zopa.rules.analysis import Analysis, analyze, analyze_brute
from zopa.rules.scenario import Issue, Protocol, Role, Scenario

KINDS = ("random", "opposed")
BOTH = ((4, 5), (6, 5), (8, 5))
FAST_ONLY = (12, 10)


def scenario(rng: random.Random, issues: int, options: int, kind: str) -> Scenario:
    tables: list[tuple[list[int], list[int]]] = []
    for _ in range(issues):
        if kind == "random":
            mine = [rng.randint(0, 100) for _ in range(options)]
            theirs = [rng.randint(0, 100) for _ in range(options)]
        else:
            mine = sorted(rng.sample(range(101), options))
            theirs = sorted(rng.sample(range(101), options), reverse=True)
        tables.append((mine, theirs))
    issue_list = tuple(
        Issue(f"i{n}", f"Issue {n}", tuple(f"o{j}" for j in range(options))) for n in range(issues)
    )
    # BATNAs at 40% of the midpoint of each role's range keep a zone of agreement likely.
    roles = tuple(
        Role(
            id=name,
            label=name,
            brief="",
            batna=int(0.4 * 100 * issues),
            points=tuple(tuple(table[r]) for table in tables),
        )
        for r, name in enumerate(("a", "b"))
    )
    return Scenario("bench", "Bench", "", Protocol(), issue_list, (roles[0], roles[1]))


def timed(method: Callable[[Scenario], Analysis], value: Scenario) -> tuple[float, Analysis]:
    start = time.perf_counter()
    result = method(value)
    return time.perf_counter() - start, result


def fast(value: Scenario) -> Analysis:
    # Bypass the cache: the bench measures the work, not the lookup.
    return analyze.__wrapped__(value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = functools.partial(print, flush=True)
    out(f"seed {args.seed}")
    header = f"{'kind':<8} {'issues x options':>16} {'outcomes':>14} {'frontier':>8}"
    out(f"{header} {'fast s':>9} {'brute s':>9} {'brute/fast':>10}")
    for kind in KINDS:
        for issues, options in BOTH:
            value = scenario(rng, issues, options, kind)
            fast_s, result = timed(fast, value)
            brute_s, check = timed(analyze_brute, value)
            if check != result:
                out(f"MISMATCH on {kind} {issues}x{options}")
                return 1
            size = f"{issues} x {options}"
            out(
                f"{kind:<8} {size:>16} {result.outcomes:>14,} {len(result.frontier):>8}"
                f" {fast_s:>9.4f} {brute_s:>9.3f} {brute_s / fast_s:>10,.0f}"
            )
    for kind in KINDS:
        issues, options = FAST_ONLY
        value = scenario(rng, issues, options, kind)
        fast_s, result = timed(fast, value)
        size = f"{issues} x {options}"
        out(
            f"{kind:<8} {size:>16} {result.outcomes:>14,} {len(result.frontier):>8}"
            f" {fast_s:>9.4f} {'-':>9} {'-':>10}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
