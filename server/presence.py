"""Presence: who is connected, who is away and since when, and the bot for an empty seat.

The websocket endpoint reports a player's first socket opening and last one closing;
this room keeps the time they left, tells their game's actor (which tells the partner
and keeps it for the partner's next view), and lets the partner seat a bot once the
grace period is over.
"""

from __future__ import annotations

from collections.abc import Callable

from zopa.rules.actions import Seat
from zopa.rules.bots import BOT_DEFAULT
from zopa.server.config import Settings
from zopa.server.records import Player
from zopa.server.registry import Registry


class Presence:
    def __init__(
        self,
        registry: Registry,
        settings: Settings,
        changed: Callable[[str], None],
        clock: Callable[[], float],
    ) -> None:
        self._registry = registry
        self._settings = settings
        self._changed = changed
        self._clock = clock

    async def seen(self, player: Player, connected: bool) -> None:
        """A player's first socket opened or last one closed: tell the partner, retake a seat."""
        now = self._clock()
        player.seen(connected, now)
        found = self._registry.latest_game(player)
        if found is not None and found[0].actor is not None and not (connected and player.removed):
            grace_ends = None if connected else now + self._settings.grace_seconds
            await found[0].actor.presence(found[1], connected, grace_ends)
        self._changed(player.session)

    async def seat_bot(self, player: Player) -> str | None:
        """The partner of an absent player asks a bot to take the empty seat; a refusal code."""
        found = self._registry.latest_game(player)
        actor = None if found is None else found[0].actor
        if found is None or actor is None:
            return "game_over"
        entry, role = found
        other, absent = entry.partner_of(role)
        away = self._registry.player(absent) if absent is not None else None
        if away is None or away.gone_since is None:
            return "not_allowed"
        if self._clock() - away.gone_since < self._settings.grace_seconds:
            return "not_allowed"
        return await actor.system(Seat(other, f"bot:{BOT_DEFAULT}"))
