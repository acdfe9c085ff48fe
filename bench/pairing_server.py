"""``zopa serve`` with one more route, for bench/bench_pairing.py: pairings inside the server.

Run: ``python bench/pairing_server.py --port 8000 --db bench.db`` (the flags of ``zopa
serve``). ``POST /bench/pairing {"mode", "players", "seconds", "cores"?}`` pairs a
class of ``players`` back to back for ``seconds`` on the server's own event loop, and
answers ``{"pairings", "ms"}``: how many, and the mean milliseconds each took as the loop
saw it. Each pairing runs:

- ``inline``: ``pair_round`` on the event loop;
- ``thread``: ``pair_round`` in a thread of the server's process;
- ``server``: ``pair_round_async``, as the server pairs a round (a class this large goes
  to the worker process), the worker first moved to ``cores``.

The players' latency meanwhile is what the benchmark measures. The class has the history
of ``HISTORY`` rounds with a tenth of it busy in each, and another tenth is busy in the
round paired, so that each pairing has to bend the circle.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zopa.server import offload
from zopa.server.app import create_app
from zopa.server.cli import main
from zopa.server.commands import serve
from zopa.server.config import Settings
from zopa.server.pairing import (
    EMPTY,
    PLAIN,
    Record,
    RoundPairing,
    pair_round,
    pair_round_async,
)

HISTORY = 20
_classes: dict[int, tuple[list[str], dict[str, Record]]] = {}


def synthetic_class(size: int) -> tuple[list[str], dict[str, Record]]:
    """``size`` players after ``HISTORY`` plain rounds with a random tenth busy in each."""
    rng = random.Random(size)
    players = [f"p{i:05d}" for i in range(size)]
    history = dict.fromkeys(players, EMPTY)
    for index in range(HISTORY):
        present = [p for p in players if rng.random() >= 0.1]
        found = pair_round(
            present, history, system="round_robin", odd="bot", index=index, seed=index, order=PLAIN
        )
        for table in found.tables:
            for role, p in enumerate(table.seats):
                if p is not None:
                    history[p] = history[p].after(role, table.seats[1 - role])
    return players, history


def pair(present: list[str], history: dict[str, Record]) -> RoundPairing:
    return pair_round(
        present, history, system="round_robin", odd="bot", index=HISTORY, seed=1, order=PLAIN
    )


async def pair_once(mode: str, present: list[str], history: dict[str, Record]) -> RoundPairing:
    if mode == "inline":
        return pair(present, history)
    if mode == "thread":
        return await asyncio.to_thread(pair, present, history)
    return await pair_round_async(
        present, history, system="round_robin", odd="bot", index=HISTORY, seed=1, order=PLAIN
    )


async def run_pairings(request: Request) -> JSONResponse:
    asked = await request.json()
    size = int(asked["players"])
    if size not in _classes:
        _classes[size] = synthetic_class(size)
    players, history = _classes[size]
    present = [p for i, p in enumerate(players) if i % 10]
    mode = str(asked["mode"])
    if asked.get("cores"):
        await offload.run(os.sched_setaffinity, 0, set(asked["cores"]))
    deadline = time.perf_counter() + float(asked["seconds"])
    took = []
    while True:
        started = time.perf_counter()
        await pair_once(mode, present, history)
        took.append(time.perf_counter() - started)
        if time.perf_counter() >= deadline:
            break
        await asyncio.sleep(0)
    return JSONResponse({"pairings": len(took), "ms": 1000 * sum(took) / len(took)})


def with_bench_route(settings: Settings) -> Starlette:
    app = create_app(settings)
    # Ahead of the web client's catch-all mount.
    app.router.routes.insert(0, Route("/bench/pairing", run_pairings, methods=["POST"]))
    return app


# ``zopa serve`` builds its application with the name it imported: give it this one.
vars(serve)["create_app"] = with_bench_route

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
