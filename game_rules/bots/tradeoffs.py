"""Trade-offs: for each total of our points, the package we estimate best for them.

Among all packages, keep those that no other package beats on both our points and
their estimated points: the frontier of (ours, theirs). Proposing from it means that
whatever we ask for, we ask for it in the way that leaves them the most (as far as we
can tell), which is how a problem-solver stays near the real Pareto frontier. It is
built issue by issue as in ``game_rules.analysis`` (points are additive, so a frontier
package is a frontier package of the first issues plus one option), never by listing
every package, and it is a ``Ladder``, so a bot uses it as it would its own ladder.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from game_rules.bots.ladder import Ladder
from game_rules.scenario import Points

_Candidate = tuple[Points, int, tuple[int, ...]]


@functools.lru_cache(maxsize=1024)
def tradeoff_ladder(
    ours: tuple[tuple[Points, ...], ...], theirs: tuple[tuple[int, ...], ...]
) -> Ladder:
    front: list[_Candidate] = [(0, 0, ())]
    for mine, other in zip(ours, theirs, strict=True):
        options = _frontier((m, t, (o,)) for o, (m, t) in enumerate(zip(mine, other, strict=True)))
        front = _frontier(
            (a + m, b + t, terms + option) for a, b, terms in front for m, t, option in options
        )
    front.reverse()
    return Ladder(tuple(c[0] for c in front), tuple(c[2] for c in front))


def _frontier(candidates: Iterable[_Candidate]) -> list[_Candidate]:
    """The undominated candidates, by our points descending (theirs then ascend)."""
    ordered = sorted(candidates, key=lambda c: (-c[0], -c[1], c[2]))
    kept: list[_Candidate] = []
    for candidate in ordered:
        if not kept or candidate[1] > kept[-1][1]:
            kept.append(candidate)
    return kept
