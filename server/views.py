"""What each player is sent: their view of a game, its events, its end.

Private stays private: everything here is built for one role, from its own card and
the events as that role may see them (``visible_to`` seals the other side's claim).
The other role's card appears only in ``ended``, once the game is over.
"""

from __future__ import annotations

from typing import Any

from zopa.rules.events import Event, sealed, visible_to
from zopa.rules.log import Header
from zopa.rules.negotiation import GameState, status
from zopa.rules.scenario import Scenario

__all__ = ["cards", "ended_message", "event_message", "player_view", "sealed"]


def event_message(game: str, event: Event, role: str, ended: bool) -> dict[str, Any]:
    return {
        "type": "event",
        "game": game,
        "seq": event.seq,
        "event": visible_to(event, role, ended).body(),
    }


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
