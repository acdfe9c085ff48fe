"""What every storage backend must do, run against SQLite and a real PostgreSQL.

Then what only PostgreSQL does, because only PostgreSQL is shared by many workers: its
primary key refuses a seq stored twice whatever the workers believe (an SQLite file has
one server, whose seq guard is the whole check: a key on (game, seq) would cost it a
page written per game per commit), workers starting together upgrade
the schema once, a worker owns its sessions through advisory locks, and a worker cut
off from the database takes no more writes, until it has them back, or for good once
another worker took over. SQLite's own upgrades are in test_storage_sqlite.py.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import psycopg
import pytest

from tests.backends import database_fixture, stored_seqs, where_writes_fail  # noqa: F401
from tests.live import ROOT
from zopa.server import postgres_schema
from zopa.server.errors import Elsewhere, Unavailable
from zopa.server.storage import GameRow, PlayerRow, RoundRow, ScenarioRow, SessionRow, Storage
from zopa.server.storage_open import storage_for
from zopa.server.storage_postgres import PostgresStorage

Opener = Callable[[], Awaitable[Storage]]


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


async def test_a_turns_records_are_told_together_once_another_connection_sees_them(
    opened: Opener, database: str
) -> None:
    storage = await opened()
    await storage.add_session(SessionRow("S", "guitar", None, 1.0))
    games = [f"G{n:02}" for n in range(20)]
    await storage.add_games([GameRow(g, "S", 1, f"header {g}", (line(g, 1),)) for g in games])
    loop = asyncio.get_running_loop()
    told: list[tuple[str, bool]] = []
    seen: dict[str, list[int]] = {}
    after_the_first: list[int] = []
    everyone: asyncio.Future[None] = loop.create_future()

    def tell(game: str) -> Callable[[bool], None]:
        def then(ok: bool) -> None:
            if not told:
                # Announced means durable: a connection of its own reads every game's
                # moves already, and the rest of the turn's records are told before the
                # loop does anything else (one commit for them all).
                seen.update({g: stored_seqs(database, g) for g in games})
                loop.call_soon(lambda: after_the_first.append(len(told)))
            told.append((game, ok))
            if len(told) == len(games):
                everyone.set_result(None)

        return then

    for game in games:
        storage.record(game, [(2, line(game, 2)), (3, line(game, 3))], None, tell(game))
    await asyncio.wait_for(everyone, 10)
    assert told == [(game, True) for game in games]
    assert seen == {game: [1, 2, 3] for game in games}
    await asyncio.sleep(0)  # lets the marker set by the first ``then`` run
    assert after_the_first == [len(games)]
    await storage.close()


async def test_a_round_of_games_reads_back_in_the_order_it_was_seated(opened: Opener) -> None:
    storage = await opened()
    await storage.add_session(SessionRow("S", "guitar", None, 1.0))
    seated = [f"{n * 37 % 100:02}" for n in range(40)]  # ids in no sorted order
    await storage.add_games([GameRow(g, "S", 1, f"header {g}", (line(g, 1),)) for g in seated])
    await storage.add_games([GameRow("AA", "S", 2, "header AA", (line("AA", 1),))])
    await storage.close()
    storage = await opened()
    games = (await storage.load(0.0)).games
    await storage.close()
    assert [g.id for g in games] == [*seated, "AA"]
    assert all(g.events == (line(g.id, 1),) for g in games)


async def test_a_game_ended_without_a_move_keeps_its_log_and_is_not_live_again(
    opened: Opener,
) -> None:
    storage = await opened()
    await storage.add_session(SessionRow("P", "guitar", None, 1.0, practice=True))
    await storage.add_games([GameRow("G", "P", 1, "header G", (line("G", 1),))])
    await record(storage, "G", range(2, 4))
    # Ended by the facilitator or the clock: the result alone, no event with it.
    await storage.end_game("G", '{"reason": "time"}')
    await storage.add_note("G", '{"note": "one"}')
    await storage.add_note("G", '{"note": "two"}')
    await storage.close()
    storage = await opened()
    snapshot = await storage.load(0.0)
    assert snapshot.games == (GameRow("G", "P", 1, "header G", (), '{"reason": "time"}'),)
    assert await storage.game_lines("G") == [
        "header G",
        *(line("G", s) for s in (1, 2, 3)),
        '{"note": "one"}',
        '{"note": "two"}',
    ]
    # The practice game's end started its retention.
    assert await storage.prune_practice(ended_before=2e9, most=10) == 1
    await storage.close()


async def test_a_live_game_loaded_on_demand_goes_on_from_its_stored_seq(opened: Opener) -> None:
    storage = await opened()
    await storage.add_session(SessionRow("OLD", "guitar", None, 1.0))
    await storage.add_games([GameRow("A", "OLD", 1, "header A", (line("A", 1),))])
    await record(storage, "A", range(2, 4))
    await storage.close()
    storage = await opened()
    # Asked for by code, not loaded at start-up: its live game is guarded all the same.
    snapshot = await storage.load_sessions(["OLD"])
    assert [g.events for g in snapshot.games] == [tuple(line("A", s) for s in range(1, 4))]
    await is_refused(storage, "A", range(3, 5))  # seq 3 is stored already
    await is_refused(storage, "A", range(5, 6))  # a gap
    await record(storage, "A", range(4, 6))
    assert await storage.game_lines("A") == ["header A", *(line("A", s) for s in range(1, 6))]
    await storage.close()


async def test_lines_come_back_byte_for_byte(opened: Opener) -> None:
    storage = await opened()
    await storage.add_session(SessionRow("S", "guitar", None, 1.0))
    odd = [
        '{"text": "Jürgen\u2019s offer: 12 € — “final”? 🎸"}',
        '{"text": "quote \\" backslash \\\\ tab \\t newline \\n nul \\u0000"}',
        '{"text": "' + "long " * 20_000 + '"}',
    ]
    await storage.add_games([GameRow("A", "S", 1, "header ∑", (odd[0],))])
    told: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    storage.record("A", [(2, odd[1]), (3, odd[2])], None, told.set_result)
    assert await asyncio.wait_for(told, 10)
    await storage.add_note("A", '{"note": "ça va"}')
    assert await storage.game_lines("A") == ["header ∑", *odd, '{"note": "ça va"}']
    await storage.close()


async def test_the_library_reads_back_by_id_and_in_the_order_added(opened: Opener) -> None:
    storage = await opened()
    await storage.add_scenario(ScenarioRow("zeta", "h1", "title = 'z'", 1.0))
    await storage.add_scenario(ScenarioRow("alpha", "h2", "title = 'a'", 2.0))
    with pytest.raises(Exception) as taken:
        await storage.add_scenario(ScenarioRow("zeta", "h3", "again", 3.0))
    assert not isinstance(taken.value, Unavailable)  # a refusal, not a failing storage
    await storage.close()
    storage = await opened()
    assert await storage.scenarios() == (
        ScenarioRow("zeta", "h1", "title = 'z'", 1.0),
        ScenarioRow("alpha", "h2", "title = 'a'", 2.0),
    )
    assert await storage.scenario("alpha") == ScenarioRow("alpha", "h2", "title = 'a'", 2.0)
    assert await storage.scenario("nope") is None
    assert storage.health.ok
    await storage.close()


async def test_practice_is_pruned_no_more_than_asked_and_never_a_class(
    opened: Opener,
) -> None:
    storage = await opened()
    for n in range(3):
        code = f"P{n}"
        await storage.add_session(SessionRow(code, "guitar", None, 1.0, practice=True))
        await storage.add_games([GameRow(f"G{n}", code, 1, "h", (line(f"G{n}", 1),))])
        await storage.end_game(f"G{n}", "{}")
    await storage.add_session(SessionRow("CLASS", "guitar", None, 1.0))
    await storage.add_games([GameRow("C", "CLASS", 1, "h", (line("C", 1),))])
    await storage.end_game("C", "{}")
    assert await storage.prune_practice(ended_before=0.0, most=10) == 0  # none ended so early
    assert await storage.prune_practice(ended_before=2e9, most=2) == 2
    assert await storage.prune_practice(ended_before=2e9, most=2) == 1
    assert [s.code for s in (await storage.load(0.0)).sessions] == ["CLASS"]
    assert await storage.game_lines("C") == ["h", line("C", 1)]
    await storage.close()


async def test_what_was_told_durable_survives_a_sigkill_and_play_goes_on(
    database: str,
) -> None:
    """A writer process SIGKILLed mid-stream: every record it was told stored is there,
    with no gap and no seq twice, and the games go on from the next seq."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        WRITER,
        database,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None
    told: dict[str, int] = {}
    try:
        async with asyncio.timeout(20):
            while sum(told.values()) < 60:
                game, seq = (await child.stdout.readline()).decode().split()
                told[game] = int(seq)
    finally:
        child.kill()
        await child.wait()
    assert child.returncode == -signal.SIGKILL
    storage = storage_for(database, 0.0)
    await storage.open()
    live = {g.id: g.events for g in (await storage.load(0.0)).games}
    for game, events in live.items():
        assert events == tuple(line(game, s) for s in range(1, len(events) + 1))
        assert len(events) >= told.get(game, 1)
        await is_refused(storage, game, range(len(events), len(events) + 1))
        await record(storage, game, range(len(events) + 1, len(events) + 2))
    assert sorted(live) == ["A", "B", "C"]
    await storage.close()


