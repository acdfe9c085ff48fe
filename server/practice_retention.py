"""Ended practice games leave memory, and later the database.

Anyone may start a practice game without a login, so unlike a facilitator's sessions
they cannot be kept for ever: a script starting and abandoning them in a loop grew the
server by hundreds of megabytes an hour, and every restart replayed them all. So, once
a practice game has ended:

- its session, player and game leave memory ``practice_linger_seconds`` (10 minutes)
  after a sweep first finds it ended: time enough to read the result and the chart of
  what was possible, and to reload the page;
- it is deleted from the database, log and all, ``practice_retention_seconds`` (a day)
  after it ended (storage records the end with the result).

A sweep runs every ``practice_sweep_seconds``. Sessions a facilitator opened are
never touched.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from zopa.server.config import Settings
from zopa.server.sessions import Sessions
from zopa.server.storage import Storage
from zopa.server.sweeper import Sweeper

log = logging.getLogger("zopa.practice")

# Sessions deleted per transaction, so a backlog does not hold up the games' commits.
PRUNE_BATCH = 200


class PracticeRetention:
    def __init__(
        self,
        sessions: Sessions,
        storage: Storage,
        settings: Settings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sessions = sessions
        self.storage = storage
        self.settings = settings
        self.clock = clock
        self._ended: dict[str, float] = {}  # practice session -> when a sweep saw it over
        self._sweeper = Sweeper("practice sweep", settings.practice_sweep_seconds, self.sweep, log)

    def start(self) -> None:
        self._sweeper.start()

    async def stop(self) -> None:
        await self._sweeper.stop()

    async def sweep(self) -> tuple[int, int]:
        """One look: how many practice sessions left memory, and the database."""
        now = self.clock()
        forgotten = 0
        for code in self._ended_practice():
            seen = self._ended.setdefault(code, now)
            if now - seen >= self.settings.practice_linger_seconds:
                self.sessions.forget(code)
                del self._ended[code]
                forgotten += 1
        pruned = 0
        cutoff = now - self.settings.practice_retention_seconds
        while (batch := await self.storage.prune_practice(cutoff, PRUNE_BATCH)) > 0:
            pruned += batch
            if batch < PRUNE_BATCH:
                break
        if forgotten or pruned:
            log.info(
                "ended practice games: %d left memory, %d left the database", forgotten, pruned
            )
        return forgotten, pruned

    def _ended_practice(self) -> list[str]:
        """Practice sessions in memory whose game is over."""
        registry = self.sessions.registry
        found = []
        for session in registry.sessions():
            games = [entry for _, entry in registry.games_of(session)]
            if session.practice and games and not any(entry.live for entry in games):
                found.append(session.code)
        return found
