"""Tournament pairing: role balance, no repeats, no third role in a row, rotating byes.

Each property is checked round by round against an independent oracle: whether a
pairing with the stricter property existed at all (an exhaustive search on small
classes, the blossom matching, itself checked against the exhaustive search, on large).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.pairing_oracle import Bookkeeping, exists_perfect, lean
from zopa.server.circle import circle_pairs
from zopa.server.matching import maximum_matching
from zopa.server.pairing import Record, RoundPairing, pair_round
from zopa.server.tournament.schedule import Odd, Pairing


@given(
    st.integers(1, 9).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.sets(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(
                    lambda e: e[0] < e[1]
                )
            ),
        )
    )
)
def test_the_blossom_matching_is_maximum(graph: tuple[int, set[tuple[int, int]]]) -> None:
    n, edges = graph
    adjacent: list[list[int]] = [[] for _ in range(n)]
    for a, b in edges:
        adjacent[a].append(b)
        adjacent[b].append(a)
    mate = maximum_matching(n, adjacent.__getitem__)
    assert all(mate[mate[v]] == v for v in range(n) if mate[v] != -1)
    assert all(mate[v] in adjacent[v] for v in range(n) if mate[v] != -1)
    size = sum(1 for v in mate if v != -1) // 2
    best = max(
        (
            k
            for k in range(n // 2 + 1)
            for chosen in itertools.combinations(sorted(edges), k)
            if len({v for e in chosen for v in e}) == 2 * k
        ),
        default=0,
    )
    assert size == best


def owed(roles: tuple[int, ...]) -> set[int]:
    """The roles that keep a player's balance: both at zero, else the one they are behind on."""
    value = lean(roles)
    return {0, 1} if value == 0 else {1} if value > 0 else {0}


@dataclass
class Class(Bookkeeping):
    """A tournament's players as the test keeps them, independent of the code under test:
    ``active`` are those who have not withdrawn."""

    active: list[str] = field(default_factory=list)

    def join(self, count: int = 1) -> list[str]:
        names = super().join(count)
        self.active += names
        return names

    def records(self, players: list[str] | None = None) -> dict[str, Record]:
        return super().records(self.active if players is None else players)

    def check_and_record(self, pairing: RoundPairing, odd: Odd) -> None:
        seated = [p for t in pairing.tables for p in t.seats if p is not None]
        if pairing.bye is not None:
            seated.append(pairing.bye)
        assert sorted(seated) == sorted(self.active), "everyone present plays or sits out once"
        alone = [t for t in pairing.tables if None in t.seats]
        sitters = [p for t in alone for p in t.seats if p is not None]
        if pairing.bye is not None:
            sitters.append(pairing.bye)
        assert len(sitters) == len(self.active) % 2
        assert (pairing.bye is not None) == (odd == "bye" and len(sitters) == 1)
        rest = [p for p in self.active if p not in sitters]

        def balanced_without(out: str | None) -> bool:
            left = [p for p in self.active if p != out]
            plus = sum(lean(self.roles[p]) > 0 for p in left)
            minus = sum(lean(self.roles[p]) < 0 for p in left)
            return abs(plus - minus) <= len(left) - plus - minus

        if sitters:
            fewest = min(self.sat[p] for p in self.active)
            (sitter,) = sitters
            assert self.sat[sitter] == fewest, "a second sit-out only after everyone had one"
            due = [p for p in self.active if self.sat[p] == fewest]
            if any(balanced_without(p) for p in due):
                assert balanced_without(sitter)
        balance = balanced_without(sitters[0] if sitters else None)

        def fits(new: bool, alternate: bool) -> Callable[[str, str], bool]:
            def check(a: str, b: str) -> bool:
                if new and b in self.partners[a]:
                    return False
                for ra in (0, 1):
                    ok_a = ra in owed(self.roles[a]) and (
                        not alternate or self.roles[a][-2:] != (ra, ra)
                    )
                    ok_b = 1 - ra in owed(self.roles[b]) and (
                        not alternate or self.roles[b][-2:] != (1 - ra, 1 - ra)
                    )
                    if ok_a and ok_b:
                        return True
                return False

            return check

        pairs = [t.seats for t in pairing.tables if None not in t.seats]
        if balance:
            for first, second in pairs:
                assert first is not None and second is not None
                assert 0 in owed(self.roles[first]) and 1 in owed(self.roles[second])
            repeats = any(b in self.partners[a] for a, b in pairs if a and b)
            if repeats:
                assert not exists_perfect(rest, fits(new=True, alternate=False), 14)
            thirds = any(
                self.roles[p][-2:] == (r, r) for pair in pairs for r, p in enumerate(pair) if p
            )
            if thirds:
                assert not exists_perfect(rest, fits(new=True, alternate=True), 14)
        for table in pairing.tables:
            for role, p in enumerate(table.seats):
                if p is not None and None in table.seats and lean(self.roles[p]) != 0:
                    assert role in owed(self.roles[p]), "the bot's partner gets the role owed"
        self.seat(pairing, sitters)


