"""Bot against bot, entirely in process, on a simulated clock.

The clock ticks every ``tick`` seconds, and at each tick the rules' deadlines are
applied and each role's bot is asked, in role order, as the server would. Most ticks
change nothing, so a ``Planner`` bot that has said it will wait (``Wait``) is not asked
again until then or until news (nor, after news, before its ``reaction`` time unless a
request awaits its answer, nor after its own offer if it ``awaits_answer`` and the game
has alternating turns and closes by accepting), and ticks at which nobody would be
asked are skipped.
The game played is the same as asking at every tick (``every_tick=True``, which the
tests compare), only much faster.

Each side's events and its ``History`` are extended as events happen, never rebuilt,
so a decision costs the same early and late in a game.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from zopa.rules.actions import Action
from zopa.rules.bots.history import History
from zopa.rules.bots.negotiator import Wait, WaitThen
from zopa.rules.bots.seen import Seen, reader_for, seat_for, seen_at
from zopa.rules.bots.strategy import Bot, Planner
from zopa.rules.errors import ActionRefused
from zopa.rules.events import Event, visible_to
from zopa.rules.negotiation import GameState, advance, apply, next_deadline, start
from zopa.rules.reading import without_reading
from zopa.rules.scenario import Scenario

# A wake-up computed by a strategy may carry float noise of a few ulps; without this
# slack such a wake-up could land just past a tick and skip it.
_SLACK = 1e-6


@dataclass(frozen=True, slots=True)
class MatchResult:
    state: GameState
    events: tuple[Event, ...]
    refused: int  # actions the rules refused: a strategy bug if above 0
    refused_by: tuple[int, ...] = ()  # the same, per role (role order)


class _Side:
    """One role's view of the match, kept up to date event by event."""

    __slots__ = (
        "awaits_answer",
        "bot",
        "events",
        "history",
        "pace",
        "pace_for",
        "pace_of",
        "planner",
        "reaction",
        "refused",
        "role",
        "seat",
        "then",
        "wake",
    )

    def __init__(self, scenario: Scenario, role: str, bot: Bot) -> None:
        self.role = role
        self.bot = bot
        self.refused = 0
        # Not isinstance(bot, Planner): a runtime protocol check is dear for a short game.
        has_plan = callable(getattr(bot, "plan", None))
        self.planner = cast(Planner, bot) if has_plan else None
        self.reaction: float | None = getattr(bot, "reaction", None) if has_plan else None
        protocol = scenario.protocol
        self.awaits_answer = (
            has_plan
            and getattr(bot, "awaits_answer", False) is True
            and protocol.turns == "alternating"
            and protocol.closing == "accept"
        )
        # With free turns a bot rests after its own offer: it used to be asked at the
        # next tick only to say so, once for every offer it made.
        self.pace_of: Callable[[Seen], float] | None = (
            getattr(bot, "pace_of", None)
            if has_plan and protocol.turns == "free" and protocol.closing == "accept"
            else None
        )
        self.pace = 0.0
        self.pace_for = math.nan  # the time limit it was asked for (extensions change it)
        self.seat = seat_for(scenario, role)
        self.history = History.empty(reader_for(scenario, role))
        self.events: tuple[Event, ...] = ()
        self.wake = -math.inf  # ask at the next tick
        # The move promised for the wake-up, if no news comes first (``WaitThen``).
        self.then: WaitThen | None = None

    def hear(self, more: list[Event], state: GameState) -> None:
        """Add ``more`` (as this side may see it) to what it has seen, and work out when
        to ask it next."""
        events, history = self.events, self.history
        own: Event | None = None
        for event in more:
            if own is None and event.by == self.role:
                own = event
            if event.type == "claim":
                event = visible_to(event, self.role, False)
            events = (*events, event)
            history = history.after(event)
        self.events, self.history = events, history
        self.then = None
        self.wake = -math.inf  # at the next tick, unless it promised otherwise
        if state.pending_break is not None or state.pending_extension is not None:
            return  # a request awaits an answer
        if own is None:
            if self.reaction is not None:
                self.wake = more[-1].at + self.reaction
        elif len(more) == 1 and own.type == "offer":
            if self.awaits_answer:
                self.wake = math.inf  # nothing to do until their answer
            elif self.pace_of is not None:
                if state.time_limit != self.pace_for:
                    at = state.last_at
                    self.pace = self.pace_of(seen_at(self.seat, state, self.events, at, history))
                    self.pace_for = state.time_limit
                self.wake = own.at + self.pace

    def move(self, state: GameState, now: float, every_tick: bool) -> Action | None:
        """Its move at ``now``, or ``None`` (and when to ask it again, in ``wake``)."""
        then = self.then
        if then is not None and then.after <= now < then.before:
            # What its plan would say now, promised when it chose to wait.
            self.then = None
            return then.move
        if self.planner is None:
            # A plain Bot says nothing of when: ask it at the next tick.
            return self.bot.decide(seen_at(self.seat, state, self.events, now, self.history))
        plan = self.planner.plan(seen_at(self.seat, state, self.events, now, self.history))
        if isinstance(plan, Wait):
            self.wake = plan.until
            # Asking at every tick plays the game without promises, to compare.
            self.then = plan if isinstance(plan, WaitThen) and not every_tick else None
            return None
        return plan


def play_match(
    scenario: Scenario,
    bots: dict[str, Bot],
    seed: int,
    started_at: float = 0.0,
    tick: float = 1.0,
    every_tick: bool = False,
) -> MatchResult:
    """Play until the game ends, asking each role's bot at ticks of simulated time.

    Without reading time: a bot reads at once (``MatchResult.state.scenario`` says so)."""
    scenario = without_reading(scenario)
    state = start(scenario, seed, started_at)
    sides = [_Side(scenario, role, bots[role]) for role in scenario.role_ids]
    first, second = sides
    events: list[Event] = []
    refused = 0

    def record(more: list[Event], state: GameState) -> None:
        events.extend(more)
        for side in sides:
            side.hear(more, state)

    late = _SLACK * tick  # how far past a tick a wake-up may fall and still be asked at it
    k = 0
    deadline_of: GameState | None = None
    deadline: float | None = None
    while state.ending is None:
        if state is not deadline_of:  # most ticks change nothing
            deadline, deadline_of = next_deadline(state), state
        k += 1
        if not every_tick:
            # Skip to the first tick at which a side will be asked or a deadline falls.
            target = first.wake if first.wake < second.wake else second.wake
            if deadline is not None and deadline < target:
                target = deadline
            if target == math.inf:
                raise RuntimeError("no deadline and no bot will ever move: the game cannot end")
            if target > started_at + k * tick:
                skip_to = math.ceil((target - started_at) / tick - _SLACK)
                if skip_to > k:
                    k = skip_to
        now = started_at + k * tick
        if deadline is not None and now >= deadline:
            state, due = advance(state, now)
            if due:
                record(due, state)
        for side in sides:
            if state.ending is not None:
                break
            # With the same slack as the skip to this tick: a wake-up a few ulps past it
            # is asked at it, as asking at every tick would.
            if side.wake > now + late and not every_tick:
                continue
            action = side.move(state, now, every_tick)
            if action is None:
                continue
            try:
                state, more = apply(state, action, now)
            except ActionRefused:
                refused += 1
                side.refused += 1
                side.wake = -math.inf
                side.then = None
                continue
            record(more, state)
    return MatchResult(state, tuple(events), refused, (first.refused, second.refused))
