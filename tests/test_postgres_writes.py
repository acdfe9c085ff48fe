"""PostgreSQL's write path: the records of several loop turns queued behind a slow
commit are written by the next commit in one statement; one record the database refuses
fails its own turn, and the other turns' records are stored all the same.
"""

from __future__ import annotations

import asyncio

import psycopg

from zopa.server.storage import GameRow, SessionRow
from zopa.server.storage_postgres import PostgresStorage


def line(game: str, seq: int) -> str:
    # A quote and a backslash, as JSON lines have: they must come back as they went.
    return f'{{"seq": {seq}, "game": "{game}", "note": "a \\"b\\" \\\\ é"}}'


async def waiting_on_a_lock(url: str) -> None:
    """Until some backend waits on a lock (the storage's commit, held up)."""
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as watcher:
        for _ in range(500):
            found = await watcher.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            row = await found.fetchone()
            if row is not None and row[0]:
                return
            await asyncio.sleep(0.01)
    raise AssertionError("the storage's commit never waited on the lock")


async def test_turns_queued_behind_a_commit_share_the_next_one(postgres_url: str) -> None:
    first = PostgresStorage(postgres_url)
    await first.open()
    await first.add_session(SessionRow("S", "guitar", None, 1.0))
    await first.add_games(
        [GameRow(game, "S", 1, f"header {game}", (line(game, 1),)) for game in "ABCD"]
    )
    told: dict[str, asyncio.Future[bool]] = {}

    def record(storage: PostgresStorage, game: str, seq: int, result: str | None = None) -> None:
        told[game] = asyncio.get_running_loop().create_future()
        storage.record(game, [(seq, line(game, seq))], result, told[game].set_result)

    record(first, "B", 2)
    assert await told["B"]
    await first.close()
    # A storage that never loaded the games knows no next seq: only the key refuses B's.
    storage = PostgresStorage(postgres_url)
    await storage.open()
    async with await psycopg.AsyncConnection.connect(postgres_url) as holder:
        # Game A's row locked: the commit of A's record waits on it (its foreign key).
        await holder.execute("SELECT 1 FROM games WHERE id = 'A' FOR UPDATE")
        record(storage, "A", 2)
        await waiting_on_a_lock(postgres_url)
        for game, seq in (("B", 2), ("C", 2), ("D", 2)):
            record(storage, game, seq, '{"reason": "agreement"}' if game == "D" else None)
            await asyncio.sleep(0)  # each its own loop turn, each its own work item
        await holder.rollback()
    outcomes = {game: await asyncio.wait_for(done, 10) for game, done in told.items()}
    assert outcomes == {"A": True, "B": False, "C": True, "D": True}
    assert await storage.game_lines("B") == ["header B", line("B", 1), line("B", 2)]
    assert await storage.game_lines("C") == ["header C", line("C", 1), line("C", 2)]
    await storage.close()
    loaded = PostgresStorage(postgres_url)
    await loaded.open()
    games = {game.id: game for game in (await loaded.load(0.0)).games}
    assert games["D"].result == '{"reason": "agreement"}'
    assert games["C"].result is None
    await loaded.close()
