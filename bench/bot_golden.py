"""The golden hash of the built-in bot games: one digest of every event and result.

Run: ``python bench/bot_golden.py [--every-tick]``.

Plays every built-in scenario, every ordered pair of strategies (so each strategy in
both roles), silent and talking, seeds 0 to 11: 6 x 36 x 2 x 12 = 5,184 games through
``zopa.rules.bots.match.play_match``, and prints the SHA-256 of the ``repr`` of each
game's events and scored result, in that order. A change meant only to make the bots
faster or tidier must leave it unchanged; docs/bots.md gives today's digest.
``--every-tick`` plays the same games asking every bot at every tick, which must hash
the same as the skipping match.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

# Run as a script from anywhere: make the project importable without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zopa.rules.bots import STRATEGIES
from zopa.rules.bots.match import play_match
from zopa.rules.bots.negotiator import tuned
from zopa.rules.library import builtin_scenarios
from zopa.rules.scoring import result

SEEDS = range(12)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--every-tick", action="store_true", help="ask every bot at every tick")
    args = parser.parse_args()
    digest = hashlib.sha256()
    games = 0
    started = time.process_time()
    for scenario in builtin_scenarios():
        first, second = scenario.role_ids
        for talk in (False, True):
            bots = {n: b if talk else tuned(b, talk=0.0) for n, b in STRATEGIES.items()}
            for a in bots:
                for b in bots:
                    pair = {first: bots[a], second: bots[b]}
                    for seed in SEEDS:
                        match = play_match(scenario, pair, seed, every_tick=args.every_tick)
                        digest.update(repr(match.events).encode())
                        digest.update(repr(result(match.state)).encode())
                        games += 1
    seconds = time.process_time() - started
    print(f"{games:,} games in {seconds:.1f} s of CPU time")
    print(digest.hexdigest())
    return 0


if __name__ == "__main__":
    sys.exit(main())
