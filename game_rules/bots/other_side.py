"""An estimate of the other side's points, from what they offered, floated and said.

The other card is never seen, so the problem-solver models it, as negotiation agents
commonly do (frequency analysis, as in the HardHeaded agent):

- options: an option they propose often is one they like. Before they have proposed
  anything, every issue is assumed opposed to ours (what is cheap for us is dear to
  them), which makes the estimate start as plain bargaining;
- issues: an issue on which they keep the same option from offer to offer matters to
  them (they concede elsewhere first), and a priority they state ("issue X is my
  number 1") counts for more still, true or not.

The estimate is in whole points, 0 to 200 in all, so that packages can be compared
exactly and the packages worked out from it can be cached; so coarse, too, to keep the
trade-off frontiers built from it small (every strategy builds one after each of their
moves; 0 to 1,000 made them larger and slower for no better deals, 0 to 100 found
fewer efficient ones on `supplier`).
"""

from __future__ import annotations

import functools
from operator import add, attrgetter, eq

from zopa.rules.bots.history import History, Offered, Partial
from zopa.rules.scenario import Points

Table = tuple[tuple[int, ...], ...]
_terms = attrgetter("terms")


def estimate(points: tuple[tuple[Points, ...], ...], history: History) -> Table:
    return estimate_from(points, history.theirs, history.suggested, history.priorities)


def estimate_from(
    points: tuple[tuple[Points, ...], ...],
    theirs: tuple[Offered, ...],
    suggested: tuple[Partial, ...],
    priorities: tuple[tuple[int, int], ...],
) -> Table:
    """``estimate`` from the parts of a history it reads: their offers (those the model
    counts, ``tradeoffs.counted``), their suggestions and their stated priorities."""
    first = theirs[0].terms if theirs else ()
    offered, kept_ = _counts(points, theirs)
    if suggested:
        offered = picks(points, theirs, suggested)
    return _estimate(points, offered, kept_, len(theirs), first, priorities)


# Their offers as counted so far, keyed by their latest offer (a value) and holding
# all of them and the card, checked on a hit (the card by identity: the entry holds it,
# so it cannot be another card's): each estimate adds their newest offer to the counts
# of the ones before, rather than counting them all again at each of their moves.
_Card = tuple[tuple[Points, ...], ...]
_COUNTS: dict[Offered, tuple[tuple[Offered, ...], _Card, Table, tuple[int, ...]]] = {}


def _counts(
    points: tuple[tuple[Points, ...], ...], theirs: tuple[Offered, ...]
) -> tuple[Table, tuple[int, ...]]:
    """``picks`` of their offers alone, and ``kept``."""
    if not theirs:
        return tuple((0,) * len(row) for row in points), (0,) * len(points)
    newest = theirs[-1]
    known = _COUNTS.get(newest)
    if (
        known is not None
        and (known[0] is theirs or known[0] == theirs)
        and known[1] is points  # the table's shape is the card's
    ):
        return known[2], known[3]
    before = _COUNTS.get(theirs[-2]) if len(theirs) > 1 else None
    if before is not None and before[0] == theirs[:-1] and before[1] is points:
        terms, previous = newest.terms, theirs[-2].terms
        counted = tuple(
            [
                row[:option] + (row[option] + 1,) + row[option + 1 :]  # noqa: RUF005
                for row, option in zip(before[2], terms, strict=True)
            ]
        )
        same = tuple(map(add, before[3], map(eq, terms, previous)))
    else:
        rows = [[0] * len(row) for row in points]
        for offer in theirs:
            for issue, option in enumerate(offer.terms):
                rows[issue][option] += 1
        counted = tuple(tuple(row) for row in rows)
        same = kept(len(points), theirs)
    if len(_COUNTS) >= 4096:
        _COUNTS.clear()
    _COUNTS[newest] = (theirs, points, counted, same)
    return counted, same


def picks(
    points: tuple[tuple[Points, ...], ...],
    theirs: tuple[Offered, ...],
    suggested: tuple[Partial, ...],
) -> Table:
    """Per issue and option: how often the other side proposed it (offers and suggestions).

    Counted here, when an estimate is needed, rather than as every event is folded:
    only the problem-solver asks, and only once per move of the other side.
    """
    rows = [[0] * len(row) for row in points]
    for offer in theirs:
        for issue, option in enumerate(offer.terms):
            rows[issue][option] += 1
    for partial in suggested:
        for issue, option in partial:
            rows[issue][option] += 1
    return tuple(tuple(row) for row in rows)


def kept(issues: int, theirs: tuple[Offered, ...]) -> tuple[int, ...]:
    """Per issue: how often the other side kept its option from one offer to the next.

    Compared over the column of each issue's options, in C, rather than pair by pair
    and issue by issue in Python, which cost more than the rest of an estimate.
    """
    return tuple(sum(map(eq, column, column[1:])) for column in _columns(issues, theirs))


def _columns(issues: int, theirs: tuple[Offered, ...]) -> list[tuple[int, ...]]:
    """Per issue, the option of each of their offers in turn."""
    if not theirs:
        return [()] * issues
    return list(zip(*map(_terms, theirs), strict=True))


@functools.lru_cache(maxsize=4096)
def _estimate(
    points: tuple[tuple[Points, ...], ...],
    picks: tuple[tuple[int, ...], ...],
    kept: tuple[int, ...],
    offers: int,
    first: tuple[int, ...],
    priorities: tuple[tuple[int, int], ...],
) -> Table:
    # Each of their moves makes a new estimate: the priors come from the card once per
    # card, and lists rather than generators and nested passes (docs/bots.md, the
    # fourth pass). The arithmetic is the same, in the same order, so every point of
    # the table is too.
    count = len(points)
    spread = max(1, offers - 1)
    weights = [1.0 + 2.0 * k / spread for k in kept]
    for issue, rank in priorities:
        if 1 <= rank <= count:
            weights[issue] += 3.0 * (count + 1 - rank) / count
    total = sum(weights)
    table = []
    for i, (prior, picked) in enumerate(zip(_priors(points), picks, strict=True)):
        liked = [p + n for p, n in zip(prior, picked, strict=True)]
        if first:
            # An opening offer says most plainly what they want.
            liked[first[i]] += 1.0
        top = max(liked)
        if top > 0:
            scale = 200 * weights[i]
            table.append(tuple([round(scale * (v / top) / total) for v in liked]))
        else:
            table.append((0,) * len(liked))
    return tuple(table)


@functools.lru_cache(maxsize=1024)
def _priors(points: tuple[tuple[Points, ...], ...]) -> list[list[float]]:
    """How much each option is assumed to please them before they say anything, the
    opposite of how much it pleases us: once per card."""
    priors = []
    for row in points:
        low, high = min(row), max(row)
        span = high - low
        priors.append([(high - v) / span if span else 0.5 for v in row])
    return priors
