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

from zopa.rules.bots.history import History
from zopa.rules.bots.negotiator import Wait, WaitThen
from zopa.rules.bots.seen import Card, Seen, reader_for
from zopa.rules.bots.strategy import Bot, Planner
from zopa.rules.errors import ActionRefused
from zopa.rules.events import Event, visible_to
from zopa.rules.negotiation import GameState, advance, apply, next_deadline, seconds_left, start
from zopa.rules.scenario import Issue, Protocol, Scenario

# A wake-up computed by a strategy may carry float noise of a few ulps; without this
# slack such a wake-up could land just past a tick and skip it.
_SLACK = 1e-6
_NO_CLAIMS = (None, None)
_NOBODY: tuple[str, ...] = ()
_new = tuple.__new__


@dataclass(frozen=True, slots=True)
class MatchResult:
    state: GameState
    events: tuple[Event, ...]
    refused: int  # actions the rules refused: a strategy bug if above 0


class _Side:
    """One role's view of the match, kept up to date event by event."""

    __slots__ = (
        "awaits_answer",
        "bot",
        "events",
        "head",
        "history",
        "pace",
        "pace_for",
        "pace_of",
        "planner",
        "reaction",
        "role",
        "then",
        "wake",
    )

    def __init__(self, scenario: Scenario, role: str, bot: Bot) -> None:
        self.role = role
        self.bot = bot
        # Not isinstance(bot, Planner): a runtime protocol check costs more than a short game.
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
        # A Seen is built for every decision, about one per event: this head is the part
        # fixed for the game.
        self.head, self.history = _setup(scenario, role)
        self.events: tuple[Event, ...] = ()
        self.wake = -math.inf  # ask at the next tick
        # The move promised for the wake-up, if no news comes first (``WaitThen``).
        self.then: WaitThen | None = None

    def hear(self, event: Event) -> None:
        seen = visible_to(event, self.role, False) if event.type == "claim" else event
        self.events = (*self.events, seen)
        self.history = self.history.after(seen)
        self.wake = -math.inf
        self.then = None

    def paced(self, state: GameState, pace_of: Callable[[Seen], float]) -> float:
        if state.time_limit != self.pace_for:
            self.pace = pace_of(self.seen(state, state.last_at))
            self.pace_for = state.time_limit
        return self.pace

    def seen(self, state: GameState, now: float) -> Seen:
        role, other, issues, protocol, card = self.head
        claims = state.claims
        # tuple.__new__ rather than Seen(...): the fields are in Seen's order, and this
        # skips a call and the unpacking of nineteen arguments. One tuple built at once:
        # a side is asked about once per state, so keeping the part that changes only
        # with the state for the next decision (and joining three tuples) cost more.
        return _new(
            Seen,
            (
                role,
                other,
                issues,
                protocol,
                card,
                self.events,
                now,
                seconds_left(state, now),
                state.time_limit,
                state.turn,
                state.standing,
                state.pending_break,
                state.pending_extension,
                state.on_break,
                state.paused,
                _NOBODY
                if claims == _NO_CLAIMS
                else tuple(
                    r for r, c in zip(state.scenario.role_ids, claims, strict=True) if c is not None
                ),
                state.ending is not None,
                state.seed,
                self.history,
            ),
        )


# Per scenario (by identity, the entry holding it) and role: a side's head and empty
# history, the same immutable values for every game (its card, its reader of terms):
# building them was about 1% of a game on ``guitar``.
_Setup = tuple[tuple[str, str, tuple[Issue, ...], Protocol, Card], History]
_SETUPS: dict[tuple[int, str], tuple[Scenario, _Setup]] = {}


def _setup(scenario: Scenario, role: str) -> _Setup:
    known = _SETUPS.get((id(scenario), role))
    if known is not None and known[0] is scenario:
        return known[1]
    own = scenario.role(role)
    setup = (
        (
            role,
            scenario.other(role),
            scenario.issues,
            scenario.protocol,
            Card(own.batna, own.points),
        ),
        History.empty(reader_for(scenario, role)),
    )
    if len(_SETUPS) >= 256:
        _SETUPS.clear()
    _SETUPS[id(scenario), role] = (scenario, setup)
    return setup


