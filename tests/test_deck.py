"""A large class's next round is dealt ahead while it joins; each game dealt ahead keeps
its seed in its log header, and that seed deals exactly the header's cards."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from zopa.rules.deal import cards_of, deal
from zopa.rules.log import parse_header
from zopa.server.config import Settings
from zopa.server.deck import AHEAD_FROM
from zopa.server.hub import Hub
from zopa.server.sessions import Sessions
from zopa.server.storage_sqlite import SqliteStorage


async def test_a_large_round_takes_cards_dealt_ahead_that_replay_from_their_seeds(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "zopa.db")
    storage = SqliteStorage(path, 0.002)
    await storage.open()
    sessions = Sessions(storage, Hub(), Settings(database=path))
    try:
        session = await sessions.open("new-hire")
        for n in range(AHEAD_FROM):
            await sessions.players.join(session.code, f"Player {n}")
        ahead = await asyncio.wait_for(sessions.games.dealt_ahead(session.code), 30)
        assert ahead == AHEAD_FROM // 2
        _, games = await sessions.rounds.start(session.code)
        assert len(games) == AHEAD_FROM // 2
        for entry in games:
            lines = await storage.game_lines(entry.id)
            assert lines is not None
            header = parse_header(json.loads(lines[0]))
            assert header.deal is not None
            assert cards_of(deal(session.scenario, header.deal)) == cards_of(header.scenario)
            assert cards_of(entry.scenario) == cards_of(header.scenario)
        # The games' cards differ from game to game, as dealt at the start they would.
        assert len({cards_of(g.scenario) for g in games}) > 1
    finally:
        await sessions.shutdown()
        await storage.close()


async def test_a_small_class_deals_at_the_start(tmp_path: Path) -> None:
    path = str(tmp_path / "zopa.db")
    storage = SqliteStorage(path, 0.002)
    await storage.open()
    sessions = Sessions(storage, Hub(), Settings(database=path))
    try:
        session = await sessions.open("new-hire")
        for n in range(10):
            await sessions.players.join(session.code, f"Player {n}")
        assert await asyncio.wait_for(sessions.games.dealt_ahead(session.code), 30) == 0
        _, games = await sessions.rounds.start(session.code)
        assert len(games) == 5
    finally:
        await sessions.shutdown()
        await storage.close()