SYSTEMS: list[Pairing] = ["round_robin", "swiss"]
ODDS: list[Odd] = ["bot", "bye"]


@settings(max_examples=60, deadline=None)
@given(
    start=st.integers(2, 60),
    system=st.sampled_from(SYSTEMS),
    odd=st.sampled_from(ODDS),
    changes=st.lists(
        st.tuples(st.integers(0, 3), st.lists(st.integers(0, 59), max_size=3)), max_size=10
    ),
    seed=st.integers(0, 2**16),
)
def test_pairing_keeps_its_rules_through_joins_and_withdrawals(
    start: int, system: Pairing, odd: Odd, changes: list[tuple[int, list[int]]], seed: int
) -> None:
    group = Class()
    for _ in range(start):
        group.join()
    for index, (joins, leaves) in enumerate(changes):
        for _ in range(joins):
            group.join()
        for position in leaves:
            if len(group.active) > 2 and position < len(group.active):
                group.active.pop(position)
        pairing = pair_round(
            group.active, group.records(), system=system, odd=odd, index=index, seed=seed + index
        )
        group.check_and_record(pairing, odd)


@settings(max_examples=40, deadline=None)
@given(
    start=st.integers(2, 60),
    system=st.sampled_from(SYSTEMS),
    odd=st.sampled_from(ODDS),
    joins=st.lists(st.integers(0, 3), max_size=10),
)
def test_without_withdrawals_roles_never_differ_by_more_than_one(
    start: int, system: Pairing, odd: Odd, joins: list[int]
) -> None:
    group = Class()
    for _ in range(start):
        group.join()
    for index, count in enumerate(joins):
        for _ in range(count):
            group.join()
        group.check_and_record(
            pair_round(group.active, group.records(), system=system, odd=odd, index=index, seed=7),
            odd,
        )
        assert all(abs(lean(group.roles[p])) <= 1 for p in group.active)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 24), odd=st.sampled_from(ODDS))
def test_a_round_robin_meets_everyone_once_and_alternates_roles(n: int, odd: Odd) -> None:
    group = Class()
    for _ in range(n):
        group.join()
    rounds = n if n % 2 else n - 1
    met: list[frozenset[str]] = []
    for index in range(rounds):
        pairing = pair_round(
            group.active, group.records(), system="round_robin", odd=odd, index=index, seed=index
        )
        circle = {frozenset(pair) for pair in circle_pairs(group.active, index)}
        played = [frozenset(filter(None, t.seats)) for t in pairing.tables if None not in t.seats]
        assert set(played) == circle, "a fixed class follows the circle exactly"
        met += played
        group.check_and_record(pairing, odd)
    assert len(met) == len(set(met)) == n * (n - 1) // 2
    assert all(group.sat[p] == n % 2 for p in group.active)
    for p in group.active:
        assert abs(lean(group.roles[p])) <= 1
        assert all(group.roles[p][i : i + 3] not in ((0, 0, 0), (1, 1, 1)) for i in range(n))


def test_swiss_pairs_neighbours_in_the_standings() -> None:
    players = [f"p{i}" for i in range(8)]
    records = {p: Record(score=10 - i) for i, p in enumerate(players)}
    pairing = pair_round(players, records, system="swiss", odd="bye", index=0, seed=1)
    pairs = {frozenset(p for p in t.seats if p) for t in pairing.tables}
    assert pairs == {frozenset(players[i : i + 2]) for i in range(0, 8, 2)}
    # The lowest standing sits out when the count is odd.
    pairing = pair_round(players[:7], records, system="swiss", odd="bye", index=0, seed=1)
    assert pairing.bye == "p6"


def test_pairing_is_reproducible_from_its_seed() -> None:
    players = [f"p{i}" for i in range(11)]
    for system in SYSTEMS:
        first = pair_round(players, {}, system=system, odd="bot", index=3, seed=5)
        assert first == pair_round(players, {}, system=system, odd="bot", index=3, seed=5)
