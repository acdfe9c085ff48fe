"""How many bot games a second one core plays, per pair of strategies.

Run: ``python bench/bench_bots.py [--games N] [--seed S] [--scenarios a,b] [--talk]``.
For each scenario (default: guitar, one issue with alternating turns, and campsite,
three issues with free turns) and each ordered pair of strategies, plays ``--games``
seeded games in process (``zopa.rules.bots.match.play_match``, scored as live games
are) three times, new games each time, and prints the best games per CPU second (this
process's CPU time, so that other work on the machine disturbs the figure as little as
possible), events per game and the share of deals. Silent bots by default, as ``zopa
bots match`` plays them; ``--talk`` adds their lines.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path

# Run as a script from anywhere: make the project importable without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zopa.rules.bots import STRATEGIES
from zopa.rules.bots.match import play_match
from zopa.rules.bots.negotiator import tuned
from zopa.rules.bots.variety import game_seed
from zopa.rules.library import builtin
from zopa.rules.scoring import result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--games", type=int, default=50, help="games per pair (default 50)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenarios", default="guitar,campsite")
    parser.add_argument("--talk", action="store_true", help="let the bots say their lines")
    args = parser.parse_args()
    out = functools.partial(print, flush=True)
    bots = {n: b if args.talk else tuned(b, talk=0.0) for n, b in STRATEGIES.items()}
    out(f"seed {args.seed}, {args.games} games per pair, {'talking' if args.talk else 'silent'}")
    for name in args.scenarios.split(","):
        scenario = builtin(name)
        first, second = scenario.role_ids
        out(f"\n{scenario.id} ({len(scenario.issues)} issues, {scenario.protocol.turns} turns)")
        out(f"{first:<15} {second:<15} {'games/s':>9} {'events':>7} {'deals':>6}  (CPU time)")
        total_games, total_seconds, n = 0, 0.0, 0
        for a in bots:
            for b in bots:
                pair = {first: bots[a], second: bots[b]}
                best = float("inf")
                for _ in range(3):
                    events = deals = 0
                    started = time.process_time()
                    # New games each time: the same seeds again would find every
                    # problem-solver's estimate and frontier cached, as no real run does.
                    for g in range(args.games):
                        match = play_match(scenario, pair, game_seed(args.seed, n + g))
                        scored = result(match.state)
                        events += len(match.events)
                        deals += scored is not None and scored["outcome"] == "agreement"
                    best = min(best, time.process_time() - started)
                    n += args.games
                seconds = max(best, 1e-9)
                total_games += args.games
                total_seconds += seconds
                out(
                    f"{a:<15} {b:<15} {args.games / seconds:>9,.0f}"
                    f" {events / args.games:>7.1f} {deals / args.games:>6.0%}"
                )
        out(f"{'all pairs':<31} {total_games / total_seconds:>9,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
