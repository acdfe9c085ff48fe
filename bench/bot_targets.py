"""Whether the built-in strategies meet their targets (issue 23) on every built-in scenario.

Run: ``python bench/bot_targets.py [--repeat N] [--seed S] [--scenarios a,b]``. Plays
the round robin of ``zopa bots match`` (silent, cards dealt per game, ``--repeat``
games per pairing, default 10, seed 7) on each scenario and prints, where a deal
exists, the targets of docs/bots.md: pairings among conceder, linear, boulware and
tit-for-tat agree in at least 80% of games, every strategy but the hard-liner agrees
with itself in at least 90%, mean efficiency over all pairings at least 0.8; then the
games per CPU second of each round robin. Exits 1 if a target is missed or the rules
refused a move.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zopa.rules.bots import STRATEGIES, Bot
from zopa.rules.bots.negotiator import tuned
from zopa.rules.bots.tournament import round_robin
from zopa.rules.library import builtin, builtin_scenarios


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=10, help="games per pairing (default 10)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scenarios", default=None, help="default: every built-in scenario")
    args = parser.parse_args()
    names = args.scenarios.split(",") if args.scenarios else [s.id for s in builtin_scenarios()]
    bots: dict[str, Bot] = {n: tuned(b, talk=0.0) for n, b in STRATEGIES.items()}
    missed = refused = 0
    print(f"seed {args.seed}, {args.repeat} games per pairing, cards dealt per game", flush=True)
    for name in names:
        started = time.process_time()
        tournament = round_robin(builtin(name), bots, args.repeat, args.seed)
        seconds = max(time.process_time() - started, 1e-9)
        refused += tournament.refused
        targets = tournament.targets()
        print(f"\n{name}: {tournament.games / seconds:,.0f} games/s (CPU time)", flush=True)
        if not targets:
            print("  no zone of agreement in any game: no targets (walking away is right)")
        for target in targets:
            missed += not target.met
            print(f"  {target.name:<44} {target}", flush=True)
    print(f"\n{missed} targets missed, {refused} moves refused")
    return 1 if missed or refused else 0


if __name__ == "__main__":
    sys.exit(main())
