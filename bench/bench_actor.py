"""zopa's own work per move, in process: no sockets, no SQLite, no other tasks.

Run: ``python bench/bench_actor.py [--moves N]``.

A campsite game's actor takes offers from alternate players as the websocket endpoint
hands them over (frame parsed, action parsed, ``GameActor.submit``), its storage reports
each record durable at once, and every event is encoded for both players. What is left
of a move's cost in ``bench_load.py`` beyond this figure is the socket layers (the
relay's too) and the hand-over to the storage thread and back.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zopa.rules.actions import parse_action
from zopa.rules.library import builtin
from zopa.rules.log import Header
from zopa.rules.negotiation import start
from zopa.server.actor import GameActor
from zopa.server.moves import PlayerMove
from zopa.server.wire import Prepared


class DurableAtOnce:
    """Storage whose records are durable as soon as the caller says so."""

    def __init__(self) -> None:
        self.waiting: list[Callable[[bool], None]] = []

    def record(
        self,
        game_id: str,
        events: list[tuple[int, str]],
        result: str | None,
        then: Callable[[bool], None],
    ) -> None:
        self.waiting.append(then)

    def settle(self) -> None:
        for then in self.waiting:
            then(True)
        self.waiting.clear()


async def play(moves: int) -> float:
    scenario = builtin("campsite")
    roles = scenario.role_ids
    storage = DurableAtOnce()

    class Encoder:
        """The hub's part: each message encoded as it would be for a JSON socket."""

        def to_player(self, player: str, message: dict[str, Any] | Prepared) -> None:
            if isinstance(message, Prepared):
                message.encoded(False)

    now = time.time()
    header = Header("G", scenario, {r: {"id": r} for r in roles}, 1, now, {"session": "S"})
    state = start(scenario, 1, now)
    actor = GameActor(header, state, [], storage, Encoder(), lambda _: None)  # type: ignore[arg-type]
    actor.start()
    await asyncio.sleep(0)  # one turn of the loop: the actor parks on its empty queue
    frames = [
        orjson.dumps({"type": "offer", "terms": {"food": f, "water": w, "firewood": (f + w) % 4}})
        for f in range(4)
        for w in range(4)
    ]
    started = time.process_time()
    for n in range(moves):
        role = roles[n % 2]
        action = parse_action(orjson.loads(frames[n % len(frames)]), role)
        actor.submit(PlayerMove(role, action, lambda _: None))
        storage.settle()
    spent = time.process_time() - started
    # Taken at once, as an idle actor takes a move: each offer made one event.
    taken = actor.summary()["events"]
    assert taken == moves, "the actor did not take the moves in the caller's turn"
    await actor.stop()
    return spent / moves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--moves", type=int, default=20000)
    args = parser.parse_args()
    best = min(asyncio.run(play(args.moves)) for _ in range(3))
    print(f"{1e6 * best:.1f} µs of CPU per move (best of 3, {args.moves:,} moves each)")


if __name__ == "__main__":
    main()
