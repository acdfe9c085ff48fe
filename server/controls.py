"""The facilitator's controls over the live games of a session: pause, resume, extend, end."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from zopa.rules.actions import Abort, Action, Extend, Pause, Resume
from zopa.server.errors import Conflict, Invalid, NotFound, Unavailable
from zopa.server.moves import UNAVAILABLE
from zopa.server.records import Session
from zopa.server.registry import Registry


class Controls:
    def __init__(self, registry: Registry, changed: Callable[[str], None]) -> None:
        self._registry = registry
        self._changed = changed

    async def _to_all(self, session: Session, action: Action) -> int:
        actors = [e.actor for e in self._registry.live_games(session) if e.actor is not None]
        codes = await asyncio.gather(*(actor.system(action) for actor in actors))
        self._changed(session.code)
        return sum(1 for code in codes if code is None)

    async def pause(self, code: str) -> int:
        session = await self._registry.session(code)
        session.set_paused(True)
        return await self._to_all(session, Pause())

    async def resume(self, code: str) -> int:
        session = await self._registry.session(code)
        session.set_paused(False)
        return await self._to_all(session, Resume())

    async def extend(self, code: str, seconds: Any, game: Any = None) -> int:
        session = await self._registry.session(code)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
            raise Invalid("'seconds' must be a number above 0")
        if game is None:
            return await self._to_all(session, Extend(seconds))
        entry = self._registry.game(game) if isinstance(game, str) else None
        if entry is None or game not in {e.id for _, e in self._registry.games_of(session)}:
            raise NotFound(f"no game {game!r} in this session", "no_such_game")
        if entry.actor is None:
            raise Conflict("the game is not live", "game_over")
        refused = await entry.actor.system(Extend(seconds))
        if refused == UNAVAILABLE:
            raise Unavailable("storage is failing: the game takes no changes until it works")
        if refused is not None:
            raise Conflict("the game is not live", refused)
        return 1

    async def end_round(self, code: str) -> int:
        """End every live game of the session now; they end as ``aborted``."""
        return await self._to_all(await self._registry.session(code), Abort())
