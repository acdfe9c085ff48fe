"""What a player is sent after their hello: the welcome, then what they missed.

``since`` counts within one game, which the hello names (``"game"``). Counting on
where it left off is only right in that same game: a ``since`` from another game, or
beyond the last event of this one, is ignored and the full view is sent. The game the
client was counting in, when it is this player's and has ended since, then gets its
``ended``: a client that slept through the change of rounds learns how its game ended
and receives every event of the new one. A hello without ``"game"`` counts in the
player's latest game, as the contract's own clients expect.
"""

from __future__ import annotations

from typing import Any

from zopa.server.games import Latest
from zopa.server.records import GameEntry
from zopa.server.views import ended_message


def welcome(
    player: str,
    latest: Latest | None,
    since: int | None,
    counted_in: str | None,
    earlier: GameEntry | None,
) -> list[dict[str, Any]]:
    """The messages to send, in order: the welcome first."""
    if latest is None:
        return [{"type": "welcome", "player": player, "game": None}]
    entry, view, missed = latest
    events = view["events"]
    last = events[-1]["seq"] if events else 0
    if since is not None and (counted_in not in (None, entry.id) or since > last):
        since = None
    if since is None:
        messages = [{"type": "welcome", "player": player, "game": view}]
    else:
        game = {**view, "events": [], "since": since}
        messages = [{"type": "welcome", "player": player, "game": game}, *missed]
        if "result" in view:
            ended = {"game": entry.id, "result": view["result"], "cards": view["cards"]}
            messages.append({"type": "ended", **ended})
    if earlier is not None and earlier is not entry and player in earlier.seats:
        result = earlier.result
        if earlier.actor is None and result is not None:
            messages.append(ended_message(earlier.id, earlier.scenario, result))
    return messages
