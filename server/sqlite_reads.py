"""Reading the SQLite database back: sessions for the registry, and one game's log.

Every function takes the storage thread's connection and runs inside its transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from zopa.server.sqlite_schema import END
from zopa.server.storage import GameRow, PlayerRow, RoundRow, SessionRow, Snapshot

# The sessions start-up loads: recent ones, those with a live game, and tournaments with
# a scheduled round still to start (its timer must be set again).
STARTUP = """
INSERT INTO temp.wanted SELECT code FROM sessions WHERE created_at >= :since
UNION SELECT session FROM games WHERE result IS NULL
UNION SELECT t.session FROM schedules t
    WHERE json_array_length(t.schedule, '$.rounds')
        > (SELECT count(*) FROM rounds r WHERE r.session = t.session)
"""


def startup(c: sqlite3.Connection, since: float) -> Snapshot:
    _want(c)
    c.execute(STARTUP, {"since": since})
    return _wanted(c)


def sessions(c: sqlite3.Connection, codes: Sequence[str]) -> Snapshot:
    _want(c)
    c.executemany("INSERT OR IGNORE INTO temp.wanted VALUES (?)", [(code,) for code in codes])
    return _wanted(c)


def _want(c: sqlite3.Connection) -> None:
    c.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (code TEXT PRIMARY KEY)")
    c.execute("DELETE FROM temp.wanted")


def _wanted(c: sqlite3.Connection) -> Snapshot:
    """The sessions in ``temp.wanted``, with their players, games and rounds."""
    found = tuple(
        SessionRow(code, scenario, limit, created, schedule, options, bool(practice))
        for code, scenario, limit, created, schedule, options, practice in c.execute(
            "SELECT s.code, s.scenario, s.time_limit, s.created_at, t.schedule, o.options, "
            "p.session IS NOT NULL FROM temp.wanted w JOIN sessions s ON s.code = w.code "
            "LEFT JOIN schedules t ON t.session = s.code "
            "LEFT JOIN session_options o ON o.session = s.code "
            "LEFT JOIN practice p ON p.session = s.code ORDER BY s.created_at"
        )
    )
    players = tuple(
        PlayerRow(i, s, n, t, j, bool(r))
        for i, s, n, t, j, r in c.execute(
            "SELECT p.* FROM temp.wanted w JOIN players p ON p.session = w.code "
            "ORDER BY p.joined_at"
        )
    )
    lines: dict[str, list[str]] = {}
    live = c.execute(
        "SELECT 1 FROM games WHERE result IS NULL AND session IN temp.wanted LIMIT 1"
    ).fetchone()
    # Only from the first event of the oldest unfinished game on: what came before
    # belongs to games already over. A game without a span (written by an older zopa
    # after the upgrade) makes it read from the start.
    for game, line in (
        ()
        if live is None
        else c.execute(
            "SELECT e.game, e.line FROM events e JOIN games g ON g.id = e.game "
            "WHERE e.rowid > (SELECT coalesce(min(coalesce(s.first, 0)), 0) FROM games o "
            "LEFT JOIN spans s ON s.game = o.id WHERE o.result IS NULL) "
            "AND g.result IS NULL AND g.session IN temp.wanted ORDER BY e.rowid"
        )
    ):
        lines.setdefault(game, []).append(line)
    games = tuple(
        GameRow(i, s, r, h, tuple(lines.get(i, ())), res)
        for i, s, r, h, res in c.execute(
            "SELECT g.* FROM temp.wanted w JOIN games g ON g.session = w.code ORDER BY g.rowid"
        )
    )
    alive = c.execute("SELECT at FROM alive WHERE id = 1").fetchone()
    rounds = tuple(
        RoundRow(s, n, at, tuple(json.loads(byes)))
        for s, n, at, byes in c.execute(
            "SELECT r.* FROM temp.wanted w JOIN rounds r ON r.session = w.code "
            "ORDER BY r.session, r.number"
        )
    )
    return Snapshot(found, players, games, alive[0] if alive else None, rounds)


def find_session(
    c: sqlite3.Connection, code: str | None, token: str | None, game: str | None
) -> str | None:
    if code is not None:
        row = c.execute("SELECT code FROM sessions WHERE code = ?", (code,)).fetchone()
    elif token is not None:
        row = c.execute("SELECT session FROM players WHERE token = ?", (token,)).fetchone()
    elif game is not None:
        row = c.execute("SELECT session FROM games WHERE id = ?", (game,)).fetchone()
    else:
        row = None
    return None if row is None else str(row[0])


def next_seqs(c: sqlite3.Connection, games: list[str]) -> dict[str, int]:
    """The next seq of each of these games that is live (not ended, and known)."""
    found = {}
    for game in games:
        # Its events are after its span's first rowid (or anywhere, without a span).
        row = c.execute(
            "SELECT (SELECT coalesce(max(e.seq), 0) + 1 FROM events e "
            "WHERE e.rowid > coalesce(s.first, 0) AND e.game = g.id) "
            "FROM games g LEFT JOIN spans s ON s.game = g.id "
            "WHERE g.id = ? AND g.result IS NULL",
            (game,),
        ).fetchone()
        if row is not None:
            found[game] = int(row[0])
    return found


def game_lines(c: sqlite3.Connection, game_id: str) -> list[str] | None:
    """The game's log: header, events, then notes; ``None`` for an unknown game."""
    found = c.execute("SELECT header FROM games WHERE id = ?", (game_id,)).fetchone()
    if found is None:
        return None
    span = c.execute("SELECT first, last FROM spans WHERE game = ?", (game_id,))
    first, last = span.fetchone() or (0, None)
    rows = c.execute(
        "SELECT line FROM events WHERE rowid > ? AND rowid <= ? AND game = ? ORDER BY rowid",
        (first, END if last is None else last, game_id),
    )
    notes = c.execute("SELECT line FROM notes WHERE game = ? ORDER BY rowid", (game_id,))
    return [found[0], *(line for (line,) in rows), *(line for (line,) in notes)]
