"""Whether reads of games' logs hold up the moves being made durable, on PostgreSQL.

Run: ``PYTHONPATH=. python bench/bench_pg_reads.py --db postgresql://... [--games 200]
[--logs 300] [--events 150] [--turns 200] [--rounds 3]`` on a database of its own.

In process, on the storage alone: ``--games`` live games and ``--logs`` ended ones of
``--events`` events each. Each measurement runs ``--turns`` loop turns that record one
event for every live game and wait until all are announced (as bench_pg_batch.py),
while a reader task reads the ended games' logs back to back, as a class's debrief or
an export does. Two settings, in turns, ``--rounds`` times each: reads on the storage's
own read connection (``beside``, as zopa runs), and reads queued on the writer's
connection like every write (``behind``, as before postgres_reader.py). Prints each
setting's turn wait (p50, p99) and logs read per second, and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from bench.bench_pg_batch import _turn
from zopa.server.storage import GameRow, SessionRow
from zopa.server.storage_postgres import PostgresStorage

Connection = Any


class Behind:
    """Reads queued on the writer's connection, in its group commits."""

    def __init__(self, storage: PostgresStorage) -> None:
        self.storage = storage

    async def read(self, work: Callable[[Connection], Awaitable[Any]]) -> Any:
        return await self.storage._do(work)

    async def close(self) -> None:
        pass


async def measure(url: str, args: argparse.Namespace, behind: bool) -> tuple[float, float, float]:
    storage = PostgresStorage(url)
    await storage.open()
    if behind:
        storage._reader = Behind(storage)  # type: ignore[assignment]
    try:
        code = uuid.uuid4().hex[:12]
        await storage.add_session(SessionRow(code, "bench", None, time.time()))
        live = [GameRow(f"{code}-{n}", code, 1, "header") for n in range(args.games)]
        await storage.add_games(live)
        text = "x" * 120
        lines = tuple(
            f'{{"seq": {s}, "type": "chat", "text": "{text}"}}' for s in range(1, 1 + args.events)
        )
        ended = [GameRow(f"{code}-e{n}", code, 1, "header", lines, "{}") for n in range(args.logs)]
        await storage.add_games(ended)
        read = [0]
        stop = asyncio.Event()

        async def reader() -> None:
            while not stop.is_set():
                for game in ended:
                    if stop.is_set():
                        return
                    await storage.game_lines(game.id)
                    read[0] += 1

        reading = asyncio.create_task(reader())
        start = time.perf_counter()
        waits = [await _turn(storage, live, seq) for seq in range(1, args.turns + 1)]
        elapsed = time.perf_counter() - start
        stop.set()
        await reading
    finally:
        await storage.close()
    waits.sort()
    return waits[len(waits) // 2], waits[int(0.99 * len(waits))], read[0] / elapsed


async def run(args: argparse.Namespace) -> None:
    found: dict[str, list[tuple[float, float, float]]] = {"beside": [], "behind": []}
    for _ in range(args.rounds):
        for setting in found:
            found[setting].append(await measure(args.db, args, setting == "behind"))
    median = {
        s: [sorted(x[i] for x in runs)[len(runs) // 2] for i in range(3)]
        for s, runs in found.items()
    }
    for setting, (p50, p99, reads) in median.items():
        print(
            f"{setting}: a turn of {args.games} records p50 {1000 * p50:.1f} ms, "
            f"p99 {1000 * p99:.1f} ms; {reads:.0f} logs read/s"
        )
    (b50, b99, br), (h50, h99, hr) = median["beside"], median["behind"]
    print(f"beside/behind: turn p50 {b50 / h50:.2f}, p99 {b99 / h99:.2f}, reads/s {br / hr:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="postgresql://...")
    parser.add_argument("--games", type=int, default=200)
    parser.add_argument("--logs", type=int, default=300)
    parser.add_argument("--events", type=int, default=150)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
