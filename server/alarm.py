"""A game actor's alarm: one timer for the game's next deadline or bot tick.

A timer that feeds the actor's queue, rather than ``wait_for`` on the queue, spares a
task and a timeout handle per message, which was most of an actor's cost under load
(docs/performance.md); so the timer is rearmed only when what it waits for changes.
With a bot seated it rings every ``bot_tick``, so deadlines still fall on time to
within one tick.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from zopa.rules.negotiation import GameState, next_deadline


class Alarm:
    def __init__(
        self, ring: Callable[[], None], bot_tick: float, clock: Callable[[], float]
    ) -> None:
        self._ring = ring  # called when the timer goes off
        self._bot_tick = bot_tick
        self._clock = clock
        self._timer: asyncio.TimerHandle | None = None
        self._timer_for: float | None = None  # the deadline the timer was set for
        self._seats: tuple[str, ...] | None = None
        self._bots_seated = False

    @property
    def set(self) -> bool:
        """A timer is waiting to ring."""
        return self._timer is not None

    def arm(self, state: GameState) -> None:
        """Ring at ``state``'s next deadline, or at the next bot tick while a bot is seated."""
        deadline = next_deadline(state)
        if state.seats is not self._seats:
            # States share their seats until a seat changes hands: looked at once then.
            self._seats = state.seats
            self._bots_seated = any(seat.startswith("bot:") for seat in self._seats)
        bots = self._bots_seated
        if self._timer is not None and (bots or self._timer_for == deadline):
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_for = deadline
        waits = [] if deadline is None else [max(0.0, deadline - self._clock())]
        if bots:
            waits.append(self._bot_tick)
        if waits:
            self._timer = asyncio.get_running_loop().call_later(min(waits), self._rang)

    def after(self, delay: float) -> None:
        """Ring once after ``delay`` (a try at storage while it fails), unless set already."""
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(delay, self._rang)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_for = None

    def _rang(self) -> None:
        self._timer = None
        self._ring()
