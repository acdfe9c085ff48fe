"""A live game as its players have been told it: what is on disk and was announced.

The game's actor (``actor.py``) owns the game and hands this record each step once it
is durable (``announce``); everything anyone else sees of the game is built from here,
never from moves still on their way to storage: the players' views, what a player
coming back missed, the facilitator's line, and the presence of each side. This record
also delivers the game's announcements to its seated players through the hub.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import orjson

from zopa.rules.events import Event, event_from_dict
from zopa.rules.log import Header, dumps
from zopa.rules.negotiation import GameState, seconds_left
from zopa.rules.scoring import result
from zopa.rules.status import status
from zopa.server.views import (
    ended_message,
    event_message,
    missed_messages,
    player_view,
    sealed,
    status_change,
)
from zopa.server.wire import Prepared


class Audience(Protocol):
    """Where the game's messages go: the hub, which hands them to the player's sockets."""

    def to_player(self, player: str, message: dict[str, Any] | Prepared) -> None:
        """Must not block."""


class Told:
    def __init__(
        self,
        header: Header,
        state: GameState,
        events: int,
        audience: Audience,
        clock: Callable[[], float],
    ) -> None:
        self.header = header
        self.state = state
        # How many of the game's log lines are durable and told.
        self.events = events
        self.result: dict[str, Any] | None = None if state.ending is None else result(state)
        # The status as the players last had it, whole: the next step is sent as a change.
        self._status = status(state, state.last_at)
        self._audience = audience
        self._clock = clock
        roles = header.scenario.role_ids
        self._players = {
            r: None if "bot" in header.players[r] else str(header.players[r]["id"]) for r in roles
        }
        # The latest presence message about each role: what the partner's next view shows.
        self._presence: dict[str, dict[str, Any]] = {}
        # While storage fails: the moment the game's clock stopped, else None.
        self.stopped_at: float | None = None

    @property
    def game(self) -> str:
        return self.header.game

    @property
    def live(self) -> bool:
        """Not over, as far as the players have been told."""
        return self.state.ending is None

    @property
    def result_json(self) -> str | None:
        """The result as stored, once the players have been told the game is over."""
        return None if self.live or self.result is None else dumps(self.result)

    def view(self, role: str, lines: list[str]) -> dict[str, Any]:
        """What ``role``'s player sees on connecting: durable events, status and presence."""
        found = player_view(
            self.header,
            self.state,
            self._events(lines),
            role,
            self.at(),
            None if self.live else self.result,
        )
        found["presence"] = self._presence.get(self.header.scenario.other(role))
        found["storage_available"] = self.stopped_at is None
        return found

    def missed(self, role: str, since: int, lines: list[str]) -> list[dict[str, Any]]:
        """The event messages after ``since`` for ``role`` coming back, with their statuses."""
        ended = not self.live
        return missed_messages(self.header, self._events(lines), role, ended, since)

    def told_events(self, lines: list[str]) -> list[Event]:
        """The events on disk and told (the mediator sees the game as everyone else)."""
        return self._events(lines)

    def _events(self, lines: list[str]) -> list[Event]:
        return [event_from_dict(orjson.loads(line)) for line in lines[: self.events]]

    def summary(self) -> dict[str, Any]:
        """The facilitator's line for this game, from the same durable state as the views."""
        state = self.state
        return {
            "live": state.ending is None,
            "seats": dict(zip(state.scenario.role_ids, state.seats, strict=True)),
            "events": self.events,
            "offers": state.offers,
            "seconds_left": round(seconds_left(state, self.at()), 1),
            "paused": state.paused,
            "on_break": state.on_break,
            "reading": state.reading,
            "storage_available": self.stopped_at is None,
        }

    def at(self) -> float:
        """The time a view describes: now, or while storage fails the moment the clock
        stopped (the pause stored once it works again starts there)."""
        return self._clock() if self.stopped_at is None else self.stopped_at

    # ---- what the players are told ---------------------------------------------------

    def presence(self, role: str, connected: bool, grace_ends: float | None) -> None:
        """``role``'s player left (a bot may sit in from ``grace_ends``) or is back: the
        partner is told at once, and views built from now on say so."""
        message: dict[str, Any] = {"role": role, "connected": connected}
        if grace_ends is not None:
            message["grace_ends"] = grace_ends
        self._presence[role] = message
        partner = self._players[self.header.scenario.other(role)]
        if partner is not None and self.live:
            self._audience.to_player(partner, {"type": "presence", "game": self.game, **message})

    def connected(self, role: str) -> bool:
        """Whether ``role``'s player was last heard of as connected."""
        return bool(self._presence.get(role, {}).get("connected"))

    def announce(
        self,
        state: GameState,
        events_now: int,
        events: list[Event],
        ended_with: dict[str, Any] | None,
    ) -> None:
        """``events`` are durable and lead to ``state`` (``events_now`` lines in all):
        adopt them, and tell both players; with ``ended_with``, the game's result too."""
        self.state, self.events = state, events_now
        roles = self.header.scenario.role_ids
        ended = state.ending is not None
        # The events of one commit are one step's, all at one time: one status serves,
        # sent as what it changes in the one the players hold (views.status_change).
        public = status(state, events[-1].at)
        change = status_change(self._status, public)
        self._status = public
        for event in events:
            if sealed(event, ended):
                for role in roles:
                    own = event_message(self.game, event, role, ended, change)
                    self._deliver(role, Prepared(own))
            else:
                # Both players see the same event: encode it once for both.
                shared = Prepared(event_message(self.game, event, roles[0], ended, change))
                for role in roles:
                    self._deliver(role, shared)
        if ended_with is not None:
            self.result = ended_with
            message = Prepared(ended_message(self.game, self.header.scenario, ended_with))
            for role in roles:
                self._deliver(role, message)

    def storage(self, stopped_at: float | None) -> None:
        """Storage failed (the game's clock stopped at ``stopped_at``) or, with ``None``,
        works again: both players are told."""
        self.stopped_at = stopped_at
        message = Prepared({"type": "storage", "game": self.game, "available": stopped_at is None})
        for role in self.header.scenario.role_ids:
            self._deliver(role, message)

    def _deliver(self, role: str, message: Prepared) -> None:
        player = self._players[role]
        if player is not None:
            self._audience.to_player(player, message)
