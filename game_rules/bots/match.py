"""Bot against bot, entirely in process, on a simulated clock."""

from __future__ import annotations

from dataclasses import dataclass

from game_rules.bots.seen import seen_by
from game_rules.bots.strategy import Bot
from game_rules.errors import ActionRefused
from game_rules.events import Event
from game_rules.negotiation import GameState, advance, apply, start
from game_rules.scenario import Scenario


@dataclass(frozen=True, slots=True)
class MatchResult:
    state: GameState
    events: tuple[Event, ...]
    refused: int  # actions the rules refused: a strategy bug if above 0


def play_match(
    scenario: Scenario,
    bots: dict[str, Bot],
    seed: int,
    started_at: float = 0.0,
    tick: float = 1.0,
) -> MatchResult:
    """Play until the game ends, asking each role's bot once per tick of simulated time."""
    state = start(scenario, seed, started_at)
    events: list[Event] = []
    refused = 0
    now = started_at
    while state.ending is None:
        now += tick
        state, due = advance(state, now)
        events.extend(due)
        for role in scenario.role_ids:
            if state.ending is not None:
                break
            action = bots[role].decide(seen_by(state, role, events, now))
            if action is None:
                continue
            try:
                state, more = apply(state, action, now)
            except ActionRefused:
                refused += 1
                continue
            events.extend(more)
    return MatchResult(state, tuple(events), refused)
