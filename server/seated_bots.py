"""What the bots sitting in a live game's seats do at one bot tick.

A seat is a bot's when the session gave the pair a bot, or while a player who left is
away (presence.py). The actor asks here at each bot tick and applies the moves itself;
this module only decides, from what each seat may see (``seen_by``).
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from zopa.rules.actions import Action
from zopa.rules.bots import make_bot, seen_by
from zopa.rules.events import event_from_dict
from zopa.rules.intervention import seated_bot_move
from zopa.rules.negotiation import GameState


def bot_moves(state: GameState, lines: list[str], now: float) -> Iterator[tuple[str, Action]]:
    """Each bot seat's move now (``(seat, action)``), if it makes one."""
    if state.reading:
        return  # a bot needs no reading time, and is always ready (zopa.rules.reading)
    for role, seat in zip(state.scenario.role_ids, state.seats, strict=True):
        if not seat.startswith("bot:"):
            continue
        action: Action | None
        if state.walked_out is not None:
            # A walkout's window: the strategies know nothing of it (intervention.py).
            action = seated_bot_move(state, role)
        else:
            events = [event_from_dict(orjson.loads(line)) for line in lines]
            action = make_bot(seat.removeprefix("bot:")).decide(seen_by(state, role, events, now))
        if action is not None:
            yield seat, action
