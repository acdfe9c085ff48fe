"""Trade-offs: for each total of our points, the package we estimate best for them.

Among all packages, keep those that no other package beats on both our points and
their estimated points: the frontier of (ours, theirs). Proposing from it means that
whatever we ask for, we ask for it in the way that leaves them the most (as far as we
can tell), which is how a problem-solver stays near the real Pareto frontier. It is
built issue by issue as in ``zopa.rules.analysis`` (points are additive, so a frontier
package is a frontier package of the first issues plus one option), never by listing
every package, and it is a ``Ladder``, so a bot uses it as it would its own ladder.
"""

from __future__ import annotations

import functools

from zopa.rules.bots.history import Offered, Partial
from zopa.rules.bots.ladder import Ladder, Rung
from zopa.rules.bots.other_side import estimate_from
from zopa.rules.bots.seen import Seen
from zopa.rules.bots.variety import unit
from zopa.rules.scenario import Points

# A frontier package negated: (-ours, -theirs, terms). Natural tuple order is then the
# order the frontier needs (ours descending, theirs descending, first terms first), so
# it sorts without a key function, which was dear on an eight-issue scenario, where the
# frontier is rebuilt after each of their moves.
_Negated = tuple[Points, Points, tuple[int, ...]]


@functools.lru_cache(maxsize=1024)
def tradeoff_ladder(
    ours: tuple[tuple[Points, ...], ...], theirs: tuple[tuple[int, ...], ...]
) -> Ladder:
    front: list[_Negated] = [(0, 0, ())]
    for mine, other, order in zip(ours, theirs, _orders(ours), strict=True):
        if order is None:
            options = _frontier(
                sorted([(-m, -t, (o,)) for o, (m, t) in enumerate(zip(mine, other, strict=True))])
            )
        else:
            # The same frontier of one issue's options, walked in our order of them.
            options = []
            last = None
            for o, option in order:
                t = other[o]
                if last is None or t > last:
                    options.append((-mine[o], -t, option))
                    last = t
        # One comprehension over both, and lists rather than generators below: the
        # frontier is rebuilt after each of their moves (docs/bots.md, the fourth pass).
        merged = [
            (a + m, b + t, terms + option) for m, t, option in options for a, b, terms in front
        ]
        merged.sort()
        front = _frontier(merged)
    front.reverse()
    # Negating back is exact (float sums round the same either side of zero); 0 - x
    # rather than -x, so that a total of zero is 0.0 and never -0.0.
    return Ladder(tuple([0 - c[0] for c in front]), tuple([c[2] for c in front]))


_Order = list[tuple[int, tuple[int]]]


@functools.lru_cache(maxsize=1024)
def _orders(ours: tuple[tuple[Points, ...], ...]) -> list[_Order | None]:
    """For each issue whose options are all worth something different to us: the
    options by our points, best first (each with its terms of one issue); sorted once
    per card rather than for every frontier. Only the order is kept, which is the same
    for cards equal as numbers (2 and 2.0), and the points are read from the card."""
    orders: list[_Order | None] = []
    for mine in ours:
        # Equal points (0 and -0.0 among them) are ordered by their points, so sorted anew.
        distinct = len(set(mine)) == len(mine) and all(m == m for m in mine)  # no NaN
        by_ours = sorted(range(len(mine)), key=lambda o: -mine[o])
        orders.append([(o, (o,)) for o in by_ours] if distinct else None)
    return orders


def _frontier(ordered: list[_Negated]) -> list[_Negated]:
    """The packages no earlier one matches on theirs: the frontier, first terms kept."""
    kept = [ordered[0]]
    last = ordered[0][1]
    for package in ordered:
        if package[1] < last:
            kept.append(package)
            last = package[1]
    return kept


