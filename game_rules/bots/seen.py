"""What a bot may know: its own card, the public scenario and the events it has seen.

Bots get a ``Seen`` and never the ``GameState``, so no strategy can peek at the other
side's card, however it is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from game_rules.events import Event, visible_to
from game_rules.negotiation import GameState, OptionTuple, seconds_left
from game_rules.scenario import Issue, Points, Protocol


@dataclass(frozen=True, slots=True)
class Card:
    batna: Points
    # One tuple per issue (scenario order), one number per option.
    points: tuple[tuple[Points, ...], ...]

    def value(self, terms: OptionTuple) -> Points:
        return sum(row[option] for row, option in zip(self.points, terms, strict=True))


@dataclass(frozen=True, slots=True)
class Standing:
    seq: int
    by: str
    terms: OptionTuple
    final: bool


@dataclass(frozen=True, slots=True)
class Seen:
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

    @property
    def elapsed_share(self) -> float:
        """How far through the negotiation time we are, 0 to 1."""
        if self.time_limit <= 0:
            return 1.0
        return min(1.0, max(0.0, 1.0 - self.seconds_left / self.time_limit))

    @property
    def may_offer(self) -> bool:
        return (
            not self.over
            and not self.paused
            and not self.on_break
            and self.turn in (None, self.role)
        )

    def terms_dict(self, terms: OptionTuple) -> dict[str, int]:
        return {issue.id: option for issue, option in zip(self.issues, terms, strict=True)}

    def terms_tuple(self, terms: dict[str, int]) -> OptionTuple:
        return tuple(terms[issue.id] for issue in self.issues)


def seen_by(state: GameState, role: str, events: Sequence[Event], now: float) -> Seen:
    """What ``role`` knows at ``now``: own card, the public rules, the events visible to it."""
    scenario = state.scenario
    own = scenario.role(role)
    over = state.ending is not None
    standing = state.standing
    return Seen(
        role=role,
        other=scenario.other(role),
        issues=scenario.issues,
        protocol=scenario.protocol,
        card=Card(own.batna, own.points),
        events=tuple(visible_to(e, role, over) for e in events),
        now=now,
        seconds_left=seconds_left(state, now),
        time_limit=state.time_limit,
        turn=state.turn,
        standing=(
            Standing(standing.seq, standing.by, standing.terms, standing.final)
            if standing
            else None
        ),
        pending_break=state.pending_break,
        pending_extension=state.pending_extension,
        on_break=state.on_break,
        paused=state.paused,
        claimed=tuple(
            r for r, c in zip(scenario.role_ids, state.claims, strict=True) if c is not None
        ),
        over=over,
    )