# Adds three games and records their moves as fast as it may, a few records a loop turn,
# printing each seq once it is told stored; it is killed meanwhile.
WRITER = """
import asyncio, sys
from zopa.server.storage import GameRow, SessionRow
from zopa.server.storage_open import storage_for

def line(game, seq):
    return '{"seq": %d, "game": "%s"}' % (seq, game)

async def main(database):
    storage = storage_for(database, 0.0)
    await storage.open()
    await storage.add_session(SessionRow("S", "guitar", None, 1.0))
    await storage.add_games([GameRow(g, "S", 1, "h", (line(g, 1),)) for g in "ABC"])
    loop = asyncio.get_running_loop()
    seq = 2
    while True:
        told = {}
        for game in "ABC":
            told[game] = loop.create_future()
            storage.record(game, [(seq, line(game, seq))], None, told[game].set_result)
        for game, stored in told.items():
            assert await stored
            print(game, seq, flush=True)
        seq += 1

asyncio.run(main(sys.argv[1]))
"""


async def test_a_failing_database_refuses_writes_changes_nothing_and_recovers(
    database: str, tmp_path: Path
) -> None:
    with where_writes_fail(database, tmp_path) as (failing_database, failing):
        storage = storage_for(failing_database, 0.0)
        await storage.open()
        await storage.add_session(SessionRow("S", "guitar", None, 1.0))
        await storage.add_games([GameRow("A", "S", 1, "header A", (line("A", 1),))])
        changes: list[bool] = []
        storage.health.listen(lambda: changes.append(storage.health.ok))
        failing(True)
        await is_refused(storage, "A", range(2, 3))
        with pytest.raises(Unavailable):
            await storage.add_note("A", '{"note": "lost"}')
        assert not storage.health.ok and storage.health.failing_since is not None
        await is_refused(storage, "A", range(3, 4))  # would leave a gap anyway
        failing(False)
        await record(storage, "A", range(2, 4))
        assert storage.health.ok and changes == [False, True]
        assert await storage.game_lines("A") == ["header A", *(line("A", s) for s in (1, 2, 3))]
        await storage.close()


