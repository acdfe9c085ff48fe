"""An estimate of the other side's points, from what they offered, floated and said.

The other card is never seen, so the problem-solver models it, as negotiation agents
commonly do (frequency analysis, as in the HardHeaded agent):

- options: an option they propose often is one they like. Before they have proposed
  anything, every issue is assumed opposed to ours (what is cheap for us is dear to
  them), which makes the estimate start as plain bargaining;
- issues: an issue on which they keep the same option from offer to offer matters to
  them (they concede elsewhere first), and a priority they state ("issue X is my
  number 1") counts for more still, true or not.

The estimate is in whole points (0 to 1,000 in all), so that packages can be compared
exactly and the packages worked out from it can be cached.
"""

from __future__ import annotations

import functools

from game_rules.bots.history import History
from game_rules.scenario import Points

Table = tuple[tuple[int, ...], ...]


def estimate(points: tuple[tuple[Points, ...], ...], history: History) -> Table:
    first = history.theirs[0].terms if history.theirs else ()
    offers = len(history.theirs)
    return _estimate(
        points, history.their_picks, history.their_kept, offers, first, history.priorities
    )


@functools.lru_cache(maxsize=4096)
def _estimate(
    points: tuple[tuple[Points, ...], ...],
    picks: tuple[tuple[int, ...], ...],
    kept: tuple[int, ...],
    offers: int,
    first: tuple[int, ...],
    priorities: tuple[tuple[int, int], ...],
) -> Table:
    count = len(points)
    likes: list[list[float]] = []
    weights: list[float] = []
    for i, row in enumerate(points):
        low, high = min(row), max(row)
        span = high - low
        prior = [(high - v) / span if span else 0.5 for v in row]
        liked = [p + n for p, n in zip(prior, picks[i], strict=True)]
        if first:
            # An opening offer says most plainly what they want.
            liked[first[i]] += 1.0
        top = max(liked)
        likes.append([v / top for v in liked] if top > 0 else [0.0] * len(row))
        weights.append(1.0 + 2.0 * kept[i] / max(1, offers - 1))
    for issue, rank in priorities:
        if 1 <= rank <= count:
            weights[issue] += 3.0 * (count + 1 - rank) / count
    total = sum(weights)
    return tuple(
        tuple(round(1000 * weight * v / total) for v in liked)
        for weight, liked in zip(weights, likes, strict=True)
    )
