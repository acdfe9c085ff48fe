"""The session registry: which sessions, players and games are in memory, found by key.

Start-up loads the live and recent sessions (``recovery.py``); any other session is
loaded the first time something asks for it, by its join code, a player's token or one
of its game ids, so a server that has run for months starts as fast as a new one. The
registry is the one owner of its maps: rooms add to them through its methods.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator

from zopa.rules.log import Header
from zopa.rules.scenario import Scenario
from zopa.server import restore
from zopa.server.codes import normalize_code
from zopa.server.errors import NotFound
from zopa.server.pairing_history import Ledger
from zopa.server.records import GameEntry, Player, Session
from zopa.server.scenario_library import session_scenarios
from zopa.server.storage import GameRow, Storage

log = logging.getLogger("zopa.registry")

TakeOver = Callable[[str, list[tuple[Header, GameRow]], float | None], Awaitable[None]]


class Registry:
    def __init__(
        self,
        storage: Storage,
        scenarios: Callable[[str, float | None], Scenario],
        read_through: Callable[[Iterable[str]], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._storage = storage
        # The server's scenario library: an id and time limit -> the scenario (restore.py).
        self.scenarios = scenarios
        # Reads the scenarios of these ids that another server on this database was sent.
        self._read_through = read_through
        self._sessions: dict[str, Session] = {}
        self._players: dict[str, Player] = {}
        self._by_token: dict[str, Player] = {}
        self._games: dict[str, GameEntry] = {}
        # How far the pairing worker has heard each session's history (pairing_history.py).
        self._ledgers: dict[str, Ledger] = {}
        # When each session was last asked for by its code, a token or a game, or loaded:
        # an older one nobody asks for leaves memory again (idle_sessions.py).
        self._used: dict[str, float] = {}
        self._clock = clock
        self._loading = asyncio.Lock()
        # Resumes the live games of a session loaded on demand (set by ``Sessions``).
        self.take_over: TakeOver | None = None

    # ---- what is in memory -----------------------------------------------------------

    def loaded(self, code: str) -> Session | None:
        return self._sessions.get(normalize_code(code))

    def sessions(self) -> Iterator[Session]:
        return iter(list(self._sessions.values()))

    def count(self) -> int:
        return len(self._sessions)

    def player(self, player_id: str) -> Player | None:
        return self._players.get(player_id)

    def game(self, game_id: str) -> GameEntry | None:
        return self._games.get(game_id)

    def games_of(self, session: Session) -> Iterator[tuple[int, GameEntry]]:
        """Every game of the session with its round number, in order."""
        for number, ids in enumerate(session.rounds, start=1):
            for game_id in ids:
                yield number, self._games[game_id]

    def live_games(self, session: Session) -> list[GameEntry]:
        return [entry for _, entry in self.games_of(session) if entry.live]

    def live(self) -> Iterator[GameEntry]:
        return (entry for entry in list(self._games.values()) if entry.live)

    def latest_game(self, player: Player) -> tuple[GameEntry, str] | None:
        """The player's latest game, live or ended, and their role in it."""
        entry = self._games.get(player.game) if player.game else None
        return None if entry is None else (entry, entry.role_of(player.id))

    def is_free(self, player: Player) -> bool:
        found = self.latest_game(player)
        return not player.removed and (found is None or not found[0].live)

    def used_at(self, code: str) -> float | None:
        """When the session was last asked for (or loaded, or opened)."""
        return self._used.get(code)

    def _use(self, code: str) -> None:
        self._used[code] = self._clock()

    def ledger(self, session: Session) -> Ledger:
        """The session's pairing ledger, made on first use."""
        found = self._ledgers.get(session.code)
        if found is None:
            found = self._ledgers[session.code] = Ledger()
        return found

    # ---- adding ----------------------------------------------------------------------

    def add_session(self, session: Session) -> None:
        self._sessions[session.code] = session
        self._use(session.code)

    async def new_code(self, make: Callable[[], str]) -> str:
        """A code from ``make`` that no session uses, in memory or in storage."""
        while True:
            code = make()
            if code not in self._sessions and await self._storage.find_session(code=code) is None:
                return code

    def add_player(self, session: Session, player: Player) -> None:
        session.add_player(player)
        self._players[player.id] = player
        self._by_token[player.token] = player

    def add_game(self, session: Session, entry: GameEntry) -> None:
        session.add_game(entry.round, entry.id)
        self._games[entry.id] = entry
        for player_id in entry.seats:
            player = self._players.get(player_id) if player_id is not None else None
            if player is not None:
                player.playing(entry.id)

    # ---- dropping --------------------------------------------------------------------

    def forget(self, code: str) -> None:
        """Drop a session, its players and its games from memory (not from storage)."""
        session = self._sessions.pop(code, None)
        self._ledgers.pop(code, None)
        self._used.pop(code, None)
        if session is None:
            return
        for player in session.players.values():
            self._players.pop(player.id, None)
            self._by_token.pop(player.token, None)
        for ids in session.rounds:
            for game_id in ids:
                self._games.pop(game_id, None)

    # ---- found on demand -------------------------------------------------------------

    async def session(self, code: str) -> Session:
        """The session with this join code, loaded from storage if need be."""
        key = normalize_code(code)
        found = self._sessions.get(key)
        if found is None and key:
            found = await self._load(key)
        if found is None:
            raise NotFound(f"no session with the code {code!r}", "no_such_session")
        self._use(found.code)
        return found

    async def player_by_token(self, raw: object) -> Player | None:
        if not isinstance(raw, str) or not raw:
            return None
        player = self._by_token.get(raw)
        if player is None:
            code = await self._storage.find_session(token=raw)
            if code is not None and await self._load(code) is not None:
                player = self._by_token.get(raw)
        if player is None or player.removed:
            return None
        self._use(player.session)
        # Constant-time compare, so response timing does not leak how much matched.
        return player if secrets.compare_digest(player.token, raw) else None

    async def find_game(self, game_id: str) -> GameEntry | None:
        """A game by id, its session loaded from storage if need be."""
        entry = self._games.get(game_id)
        if entry is None:
            code = await self._storage.find_session(game=game_id)
            if code is not None and await self._load(code) is not None:
                entry = self._games.get(game_id)
        for seat in entry.seats if entry is not None else ():
            player = self._players.get(seat) if seat is not None else None
            if player is not None:
                self._use(player.session)  # a game's session is its players'
                break
        return entry

    async def _load(self, code: str) -> Session | None:
        async with self._loading:
            if code in self._sessions:
                return self._sessions[code]
            snapshot = await self._storage.load_sessions([code])
            if not snapshot.sessions:
                return None
            if self._read_through is not None:
                await self._read_through(session_scenarios(snapshot.sessions))
            live = restore.restore(self, snapshot)
            if live and self.take_over is not None:
                # Its worker died (PostgreSQL, several workers): its games go on here.
                await self.take_over(code, live, snapshot.last_alive)
                log.warning(
                    "session taken over with %d live games", len(live), extra={"session": code}
                )
            elif live:
                # Start-up loads every session with a live game: this cannot happen.
                log.error("a session with live games was not loaded", extra={"session": code})
            else:
                log.info("older session loaded on demand", extra={"session": code})
            return self._sessions.get(code)
