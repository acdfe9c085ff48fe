"""What the server keeps: sessions, players, games and their event lines.

The interface is small and asynchronous so that SQLite (the embedded default,
``storage_sqlite``) and a later PostgreSQL backend can sit behind it unchanged. Every
write call returns only once its data is durable: the server announces nothing before.
A write that fails raises ``errors.Unavailable`` (or calls ``then(False)``) having
changed nothing, and ``health`` says storage is failing until a write works again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    # The session's options as a JSON object (``variation``, ``estimates``), or None for
    # the defaults (every game deals its own cards; no BATNA estimates).
    options: str | None = None
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
class ScenarioRow:
    """A scenario of the server's own library, as its author sent it (TOML)."""

    id: str
    hash: str  # of its content (zopa.rules.library.content_hash), not of the text
    toml: str
    added_at: float


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Sessions with their players, games and rounds, to rebuild the server from.

    Live games come with their event lines; ended ones with their header and result.
    """

    sessions: tuple[SessionRow, ...]
    players: tuple[PlayerRow, ...]
    games: tuple[GameRow, ...]
    last_alive: float | None
    rounds: tuple[RoundRow, ...] = ()


class Health:
    """Whether storage takes writes: failing since when and why, and whom to tell of a change.

    Set by the backend from the outcome of its writes (and the heartbeat's, once a
    second), read by ``/healthz`` and the facilitators' snapshots.
    """

    def __init__(self) -> None:
        self.failing_since: float | None = None
        self.reason = ""
        self._listeners: list[Callable[[], None]] = []

    @property
    def ok(self) -> bool:
        return self.failing_since is None

    def listen(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` on the event loop whenever storage starts or stops failing."""
        self._listeners.append(listener)

    def failed(self, reason: str, now: float) -> None:
        if self.failing_since is None:
            self.failing_since = now
            self.reason = reason
            self._tell()

    def recovered(self) -> None:
        if self.failing_since is not None:
            self.failing_since = None
            self.reason = ""
            self._tell()

    def view(self) -> dict[str, object]:
        """What facilitators and ``/healthz`` are shown."""
        return {"ok": self.ok, "failing_since": self.failing_since, "reason": self.reason}

    def _tell(self) -> None:
        for listener in self._listeners:
            listener()


class Storage(Protocol):
    health: Health

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def add_session(self, row: SessionRow) -> None: ...

    async def add_player(self, row: PlayerRow) -> None: ...

    async def remove_player(self, player_id: str) -> None: ...

    async def add_games(self, rows: Sequence[GameRow], started: RoundRow | None = None) -> None:
        """Store new games, and the round they start with them: one commit for them all."""
        ...

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

        A game's stored seqs never have a gap: a record whose first seq does not follow
        the game's last stored one (because a record before it failed) is refused, with
        ``then(False)``, and nothing of it is written.
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

    async def load(self, recent_since: float) -> Snapshot:
        """What start-up needs: every session created at ``recent_since`` or later, and
        every older one with a live game or a scheduled round still to start."""
        ...

    async def load_sessions(self, codes: Sequence[str]) -> Snapshot:
        """These sessions, whole (for the ones start-up left in storage)."""
        ...

    async def find_session(
        self, *, code: str | None = None, token: str | None = None, game: str | None = None
    ) -> str | None:
        """The code of the session with this code, player token or game; ``None`` if none."""
        ...

    async def add_scenario(self, row: ScenarioRow) -> None:
        """Keep a scenario of the library; its id is new (the library checks first)."""
        ...

    async def scenarios(self) -> tuple[ScenarioRow, ...]:
        """The library's scenarios, oldest first."""
        ...

    async def scenario(self, scenario_id: str) -> ScenarioRow | None:
        """One scenario of the library by id; ``None`` if none. Servers sharing one
        database read through here the scenarios another one was sent since it started."""
        ...
