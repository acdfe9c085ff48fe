"""What the board's flags for stuck pairs cost a session's snapshot.

Run: ``python bench/bench_board.py [--games N] [--rounds R]``. Each of N live games holds
R rounds of chat and offers from both sides (4 events a round). Prints the time to work
out every game's flags for one snapshot two ways, in the same run: reading each game's
whole stored log every time, and as the server does, each game's offer lines read once
as they come (``server/board_watch.py``), and their ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# Run as a script from anywhere: make the project importable without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson

from zopa.rules.actions import Chat, Offer
from zopa.rules.events import event_from_dict
from zopa.rules.negotiation import apply, start
from zopa.rules.scenario import parse_scenario
from zopa.rules.stuck import board
from zopa.server.board_watch import OfferLines

SCENARIO = {
    "format": "zopa-scenario/1",
    "id": "bench",
    "title": "Bench",
    "protocol": {"first_mover": "a", "time_limit": 100_000},
    "issues": [{"id": f"i{n}", "options": ["o0", "o1", "o2"]} for n in range(3)],
    "roles": [
        {"id": "a", "batna": 2, "points": {f"i{n}": [0, 1, 2] for n in range(3)}},
        {"id": "b", "batna": 2, "points": {f"i{n}": [2, 1, 0] for n in range(3)}},
    ],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--games", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    scenario = parse_scenario(SCENARIO, "bench")
    state, events, now = start(scenario, 1, 0.0), [], 0.0
    high, low = {f"i{n}": 2 for n in range(3)}, {f"i{n}": 0 for n in range(3)}
    for _ in range(args.rounds):
        for action in (Chat("a", "hi"), Offer("a", high), Chat("b", "no"), Offer("b", low)):
            now += 1
            state, made = apply(state, action, now)
            events += made
    lines = [orjson.dumps(e.to_dict()).decode() for e in events]
    started = time.perf_counter()
    for _ in range(args.games):
        board(state, [event_from_dict(orjson.loads(line)) for line in lines], now)
    whole = time.perf_counter() - started
    watches = [OfferLines(scenario) for _ in range(args.games)]
    for watch in watches:
        watch.watch(lines, len(lines))
    started = time.perf_counter()
    for watch in watches:
        board(state, watch.watch(lines, len(lines)), now)
    kept = time.perf_counter() - started
    print(f"{args.games:,} live games of {len(lines)} events, one snapshot's flags:")
    print(f"  whole log read every time  {whole * 1000:8.1f} ms")
    print(f"  offer lines read once      {kept * 1000:8.1f} ms")
    print(f"  ratio                      {whole / kept:8.0f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