def modelled_ladder(seen: Seen) -> Ladder:
    """The trade-off ladder for what ``seen`` tells of the other side: for each total of
    ours, the package we estimate best for them (``other_side.estimate``, from the offers
    of theirs that ``counted`` names). With one issue there is nothing to trade: the
    card's own ladder, which has every total."""
    card = seen.card
    points = card.points
    if len(points) < 2:
        return card.ladder
    history = seen.history
    theirs, suggested, priorities = history.theirs, history.suggested, history.priorities
    role = seen.role
    # Most decisions come between two moves of theirs: the ladder of the decision before.
    key = (theirs[-1] if theirs else role, len(suggested), priorities)
    known = _LADDERS.get(key)
    if (
        known is not None
        and (known[0] is theirs or known[0] == theirs)
        and (known[1] is suggested or known[1] == suggested)
        and known[2] is points
    ):
        return known[3]
    n = counted(theirs)
    model = theirs[:n] if n < len(theirs) else theirs
    model_key = (model[-1] if model else seen.role, len(suggested), priorities)
    built = _MODELS.get(model_key)
    if (
        built is not None
        and built[0] == model
        and (built[1] is suggested or built[1] == suggested)
        and built[2] is points
    ):
        ladder = built[3]
    else:
        ladder = tradeoff_ladder(points, estimate_from(points, model, suggested, priorities))
        if len(_MODELS) >= 1024:
            _MODELS.clear()
        _MODELS[model_key] = (model, suggested, points, ladder)
    if len(_LADDERS) >= 1024:
        _LADDERS.clear()
    _LADDERS[key] = (theirs, suggested, points, ladder)
    return ladder


def counted(theirs: tuple[Offered, ...]) -> int:
    """How many of their offers, from the first, the model reads: as many as they have
    made, rounded down to a power of two (1, 2, 4, 8, ...).

    Each offer of theirs adds a smaller share to the counts the estimate is made of, so
    the model is made again each time their offers have doubled rather than after every
    one, which was most of a bot's time on five and eight issues (docs/performance.md,
    "Modelled ladders"). A repeated offer is no news of what they like until they move
    again (and then it counts: they held those terms), so it is not counted before.
    """
    n = len(theirs)
    if n > 1 and theirs[-1].terms == theirs[-2].terms:
        n -= 1
        while n > 1 and theirs[n - 1].terms == theirs[n - 2].terms:
            n -= 1
    return 1 << (n.bit_length() - 1) if n else 0


# The trade-offs follow from their offers, their suggestions and their stated
# priorities (and our card), and change only with one of their moves, so they are kept
# from one decision to the next: in ``_LADDERS`` by all of their moves so far, and in
# ``_MODELS`` by the moves the model reads (``counted``), which a new offer of theirs
# does not always change. The key is a part of that value that is cheap to hash (their
# latest offer, which names its sequence number and time, or our role before they have
# offered); a hit is checked against the whole of it, which costs little when it is the
# same objects (the card by identity: the entry holds it, so it cannot be another
# card's). The caches behind ``tradeoff_ladder`` and ``estimate`` hash every table, too
# dear at every decision.
_Key = tuple[Offered | str, int, tuple[tuple[int, int], ...]]
_Entry = tuple[tuple[Offered, ...], tuple[Partial, ...], tuple[tuple[Points, ...], ...], Ladder]
_LADDERS: dict[_Key, _Entry] = {}
_MODELS: dict[_Key, _Entry] = {}


# The purpose of the seeded draw that picks among nearly equal terms (see ``negotiator``).
VARY_TERMS = 5
# Terms worth at most this share of its range more than its aspiration are as good to a
# bot: it varies among them rather than repeating one package.
NEARLY = 0.03


def varied(ladder: Ladder, seen: Seen, aspiration: float) -> Rung:
    """The terms to propose for ``aspiration``: on a trade-off ladder the lowest rung
    meeting it is the one estimated best for them, and the next few, nearly as good
    for us and, by the estimate, for them, are as fair a choice. Varying among them, by
    the seed and our offers so far, shows the other side which issues we hold firm and
    which we trade, and tells their model more than one package repeated would."""
    card = seen.card
    within = NEARLY * (card.best - card.floor)
    rung = ladder.alone(aspiration, within)
    if rung is not None:
        return rung  # no rung close to this one: no choice, no draw
    draw = unit(seen.seed, seen.role, VARY_TERMS, len(seen.history.mine))
    return ladder.near(aspiration, within, draw)
