"""Reading the PostgreSQL database back: sessions for the registry, and one game's log.

Every function takes a connection of the storage's and runs inside its transaction: the
read connection's (``postgres_reader``), or the writer's where a read must be in step
with its writes (the seq guard's look-up, taking sessions back after a loss).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import psycopg

from zopa.server.storage import GameRow, PlayerRow, RoundRow, ScenarioRow, SessionRow, Snapshot

Connection = psycopg.AsyncConnection[Any]

# The sessions start-up wants: recent ones, those with a live game, and tournaments with
# a scheduled round still to start (its timer must be set again).
STARTUP = """
SELECT code FROM sessions WHERE created_at >= %(since)s
UNION SELECT session FROM games WHERE result IS NULL
UNION SELECT t.session FROM schedules t
    WHERE json_array_length(t.schedule::json -> 'rounds')
        > (SELECT count(*) FROM rounds r WHERE r.session = t.session)
"""


async def startup_codes(c: Connection, since: float) -> list[str]:
    return [str(code) for (code,) in await (await c.execute(STARTUP, {"since": since})).fetchall()]


async def sessions(c: Connection, codes: Sequence[str], last_alive: bool = True) -> Snapshot:
    """These sessions, with their players, games (live ones with their events) and rounds."""
    wanted = list(codes)
    found = tuple(
        SessionRow(str(a), str(b), _float(c_), float(d), _str(e), _str(f), bool(g))
        for a, b, c_, d, e, f, g in await (
            await c.execute(
                "SELECT s.code, s.scenario, s.time_limit, s.created_at, t.schedule, o.options, "
                "p.session IS NOT NULL FROM sessions s "
                "LEFT JOIN schedules t ON t.session = s.code "
                "LEFT JOIN session_options o ON o.session = s.code "
                "LEFT JOIN practice p ON p.session = s.code "
                "WHERE s.code = ANY(%s) ORDER BY s.created_at",
                (wanted,),
            )
        ).fetchall()
    )
    players = tuple(
        PlayerRow(str(i), str(s), str(n), str(t), float(j), bool(r))
        for i, s, n, t, j, r in await (
            await c.execute(
                "SELECT id, session, name, token, joined_at, removed FROM players "
                "WHERE session = ANY(%s) ORDER BY joined_at",
                (wanted,),
            )
        ).fetchall()
    )
    lines: dict[str, list[str]] = {}
    for game, line in await (
        await c.execute(
            "SELECT e.game, e.line FROM games g JOIN events e ON e.game = g.id "
            "WHERE g.session = ANY(%s) AND g.result IS NULL ORDER BY e.game, e.seq",
            (wanted,),
        )
    ).fetchall():
        lines.setdefault(str(game), []).append(str(line))
    games = tuple(
        GameRow(str(i), str(s), int(r), str(h), tuple(lines.get(str(i), ())), _str(res))
        for i, s, r, h, res in await (
            await c.execute(
                "SELECT id, session, round, header, result FROM games "
                "WHERE session = ANY(%s) ORDER BY created",
                (wanted,),
            )
        ).fetchall()
    )
    rounds = tuple(
        RoundRow(str(s), int(n), float(at), tuple(json.loads(str(byes))))
        for s, n, at, byes in await (
            await c.execute(
                "SELECT session, number, started_at, byes FROM rounds "
                "WHERE session = ANY(%s) ORDER BY session, number",
                (wanted,),
            )
        ).fetchall()
    )
    alive = None
    if last_alive:
        row = await (await c.execute("SELECT at FROM alive WHERE id = 1")).fetchone()
        alive = None if row is None else float(row[0])
    return Snapshot(found, players, games, alive, rounds)


async def find_session(
    c: Connection, code: str | None, token: str | None, game: str | None
) -> str | None:
    if code is not None:
        query, value = "SELECT code FROM sessions WHERE code = %s", code
    elif token is not None:
        query, value = "SELECT session FROM players WHERE token = %s", token
    elif game is not None:
        query, value = "SELECT session FROM games WHERE id = %s", game
    else:
        return None
    row = await (await c.execute(query, (value,))).fetchone()
    return None if row is None else str(row[0])


async def ended_practice(c: Connection, before: float, most: int) -> list[str]:
    """Up to ``most`` practice sessions whose game ended before ``before``."""
    found = await c.execute(
        "SELECT session FROM practice WHERE ended_at < %s LIMIT %s", (before, most)
    )
    return [str(code) for (code,) in await found.fetchall()]


async def next_seqs(c: Connection, games: list[str]) -> dict[str, int]:
    """The next seq of each of these games that is live (not ended, and known)."""
    if not games:
        return {}
    found = await c.execute(
        "SELECT g.id, coalesce(max(e.seq), 0) + 1 FROM games g "
        "LEFT JOIN events e ON e.game = g.id "
        "WHERE g.id = ANY(%s) AND g.result IS NULL GROUP BY g.id",
        (games,),
    )
    return {str(game): int(seq) for game, seq in await found.fetchall()}


async def game_lines(c: Connection, game_id: str) -> list[str] | None:
    """The game's log: header, events, then notes; ``None`` for an unknown game."""
    found = await (await c.execute("SELECT header FROM games WHERE id = %s", (game_id,))).fetchone()
    if found is None:
        return None
    events = await (
        await c.execute("SELECT line FROM events WHERE game = %s ORDER BY seq", (game_id,))
    ).fetchall()
    notes = await (
        await c.execute("SELECT line FROM notes WHERE game = %s ORDER BY id", (game_id,))
    ).fetchall()
    return [str(found[0]), *(str(line) for (line,) in events), *(str(line) for (line,) in notes)]


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


async def sessions_exist(c: Connection, codes: Sequence[str]) -> bool:
    row = await (
        await c.execute("SELECT count(*) FROM sessions WHERE code = ANY(%s)", (list(codes),))
    ).fetchone()
    return row is not None and bool(row[0])


async def scenarios(c: Connection) -> tuple[ScenarioRow, ...]:
    """The scenario library, in the order the scenarios were added."""
    found = await c.execute("SELECT id, hash, toml, added_at FROM scenarios ORDER BY added")
    return tuple(ScenarioRow(*row) for row in await found.fetchall())


async def scenario(c: Connection, scenario_id: str) -> ScenarioRow | None:
    found = await c.execute(
        "SELECT id, hash, toml, added_at FROM scenarios WHERE id = %s", (scenario_id,)
    )
    row = await found.fetchone()
    return None if row is None else ScenarioRow(*row)
