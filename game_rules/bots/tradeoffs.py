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

from game_rules.analysis import Candidate, pareto_prune
from game_rules.bots.ladder import Ladder
from game_rules.scenario import Points


@functools.lru_cache(maxsize=1024)
def tradeoff_ladder(
    ours: tuple[tuple[Points, ...], ...], theirs: tuple[tuple[int, ...], ...]
) -> Ladder:
    front: list[Candidate] = [(0, 0, ())]
    for mine, other in zip(ours, theirs, strict=True):
        options = pareto_prune(
            (m, t, (o,)) for o, (m, t) in enumerate(zip(mine, other, strict=True))
        )
        front = pareto_prune(
            (a + m, b + t, terms + option) for a, b, terms in front for m, t, option in options
        )
    front.reverse()
    return Ladder(tuple(c[0] for c in front), tuple(c[2] for c in front))
