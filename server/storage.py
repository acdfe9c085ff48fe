"""What the server keeps: sessions, players, games and their event lines.

The interface is small and asynchronous so that SQLite (the embedded default,
``storage_sqlite``) and a later PostgreSQL backend can sit behind it unchanged. Every
write call returns only once its data is durable: the server announces nothing before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SessionRow:
    code: str
    scenario: str
    # A session-wide time limit overriding the scenario's, or None.
    time_limit: float | None
    created_at: float
    # A tournament's schedule as JSON (server/tournament/schedule.py), or None.
    schedule: str | None = None
    # A solo practice game's session: pruned once ended (server/practice_retention.py).
    practice: bool = False


@dataclass(frozen=True, slots=True)
class PlayerRow:
    id: str
    session: str
    name: str
    token: str
    joined_at: float
    removed: bool = False


@dataclass(frozen=True, slots=True)
class GameRow:
    id: str
    session: str
    round: int
    header: str  # the log's first line
    # Event lines in seq order, when loaded for recovery.
    events: tuple[str, ...] = field(default=())
    result: str | None = None  # the result object as JSON, once ended


@dataclass(frozen=True, slots=True)
class RoundRow:
    """A round as started: kept so that byes, and rounds nobody played, survive a restart."""

    session: str
    number: int
    started_at: float
    byes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything needed to rebuild the server after a restart."""

    sessions: tuple[SessionRow, ...]
    players: tuple[PlayerRow, ...]
    games: tuple[GameRow, ...]
    last_alive: float | None
    rounds: tuple[RoundRow, ...] = ()


class Storage(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def add_session(self, row: SessionRow) -> None: ...

    async def add_player(self, row: PlayerRow) -> None: ...

    async def remove_player(self, player_id: str) -> None: ...

    async def add_game(self, row: GameRow) -> None: ...

    async def add_round(self, row: RoundRow) -> None: ...

    async def end_game(self, game_id: str, result: str) -> None: ...

    def record(
        self,
        game_id: str,
        events: list[tuple[int, str]],
        result: str | None,
        then: Callable[[bool], None],
    ) -> None:
        """Store a game's new events (and its result, once it ended) without waiting.

        ``then(True)`` is called on the event loop once they are durable, in the order
        the records were made; ``then(False)`` if they could not be stored. A game
        announces its events from ``then``, so nothing is told before it is on disk,
        while the game goes on with its next move meanwhile.
        """
        ...

    async def add_note(self, game_id: str, line: str) -> None:
        """Keep a note line (``zopa.rules.notes``) with the game's log."""
        ...

    async def game_lines(self, game_id: str) -> list[str] | None:
        """The game's log: header, events, then notes; ``None`` for an unknown game."""
        ...

    async def heartbeat(self, now: float) -> None: ...

    async def prune_practice(self, ended_before: float, most: int) -> int:
        """Delete up to ``most`` practice sessions whose game ended before ``ended_before``.

        Everything of each goes: session, player, game, events, notes. How many went.
        """
        ...

    async def load(self) -> Snapshot: ...
