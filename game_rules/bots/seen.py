"""What a bot may know: its own card, the public scenario and the events it has seen.

Bots get a ``Seen`` and never the ``GameState``, so no strategy can peek at the other
side's card, however it is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

from zopa.rules.bots.history import History, Reader, history_of, worth_of, worths
from zopa.rules.bots.ladder import Ladder, ladder_for
from zopa.rules.events import Event, visible_to
from zopa.rules.negotiation import GameState, OptionTuple, StandingOffer, seconds_left
from zopa.rules.scenario import Issue, Points, Protocol, Scenario

_issue_id = attrgetter("id")


@dataclass(frozen=True, slots=True)
class Card:
    batna: Points
    # One tuple per issue (scenario order), one number per option.
    points: tuple[tuple[Points, ...], ...]
    # What follows from the card, worked out once per card (and shared by equal cards).
    worths: dict[OptionTuple, Points] = field(init=False, repr=False, compare=False)
    ladder: Ladder = field(init=False, repr=False, compare=False)  # the cheapest terms per total
    best: Points = field(init=False, repr=False, compare=False)  # the most any terms give
    # The least it would ever ask: its BATNA, or its worst terms if higher.
    floor: Points = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ladder = ladder_for(self.points)
        object.__setattr__(self, "worths", worths(self.points))
        object.__setattr__(self, "ladder", ladder)
        object.__setattr__(self, "best", ladder.best)
        object.__setattr__(self, "floor", min(ladder.best, max(self.batna, ladder.worst)))

    def value(self, terms: OptionTuple) -> Points:
        worth = self.worths.get(terms)  # worth_of's look-up, inlined: known terms, one call
        return worth if worth is not None else worth_of(self.worths, self.points, terms)


# The offer on the table: public, so the rules' own value serves (no copy per decision).
Standing = StandingOffer


class Seen(NamedTuple):
    """Immutable; a NamedTuple because one is built per decision, much cheaper than a
    frozen dataclass of this size. ``seen_by`` and ``seen_at`` make them."""

    role: str
    other: str
    issues: tuple[Issue, ...]
    protocol: Protocol
    card: Card
    events: tuple[Event, ...]
    now: float
    # Negotiation time: how much is left and what the limit is (extensions included).
    seconds_left: float
    time_limit: Points
    turn: str | None
    standing: Standing | None
    pending_break: str | None
    pending_extension: str | None
    on_break: bool
    paused: bool
    claimed: tuple[str, ...]
    over: bool
    seed: int
    history: History

    @property
    def news_at(self) -> float:
        """When the other side (or the server) last did something; the start if never."""
        at = self.history.news_at
        if at is not None:
            return at
        # Before any news nothing has stopped or lengthened the clock, so this is the start.
        return self.now - (self.time_limit - self.seconds_left)

    @property
    def may_offer(self) -> bool:
        return (
            not self.over
            and not self.paused
            and not self.on_break
            and self.turn in (None, self.role)
        )

    def terms_dict(self, terms: OptionTuple) -> dict[str, int]:
        # Without strict=, which is dear here, as the terms a bot proposes always have
        # one option per issue (the rules refuse any that do not). One issue, as most
        # games have, spelt out: cheaper than the zip (docs/performance.md).
        issues = self.issues
        if len(issues) == 1:
            return {issues[0].id: terms[0]}
        return dict(zip(map(_issue_id, issues), terms))  # noqa: B905

    def terms_tuple(self, terms: dict[str, int]) -> OptionTuple:
        return tuple(terms[issue.id] for issue in self.issues)


def reader_for(scenario: Scenario, role: str) -> Reader:
    return _side_of(scenario, role)[2]


class Seat(NamedTuple):
    """What a side of a game knows from its start: who it is, the public rules and its
    own card (the first fields of every ``Seen`` it gets)."""

    role: str
    other: str
    issues: tuple[Issue, ...]
    protocol: Protocol
    card: Card


def seat_for(scenario: Scenario, role: str) -> Seat:
    return _side_of(scenario, role)[1]


# Per scenario and role: the side's seat (its card among it) and its reader of terms,
# the same immutable values for every game and every decision of a game. Keyed by the
# scenario's id, and a hit is the same scenario object (the entry holds it, so no other
# can take its place); hashing or comparing a scenario at every decision would cost as
# much as building them again.
_SIDES: dict[tuple[str, str], tuple[Scenario, Seat, Reader]] = {}


def _side_of(scenario: Scenario, role: str) -> tuple[Scenario, Seat, Reader]:
    known = _SIDES.get((scenario.id, role))
    if known is not None and known[0] is scenario:
        return known
    own = scenario.role(role)
    card = Card(own.batna, own.points)
    seat = Seat(role, scenario.other(role), scenario.issues, scenario.protocol, card)
    side = (scenario, seat, Reader(role, scenario.issue_ids, own.points))
    if len(_SIDES) >= 256:
        _SIDES.clear()
    _SIDES[scenario.id, role] = side
    return side


def seen_by(
    state: GameState,
    role: str,
    events: Sequence[Event],
    now: float,
    history: History | None = None,
) -> Seen:
    """What ``role`` knows at ``now``: own card, the public rules, the events visible to it.

    ``history`` is the fold of those events when the caller keeps one up to date (a bot
    match does); otherwise it is folded here.
    """
    over = state.ending is not None
    visible = tuple(visible_to(e, role, over) for e in events)
    if history is None:
        history = history_of(reader_for(state.scenario, role), visible)
    return seen_at(seat_for(state.scenario, role), state, visible, now, history)


_NO_CLAIMS = (None, None)


def seen_at(
    seat: Seat, state: GameState, events: tuple[Event, ...], now: float, history: History
) -> Seen:
    """What the side at ``seat`` knows at ``now``, having seen ``events`` (as it may see
    them) and folded them into ``history``: the one constructor of ``Seen``.

    A bot match builds a ``Seen`` for every decision, and the NamedTuple's own
    constructor, with its nineteen arguments, was the dearest part of that (see "Speed
    tricks" in docs/performance.md): so the tuple is built directly, its fields in
    ``Seen``'s order (a test holds this to ``Seen(...)`` by name).
    """
    claims = state.claims
    claimed = (
        ()
        if claims == _NO_CLAIMS
        else tuple(r for r, c in zip(state.scenario.role_ids, claims, strict=True) if c is not None)
    )
    return tuple.__new__(
        Seen,
        (
            *seat,
            events,
            now,
            seconds_left(state, now),
            state.time_limit,
            state.turn,
            state.standing,
            state.pending_break,
            state.pending_extension,
            state.on_break,
            state.paused,
            claimed,
            state.ending is not None,
            state.seed,
            history,
        ),
    )
