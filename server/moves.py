"""What goes on a game actor's queue: players' moves, the server's actions, wake-ups;
what their senders are told when a move is not applied; and what time the game's clock
did not run (``downtime``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zopa.rules.actions import Action, Pause, Resume
from zopa.rules.events import Event
from zopa.rules.negotiation import GameState, advance, apply
from zopa.rules.record import record

Reply = Callable[[dict[str, Any]], None]  # must not block

UNAVAILABLE = "storage_unavailable"
_MESSAGES = {
    UNAVAILABLE: "the game cannot be saved right now, so your move was not made; "
    "the game goes on by itself once saving works again",
    "game_over": "the game is over",
}


def refusal(code: str) -> dict[str, Any]:
    """The ``error`` a player gets for a move that was not applied."""
    return {"type": "error", "code": code, "message": _MESSAGES.get(code, code)}


def downtime(state: GameState, since: float, now: float) -> tuple[GameState, list[Event]]:
    """The game after a time its server could not run it (down, or storage failing).

    Deadlines that fell before ``since`` are honoured when they fell; from ``since`` to
    ``now`` the clock stands still: a ``pause`` then and a ``resume`` now, unless the game
    is already paused (a facilitator's pause keeps its own resume).
    """
    state, events = advance(state, since)
    if state.ending is None and not state.paused:
        state, paused = apply(state, Pause(), since)
        state, resumed = apply(state, Resume(), now)
        events = events + paused + resumed
    return state, events


@record
class PlayerMove:
    role: str
    action: Action  # parsed by the socket handler, for this role
    reply: Reply


def _future() -> asyncio.Future[str | None]:
    return asyncio.get_running_loop().create_future()


@dataclass(frozen=True, slots=True)
class SystemMove:
    action: Action
    # Set once the move is applied (or refused), for callers that wait on it.
    done: asyncio.Future[str | None] = field(default_factory=_future)


@dataclass(frozen=True, slots=True)
class Stop:
    pass


@dataclass(frozen=True, slots=True)
class Wake:
    """Put on the queue by the actor's timer: a deadline may have passed, or a bot may move."""


WAKE = Wake()
Move = PlayerMove | SystemMove
Command = PlayerMove | SystemMove | Stop | Wake
