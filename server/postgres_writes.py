"""Writing to the PostgreSQL database: the statements behind each write of the storage.

Every function takes the storage's one connection and runs inside the transaction the
writer task groups (``storage_postgres``); ownership, the seq guard and fencing stay
there.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import psycopg

from zopa.server.seq_guard import Rows, Step
from zopa.server.storage import GameRow, PlayerRow, RoundRow, ScenarioRow, SessionRow

Connection = psycopg.AsyncConnection[Any]


async def add_session(c: Connection, row: SessionRow) -> None:
    await c.execute(
        "INSERT INTO sessions VALUES (%s, %s, %s, %s)",
        (row.code, row.scenario, row.time_limit, row.created_at),
    )
    if row.schedule is not None:
        await c.execute("INSERT INTO schedules VALUES (%s, %s)", (row.code, row.schedule))
    if row.options is not None:
        await c.execute("INSERT INTO session_options VALUES (%s, %s)", (row.code, row.options))
    if row.practice:
        await c.execute("INSERT INTO practice VALUES (%s, NULL)", (row.code,))


async def add_player(c: Connection, row: PlayerRow) -> None:
    await c.execute(
        "INSERT INTO players VALUES (%s, %s, %s, %s, %s, %s)",
        (row.id, row.session, row.name, row.token, row.joined_at, row.removed),
    )


async def remove_player(c: Connection, player_id: str) -> None:
    await c.execute("UPDATE players SET removed = true WHERE id = %s", (player_id,))


async def add_games(c: Connection, rows: Sequence[GameRow], started: RoundRow | None) -> None:
    """A round's games (and the round, when it starts one) with their first events."""
    if started is not None:
        await c.execute(
            "INSERT INTO rounds VALUES (%s, %s, %s, %s)",
            (started.session, started.number, started.started_at, json.dumps(list(started.byes))),
        )
    # One statement for the round's games however many, as for their events: a round of
    # a large class starts hundreds of games in one turn.
    await c.execute(
        # In the seating's order, by its ordinal: games read back in the order created.
        "INSERT INTO games (id, session, round, header, result) "
        "SELECT id, session, round, header, result FROM unnest(%b::text[], %b::text[], "
        "%b::integer[], %b::text[], %b::text[]) WITH ORDINALITY "
        "AS g(id, session, round, header, result, n) ORDER BY n",
        (
            [row.id for row in rows],
            [row.session for row in rows],
            [row.round for row in rows],
            [row.header for row in rows],
            [row.result for row in rows],
        ),
    )
    await insert_events(
        c, [(row.id, seq, line) for row in rows for seq, line in enumerate(row.events, 1)]
    )


async def insert_events(c: Connection, rows: Rows) -> None:
    """Every row in one statement, whatever their number: three arrays, unnested."""
    if rows:
        games, seqs, lines = zip(*rows, strict=True)
        await c.execute(INSERT_EVENTS, (list(games), list(seqs), list(lines)))


# Arrays go as binary parameters (``%b``): psycopg's text form escapes every element of
# an array with a regular expression, and an event line, being JSON, is full of quotes.
INSERT_EVENTS = (
    "INSERT INTO events (game, seq, line) "
    "SELECT * FROM unnest(%b::text[], %b::integer[], %b::text[])"
)
# The same, and games ended, in one statement: a data-modifying WITH runs whole, once.
INSERT_EVENTS_AND_FINISH = (
    f"WITH added AS ({INSERT_EVENTS}), "
    "ended AS (UPDATE games SET result = r.result "
    "FROM unnest(%b::text[], %b::text[]) AS r(id, result) WHERE games.id = r.id "
    "RETURNING games.session) "
    # A practice game's end starts its retention; for any other game this changes nothing.
    "UPDATE practice SET ended_at = %b WHERE session IN (SELECT session FROM ended)"
)


async def write_steps(c: Connection, steps: Sequence[Step]) -> None:
    """A batch of records (``seq_guard.plan``'s steps) in one statement, one round trip:
    alone, it needs no BEGIN and COMMIT of its own to be one transaction."""
    rows = [row for step in steps if isinstance(step, list) for row in step]
    ended = [step for step in steps if isinstance(step, tuple)]
    if not ended:
        await insert_events(c, rows)
        return
    games, seqs, lines = zip(*rows, strict=True) if rows else ((), (), ())
    ids, results = zip(*ended, strict=True)
    await c.execute(
        INSERT_EVENTS_AND_FINISH,
        (list(games), list(seqs), list(lines), list(ids), list(results), time.time()),
    )


async def finish(c: Connection, game_id: str, result: str) -> None:
    await c.execute("UPDATE games SET result = %s WHERE id = %s", (result, game_id))
    # A practice game's end starts its retention; for any other game this changes nothing.
    await c.execute(
        "UPDATE practice SET ended_at = %s WHERE session = (SELECT session FROM games "
        "WHERE id = %s)",
        (time.time(), game_id),
    )


async def add_note(c: Connection, game_id: str, line: str) -> None:
    await c.execute("INSERT INTO notes (game, line) VALUES (%s, %s)", (game_id, line))


async def heartbeat(c: Connection, now: float) -> None:
    await c.execute(
        "INSERT INTO alive VALUES (1, %s) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
        (now,),
    )


async def delete_sessions(c: Connection, codes: list[str]) -> None:
    """Delete sessions and everything in them."""
    if not codes:
        return
    games = "(SELECT id FROM games WHERE session = ANY(%s))"
    for table in ("events", "notes"):
        await c.execute(f"DELETE FROM {table} WHERE game IN {games}", (codes,))
    for table in ("games", "players", "rounds", "schedules", "session_options", "practice"):
        await c.execute(f"DELETE FROM {table} WHERE session = ANY(%s)", (codes,))
    await c.execute("DELETE FROM sessions WHERE code = ANY(%s)", (codes,))


async def add_scenario(c: Connection, row: ScenarioRow) -> None:
    await c.execute(
        "INSERT INTO scenarios (id, hash, toml, added_at) VALUES (%s, %s, %s, %s)",
        (row.id, row.hash, row.toml, row.added_at),
    )