async def test_a_storage_that_never_loaded_a_game_still_refuses_what_does_not_follow(
    opened: Opener,
) -> None:
    storage = await opened()
    await storage.add_session(SessionRow("S", "guitar", None, 1.0))
    await storage.add_games([GameRow(g, "S", 1, f"header {g}", (line(g, 1),)) for g in "ABC"])
    await record(storage, "A", range(2, 3))
    await record(storage, "B", range(2, 3), result="{}")
    await storage.close()
    # Opened again, nothing loaded: what is stored is looked up.
    storage = await opened()
    await is_refused(storage, "A", range(2, 4))  # seq 2 is stored already
    await is_refused(storage, "A", range(4, 5))  # a gap
    await is_refused(storage, "B", range(3, 4))  # after its result
    await is_refused(storage, "NOPE", range(1, 2))  # no such game
    await record(storage, "A", range(3, 4))
    await record(storage, "C", range(2, 3))
    await is_refused(storage, "C", range(2, 3))  # known from now on
    assert await storage.game_lines("A") == ["header A", *(line("A", s) for s in (1, 2, 3))]
    assert await storage.game_lines("B") == ["header B", line("B", 1), line("B", 2)]
    assert await storage.game_lines("NOPE") is None
    await storage.close()


# ---- PostgreSQL only (see the module's docstring for why) ------------------------------


async def opened_pg(url: str) -> PostgresStorage:
    storage = PostgresStorage(url)
    await storage.open()
    return storage


async def test_postgresqls_key_refuses_a_seq_stored_twice(postgres_url: str) -> None:
    """Whatever a worker believes: two that both wrote a game could not store one seq twice."""
    storage = await opened_pg(postgres_url)
    await storage.add_session(SessionRow("S", "guitar", None, 1.0))
    await storage.add_games([GameRow("A", "S", 1, "header A", (line("A", 1),))])
    await storage.close()
    with psycopg.connect(postgres_url) as other, pytest.raises(psycopg.errors.UniqueViolation):
        other.execute("INSERT INTO events VALUES ('A', 1, 'again')")


