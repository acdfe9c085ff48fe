"""A game's public status: what a screen shows besides the events, as the rules see it.

Whose turn it is, which clock runs and when it runs out, the reading time, breaks and
extensions (asked for by whom, how many left), the pause, offers made and left, the
standing offer, who has claimed, who holds each seat, whether the game is over. The
server sends it with the view and with every event, so a client applies it and never
works a rule out itself (docs/protocol.md lists the fields).

Public: the same for both roles. It names who has claimed but not what, and the
standing offer by its ``seq`` (its terms are in the offer event both sides have).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from zopa.rules import reading
from zopa.rules.events import Event
from zopa.rules.intervention import intervention_status
from zopa.rules.log import GameLog, replay_steps
from zopa.rules.negotiation import GameState, next_deadline, seconds_left


def status(state: GameState, now: float) -> dict[str, Any]:
    """The game's status at ``now``; an event's status is taken at the event's ``at``."""
    scenario = state.scenario
    protocol = scenario.protocol
    first_role, second_role = scenario.role_ids
    over = state.ending is not None
    paused = state.paused
    on_break = state.on_break
    deadline = next_deadline(state)
    break_left = None
    if on_break:
        used = state.break_used
        if state.break_started is not None:
            used += now - state.break_started
        break_left = max(0.0, protocol.break_seconds - used)
    standing = state.standing
    limit = protocol.max_offers
    first, second = state.claims
    seats = state.seats
    return {
        "turn": state.turn,
        # Which clock runs: only one, and none while paused, during a walkout's window
        # or once over.
        "clock": None
        if over or paused or state.walked_out is not None
        else "break"
        if on_break
        else "reading"
        if state.reading
        else "negotiation",
        "seconds_left": seconds_left(state, now),
        "deadline": deadline,
        "break_left": break_left,
        "paused": paused,
        "on_break": on_break,
        "pending_break": state.pending_break,
        "pending_extension": state.pending_extension,
        "breaks_left": protocol.breaks - state.breaks_taken,
        "extensions_left": protocol.extensions - state.extensions_taken,
        "offers_left": limit - state.offers if limit else None,
        # Nothing stands once the game is over, not even the offer that was accepted.
        "standing": None
        if standing is None or over
        else {"seq": standing.seq, "by": standing.by, "final": standing.final},
        "claimed": []
        if first is None and second is None
        else [r for r, c in ((first_role, first), (second_role, second)) if c is not None],
        "seats": {first_role: seats[0], second_role: seats[1]},
        "over": over,
        # The reading time (zopa.rules.reading): whether the sides still read, the time
        # left to read, and who has said they are ready.
        "reading": state.reading and not over,
        "reading_left": reading.left(state, now),
        "ready": [r for r, mark in zip(scenario.role_ids, state.ready, strict=True) if mark],
        **intervention_status(state),
    }


def step_statuses(log: GameLog) -> Iterator[tuple[list[Event], dict[str, Any]]]:
    """Each step of a log (an action's events: an accept and the end it causes, say)
    with the status right after it, by replaying the log through the rules."""
    for state, produced in replay_steps(log):
        yield produced, status(state, produced[-1].at)


def clock_started(log: GameLog) -> float:
    """When the negotiation clock first ran: the start, or the end of the reading time
    (zopa.rules.reading). Minutes "into the game" count from here."""
    started = log.header.started_at
    if not log.header.scenario.protocol.reading:
        return started
    for state, produced in replay_steps(log):
        if not state.reading:
            return state.clock_started if state.clock_started is not None else produced[-1].at
    return started  # the game ended while reading
