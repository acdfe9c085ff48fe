"""What the game's status adds to each event message, in bytes and in CPU.

Run: ``python bench/bench_wire.py [--games N]``.

Plays ``--games`` bot games (conceder against boulware) of every built-in scenario in
process, builds every event message as the actor does (``views.event_message`` with
what each step changed in the status, ``views.status_change``), and prints per
scenario the mean size of an event message without and with its ``status``, as JSON
and as MessagePack, and what the whole status would have added instead; then the CPU
time to compute a step's status and its change (best of three). ``bench_actor.py``
gives the whole cost per move.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import msgpack
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zopa.rules.bots import make_bot
from zopa.rules.bots.match import play_match
from zopa.rules.library import builtin_scenarios
from zopa.rules.log import GameLog, Header, replay_steps
from zopa.rules.negotiation import GameState, start
from zopa.rules.status import status
from zopa.server.views import event_message, status_change

# A start time as a clock gives one, so times have as many digits as a live game's.
STARTED = 1_764_000_000.123456
# Not a whole second, for the same reason.
TICK = 0.7

# Sizes of an event message: without a status, with the step's change, with the whole
# status; as JSON, then as MessagePack.
KINDS = ("without", "change", "whole")


def sizes(message: dict[str, Any]) -> tuple[int, int]:
    return len(orjson.dumps(message)), len(msgpack.packb(message, use_bin_type=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--games", type=int, default=20, help="games per scenario (default 20)")
    args = parser.parse_args()
    heads = "".join(f"{k:>8}" for k in ("without", "+change", "+whole"))
    print(f"{'mean bytes per event message':<20}{'JSON':^24}{'MessagePack':^24}")
    print(f"{'scenario':<12}{'events':>8}{heads}{heads}")
    steps: list[tuple[GameState, float, dict[str, Any]]] = []
    everything: list[tuple[int, ...]] = []
    for scenario in builtin_scenarios():
        first, second = scenario.role_ids
        bots = {first: make_bot("conceder"), second: make_bot("boulware")}
        found: list[tuple[int, ...]] = []
        for seed in range(args.games):
            match = play_match(scenario, bots, seed, started_at=STARTED, tick=TICK)
            header = Header(f"g{seed}", scenario, {first: {}, second: {}}, seed, STARTED)
            told = status(start(scenario, seed, STARTED), STARTED)
            for state, produced in replay_steps(GameLog(header, match.events)):
                at = produced[-1].at
                steps.append((state, at, told))
                public = status(state, at)
                change = status_change(told, public)
                told = public
                for event in produced:
                    message = event_message(header.game, event, first, False, change)
                    with_change = sizes(message)
                    message["status"] = public
                    whole = sizes(message)
                    del message["status"]
                    without = sizes(message)
                    found.append(tuple(v[n] for n in (0, 1) for v in (without, with_change, whole)))
        print(line(scenario.id, found))
        everything += found
    print(line("all", everything))
    best = min(timed(steps) for _ in range(3))
    print(
        f"{1e6 * best:.2f} µs of CPU for a step's status and its change "
        f"(best of 3, {len(steps):,} steps)"
    )


def line(name: str, found: list[tuple[int, ...]]) -> str:
    json, json_change, json_whole, pack, pack_change, pack_whole = (
        statistics.fmean(column) for column in zip(*found, strict=True)
    )
    figures = f"{json:>8.0f}{json_change - json:>+8.0f}{json_whole - json:>+8.0f}"
    figures += f"{pack:>8.0f}{pack_change - pack:>+8.0f}{pack_whole - pack:>+8.0f}"
    return f"{name:<12}{len(found):>8}{figures}"


def timed(steps: list[tuple[GameState, float, dict[str, Any]]]) -> float:
    started = time.process_time()
    for state, at, told in steps:
        status_change(told, status(state, at))
    return (time.process_time() - started) / len(steps)


if __name__ == "__main__":
    main()
