"""Solo practice: a session of one player against a bot, started at once."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from zopa.rules.bots import STRATEGIES
from zopa.server.config import Settings
from zopa.server.errors import Busy, Invalid
from zopa.server.games import Games
from zopa.server.players import Players
from zopa.server.records import GameEntry, Player, Session

OpenSession = Callable[[Any], Awaitable[Session]]


class Practice:
    def __init__(
        self, open_session: OpenSession, players: Players, games: Games, settings: Settings
    ) -> None:
        self._open = open_session
        self._players = players
        self._games = games
        self._settings = settings

    async def start(
        self, name: Any, scenario_id: Any, strategy: Any, role: Any = None
    ) -> tuple[Player, GameEntry]:
        if not isinstance(strategy, str) or strategy not in STRATEGIES:
            raise Invalid(f"'strategy' must be one of {', '.join(STRATEGIES)}")
        if self._games.practice_live() >= self._settings.max_practice_games:
            raise Busy("too many practice games are running; try later", "too_many_games")
        session = await self._open(scenario_id)
        roles = session.scenario.role_ids
        if role is None:
            role = roles[secrets.randbelow(2)]
        if role not in roles:
            raise Invalid(f"'role' must be one of {', '.join(roles)}")
        player = await self._players.join(session.code, name)
        other = roles[1] if role == roles[0] else roles[0]
        seats = {role: player.id, other: None}
        [entry] = await self._games.create(
            session, 1, [seats], session.scenario, bot=strategy, practice=True
        )
        return player, entry
