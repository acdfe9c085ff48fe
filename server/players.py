"""Players: joining a session by its code, being found by token, being removed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zopa.rules.actions import Seat
from zopa.rules.bots import BOT_DEFAULT
from zopa.server.codes import new_id, token
from zopa.server.errors import Invalid, NotFound
from zopa.server.records import Player
from zopa.server.registry import Registry
from zopa.server.storage import PlayerRow, Storage

MAX_NAME = 40
# Bidirectional embeddings, overrides and isolates: in a name they would reverse the
# names printed after it ("abyC & Ana"), so they are dropped; control characters too.
_HIDDEN = dict.fromkeys([*range(0x00, 0x20), 0x7F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def clean_name(raw: Any) -> str:
    """A player's name as it is shown: hidden characters dropped, spaces collapsed."""
    if not isinstance(raw, str):
        raise Invalid("Please type your name.")
    name = " ".join(raw.translate(_HIDDEN).split())
    if not name:
        raise Invalid("Please type your name.")
    if len(name) > MAX_NAME:
        raise Invalid(f"Your name is too long: {MAX_NAME} characters at most.")
    return name


def distinct_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name 2``, ``name 3``… when someone in the session already has it,
    so a facilitator and the standings can tell two Sams apart."""
    if name.casefold() not in taken:
        return name
    number = 2
    while f"{name} {number}".casefold() in taken:
        number += 1
    return f"{name} {number}"


# Closes a player's sockets: (player id, websocket close code, reason).
CloseSockets = Callable[[str, int, str], None]


class Players:
    def __init__(
        self,
        registry: Registry,
        storage: Storage,
        close: CloseSockets,
        changed: Callable[[str], None],
        clock: Callable[[], float],
    ) -> None:
        self._registry = registry
        self._storage = storage
        self._close = close
        self._changed = changed
        self._clock = clock

    async def join(self, code: str, name: Any) -> Player:
        session = await self._registry.session(code)
        taken = {p.name.casefold() for p in session.players.values() if not p.removed}
        name = distinct_name(clean_name(name), taken)
        player = Player(new_id("p"), session.code, name, token())
        await self._storage.add_player(
            PlayerRow(player.id, session.code, name, player.token, self._clock())
        )
        self._registry.add_player(session, player)
        self._changed(session.code)
        return player

    async def by_token(self, raw: Any) -> Player | None:
        return await self._registry.player_by_token(raw)

    async def remove(self, code: str, player_id: str) -> None:
        session = await self._registry.session(code)
        player = session.players.get(player_id)
        if player is None or player.removed:
            raise NotFound(f"no player {player_id!r} in this session", "no_such_player")
        await self._storage.remove_player(player.id)
        player.remove()
        found = self._registry.latest_game(player)
        if found is not None and found[0].actor is not None:
            # The partner keeps a game to finish: a bot takes the removed player's seat.
            await found[0].actor.system(Seat(found[1], f"bot:{BOT_DEFAULT}"))
        self._close(player.id, 4403, "removed from the session")
        self._changed(session.code)
