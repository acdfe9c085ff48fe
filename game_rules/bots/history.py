"""What the events of a game have told one side, folded once as they arrive.

Strategies ask the same questions at every decision (my last offer, their offers and
what they are worth to me, when the other side last did something, what they said
about their priorities). Rescanning the events each time made a bot's cost grow with
the length of the game, so each side keeps this summary and extends it by one event at
a time: ``history.after(event)``. Everything in it comes from events the side may see
and from its own card, never from the other card.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import getitem, itemgetter
from typing import NamedTuple

from zopa.rules.events import Event
from zopa.rules.negotiation import OptionTuple
from zopa.rules.scenario import Points

_new = tuple.__new__

# A suggestion names only some issues: (issue index, option) pairs.
Partial = tuple[tuple[int, int], ...]


class Offered(NamedTuple):
    seq: int
    at: float
    terms: OptionTuple
    worth: Points  # to the side whose history this is
    final: bool


@dataclass(frozen=True, slots=True)
class Reader:
    """How one side reads terms: its role, the issue order and its own points."""

    role: str
    issue_ids: tuple[str, ...]
    points: tuple[tuple[Points, ...], ...]
    # Every side reads the terms of every offer: one itemgetter reads them in C, where a
    # map over the ids is dearer. For one issue (itemgetter of one key returns the
    # option, not a tuple) a function of its own, dearer than neither; None for none.
    pick: Callable[[Mapping[str, int]], OptionTuple] | None = field(
        init=False, repr=False, compare=False
    )

    # What terms are worth on this card, known terms looked up (``worths``).
    worths: dict[OptionTuple, Points] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ids = self.issue_ids
        pick = itemgetter(*ids) if len(ids) > 1 else _one(ids[0]) if ids else None
        object.__setattr__(self, "pick", pick)
        object.__setattr__(self, "worths", worths(self.points))

    def terms(self, raw: Mapping[str, int]) -> OptionTuple:
        pick = self.pick
        return pick(raw) if pick is not None else tuple(map(raw.__getitem__, self.issue_ids))

    def worth(self, terms: OptionTuple) -> Points:
        return worth_of(self.worths, self.points, terms)


def worths(points: tuple[tuple[Points, ...], ...]) -> dict[OptionTuple, Points]:
    """The card's table of known worths, to read with ``worth_of``: one table per card,
    filled as terms are valued. Every offer is valued by both sides as it is folded,
    and again by the side that faces it when it decides; bots offer the rungs of a few
    ladders, so the same terms come back game after game."""
    # Keyed by the repr too: points equal as numbers (2 and 2.0) sum to worths that are
    # not the same values, and only the card's own may be used.
    return _worths(repr(points), points)


@functools.lru_cache(maxsize=256)
def _worths(_: str, points: tuple[tuple[Points, ...], ...]) -> dict[OptionTuple, Points]:
    return {}


def worth_of(
    table: dict[OptionTuple, Points], points: tuple[tuple[Points, ...], ...], terms: OptionTuple
) -> Points:
    """``terms`` on the card ``points`` whose table (``worths``) is ``table``."""
    worth = table.get(terms)
    if worth is None:
        if len(table) >= 4096:  # bounded, like every cache here
            table.clear()
        worth = table[terms] = sum(map(getitem, points, terms))
    return worth


def _one(issue: str) -> Callable[[Mapping[str, int]], OptionTuple]:
    def pick(raw: Mapping[str, int]) -> OptionTuple:
        return (raw[issue],)

    return pick


class History(NamedTuple):
    """Immutable; a NamedTuple because one is built per event per side, and a frozen
    dataclass of this size is much dearer to build. ``empty`` and ``after`` are its
    constructors."""

    reader: Reader
    mine: tuple[Offered, ...] = ()
    theirs: tuple[Offered, ...] = ()
    offers: int = 0  # both sides', for max_offers
    # The latest event not made by this side (the other side's or the server's): bots
    # answer news after a pause for thought, and never answer their own moves.
    news_at: float | None = None
    news_seq: int = 0
    said_seq: int = 0  # this side's latest chat
    last_seq: int = 0
    # The sum of every improvement, on this side's card, from one of their offers to the next.
    conceded_to_me: Points = 0
    table: Offered | None = None  # the latest offer on the table, by either side
    their_claim: bool = False
    # What was on the table when the other side claimed: the terms they most likely claimed.
    agreed_looking: OptionTuple | None = None
    priorities: tuple[tuple[int, int], ...] = ()  # (issue index, rank) the other side stated
    suggested: tuple[Partial, ...] = ()
    revealed: bool = False  # this side has stated a priority

    @classmethod
    def empty(cls, reader: Reader) -> History:
        return cls(reader)

    def after(self, event: Event) -> History:
        """The history with one more event (the next one in sequence)."""
        # Every side folds every event, so this is among a bot match's hottest code: the
        # fields are unpacked at once, and the next History (and an offer's Offered) is
        # built as a tuple in field order rather than through the NamedTuple's
        # constructor; docs/performance.md ("Speed tricks") measures both, and
        # test_history_grows_event_by_event_as_folding_them_all_at_once holds it right.
        (
            reader,
            my_moves,
            their_moves,
            offers,
            news_at,
            news_seq,
            said,
            _,
            conceded,
            table,
            their_claim,
            agreed,
            priorities,
            suggested,
            revealed,
        ) = self
        mine = event.by == reader.role
        kind, data = event.type, event.data
        if kind == "offer":
            # ``reader.terms`` and ``reader.worth``, written out: every side folds every
            # offer (measured in docs/performance.md, "Speed tricks").
            raw, pick = data["terms"], reader.pick
            terms = pick(raw) if pick is not None else tuple(map(raw.__getitem__, reader.issue_ids))
            worth = reader.worths.get(terms)
            if worth is None:
                worth = worth_of(reader.worths, reader.points, terms)
            table = _new(Offered, (event.seq, event.at, terms, worth, bool(data["final"])))
            offers += 1
            if mine:
                my_moves = (*my_moves, table)
            else:
                if their_moves:
                    before = their_moves[-1]
                    if table.worth > before.worth:
                        conceded += table.worth - before.worth
                their_moves = (*their_moves, table)
        elif kind == "reject":
            table = None
        elif kind == "chat" and mine:
            said = event.seq
        elif kind == "claim" and not mine:
            their_claim = True
            agreed = None if table is None else table.terms
        elif kind == "reveal" and data.get("about") == "priority":
            if mine:
                revealed = True
            elif data.get("issue") in reader.issue_ids and isinstance(data.get("rank"), int):
                index = reader.issue_ids.index(data["issue"])
                priorities = (*(p for p in priorities if p[0] != index), (index, data["rank"]))
        elif kind == "suggest" and not mine:
            partial = tuple(
                (reader.issue_ids.index(issue), option)
                for issue, option in data["terms"].items()
                if issue in reader.issue_ids
            )
            suggested = (*suggested, partial)
        if not mine:
            news_at, news_seq = event.at, event.seq
        return _new(
            History,
            (
                reader,
                my_moves,
                their_moves,
                offers,
                news_at,
                news_seq,
                said,
                event.seq,
                conceded,
                table,
                their_claim,
                agreed,
                priorities,
                suggested,
                revealed,
            ),
        )


def history_of(reader: Reader, events: Sequence[Event]) -> History:
    history = History.empty(reader)
    for event in events:
        history = history.after(event)
    return history