async def test_workers_starting_together_upgrade_the_schema_once(postgres_url: str) -> None:
    workers = await asyncio.gather(*(opened_pg(postgres_url) for _ in range(4)))
    await workers[0].add_session(SessionRow("S", "guitar", None, 1.0))
    for worker in workers:
        await worker.close()
    with psycopg.connect(postgres_url) as check:
        versions = check.execute("SELECT version FROM zopa_schema ORDER BY version").fetchall()
        assert check.execute("SELECT code FROM sessions").fetchall() == [("S",)]
    assert [v for (v,) in versions] == list(range(1, postgres_schema.newest() + 1))


async def test_a_failed_upgrade_leaves_the_database_as_it_was(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = await opened_pg(postgres_url)
    await storage.add_session(SessionRow("S", "guitar", None, 1.0))
    await storage.close()
    newest = postgres_schema.newest()
    broken = "CREATE TABLE half_done (x integer); SELECT no_such_function();"
    monkeypatch.setattr(postgres_schema, "MIGRATIONS", (*postgres_schema.MIGRATIONS, broken))
    with pytest.raises(psycopg.Error):
        await opened_pg(postgres_url)
    monkeypatch.undo()
    with psycopg.connect(postgres_url) as check:
        assert check.execute("SELECT max(version) FROM zopa_schema").fetchone() == (newest,)
        assert check.execute("SELECT to_regclass('half_done')").fetchone() == (None,)
    storage = await opened_pg(postgres_url)  # and the release it was opens it as before
    assert [s.code for s in (await storage.load(0.0)).sessions] == ["S"]
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


async def test_a_worker_prunes_no_practice_another_live_worker_holds(
    postgres_url: str,
) -> None:
    first, second = await opened_pg(postgres_url), await opened_pg(postgres_url)
    for storage, code in ((first, "P1"), (second, "P2")):
        await storage.add_session(SessionRow(code, "guitar", None, 1.0, practice=True))
        await storage.add_games([GameRow(f"G{code}", code, 1, "h", (line(f"G{code}", 1),))])
        await storage.end_game(f"G{code}", "{}")
    assert await second.prune_practice(ended_before=2e9, most=10) == 1
    assert await first.game_lines("GP1") == ["h", line("GP1", 1)]  # still served by first
    assert await first.game_lines("GP2") is None
    await first.close()
    assert await second.prune_practice(ended_before=2e9, most=10) == 1  # nobody's now
    assert await second.game_lines("GP1") is None
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


async def test_reads_and_writes_do_not_wait_for_each_other(postgres_url: str) -> None:
    """Logs, sessions and the library are read on a connection of their own: a read held
    up does not hold up the moves being made durable, nor a write held up the reads."""
    storage = await opened_pg(postgres_url)
    await storage.add_session(SessionRow("S", "guitar", None, 1.0))
    await storage.add_games([GameRow(g, "S", 1, f"header {g}", (line(g, 1),)) for g in "AB"])
    with psycopg.connect(postgres_url) as holder:
        # A log's read waits for the notes table, as behind a long read or a slow disk.
        holder.execute("LOCK TABLE notes IN ACCESS EXCLUSIVE MODE")
        reading = asyncio.create_task(storage.game_lines("A"))
        await until_waiting(postgres_url, "notes")
        await record(storage, "B", range(2, 4))
        assert not reading.done()
        holder.rollback()
        assert await asyncio.wait_for(reading, 10) == ["header A", line("A", 1)]

        # And the other way: the writer's commit waits for the events table.
        holder.execute("LOCK TABLE events IN SHARE MODE")
        told: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        storage.record("A", [(2, line("A", 2))], None, told.set_result)
        await until_waiting(postgres_url, "events")
        assert await storage.game_lines("B") == ["header B", *(line("B", s) for s in (1, 2, 3))]
        assert await storage.find_session(game="B") == "S"
        assert not told.done()
        holder.rollback()
        assert await asyncio.wait_for(told, 10)
    await storage.close()


async def test_a_read_connection_lost_while_idle_is_made_again(postgres_url: str) -> None:
    storage = await opened_pg(postgres_url)
    await storage.add_session(SessionRow("S", "guitar", None, 1.0))
    assert await storage.find_session(code="S") == "S"
    cut_off(postgres_url)
    assert await storage.find_session(code="S") == "S"
    await storage.close()


async def until_waiting(url: str, table: str) -> None:
    """Until a connection of the storage's waits for a lock on ``table``."""
    with psycopg.connect(url, autocommit=True) as look:
        async with asyncio.timeout(10):
            while look.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass",
                (table,),
            ).fetchone() != (1,):
                await asyncio.sleep(0.01)


def cut_off(url: str) -> None:
    """End every other connection to the database, as a network cut would."""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
