"""The offers of a game as the annotator sees them.

Each offer is compared with two others: the offerer's own previous offer (did it
concede? hold the line?) and the offer standing when it was made (did it add joint
value?). A rejection withdraws the standing offer, as in the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from zopa.rules.events import Event
from zopa.rules.scenario import Points, Scenario


@dataclass(frozen=True, slots=True)
class OfferMove:
    seq: int
    by: str
    other: str
    terms: Mapping[str, int]
    final: bool
    own: Points  # the offerer's points for these terms
    theirs: Points  # the other side's points for these terms
    previous: OfferMove | None  # the offerer's own previous offer
    standing: OfferMove | None  # the offer on the table just before this one

    def points(self, role: str) -> Points:
        return self.own if role == self.by else self.theirs


def offer_moves(scenario: Scenario, events: tuple[Event, ...]) -> list[OfferMove]:
    moves: list[OfferMove] = []
    last: dict[str, OfferMove] = {}
    standing: OfferMove | None = None
    for event in events:
        if event.type == "reject":
            standing = None
        if event.type != "offer" or event.by is None:
            continue
        terms = event.data["terms"]
        other = scenario.other(event.by)
        move = OfferMove(
            seq=event.seq,
            by=event.by,
            other=other,
            terms=terms,
            final=bool(event.data.get("final")),
            own=scenario.points(event.by, terms),
            theirs=scenario.points(other, terms),
            previous=last.get(event.by),
            standing=standing,
        )
        moves.append(move)
        last[event.by] = move
        standing = move
    return moves


def gap(a: OfferMove, b: OfferMove) -> Points:
    """How far apart two sides' offers are: what each asks for beyond the other's offer.

    ``a`` and ``b`` are the latest offers of the two sides; the gap is the points each
    offerer gets in its own offer minus what it gets in the other's, summed. It shrinks
    as the sides concede towards each other and is 0 (or less) once the offers meet.
    """
    return (a.own - b.points(a.by)) + (b.own - a.points(b.by))
