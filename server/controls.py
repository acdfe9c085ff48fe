"""The facilitator's controls over the live games of a session: pause, resume, extend, end,
each for the whole session or one game, and a message or hint to one game."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from zopa.rules.actions import MAX_CHAT, Abort, Action, Extend, Message, Pause, Resume
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

    async def to_game(self, session: Session, game: Any, action: Action) -> int:
        """Apply ``action`` to one live game of ``session``; refusals as the API's errors."""
        entry = self._registry.game(game) if isinstance(game, str) else None
        if entry is None or game not in {e.id for _, e in self._registry.games_of(session)}:
            raise NotFound(f"no game {game!r} in this session", "no_such_game")
        if entry.actor is None:
            raise Conflict("the game is not live", "game_over")
        refused = await entry.actor.system(action)
        if refused == UNAVAILABLE:
            raise Unavailable("storage is failing: the game takes no changes until it works")
        if refused == "not_allowed":
            state = "already paused" if isinstance(action, Pause) else "not paused"
            raise Conflict(f"the game is {state}", refused)
        if refused is not None:
            raise Conflict("the game is not live", refused)
        self._changed(session.code)
        return 1

    async def pause(self, code: str, game: Any = None) -> int:
        """Pause the whole session, or only ``game`` (the session's pause stays as it was)."""
        session = await self._registry.session(code)
        if game is not None:
            return await self.to_game(session, game, Pause())
        session.set_paused(True)
        return await self._to_all(session, Pause())

    async def resume(self, code: str, game: Any = None) -> int:
        session = await self._registry.session(code)
        if game is not None:
            return await self.to_game(session, game, Resume())
        session.set_paused(False)
        return await self._to_all(session, Resume())

    async def extend(self, code: str, seconds: Any, game: Any = None) -> int:
        session = await self._registry.session(code)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
            raise Invalid("'seconds' must be a number above 0")
        if game is None:
            return await self._to_all(session, Extend(seconds))
        return await self.to_game(session, game, Extend(seconds))

    async def message(self, code: str, game: Any, text: Any, hint: Any = False) -> int:
        """The facilitator's message (or, with ``hint``, a hint) to both players of one game."""
        session = await self._registry.session(code)
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_CHAT:
            raise Invalid(f"'text' must be words, at most {MAX_CHAT} characters")
        if not isinstance(hint, bool):
            raise Invalid("'hint' must be true or false")
        return await self.to_game(session, game, Message("facilitator", text, hint))

    async def end_round(self, code: str) -> int:
        """End every live game of the session now; they end as ``aborted``."""
        return await self._to_all(await self._registry.session(code), Abort())