def play_match(
    scenario: Scenario,
    bots: dict[str, Bot],
    seed: int,
    started_at: float = 0.0,
    tick: float = 1.0,
    every_tick: bool = False,
) -> MatchResult:
    """Play until the game ends, asking each role's bot at ticks of simulated time."""
    state = start(scenario, seed, started_at)
    sides = [_Side(scenario, role, bots[role]) for role in scenario.role_ids]
    first, second = sides
    second.events = first.events
    events: list[Event] = []
    refused = 0
    k = 0

    def record(more: list[Event], state: GameState) -> None:
        for event in more:
            events.append(event)
            if event.type == "claim" or first.events is not second.events:
                for side in sides:
                    side.hear(event)
                continue
            # Both sides see the same events until a sealed claim: one tuple serves both
            # (each side copied its own at every event), and ``hear`` is inlined.
            first.events = second.events = (*first.events, event)
            for side in sides:
                side.history = side.history.after(event)
                side.wake = -math.inf
                side.then = None
        if state.pending_break is None and state.pending_extension is None:
            at = more[-1].at
            for side in sides:
                role = side.role
                for event in more:
                    if event.by == role:
                        if len(more) == 1 and event.type == "offer":
                            if side.awaits_answer:
                                side.wake = math.inf  # nothing to do until their answer
                            elif side.pace_of is not None:
                                side.wake = at + side.paced(state, side.pace_of)
                        break
                else:
                    if side.reaction is not None:
                        side.wake = at + side.reaction

    deadline_of: GameState | None = None
    deadline: float | None = None
    late = _SLACK * tick  # how far past a tick a wake-up may fall and still be asked at it
    while state.ending is None:
        if state is not deadline_of:  # most ticks change nothing
            deadline, deadline_of = next_deadline(state), state
        k += 1
        if not every_tick:
            # min() of the wake-ups and the deadline, spelt out: this runs at every tick.
            target = first.wake
            if second.wake < target:
                target = second.wake
            if deadline is not None and deadline < target:
                target = deadline
            if target == math.inf:
                raise RuntimeError("no deadline and no bot will ever move: the game cannot end")
            if target > started_at + k * tick:
                # max() spelt out too: with its call it was a sixtieth of a bot match.
                ticks = math.ceil((target - started_at) / tick - _SLACK)
                if ticks > k:
                    k = ticks
        now = started_at + k * tick
        if deadline is not None and now >= deadline:
            state, due = advance(state, now)
            if due:
                record(due, state)
        for side in sides:
            if state.ending is not None:
                break
            # With the same slack as the skip to this tick: a wake-up a few ulps past it
            # was skipped to here and then not asked, a tick later than asking at every
            # tick would have moved.
            if side.wake > now + late and not every_tick:
                continue
            then = side.then
            if then is not None and then.after <= now < then.before:
                # What its plan would say now, promised when it chose to wait.
                side.then = None
                action = then.move
            elif side.planner is not None:
                plan = side.planner.plan(side.seen(state, now))
                if isinstance(plan, Wait):
                    side.wake = plan.until
                    # Asking at every tick plays the game without promises, to compare.
                    side.then = plan if type(plan) is WaitThen and not every_tick else None
                    continue
                action = plan
            else:
                decided = side.bot.decide(side.seen(state, now))
                if decided is None:
                    continue  # a plain Bot says nothing of when: ask it at the next tick
                action = decided
            try:
                state, more = apply(state, action, now)
            except ActionRefused:
                refused += 1
                side.wake = -math.inf
                side.then = None
                continue
            if len(more) != 1 or first.events is not second.events:
                record(more, state)
                continue
            # ``record`` of one event both sides see, inlined: nearly every move makes one
            # event, and the call and its loops over the events were a twentieth of a match.
            event = more[0]
            if event.type == "claim":
                record(more, state)
                continue
            events.append(event)
            first.events = second.events = (*first.events, event)
            first.history = first.history.after(event)
            second.history = second.history.after(event)
            first.then = second.then = None
            if state.pending_break is not None or state.pending_extension is not None:
                first.wake = second.wake = -math.inf
                continue
            at = event.at
            by = event.by
            for heard in sides:
                if by == heard.role:
                    heard.wake = -math.inf
                    if event.type == "offer":
                        if heard.awaits_answer:
                            heard.wake = math.inf  # nothing to do until their answer
                        elif heard.pace_of is not None:
                            heard.wake = at + heard.paced(state, heard.pace_of)
                elif heard.reaction is not None:
                    heard.wake = at + heard.reaction
                else:
                    heard.wake = -math.inf
    return MatchResult(state, tuple(events), refused)
