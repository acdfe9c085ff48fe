"""The facilitator's picture of a session, and how often it is sent.

A snapshot lists every player and game of a session and is sent after every change,
but a burst of changes makes one message, and a big session's snapshots go out no
faster than ``SNAPSHOT_BYTES_PER_SECOND`` (docs/performance.md has the measurements
behind both limits). Live games are described by their actors from what is durable,
the same state the players' views are built from.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from zopa.server.records import Session
from zopa.server.registry import Registry
from zopa.server.storage import Health
from zopa.server.tournament.views import schedule_view
from zopa.server.wire import Prepared

SNAPSHOTS_PER_SECOND = 4
SNAPSHOT_BYTES_PER_SECOND = 500_000


def snapshot_interval(size: int) -> float:
    """Seconds between two snapshots of ``size`` bytes (JSON) to a facilitator."""
    return max(1 / SNAPSHOTS_PER_SECOND, size / SNAPSHOT_BYTES_PER_SECOND)


class Watchers(Protocol):
    """The hub, as far as snapshots need it."""

    def connected(self, player: str) -> bool: ...

    def watched(self, session: str) -> bool: ...

    def to_facilitators(self, session: str, message: Prepared) -> None: ...


class Snapshots:
    def __init__(
        self, registry: Registry, hub: Watchers, clock: Callable[[], float], health: Health
    ) -> None:
        self._registry = registry
        self._hub = hub
        self._clock = clock
        self._health = health
        self._pushes: dict[str, asyncio.TimerHandle] = {}
        self._sizes: dict[str, int] = {}  # the size of each session's latest snapshot
        # Storage starting or stopping to fail changes every session's picture.
        health.listen(self._push_all)

    def snapshot(self, session: Session) -> dict[str, Any]:
        """Players, games and progress, as ``GET /api/sessions/{code}`` answers."""
        now = self._clock()
        players = [
            {
                "id": p.id,
                "name": p.name,
                "game": p.game,
                "connected": self._hub.connected(p.id),
                "away_seconds": None if p.gone_since is None else round(now - p.gone_since, 1),
                "removed": p.removed,
            }
            for p in session.players.values()
        ]
        rounds: list[dict[str, Any]] = [
            {"round": n, "games": []} for n in range(1, len(session.rounds) + 1)
        ]
        for number, entry in self._registry.games_of(session):
            item: dict[str, Any] = {"game": entry.id, "players": entry.players}
            if entry.actor is not None:
                item["result"] = None
                item.update(entry.actor.summary())
            else:
                item["result"] = entry.result
                item["live"] = False
                if entry.quarantined is not None:
                    item["quarantined"] = entry.quarantined
            rounds[number - 1]["games"].append(item)
        found = {
            "type": "session",
            "code": session.code,
            "scenario": {
                "id": session.scenario.id,
                "title": session.scenario.title,
                "time_limit": session.scenario.protocol.time_limit,
                "reading": session.scenario.protocol.reading,
            },
            "roles": list(session.scenario.role_ids),
            "variation": session.variation,
            "estimates": session.estimates,
            # The session's reading time over the scenario's (None: the scenario's own).
            "reading": session.reading,
            "walkout_window": session.walkout_window,
            "paused": session.paused,
            "players": players,
            "rounds": rounds,
            "storage": self._health.view(),
        }
        if session.schedule is not None:
            found["schedule"] = schedule_view(self._registry, session)
        return found

    def push(self, code: str) -> None:
        """Send facilitators a fresh snapshot soon; bursts of changes make one message."""
        if code in self._pushes or not self._hub.watched(code):
            return

        def send() -> None:
            self._pushes.pop(code, None)
            session = self._registry.loaded(code)
            if session is not None:
                # Encoded once for every facilitator socket of the session.
                snapshot = Prepared(self.snapshot(session))
                self._sizes[code] = len(snapshot.encoded(False))
                self._hub.to_facilitators(code, snapshot)

        delay = snapshot_interval(self._sizes.get(code, 0))
        self._pushes[code] = asyncio.get_running_loop().call_later(delay, send)

    def _push_all(self) -> None:
        for session in self._registry.sessions():
            self.push(session.code)

    def forget(self, code: str) -> None:
        handle = self._pushes.pop(code, None)
        if handle is not None:
            handle.cancel()
        self._sizes.pop(code, None)

    def shutdown(self) -> None:
        for handle in self._pushes.values():
            handle.cancel()
