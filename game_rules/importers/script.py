"""Playing a dataset record's moves through the rules with synthetic, deterministic times.

Datasets keep the order of the moves but not when they happened, so each move is
stamped one second after the previous one, from ``STARTED_AT``. The scenario's time
limit is set by ``time_limit_for`` to outlast every move, so no deadline can fire.
"""

from __future__ import annotations

from zopa.rules.actions import Action, action_fields, parse_action
from zopa.rules.errors import ActionRefused, RecordError
from zopa.rules.events import Event
from zopa.rules.negotiation import GameState, apply, start
from zopa.rules.scenario import Scenario

STARTED_AT = 0.0
SEED = 0
_SECONDS_APART = 1.0
_MIN_TIME_LIMIT = 3600


def time_limit_for(moves: int) -> int:
    """A time limit that the moves, one second apart, can never reach."""
    return max(_MIN_TIME_LIMIT, moves + 60)


class Script:
    """A game being played move by move; ``RecordError`` names the move the rules refuse."""

    def __init__(self, scenario: Scenario) -> None:
        self.state: GameState = start(scenario, SEED, STARTED_AT)
        self.events: list[Event] = []
        self.moves = 0

    def play(self, action: Action, what: str) -> None:
        """``what`` says which move of the record this is, for the error message."""
        self.moves += 1
        try:
            # Through the parser replay uses, so a move it would refuse (an empty chat)
            # is refused here, not later when the log is read.
            parsed = parse_action({"type": action.kind, **action_fields(action)}, action.by)
            self.state, produced = apply(
                self.state, parsed, STARTED_AT + self.moves * _SECONDS_APART
            )
        except ActionRefused as exc:
            raise RecordError(f"{what} is not a legal move here: {exc.message}") from exc
        self.events.extend(produced)
