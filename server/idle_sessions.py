"""Older sessions nobody uses leave memory; the registry loads them again when asked.

Start-up loads the live and recent sessions, and the registry any other the first time
something names it (``registry.py``): a facilitator reading an old class's results, a
player looking back at a game. Without this, each one stayed in memory for as long as
the server ran. So a sweep every ``idle_sweep_seconds`` lets go of a session when all of
these hold:

- it is not recent: created longer ago than ``recent_seconds`` (``ZOPA_RECENT_HOURS``),
  the sessions start-up would leave in storage too;
- nothing has asked for it for ``idle_seconds``: not its join code, a player's token or
  one of its games (``Registry.used_at``);
- no game of it is live, no tournament round of it is still to start;
- nobody is connected to it: no player, no facilitator, no mediator;
- it is not a practice game's (``practice_retention.py`` lets those go).

Its rows stay in storage as they are, and whatever asks for it next loads it again,
with the same answers as before.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from zopa.server.config import Settings
from zopa.server.hub import Hub
from zopa.server.records import Session
from zopa.server.sessions import Sessions
from zopa.server.sweeper import Sweeper

log = logging.getLogger("zopa.idle")


class IdleSessions:
    def __init__(
        self,
        sessions: Sessions,
        hub: Hub,
        settings: Settings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sessions = sessions
        self.hub = hub
        self.settings = settings
        self.clock = clock
        self._sweeper = Sweeper("idle session sweep", settings.idle_sweep_seconds, self._swept, log)

    def start(self) -> None:
        self._sweeper.start()

    async def stop(self) -> None:
        await self._sweeper.stop()

    async def _swept(self) -> None:
        self.sweep()

    def sweep(self) -> list[str]:
        """One look: the codes of the sessions that left memory."""
        now = self.clock()
        gone = [s.code for s in self.sessions.registry.sessions() if self.idle(s, now)]
        for code in gone:
            self.sessions.forget(code)
        if gone:
            log.info("%d idle sessions left memory", len(gone))
        return gone

    def idle(self, session: Session, now: float) -> bool:
        """Whether ``session`` may leave memory at ``now``."""
        registry = self.sessions.registry
        if session.practice or now - session.created_at < self.settings.recent_seconds:
            return False
        used = registry.used_at(session.code)
        if used is not None and now - used < self.settings.idle_seconds:
            return False
        schedule = session.schedule
        if schedule is not None and len(session.rounds) < len(schedule.rounds):
            return False
        if registry.live_games(session):
            return False
        return not (
            self.hub.watched(session.code)
            or self.sessions.mediators.watching(session.code)
            or any(self.hub.connected(player) for player in session.players)
        )
