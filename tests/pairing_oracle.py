"""What the pairing tests keep of a class, apart from the code under test, and their oracle.

``Bookkeeping`` records each player's roles, partners and sit-outs as the tests see the
rounds; ``exists_perfect`` decides whether everyone can be seated under a test's notion of
who fits whom: by exhaustive search on small rounds, by the blossom matching on explicit
adjacency lists on large ones (test_tournament_pairing.py checks the one against the other).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from zopa.server.matching import maximum_matching
from zopa.server.pairing import Record, RoundPairing


def lean(roles: tuple[int, ...]) -> int:
    return roles.count(0) - roles.count(1)


def exists_perfect(
    vertices: list[str], fits: Callable[[str, str], bool], exhaustive_up_to: int = 12
) -> bool:
    """Whether ``vertices`` can all be paired, each pair fitting."""
    if len(vertices) % 2:
        return False
    if len(vertices) > exhaustive_up_to:
        index = {p: i for i, p in enumerate(vertices)}
        adjacent = [[index[q] for q in vertices if q != p and fits(p, q)] for p in vertices]
        return -1 not in maximum_matching(len(vertices), adjacent.__getitem__)

    @functools.cache
    def search(left: frozenset[str]) -> bool:
        if not left:
            return True
        first = min(left)
        return any(search(left - {first, q}) for q in left - {first} if fits(first, q))

    return search(frozenset(vertices))


@dataclass
class Bookkeeping:
    """Each player's roles by index, partners met and sit-outs, in the order they joined."""

    roles: dict[str, tuple[int, ...]] = field(default_factory=dict)
    partners: dict[str, set[str]] = field(default_factory=dict)
    sat: dict[str, int] = field(default_factory=dict)
    joined: list[str] = field(default_factory=list)

    def join(self, count: int = 1) -> list[str]:
        """``count`` new players; their names."""
        names = [f"p{len(self.joined) + i:03d}" for i in range(count)]
        for name in names:
            self.joined.append(name)
            self.roles[name], self.partners[name], self.sat[name] = (), set(), 0
        return names

    def records(self, players: list[str] | None = None) -> dict[str, Record]:
        """The pairing's history of ``players`` (everyone who joined), with made-up scores."""
        return {
            p: Record(self.roles[p], frozenset(self.partners[p]), self.sat[p], score=i % 3)
            for i, p in enumerate(self.joined if players is None else players)
        }

    def seat(self, pairing: RoundPairing, sitters: list[str]) -> None:
        """Record the round: each table's roles and partners, and who sat out."""
        for table in pairing.tables:
            a, b = table.seats
            for role, p in enumerate(table.seats):
                if p is not None:
                    self.roles[p] += (role,)
            if a is not None and b is not None:
                self.partners[a].add(b)
                self.partners[b].add(a)
        for p in sitters:
            self.sat[p] += 1
