"""What each player is sent: their view of a game, its events, its end.

Private stays private: everything here is built for one role, from its own card and
the events as that role may see them (``visible_to`` seals the other side's claim).
The other role's card appears only in ``ended``, once the game is over.
"""

from __future__ import annotations

from typing import Any

from zopa.rules.events import Event, sealed, visible_to
from zopa.rules.log import GameLog, Header
from zopa.rules.negotiation import GameState
from zopa.rules.scenario import Scenario
from zopa.rules.status import status, step_statuses

__all__ = [
    "cards",
    "ended_message",
    "event_message",
    "missed_messages",
    "player_view",
    "sealed",
    "status_change",
]


def event_message(
    game: str, event: Event, role: str, ended: bool, change: dict[str, Any]
) -> dict[str, Any]:
    """An event as ``role`` sees it, with what its step changed in the game's status
    (``status_change``): the same for both roles, built once per step by the caller."""
    return {
        "type": "event",
        "game": game,
        "seq": event.seq,
        "event": visible_to(event, role, ended).body(),
        "status": change,
    }


def status_change(told: dict[str, Any], now: dict[str, Any]) -> dict[str, Any]:
    """What a client that holds the status ``told`` is sent to hold ``now``: the fields
    that changed, and the clock readings, which change with time itself
    (``seconds_left``, and ``break_left`` on a break, ``reading_left`` while reading).

    Clients merge it into the status they hold, which they had whole from a view: a
    few dozen bytes per event rather than the whole status's few hundred.
    """
    change = {key: value for key, value in now.items() if value != told[key]}
    change["seconds_left"] = now["seconds_left"]
    if now["break_left"] is not None:
        change["break_left"] = now["break_left"]
    if now["reading_left"] is not None:
        change["reading_left"] = now["reading_left"]
    return change


def missed_messages(
    header: Header, events: list[Event], role: str, ended: bool, since: int
) -> list[dict[str, Any]]:
    """The event messages after ``since`` for a client coming back, with the statuses
    worked out again by replaying the game through the rules: the first step sent
    carries the whole status (the client's, from a view made now, is newer), each later
    one what it changed, as live."""
    messages: list[dict[str, Any]] = []
    told: dict[str, Any] | None = None
    for produced, now in step_statuses(GameLog(header, tuple(events))):
        if produced[-1].seq <= since:
            continue
        change = now if told is None else status_change(told, now)
        told = now
        messages += [
            event_message(header.game, event, role, ended, change)
            for event in produced
            if event.seq > since
        ]
    return messages


def cards(scenario: Scenario) -> dict[str, Any]:
    return {role: scenario.card(role) for role in scenario.role_ids}


def ended_message(game: str, scenario: Scenario, result: dict[str, Any]) -> dict[str, Any]:
    return {"type": "ended", "game": game, "result": result, "cards": cards(scenario)}


def player_view(
    header: Header,
    state: GameState,
    events: list[Event],
    role: str,
    now: float,
    result: dict[str, Any] | None,
) -> dict[str, Any]:
    scenario = header.scenario
    other = scenario.other(role)
    partner = header.players[other]
    ended = state.ending is not None
    game_status = status(state, now)
    view: dict[str, Any] = {
        "game": header.game,
        "session": header.extra.get("session"),
        "round": header.extra.get("round"),
        "role": role,
        "partner": {"role": other, "name": partner.get("name"), "bot": "bot" in partner},
        "scenario": scenario.public(),
        "brief": scenario.role(role).brief,
        "card": scenario.card(role),
        # Whether the session asks each player for a sealed estimate of the other side.
        "estimates": bool(header.extra.get("estimates")),
        "turn": state.turn,
        "seconds_left": game_status["seconds_left"],
        "status": game_status,
        "events": [visible_to(e, role, ended).to_dict() for e in events],
    }
    if ended:
        view["result"] = result
        view["cards"] = cards(scenario)
    return view
