"""The negotiation state machine: ``apply(state, action, now) -> (state, events)``.

Pure: the state is an immutable value, time is the ``now`` argument and the only
randomness (who moves first when the protocol says "random") comes from the seed in
the game's header. The server owns the timers: it asks ``next_deadline`` and feeds a
``Timeout`` back in when it passes (``advance`` does that for every due deadline).

Two clocks run, never both: the negotiation clock (stopped by a break or a pause,
lengthened by extensions) and the break clock. A pause stops whichever is running.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from zopa.rules import intervention, reading
from zopa.rules.actions import (
    PLAYER_KINDS,
    RETURN_KINDS,
    SYSTEM_KINDS,
    THIRD_PARTY_KINDS,
    Abort,
    Accept,
    Action,
    Chat,
    Claim,
    Estimate,
    Extend,
    Offer,
    Pause,
    Plan,
    Ready,
    Reject,
    Request,
    Resume,
    Reveal,
    Seat,
    Suggest,
    Timeout,
    action_fields,
)
from zopa.rules.errors import ActionRefused
from zopa.rules.events import Event
from zopa.rules.record import record
from zopa.rules.scenario import Points, Scenario, Terms

OptionTuple = tuple[int, ...]
# A claim of no deal. Every scenario has an issue, so real terms are never empty.
NO_DEAL: OptionTuple = ()


@record
class StandingOffer:
    seq: int
    by: str
    terms: OptionTuple
    final: bool


@record
class Ending:
    outcome: Literal["agreement", "impasse"]
    reason: str
    terms: OptionTuple | None


@dataclass(frozen=True)
class GameState:
    scenario: Scenario
    seed: int
    started_at: float
    first_mover: str
    turn: str | None
    time_limit: Points
    clock_started: float | None
    last_at: float
    seq: int = 0
    standing: StandingOffer | None = None
    offers: int = 0
    time_used: float = 0.0
    paused: bool = False
    on_break: bool = False
    break_used: float = 0.0
    break_started: float | None = None
    breaks_taken: int = 0
    extensions_taken: int = 0
    pending_break: str | None = None
    pending_extension: str | None = None
    # Claims in role order; ``None`` until that side has claimed, ``NO_DEAL`` for a claim
    # that nothing was agreed.
    claims: tuple[OptionTuple | None, OptionTuple | None] = (None, None)
    # Each role's sealed estimate of the other side, in role order; None until given.
    estimates: tuple[Estimate | None, Estimate | None] = (None, None)
    seats: tuple[str, str] = ("player", "player")
    ending: Ending | None = None
    # Reading time before the negotiation (zopa.rules.reading): its countdown runs from
    # ``reading_started`` (None while paused) on top of ``reading_used``.
    reading: bool = False
    reading_started: float | None = None
    reading_used: float = 0.0
    ready: tuple[bool, bool] = (False, False)
    # A walkout's window (game_rules/intervention.py): who walked out, until when they may
    # ask to come back, and whether they have asked.
    walked_out: str | None = None
    walkout_ends: float | None = None
    return_asked: bool = False
    # The latest walkout's side and reason, when a reason was given (for the result).
    walkout_reason: tuple[str, str] | None = None
    # The name of whoever sits in the mediator's seat, if anyone does.
    mediator: str | None = None

    @property
    def live(self) -> bool:
        return self.ending is None

    def with_changes(self, changes: dict[str, Any]) -> GameState:
        """The state with ``changes``, as ``dataclasses.replace`` makes it.

        Every action of every game copies the state, and ``replace`` (or ``__init__``,
        which sets each field through ``object.__setattr__``) costs far more than this
        copy of the fields' ``__dict__``: bench/bench_bots.py and bench/bench_actor.py
        show it, and docs/performance.md ("Speed tricks") gives the figures. It is the
        same thing because GameState has no ``__post_init__`` and no ``__slots__``, and
        ``__init__`` only sets fields (a test holds it to ``dataclasses.replace``).
        """
        fields = self.__dict__.copy()
        fields.update(changes)
        state = object.__new__(GameState)
        object.__setattr__(state, "__dict__", fields)
        return state


def first_mover(scenario: Scenario, seed: int) -> str:
    """The role that moves first; a seeded draw when the protocol says "random"."""
    if scenario.protocol.first_mover != "random":
        return scenario.protocol.first_mover
    # random.Random(seed).random() is the one draw Python promises to keep stable.
    return scenario.role_ids[int(random.Random(seed).random() * 2)]


def start(scenario: Scenario, seed: int, started_at: float) -> GameState:
    """A new game whose clock (or reading time) starts at ``started_at``."""
    mover = first_mover(scenario, seed)
    return GameState(
        scenario=scenario,
        seed=seed,
        started_at=started_at,
        first_mover=mover,
        turn=mover if scenario.protocol.turns == "alternating" else None,
        time_limit=scenario.protocol.time_limit,
        last_at=started_at,
        **reading.opening(scenario, started_at),
    )


def next_deadline(state: GameState) -> float | None:
    """When the server must feed a ``Timeout``: end of the break or of the negotiation."""
    if state.ending is not None:
        return None
    if state.walkout_ends is not None:
        return state.walkout_ends
    if state.paused:
        return None
    if state.on_break:
        assert state.break_started is not None
        return state.break_started + state.scenario.protocol.break_seconds - state.break_used
    if state.reading:
        return reading.deadline(state)
    assert state.clock_started is not None
    return state.clock_started + state.time_limit - state.time_used


def seconds_left(state: GameState, now: float) -> float:
    """Negotiation time left on the clock at ``now`` (frozen during breaks and pauses)."""
    # max(0.0, ...) spelt out: bots ask this at every decision.
    used = state.time_used
    if state.clock_started is not None and state.ending is None:
        running = now - state.clock_started
        if running > 0.0:
            used += running
    left = state.time_limit - used
    return left if left > 0.0 else 0.0


def advance(state: GameState, now: float) -> tuple[GameState, list[Event]]:
    """Apply every deadline due at ``now``; call before any other action."""
    events: list[Event] = []
    deadline = next_deadline(state)
    while deadline is not None and now >= deadline:
        state, more = apply(state, Timeout(), now)
        events.extend(more)
        deadline = next_deadline(state)
    return state, events


def apply(state: GameState, action: Action, now: float) -> tuple[GameState, list[Event]]:
    """The state after ``action`` at ``now`` and the events it produced, or ``ActionRefused``."""
    if state.ending is not None:
        raise ActionRefused("game_over", f"the game is over ({state.ending.reason})")
    if state.last_at > now:
        now = state.last_at
    deadline = next_deadline(state)
    if not isinstance(action, Timeout) and deadline is not None and now >= deadline:
        raise ActionRefused("deadline_passed", "the deadline has passed; the game is ending")
    if action.by is not None and action.by not in state.scenario.role_ids:
        raise ActionRefused("bad_message", f"{action.by!r} is not a role of this game")
    if state.reading:
        reading.refuse_at_reading(state, action)
    step = _Step(state, now)
    _HANDLERS[action.kind](step, action)
    changes = step.changes
    events = step.events
    if events:
        changes["seq"] = step.seq
        changes["last_at"] = step.now
    return state.with_changes(changes), events


class _Step:
    """One transition: checks, then the new state and the events, built together.

    Handlers read the state as it was before the action (``self.state``) and note what
    changes (``self.change``); the new state is built once, at the end. Copying the
    state was the largest single cost of a bot match, and an action used to copy it
    once per event and once more per change. No handler reads a field it has changed.
    """

    __slots__ = ("changes", "events", "now", "seq", "state")

    def __init__(self, state: GameState, now: float) -> None:
        self.state = state
        self.now = now
        self.seq = state.seq
        self.events: list[Event] = []
        self.changes: dict[str, Any] = {}

    def change(self, **changes: Any) -> None:
        self.changes.update(changes)

    # -- helpers --------------------------------------------------------------

    def emit(self, kind: str, by: str | None, data: dict[str, Any]) -> int:
        self.seq = seq = self.seq + 1
        self.events.append(Event(seq, kind, self.now, by, data))
        return seq

    def record(self, action: Action) -> int:
        return self.emit(action.kind, action.by, action_fields(action))

    def end(
        self, outcome: Literal["agreement", "impasse"], reason: str, terms: OptionTuple | None
    ) -> None:
        self.stop_clocks()
        self.change(
            ending=Ending(outcome, reason, terms),
            turn=None,
            pending_break=None,
            pending_extension=None,
        )
        data = {
            "outcome": outcome,
            "reason": reason,
            "terms": terms_dict(self.state.scenario, terms) if terms is not None else None,
        }
        self.emit("end", None, data)

    def stop_clocks(self) -> None:
        s, now = self.state, self.now
        if s.clock_started is not None:
            self.change(time_used=s.time_used + (now - s.clock_started), clock_started=None)
        if s.break_started is not None:
            self.change(break_used=s.break_used + (now - s.break_started), break_started=None)
        if s.reading_started is not None:
            reading.paused(self)

    def at_the_table(self, what: str) -> None:
        """Negotiating moves wait while the game is paused or the sides are on a break."""
        if self.state.paused:
            raise ActionRefused("paused", f"the facilitator has paused the game; {what} waits")
        if self.state.on_break:
            raise ActionRefused("on_break", f"you are on a break; {what} waits until it ends")
        intervention.closed_table(self, what)

    def standing_for(self, by: str, seq: int, verb: str) -> StandingOffer:
        standing = self.state.standing
        if standing is None:
            raise ActionRefused("no_such_offer", f"there is no standing offer to {verb}")
        if standing.seq != seq:
            raise ActionRefused(
                "no_such_offer",
                f"offer {seq} is not the standing offer; the standing offer is {standing.seq}",
            )
        if standing.by == by:
            raise ActionRefused(
                "no_such_offer", f"offer {seq} is your own; you can {verb} only the other side's"
            )
        return standing

    def role_index(self, role: str) -> int:
        return self.state.scenario.role_ids.index(role)

    # -- player actions -------------------------------------------------------

    def _offer(self, action: Offer) -> None:
        # Most actions of most games are offers, so this path makes no call it can spare:
        # the table is checked before asking why not, and the event and the changes are
        # set directly (docs/performance.md).
        s = self.state
        if s.paused or s.on_break or s.walked_out is not None:
            self.at_the_table("an offer")
        protocol = s.scenario.protocol
        if s.turn is not None and s.turn != action.by:
            raise ActionRefused("not_your_turn", f"it is {s.turn}'s turn to make an offer")
        if protocol.max_offers and s.offers >= protocol.max_offers:
            standing = (
                f"accept or reject offer {s.standing.seq}" if s.standing else "no more offers"
            )
            raise ActionRefused(
                "limit_reached", f"the limit of {protocol.max_offers} offers is reached: {standing}"
            )
        terms = full_terms(s.scenario, action.terms)
        by = action.by
        # emit and action_fields, inlined: a call each, and action_fields' match.
        self.seq = seq = self.seq + 1
        self.events.append(
            Event(seq, "offer", self.now, by, {"terms": dict(action.terms), "final": action.final})
        )
        changes = self.changes
        changes["standing"] = StandingOffer(seq, by, terms, action.final)
        changes["offers"] = s.offers + 1
        changes["turn"] = s.scenario.other(by) if s.turn is not None else None

    def _accept(self, action: Accept) -> None:
        if self.state.scenario.protocol.closing == "claims":
            raise ActionRefused("not_allowed", "this game closes by claims: submit a claim instead")
        self.at_the_table("accepting")
        standing = self.standing_for(action.by, action.offer, "accept")
        self.record(action)
        self.end("agreement", "accepted", standing.terms)

    def _reject(self, action: Reject) -> None:
        if self.state.scenario.protocol.closing == "claims":
            raise ActionRefused(
                "not_allowed", "this game closes by claims: there is nothing to reject"
            )
        self.at_the_table("rejecting")
        self.standing_for(action.by, action.offer, "reject")
        self.record(action)
        self.change(standing=None)
        limit = self.state.scenario.protocol.max_offers
        if limit and self.state.offers >= limit:
            self.end("impasse", "max_offers", None)

    def _chat(self, action: Chat) -> None:
        self.record(action)

    def _suggest(self, action: Suggest) -> None:
        self.at_the_table("a suggestion")
        partial_terms(self.state.scenario, action.terms)
        self.record(action)

    def _reveal(self, action: Reveal) -> None:
        self.at_the_table("a statement")
        scenario = self.state.scenario
        if action.about == "priority":
            if action.issue not in scenario.issue_ids:
                raise ActionRefused(
                    "invalid_terms",
                    f"no issue {action.issue!r}; issues are {list(scenario.issue_ids)}",
                )
            count = len(scenario.issues)
            if action.rank is None or not 1 <= action.rank <= count:
                raise ActionRefused(
                    "bad_message", f"reveal: 'rank' must be 1 (most) to {count} (least)"
                )
        self.record(action)

    def _claim(self, action: Claim) -> None:
        s = self.state
        if s.scenario.protocol.closing != "claims":
            raise ActionRefused(
                "not_allowed", "this game closes by accepting an offer, not by claims"
            )
        self.at_the_table("a claim")
        index = self.role_index(action.by)
        if s.claims[index] is not None:
            raise ActionRefused("already_claimed", "you have already submitted your claim")
        terms = NO_DEAL if action.terms is None else full_terms(s.scenario, action.terms)
        self.record(action)
        claims = (terms, s.claims[1]) if index == 0 else (s.claims[0], terms)
        self.change(claims=claims)
        first, second = claims
        if first is not None and second is not None:
            if first == second and first != NO_DEAL:
                self.end("agreement", "claims_matched", first)
            else:
                self.end("impasse", "claims_mismatch", None)

    def _estimate(self, action: Estimate) -> None:
        # Not a move at the table: a guess may be written down during a break or a pause.
        s = self.state
        index = self.role_index(action.by)
        if s.estimates[index] is not None:
            raise ActionRefused("not_allowed", "you have already given your estimate")
        if action.issue is not None and action.issue not in s.scenario.issue_ids:
            raise ActionRefused(
                "invalid_terms",
                f"no issue {action.issue!r}; issues are {list(s.scenario.issue_ids)}",
            )
        self.record(action)
        self.change(estimates=(action, s.estimates[1]) if index == 0 else (s.estimates[0], action))

    def _break_request(self, action: Request) -> None:
        s = self.state
        self.at_the_table("a break request")
        if s.breaks_taken >= s.scenario.protocol.breaks:
            raise ActionRefused(
                "limit_reached", f"no breaks left (at most {s.scenario.protocol.breaks})"
            )
        if s.pending_break is not None:
            raise ActionRefused("already_pending", "a break has already been asked for")
        self.record(action)
        self.change(pending_break=action.by)

    def _break_accept(self, action: Request) -> None:
        self.answer(action, "break")
        self.at_the_table("a break")
        self.record(action)
        self.stop_clocks()
        self.change(
            pending_break=None,
            on_break=True,
            break_used=0.0,
            break_started=self.now,
            breaks_taken=self.state.breaks_taken + 1,
        )

    def _break_decline(self, action: Request) -> None:
        self.answer(action, "break")
        self.record(action)
        self.change(pending_break=None)

    def _break_end(self, action: Request) -> None:
        if not self.state.on_break:
            raise ActionRefused("not_allowed", "there is no break to end")
        if self.state.paused:
            raise ActionRefused("paused", "the facilitator has paused the game")
        intervention.closed_table(self, "the end of the break")
        self.record(action)
        self.stop_clocks()
        self.change(on_break=False, break_used=0.0, clock_started=self.now)

    def _extension_request(self, action: Request) -> None:
        s = self.state
        self.at_the_table("an extension request")
        if s.extensions_taken >= s.scenario.protocol.extensions:
            raise ActionRefused(
                "limit_reached", f"no extensions left (at most {s.scenario.protocol.extensions})"
            )
        if s.pending_extension is not None:
            raise ActionRefused("already_pending", "an extension has already been asked for")
        self.record(action)
        self.change(pending_extension=action.by)

    def _extension_accept(self, action: Request) -> None:
        self.answer(action, "extension")
        self.at_the_table("an extension")
        self.record(action)
        s = self.state
        self.change(
            pending_extension=None,
            time_limit=s.time_limit + s.scenario.protocol.extension_seconds,
            extensions_taken=s.extensions_taken + 1,
        )

    def _extension_decline(self, action: Request) -> None:
        self.answer(action, "extension")
        self.record(action)
        self.change(pending_extension=None)

    def answer(self, action: Request, what: str) -> None:
        pending = self.state.pending_break if what == "break" else self.state.pending_extension
        if pending is None:
            raise ActionRefused("no_request", f"nobody has asked for a {what}")
        if pending == action.by:
            raise ActionRefused("no_request", f"you asked for the {what}; the other side answers")

    # -- system actions ---------------------------------------------------------

    def _timeout(self, action: Timeout) -> None:
        deadline = next_deadline(self.state)
        if deadline is None or self.now < deadline:
            raise ActionRefused("not_due", "no deadline has passed")
        if self.state.walked_out is not None:
            intervention.window_closed(self)
            return
        if self.state.reading:
            reading.timed_out(self, deadline)
            return
        if self.state.on_break:
            self.emit("timeout", None, {"what": "break"})
            # The negotiation clock restarts when the break was due to end, not when
            # the server got round to noticing.
            self.change(
                on_break=False,
                break_used=0.0,
                break_started=None,
                clock_started=deadline,
            )
            return
        self.emit("timeout", None, {"what": "deadline"})
        self.end("impasse", "deadline", None)

    def _pause(self, action: Pause) -> None:
        if self.state.paused:
            raise ActionRefused("not_allowed", "the game is already paused")
        self.record(action)
        self.stop_clocks()
        self.change(paused=True)

    def _resume(self, action: Resume) -> None:
        if not self.state.paused:
            raise ActionRefused("not_allowed", "the game is not paused")
        self.record(action)
        if self.state.walked_out is not None:
            self.change(paused=False)  # the clocks wait for the walkout's answer
        elif self.state.reading:
            self.change(paused=False)
            reading.resumed(self)
        elif self.state.on_break:
            self.change(paused=False, break_started=self.now)
        else:
            self.change(paused=False, clock_started=self.now)

    def _extend(self, action: Extend) -> None:
        self.record(action)
        self.change(time_limit=self.state.time_limit + action.seconds)

    def _abort(self, action: Abort) -> None:
        self.record(action)
        self.end("impasse", "aborted", None)

    def _seat(self, action: Seat) -> None:
        if action.role not in self.state.scenario.role_ids:
            raise ActionRefused("bad_message", f"seat: no role {action.role!r}")
        if action.occupant != "player" and not action.occupant.startswith("bot:"):
            raise ActionRefused(
                "bad_message", "seat: occupant must be 'player' or 'bot:<strategy>'"
            )
        self.record(action)
        index = self.role_index(action.role)
        seats = self.state.seats
        seats = (action.occupant, seats[1]) if index == 0 else (seats[0], action.occupant)
        self.change(seats=seats)
        reading.seated(self, seats)

    def _ready(self, action: Ready) -> None:
        reading.ready(self, action)

    def _plan(self, action: Plan) -> None:
        reading.plan(self, action)


_HANDLERS: dict[str, Callable[[_Step, Any], None]] = {
    kind: getattr(_Step, "_" + kind)
    for kind in (*PLAYER_KINDS, *SYSTEM_KINDS)
    if kind not in RETURN_KINDS and kind != "walkout"
}
_HANDLERS.update(
    {kind: getattr(intervention, kind) for kind in ("walkout", *RETURN_KINDS, *THIRD_PARTY_KINDS)}
)


def full_terms(scenario: Scenario, terms: Terms) -> OptionTuple:
    """Check that terms name one valid option for every issue; the options in issue order."""
    ids = scenario.issue_ids
    # Every offer and claim comes through here: valid terms are checked without building
    # the lists that only an error message needs.
    if len(terms) == len(ids):
        if len(ids) == 1:
            # One issue, as most games have: no map, no call per option (docs/bots.md).
            try:
                option = terms[ids[0]]
            except KeyError:
                pass
            else:
                if 0 <= option < scenario.option_counts[0]:
                    return (option,)
        try:
            options = tuple(map(terms.__getitem__, ids))
        except KeyError:
            pass
        else:
            if all(map(_in_range, options, scenario.option_counts)):
                return options
    unknown = [k for k in terms if k not in ids]
    if unknown:
        raise ActionRefused(
            "invalid_terms", f"no issue {unknown[0]!r}; issues are {list(scenario.issue_ids)}"
        )
    missing = [k for k in ids if k not in terms]
    if missing:
        raise ActionRefused("invalid_terms", f"terms must cover every issue; missing {missing}")
    return tuple(_option(scenario, n, terms[issue.id]) for n, issue in enumerate(scenario.issues))


def _in_range(option: int, count: int) -> bool:
    return 0 <= option < count


def partial_terms(scenario: Scenario, terms: Terms) -> None:
    """Check terms that may leave issues open (a suggestion)."""
    if not terms:
        raise ActionRefused("invalid_terms", "a suggestion needs at least one issue")
    for key, value in terms.items():
        if key not in scenario.issue_ids:
            raise ActionRefused(
                "invalid_terms", f"no issue {key!r}; issues are {list(scenario.issue_ids)}"
            )
        _option(scenario, scenario.issue_ids.index(key), value)


def _option(scenario: Scenario, index: int, value: int) -> int:
    issue = scenario.issues[index]
    if not 0 <= value < len(issue.options):
        raise ActionRefused(
            "invalid_terms",
            f"{issue.id}: option {value} does not exist (0 to {len(issue.options) - 1})",
        )
    return value


def terms_dict(scenario: Scenario, terms: OptionTuple) -> dict[str, int]:
    return {issue.id: option for issue, option in zip(scenario.issues, terms, strict=True)}
