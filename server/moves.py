"""What goes on a game actor's queue: players' moves, the server's actions, wake-ups;
and what their senders are told when a move is not applied."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zopa.rules.actions import Action
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


def refuse(command: Command, code: str = UNAVAILABLE) -> None:
    """Tell a move's sender it was not applied; a wake-up or a stop needs no answer."""
    if isinstance(command, PlayerMove):
        command.reply(refusal(code))
    elif isinstance(command, SystemMove):
        settle(command.done, code)


def settle(done: asyncio.Future[str | None], code: str | None) -> None:
    """A system move's caller hears how it went: ``None`` applied, else the refusal code."""
    if not done.done():
        done.set_result(code)
