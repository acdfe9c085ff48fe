"""What every storage backend must do, run against SQLite and a real PostgreSQL.

Then what only PostgreSQL does: its primary key refuses a seq stored twice, a worker
owns its sessions through advisory locks, and a worker cut off from the database takes
no more writes, until it has them back, or for good once another worker took over.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import psycopg
import pytest

from zopa.server.errors import Elsewhere, Unavailable
from zopa.server.storage import GameRow, PlayerRow, RoundRow, ScenarioRow, SessionRow, Storage
from zopa.server.storage_open import storage_for
from zopa.server.storage_postgres import PostgresStorage

Opener = Callable[[], Awaitable[Storage]]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each backend: a file's path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "zopa.db")
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def opened(database: str) -> Opener:
    """Opens the backend's storage on the test's database (again, after a close)."""

    async def open_() -> Storage:
        storage = storage_for(database, 0.0)
        await storage.open()
        return storage

    return open_


def line(game: str, seq: int) -> str:
    return f'{{"seq": {seq}, "game": "{game}"}}'


async def record(storage: Storage, game: str, seqs: range, result: str | None = None) -> None:
    stored: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    storage.record(game, [(s, line(game, s)) for s in seqs], result, stored.set_result)
    assert await asyncio.wait_for(stored, 10)


async def is_refused(storage: Storage, game: str, seqs: range) -> None:
    told: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    storage.record(game, [(s, line(game, s)) for s in seqs], None, told.set_result)
    assert await asyncio.wait_for(told, 10) is False


async def test_interleaved_games_read_back_their_own_events_in_order(opened: Opener) -> None:
    storage = await opened()
    await storage.add_session(SessionRow("S", "guitar", None, 1.0))
    for game in ("A", "B", "C"):
        await storage.add_games([GameRow(game, "S", 1, f"header {game}", (line(game, 1),))])
    # Moves of several games land in the same commits, and in separate ones.
    await asyncio.gather(record(storage, "A", range(2, 4)), record(storage, "B", range(2, 3)))
    await record(storage, "A", range(4, 5), result='{"reason": "agreement"}')
    await record(storage, "C", range(2, 6))
    await record(storage, "B", range(3, 5))
    assert await storage.game_lines("A") == ["header A"] + [line("A", s) for s in range(1, 5)]
    assert await storage.game_lines("B") == ["header B"] + [line("B", s) for s in range(1, 5)]
    assert await storage.game_lines("C") == ["header C"] + [line("C", s) for s in range(1, 6)]
    assert await storage.game_lines("nope") is None
    snapshot = await storage.load(0.0)
    await storage.close()
    live = {g.id: g.events for g in snapshot.games if g.result is None}
    assert live == {
        "B": tuple(line("B", s) for s in range(1, 5)),
        "C": tuple(line("C", s) for s in range(1, 6)),
    }


async def test_a_record_that_would_leave_a_gap_is_refused_and_writes_nothing(
    opened: Opener,
) -> None:
    storage = await opened()
    await storage.add_session(SessionRow("S", "guitar", None, 1.0))
    await storage.add_games([GameRow("A", "S", 1, "header A", (line("A", 1),))])
    told: list[bool] = []
    # Seq 3 after seq 1: the record of seq 2 failed, so this one must not land either.
    storage.record("A", [(3, line("A", 3))], None, told.append)
    await record(storage, "A", range(2, 3))
    assert told == [False]
    assert await storage.game_lines("A") == ["header A", line("A", 1), line("A", 2)]
    # After a restart the next seq is known from what is stored.
    await storage.close()
    storage = await opened()
    await storage.load(0.0)
    refused: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    storage.record("A", [(2, line("A", 2))], None, refused.set_result)
    assert await asyncio.wait_for(refused, 10) is False
    await record(storage, "A", range(3, 4))
    assert await storage.game_lines("A") == ["header A", *(line("A", s) for s in (1, 2, 3))]
    await storage.close()


async def test_sessions_players_rounds_and_notes_come_back_after_a_restart(
    opened: Opener,
) -> None:
    storage = await opened()
    schedule = '{"rounds": [{"scenario": "guitar"}, {"scenario": "guitar"}]}'
    await storage.add_session(SessionRow("T", "guitar", 300.0, 1.0, schedule, '{"x": 1}'))
    await storage.add_session(SessionRow("P", "guitar", None, 2.0, practice=True))
    await storage.add_player(PlayerRow("p1", "T", "Ana", "tok1", 3.0))
    await storage.add_player(PlayerRow("p2", "T", "Ben", "tok2", 4.0))
    await storage.remove_player("p2")
    started = RoundRow("T", 1, 5.0, ("p2",))
    await storage.add_games([GameRow("G", "T", 1, "header G", (line("G", 1),))], started)
    await record(storage, "G", range(2, 4), result='{"reason": "walkout"}')
    await storage.add_note("G", '{"note": "well played"}')
    await storage.add_scenario(ScenarioRow("b", "h2", "toml b", 6.0))
    await storage.add_scenario(ScenarioRow("a", "h1", "toml a", 7.0))
    await storage.heartbeat(42.0)
    await storage.close()

    storage = await opened()
    snapshot = await storage.load(recent_since=0.0)
    assert snapshot.sessions == (
        SessionRow("T", "guitar", 300.0, 1.0, schedule, '{"x": 1}'),
        SessionRow("P", "guitar", None, 2.0, practice=True),
    )
    assert snapshot.players == (
        PlayerRow("p1", "T", "Ana", "tok1", 3.0),
        PlayerRow("p2", "T", "Ben", "tok2", 4.0, removed=True),
    )
    assert snapshot.games == (GameRow("G", "T", 1, "header G", (), '{"reason": "walkout"}'),)
    assert snapshot.rounds == (started,) and snapshot.last_alive == 42.0
    assert await storage.game_lines("G") == [
        "header G",
        *(line("G", s) for s in (1, 2, 3)),
        '{"note": "well played"}',
    ]
    assert [row.id for row in await storage.scenarios()] == ["b", "a"]
    assert await storage.find_session(code="T") == "T"
    assert await storage.find_session(token="tok1") == "T"
    assert await storage.find_session(game="G") == "T"
    assert await storage.find_session(code="NOPE") is None
    # Only what was created since: the tournament has a round left, so it comes anyway.
    assert [s.code for s in (await storage.load(recent_since=10.0)).sessions] == ["T"]
    assert [s.code for s in (await storage.load_sessions(["P"])).sessions] == ["P"]
    await storage.close()


async def test_an_ended_practice_session_is_pruned_whole(opened: Opener) -> None:
    storage = await opened()
    await storage.add_session(SessionRow("P", "guitar", None, 1.0, practice=True))
    await storage.add_player(PlayerRow("p1", "P", "Ana", "tok1", 2.0))
    await storage.add_games([GameRow("G", "P", 1, "header G", (line("G", 1),))])
    assert await storage.prune_practice(ended_before=2e9, most=10) == 0  # still live
    await record(storage, "G", range(2, 3), result="{}")
    await storage.add_note("G", "{}")
    assert await storage.prune_practice(ended_before=2e9, most=10) == 1
    assert await storage.game_lines("G") is None
    assert await storage.find_session(token="tok1") is None
    assert (await storage.load(0.0)).sessions == ()
    await storage.close()


async def test_one_bad_write_in_a_commit_fails_alone(opened: Opener) -> None:
    storage = await opened()
    await storage.add_session(SessionRow("S", "guitar", None, 1.0))
    # Same loop turn, same commit: the second player's token is taken.
    outcomes = await asyncio.gather(
        storage.add_player(PlayerRow("p1", "S", "Ana", "same", 2.0)),
        storage.add_player(PlayerRow("p2", "S", "Ben", "same", 3.0)),
        storage.add_player(PlayerRow("p3", "S", "Cy", "other", 4.0)),
        return_exceptions=True,
    )
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], Exception) and not isinstance(outcomes[1], Unavailable)
    assert [p.id for p in (await storage.load(0.0)).players] == ["p1", "p3"]
    await storage.close()


# ---- PostgreSQL only ------------------------------------------------------------------


async def opened_pg(url: str) -> PostgresStorage:
    storage = PostgresStorage(url)
    await storage.open()
    return storage


async def test_postgresql_refuses_a_seq_stored_twice(postgres_url: str) -> None:
    storage = await opened_pg(postgres_url)
    await storage.add_session(SessionRow("S", "guitar", None, 1.0))
    await storage.add_games([GameRow("A", "S", 1, "header A", (line("A", 1),))])
    await record(storage, "A", range(2, 3))
    await storage.close()
    # A storage that has not loaded the game knows no next seq: the key refuses it.
    storage = await opened_pg(postgres_url)
    await is_refused(storage, "A", range(2, 4))
    assert await storage.game_lines("A") == ["header A", line("A", 1), line("A", 2)]
    await storage.close()


async def test_a_scenario_one_worker_was_sent_is_read_by_another(postgres_url: str) -> None:
    first, second = await opened_pg(postgres_url), await opened_pg(postgres_url)
    await first.add_scenario(ScenarioRow("mine", "h", "toml", 1.0))
    assert await second.scenario("mine") == ScenarioRow("mine", "h", "toml", 1.0)
    assert await second.scenario("nope") is None
    await first.close()
    await second.close()


async def test_a_session_belongs_to_one_worker_until_that_worker_is_gone(
    postgres_url: str,
) -> None:
    first, second = await opened_pg(postgres_url), await opened_pg(postgres_url)
    await first.add_session(SessionRow("S", "guitar", None, 1.0))
    await first.add_games([GameRow("A", "S", 1, "header A", (line("A", 1),))])
    with pytest.raises(Elsewhere):
        await second.load_sessions(["S"])
    # Start-up leaves another worker's sessions to it; an unknown code is just unknown.
    assert (await second.load()).sessions == ()
    assert (await second.load_sessions(["NOPE"])).sessions == ()
    # Any worker reads any game's log.
    assert await second.game_lines("A") == ["header A", line("A", 1)]
    await first.close()
    taken = await second.load_sessions(["S"])
    assert [g.events for g in taken.games] == [(line("A", 1),)]
    await record(second, "A", range(2, 3))
    await second.close()


async def test_a_worker_that_lost_its_database_takes_its_sessions_back_if_no_one_did(
    postgres_url: str,
) -> None:
    storage = await opened_pg(postgres_url)
    await storage.add_session(SessionRow("S", "guitar", None, 1.0))
    await storage.add_games([GameRow("A", "S", 1, "header A", (line("A", 1),))])
    cut_off(postgres_url)
    await is_refused(storage, "A", range(2, 3))
    assert not storage.health.ok
    await record(storage, "A", range(2, 3))  # connected again, its lock taken back
    assert storage.health.ok
    await storage.close()


async def test_a_worker_whose_sessions_were_taken_over_is_fenced_for_good(
    postgres_url: str,
) -> None:
    storage = await opened_pg(postgres_url)
    fenced: list[bool] = []
    storage.on_fenced = lambda: fenced.append(True)
    await storage.add_session(SessionRow("S", "guitar", None, 1.0))
    await storage.add_games([GameRow("A", "S", 1, "header A", (line("A", 1),))])
    cut_off(postgres_url)
    other = await opened_pg(postgres_url)
    await other.load_sessions(["S"])  # the lock went with the connection
    await record(other, "A", range(2, 3))
    await is_refused(storage, "A", range(2, 3))
    await is_refused(storage, "A", range(2, 3))
    with pytest.raises(Unavailable):
        await storage.add_session(SessionRow("T", "guitar", None, 1.0))
    assert fenced == [True] and not storage.health.ok
    assert await other.game_lines("A") == ["header A", line("A", 1), line("A", 2)]
    await storage.close()
    await other.close()


def cut_off(url: str) -> None:
    """End every other connection to the database, as a network cut would."""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
