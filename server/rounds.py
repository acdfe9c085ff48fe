"""Rounds: starting the next one, by the facilitator's click or a tournament's start time.

A round's number is taken under one lock, so a click and a start time at the same
moment cannot both take it. The seating is ``seating.py``'s, the games ``games.py``'s.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from zopa.server import memory, seating
from zopa.server.config import Settings
from zopa.server.errors import Conflict, ServerError
from zopa.server.games import Games
from zopa.server.records import GameEntry, Session
from zopa.server.registry import Registry
from zopa.server.storage import RoundRow

log = logging.getLogger("zopa.rounds")


class Rounds:
    def __init__(
        self,
        registry: Registry,
        games: Games,
        settings: Settings,
        connected: Callable[[str], bool],
        changed: Callable[[str], None],
        clock: Callable[[], float],
    ) -> None:
        self._registry = registry
        self._games = games
        self._settings = settings
        self._connected = connected
        self._changed = changed
        self._clock = clock
        self._lock = asyncio.Lock()
        # Scheduled round starts, one per tournament, and the tasks they spawned.
        self._starts: dict[str, asyncio.TimerHandle] = {}
        self._starting: set[asyncio.Task[None]] = set()

    async def start(
        self, code: str, pairs: Any = None, only: int | None = None
    ) -> tuple[int, list[GameEntry]]:
        """The next round: paired by hand with ``pairs``, else by the session's rules.

        With ``only``, start it only if it is round ``only`` (``already_started``).
        """
        session = await self._registry.session(code)
        async with self._lock:
            started = await self._start(session, pairs, only)
        if self._settings.gc_sweep_seconds > 0:
            # Everything the joins and the new games made is long-lived: sweep and freeze
            # it now, while the players read their cards, not in the middle of play.
            memory.sweep(full=False)
        return started

    async def _start(
        self, session: Session, pairs: Any, only: int | None
    ) -> tuple[int, list[GameEntry]]:
        number = len(session.rounds) + 1
        if only is not None and only != number:
            raise Conflict(f"round {only} has already started", "already_started")
        scenario = session.round_scenario(number)
        byes: list[str] = []
        if pairs is not None:
            seatings = seating.by_hand(self._registry, session, scenario, pairs)
        elif session.schedule is not None:
            seatings, byes = await seating.tournament(
                self._registry, session, scenario, number, self._present
            )
        else:
            seatings = await seating.plain(self._registry, session, scenario)
        row = RoundRow(session.code, number, self._clock(), tuple(byes))
        entries = await self._games.create(session, number, seatings, scenario, started=row)
        self._games.deal_ahead(session)  # the round after this one, while this one runs
        self.arm(session)
        self._changed(session.code)
        log.info(
            "round %d started: %d games", number, len(entries), extra={"session": session.code}
        )
        return number, entries

    def _present(self, player_id: str) -> bool:
        """Connected, never connected, or away less than the grace period."""
        player = self._registry.player(player_id)
        if player is None or self._connected(player_id) or player.gone_since is None:
            return True
        return self._clock() - player.gone_since < self._settings.grace_seconds

    def arm(self, session: Session) -> None:
        """Set the timer for the next scheduled round's start time, if it has one."""
        handle = self._starts.pop(session.code, None)
        if handle is not None:
            handle.cancel()
        schedule = session.schedule
        number = len(session.rounds) + 1
        if schedule is None or number > len(schedule.rounds):
            return
        at = schedule.rounds[number - 1].starts_at
        if at is None:
            return

        def due() -> None:
            self._starts.pop(session.code, None)
            task = asyncio.create_task(self._start_on_time(session.code, number))
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)

        delay = max(0.0, at - self._clock())
        self._starts[session.code] = asyncio.get_running_loop().call_later(delay, due)

    async def _start_on_time(self, code: str, number: int) -> None:
        try:
            await self.start(code, only=number)
        except ServerError as refused:
            # Nobody to pair, say: the round waits for the facilitator to start it.
            log.warning(
                "scheduled round %d not started: %s",
                number,
                refused.message,
                extra={"session": code},
            )

    def shutdown(self) -> None:
        for handle in self._starts.values():
            handle.cancel()
        for task in list(self._starting):
            task.cancel()
