"""What one group commit costs on PostgreSQL, without sockets or players.

Run: ``python bench/bench_pg_batch.py --db postgresql://... [--games 500] [--turns 200]``
from a checkout (``PYTHONPATH=CHECKOUT`` measures another one, e.g. a baseline worktree),
on a database of its own: its session names a scenario no server knows, so a server
started on the same database would refuse to start.

In process, on the storage alone: a session of ``--games`` games is stored with one
``add_games`` call (a big round's start: timed), then ``--turns`` loop turns each record
one event for every game and wait until all are announced, as the server's rooms do.
Prints the round's start, each turn's wait (p50, p99) and the client CPU per turn.
Run it with ``PGOPTIONS="-c synchronous_commit=off"`` beside a normal run to see how
much of the wait is the WAL's flush to disk rather than this process.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid

from zopa.server.storage import GameRow, SessionRow
from zopa.server.storage_postgres import PostgresStorage

# An event line as the server stores one: JSON, its quotes and all.
LINE = (
    '{"type":"offer","by":"a","terms":{"food":2,"water":1,"firewood":3},'
    '"at":1765000000.123,"status":{"turn":"b","offers":4}}'
)


async def measure(url: str, games: int, turns: int) -> str:
    storage = PostgresStorage(url)
    await storage.open()
    try:
        code = uuid.uuid4().hex[:12]
        await storage.add_session(SessionRow(code, "bench", None, time.time()))
        rows = [GameRow(f"{code}-{n}", code, 1, "header") for n in range(games)]
        start = time.perf_counter()
        await storage.add_games(rows)
        round_ms = 1000 * (time.perf_counter() - start)
        waits = []
        cpu = time.process_time()
        for seq in range(1, turns + 1):
            waits.append(await _turn(storage, rows, seq))
        cpu_us = 1e6 * (time.process_time() - cpu) / turns
    finally:
        await storage.close()
    waits.sort()
    p50, p99 = waits[len(waits) // 2], waits[int(0.99 * len(waits))]
    return (
        f"add_games({games}) {round_ms:.1f} ms; a turn of {games} records: "
        f"p50 {1000 * p50:.2f} ms, p99 {1000 * p99:.2f} ms, client CPU {cpu_us:.0f} us"
    )


async def _turn(storage: PostgresStorage, rows: list[GameRow], seq: int) -> float:
    """Seconds from one event recorded for every game to the last of them announced."""
    announced = asyncio.get_running_loop().create_future()
    left = [len(rows)]

    def then(ok: bool) -> None:
        left[0] -= 1
        if not ok and not announced.done():
            announced.set_exception(RuntimeError("a record was refused"))
        elif left[0] == 0 and not announced.done():
            announced.set_result(None)

    start = time.perf_counter()
    for row in rows:
        storage.record(row.id, [(seq, LINE)], None, then)
    await announced
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="postgresql://...")
    parser.add_argument("--games", type=int, default=500)
    parser.add_argument("--turns", type=int, default=200)
    args = parser.parse_args()
    print(asyncio.run(measure(args.db, args.games, args.turns)))


if __name__ == "__main__":
    main()
