"""Start-up: the live and recent sessions back in memory, and every live game resumed.

"Recent" is ``Settings.recent_seconds`` (``ZOPA_RECENT_HOURS``): sessions created
within it are loaded at start-up with every session that has a live game or a
tournament round still to start; the registry loads any other when it is asked for.
A live game's actor is rebuilt by replaying its log, then catches up: deadlines that
fell while the server was down are honoured when they fell, and the time it was down
is left off the clock. A game whose log does not replay is quarantined
(``restore.quarantine``): the server starts with every other game.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from zopa.rules.log import Header
from zopa.server import restore
from zopa.server.config import Settings
from zopa.server.errors import Damaged
from zopa.server.games import Games
from zopa.server.registry import Registry
from zopa.server.rounds import Rounds
from zopa.server.storage import GameRow, Storage


async def recover(
    registry: Registry,
    games: Games,
    rounds: Rounds,
    storage: Storage,
    settings: Settings,
    clock: Callable[[], float],
) -> int:
    """Load what start-up needs; the number of live games resumed."""
    now = clock()
    snapshot = await storage.load(now - settings.recent_seconds)
    live = restore.restore(registry, snapshot)
    resumed = await resume(registry, games, live, snapshot.last_alive, now)
    for session in registry.sessions():
        # A start time that passed while the server was down starts its round now.
        rounds.arm(session)
    return resumed


async def resume(
    registry: Registry,
    games: Games,
    live: list[tuple[Header, GameRow]],
    last_alive: float | None,
    now: float,
) -> int:
    """Give each live game its actor again and let it catch up; how many resumed.

    Start-up does it for every live game; a worker sharing PostgreSQL does it too for
    the games of a session it takes over from a worker that died (``Registry``).
    """
    actors = []
    for header, row in live:
        try:
            actors.append(games.revive(header, row))
        except Damaged as exc:
            entry, session = registry.game(row.id), registry.loaded(row.session)
            assert entry is not None and session is not None
            restore.quarantine(entry, session, exc.message)
    # Together, so their catch-up records share commits.
    await asyncio.gather(*(actor.catch_up(last_alive, now) for actor in actors))
    resumed = 0
    for actor in actors:
        if actor.live:
            actor.start()
            resumed += 1
    return resumed
