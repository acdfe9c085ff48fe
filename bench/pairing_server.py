"""``zopa serve`` with one more route, for bench/bench_pairing.py: pairings inside the server.

Run: ``python bench/pairing_server.py --port 8000 --db bench.db`` (the flags of ``zopa
serve``). ``POST /bench/pairing {"mode", "players", "seconds", "cores"?, "policy"?}`` pairs a
class of ``players`` back to back for ``seconds`` on the server's own event loop, and
answers ``{"pairings", "ms"}``: how many, and the mean milliseconds each took as the
loop saw it. Each pairing runs:

- ``inline``: ``pair_round`` on the event loop;
- ``thread``: ``pair_round`` in a thread of the server's process;
- ``pickled``: ``pair_round`` in the worker process, every player's whole record sent
  each time (how the server paired a large round before 2026-12-06);
- ``server``: ``pair_session_round``, as the server pairs a round: in the worker process,
  which keeps the session's history and is sent the changes since. Each pairing here is
  the session's next round (its games appended, so the next request carries a round of
  changes); every ``HISTORY`` rounds the session starts again as a new one (the worker
  is then sent its whole history once, as for a session's first large round).

- ``busy``: no pairing, the worker only busy for ``seconds`` (a loop that spins).

The worker is first moved to ``cores``, and to the ``policy`` asked for: ``nice`` is the
ordinary policy at nice 19 (as the server runs it), ``idle`` is ``SCHED_IDLE``, ``normal``
the ordinary policy at nice 0 (it needs the right to raise a priority).
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
from dataclasses import dataclass, field
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
from zopa.server.pairing import PLAIN, Record, RoundPairing, pair_round
from zopa.server.pairing_history import Change, Ledger, changes_of, fold, pair_session_round

HISTORY = 20
# The worker's scheduling, by name: the policy and the nice value.
POLICIES = {"nice": ("SCHED_OTHER", 19), "idle": ("SCHED_IDLE", 19), "normal": ("SCHED_OTHER", 0)}


@dataclass
class Synthetic:
    """A session's players, its rounds of games, and the pairing ledger the server keeps."""

    players: list[str]
    rounds: list[list[str]] = field(default_factory=list)
    games: dict[str, Change] = field(default_factory=dict)
    ledger: Ledger = field(default_factory=Ledger)

    def history(self) -> dict[str, Record]:
        return fold({}, changes_of(self.rounds, {}, self.games.__getitem__))

    def present(self, index: int, rng: random.Random | None = None) -> list[str]:
        if rng is not None:
            return [p for p in self.players if rng.random() >= 0.1]
        return [p for i, p in enumerate(self.players) if (i + index) % 10]

    def add(self, pairing: RoundPairing) -> None:
        ids = []
        for table in pairing.tables:
            game_id = f"g{len(self.games)}"
            self.games[game_id] = table.seats
            ids.append(game_id)
        self.rounds.append(ids)

    async def next_round(self) -> None:
        """The session's next round as the server pairs it, its games added."""
        index = len(self.rounds)
        found = await pair_session_round(
            self.present(index),
            self.rounds,
            {},
            self.games.__getitem__,
            lambda: self.ledger,
            system="round_robin",
            odd="bot",
            index=index,
            seed=index,
            order=PLAIN,
        )
        self.add(found)

    def again(self) -> Synthetic:
        """The same first rounds as a new session: the worker has not heard of it."""
        fresh = Synthetic(self.players, [list(r) for r in self.rounds[:HISTORY]])
        fresh.games = self.games
        return fresh


def synthetic_class(size: int) -> Synthetic:
    """``size`` players after ``HISTORY`` plain rounds with a random tenth busy in each."""
    rng = random.Random(size)
    group = Synthetic([f"p{i:05d}" for i in range(size)])
    for index in range(HISTORY):
        present = group.present(index, rng)
        group.add(pair(present, group.history(), index))
    return group


def pair(present: list[str], history: dict[str, Record], index: int = HISTORY) -> RoundPairing:
    return pair_round(
        present, history, system="round_robin", odd="bot", index=index, seed=1, order=PLAIN
    )


@dataclass
class Class:
    """What one size of class keeps between requests."""

    base: Synthetic
    history: dict[str, Record]
    present: list[str]
    session: Synthetic


_classes: dict[int, Class] = {}


def the_class(size: int) -> Class:
    if size not in _classes:
        base = synthetic_class(size)
        present = [p for i, p in enumerate(base.players) if i % 10]
        _classes[size] = Class(base, base.history(), present, base.again())
    return _classes[size]


# The worker busy for a while with no pairing at all: what any work beside the server
# costs the players, for comparison.
SPIN = "import time\nend = time.perf_counter() + {seconds}\nwhile time.perf_counter() < end: pass"


async def pair_once(mode: str, group: Class, seconds: float = 0.0) -> None:
    if mode == "busy":
        await offload.run(exec, SPIN.format(seconds=seconds))
    elif mode == "inline":
        pair(group.present, group.history)
    elif mode == "thread":
        await asyncio.to_thread(pair, group.present, group.history)
    elif mode == "pickled":
        theirs = {p: group.history[p] for p in group.present}
        how = {"system": "round_robin", "odd": "bot", "index": HISTORY, "seed": 1}
        await offload.run(pair_round, group.present, theirs, order=PLAIN, **how)
    else:
        if len(group.session.rounds) >= 2 * HISTORY:
            group.session = group.base.again()
        await group.session.next_round()


async def run_pairings(request: Request) -> JSONResponse:
    asked = await request.json()
    group = the_class(int(asked["players"]))
    mode = str(asked["mode"])
    if asked.get("cores"):
        await offload.run(os.sched_setaffinity, 0, set(asked["cores"]))
    if asked.get("policy"):
        # ``os.sched_param`` does not pickle: the worker builds its own.
        policy, nice = POLICIES[str(asked["policy"])]
        await offload.run(
            exec,
            f"import os; os.sched_setscheduler(0, os.{policy}, os.sched_param(0)); "
            f"os.setpriority(os.PRIO_PROCESS, 0, {nice})",
        )
    deadline = time.perf_counter() + float(asked["seconds"])
    took = []
    while True:
        started = time.perf_counter()
        await pair_once(mode, group, float(asked["seconds"]))
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
