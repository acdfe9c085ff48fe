"""Reading time: the brief read, and a plan made, before the negotiation clock starts.

A scenario's ``protocol.reading`` (or a session's setting, written into the game's own
scenario) gives each game that many seconds of reading before the negotiation. While
reading, nobody negotiates: offers, chat, suggestions, statements, claims, breaks and
extensions wait (``refuse_at_reading``); a walkout does not, since walking away is
always open (the contract says so). What reading allows:

- ``ready``: this side is done reading. When every seat held by a person is ready (a
  bot is always ready), the negotiation clock starts at once;
- ``plan``: the planning form (own target, walk-away, issues in order), private to its
  author for good: the other side sees only that a plan was made (``events.PRIVATE``),
  even after the end. The latest plan counts;
- ``estimate``: the sealed guess of the other side's BATNA (``zopa.rules.estimates``);
- the facilitator's controls. A pause stops the reading countdown as it stops any clock.

When the reading time runs out, a ``timeout`` with ``"what": "reading"`` starts the
negotiation clock at the moment it ran out. A game without reading time starts with its
clock running, as every game did before: its log has none of these events.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from zopa.rules.actions import SYSTEM_KINDS, Action, Plan, Ready
from zopa.rules.errors import ActionRefused
from zopa.rules.events import Event
from zopa.rules.scenario import Points, Scenario

if TYPE_CHECKING:
    from zopa.rules.negotiation import GameState, _Step

# What may happen while reading: anything else is refused with the code ``reading``.
ALLOWED = frozenset({"ready", "plan", "estimate", "walkout", *SYSTEM_KINDS})


def without_reading(scenario: Scenario) -> Scenario:
    """``scenario`` with no reading time: bot matches play without it (a bot reads at
    once), so their games and the golden hash stay what they were."""
    if not scenario.protocol.reading:
        return scenario
    protocol = dataclasses.replace(scenario.protocol, reading=0)
    return dataclasses.replace(scenario, protocol=protocol)


def with_reading(scenario: Scenario, seconds: Points | None) -> Scenario:
    """``scenario`` with the session's reading time (None: the scenario's own)."""
    if seconds is None or seconds == scenario.protocol.reading:
        return scenario
    protocol = dataclasses.replace(scenario.protocol, reading=seconds)
    return dataclasses.replace(scenario, protocol=protocol)


def opening(scenario: Scenario, started_at: float) -> dict[str, Any]:
    """The fields of a new game's state: reading, or the negotiation clock running."""
    if scenario.protocol.reading > 0:
        return {"reading": True, "reading_started": started_at, "clock_started": None}
    return {"clock_started": started_at}


def deadline(state: GameState) -> float:
    """When the reading time runs out (the state is reading and not paused)."""
    assert state.reading_started is not None
    return state.reading_started + state.scenario.protocol.reading - state.reading_used


def left(state: GameState, now: float) -> float | None:
    """Reading time left at ``now``; None once the negotiation has begun."""
    if not state.reading or state.ending is not None:
        return None
    used = state.reading_used
    if state.reading_started is not None:
        used += max(0.0, now - state.reading_started)
    return max(0.0, state.scenario.protocol.reading - used)


def refuse_at_reading(state: GameState, action: Action) -> None:
    """``ActionRefused`` for a negotiating move while the sides are still reading."""
    if state.reading and action.kind not in ALLOWED:
        raise ActionRefused(
            "reading",
            f"the sides are still reading; {action.kind} waits until the negotiation begins",
        )


def ready(step: _Step, action: Ready) -> None:
    s = step.state
    if not s.reading:
        raise ActionRefused("not_allowed", "the reading time is over")
    index = step.role_index(action.by)
    if s.ready[index]:
        raise ActionRefused("already_pending", "you are already ready")
    step.record(action)
    marks = (True, s.ready[1]) if index == 0 else (s.ready[0], True)
    step.change(ready=marks)
    if everyone_ready(s.seats, marks) and not s.paused:
        begin(step, step.now)


def plan(step: _Step, action: Plan) -> None:
    s = step.state
    if not s.reading:
        raise ActionRefused("not_allowed", "the planning form is for the reading time")
    issues = s.scenario.issue_ids
    unknown = [issue for issue in action.priorities if issue not in issues]
    if unknown:
        raise ActionRefused("invalid_terms", f"no issue {unknown[0]!r}; issues are {list(issues)}")
    if len(set(action.priorities)) != len(action.priorities):
        raise ActionRefused("bad_message", "plan: each issue may be named once in 'priorities'")
    step.record(action)


def seated(step: _Step, seats: tuple[str, str]) -> None:
    """After a seat changes hands while reading: a bot in the seat of the one who was not
    ready leaves nobody to wait for."""
    s = step.state
    if s.reading and not s.paused and any(s.ready) and everyone_ready(seats, s.ready):
        begin(step, step.now)


def everyone_ready(seats: tuple[str, str], marks: tuple[bool, bool]) -> bool:
    return all(mark or seat.startswith("bot:") for seat, mark in zip(seats, marks, strict=True))


def begin(step: _Step, at: float) -> None:
    """The reading ends and the negotiation clock starts at ``at``."""
    step.change(reading=False, reading_started=None, clock_started=at)


def timed_out(step: _Step, at: float) -> None:
    step.emit("timeout", None, {"what": "reading"})
    begin(step, at)


def paused(step: _Step) -> None:
    """A pause stops the reading countdown where it stands."""
    s = step.state
    if s.reading_started is not None:
        used = s.reading_used + (step.now - s.reading_started)
        step.change(reading_used=used, reading_started=None)


def resumed(step: _Step) -> None:
    """The reading countdown goes on; ready as both sides became while paused, it ends."""
    s = step.state
    if everyone_ready(s.seats, s.ready) and any(s.ready):
        begin(step, step.now)
    else:
        step.change(reading_started=step.now)


def latest_plan(events: Iterable[Event], role: str) -> Mapping[str, Any] | None:
    """``role``'s plan as it stood at the end of reading: the last one it gave, or None."""
    found: Mapping[str, Any] | None = None
    for event in events:
        if event.type == "plan" and event.by == role:
            found = event.data
    return found


def plan_review(
    scenario: Scenario, role: str, plan: Mapping[str, Any], points: Points
) -> dict[str, Any]:
    """A plan beside the outcome: the target against the points got, the walk-away
    against the BATNA. ``met``: the points reached the target; ``walkaway_vs_batna``
    above 0 is a walk-away set above what walking away is worth (a reason deals are
    missed), below 0 one that would take deals worse than walking away."""
    batna = scenario.role(role).batna
    review: dict[str, Any] = {"points": points, "batna": batna}
    target = plan.get("target")
    if target is not None:
        review |= {"target": target, "met": points >= target, "short": max(0, target - points)}
    walkaway = plan.get("walkaway")
    if walkaway is not None:
        review |= {"walkaway": walkaway, "walkaway_vs_batna": walkaway - batna}
    priorities = plan.get("priorities") or []
    if priorities:
        review["priorities"] = list(priorities)
    return review
