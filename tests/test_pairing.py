"""The one pairing: sit-outs rotate, and each round keeps the best tier of rules that exists.

A class is simulated round after round with the test's own bookkeeping. Each round's
seating is checked against an oracle: the first tier of rules (in the session's order of
priority) that the seating keeps must be the first tier under which any seating exists
at all, decided by an exhaustive search on small rounds and by the blossom matching on
explicit adjacency lists on large ones (test_tournament_pairing.py checks the blossom
against an exhaustive search).
"""

from __future__ import annotations

import dataclasses
import itertools
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.live import Player, Server, open_session
from tests.pairing_oracle import Bookkeeping, exists_perfect, lean
from zopa.server import offload
from zopa.server.pairing import (
    EMPTY,
    PLAIN,
    TOURNAMENT,
    Record,
    RoundPairing,
    Rule,
    pair_round,
    tiers,
)
from zopa.server.pairing_history import (
    INLINE_UP_TO,
    Change,
    Ledger,
    changes_of,
    fold,
    pair_kept,
    pair_session_round,
)
from zopa.server.tournament.schedule import Odd, Pairing

ROOT = Path(__file__).resolve().parent.parent
BOT = "(bot)"


def may(roles: tuple[int, ...], role: int, rules: frozenset[str]) -> bool:
    """Whether a player who played ``roles`` may take ``role`` under ``rules``."""
    if "balance" in rules and ((lean(roles) > 0 and role == 0) or (lean(roles) < 0 and role == 1)):
        return False
    return not ("alternate" in rules and roles[-2:] == (role, role))


class Class(Bookkeeping):
    """A session's players as the test keeps them, independent of the code under test."""

    def seating_exists(self, present: Sequence[str], rules: frozenset[str]) -> bool:
        """Whether everyone present can be seated keeping ``rules``, sit-outs rotating."""

        def fits(a: str, b: str) -> bool:
            if BOT in (a, b):
                player = b if a == BOT else a
                return self.sat[player] == fewest and (
                    may(self.roles[player], 0, rules) or may(self.roles[player], 1, rules)
                )
            if "new_partners" in rules and b in self.partners[a]:
                return False
            return any(
                may(self.roles[a], r, rules) and may(self.roles[b], 1 - r, rules) for r in (0, 1)
            )

        fewest = min(self.sat[p] for p in present)
        vertices = list(present) + ([BOT] if len(present) % 2 else [])
        return exists_perfect(vertices, fits)

    def keeps(self, pairing: RoundPairing, rules: frozenset[str]) -> bool:
        for table in pairing.tables:
            for role, p in enumerate(table.seats):
                if p is not None and not may(self.roles[p], role, rules):
                    return False
            a, b = table.seats
            if "new_partners" in rules and a and b and b in self.partners[a]:
                return False
        return True

    def check_and_record(
        self, present: Sequence[str], pairing: RoundPairing, order: Sequence[str]
    ) -> frozenset[str]:
        """Check the round against the oracle, record it, and answer the rules it kept."""
        seated = [p for t in pairing.tables for p in t.seats if p is not None]
        sitters = [p for t in pairing.tables if None in t.seats for p in t.seats if p]
        if pairing.bye is not None:
            seated.append(pairing.bye)
            sitters.append(pairing.bye)
        assert sorted(seated) == sorted(present), "everyone present plays or sits out once"
        assert len(sitters) == len(present) % 2
        fewest = min(self.sat[p] for p in present)
        assert all(self.sat[p] == fewest for p in sitters), "sitting out rotates"
        # Every subset of the rules, strictest first, lexicographic in their priority.
        subsets = [
            frozenset(rule for rule, on in zip(order, keep, strict=True) if on)
            for keep in itertools.product((True, False), repeat=len(order))
        ]
        first = next(i for i, rules in enumerate(subsets) if self.keeps(pairing, rules))
        for stricter in subsets[:first]:
            assert not self.seating_exists(present, stricter), f"{sorted(stricter)} was possible"
        self.seat(pairing, sitters)
        return subsets[first]


def play(
    group: Class,
    present: Sequence[str],
    index: int,
    order: Sequence[Rule] = PLAIN,
    system: Pairing = "round_robin",
    odd: Odd = "bot",
) -> frozenset[str]:
    pairing = pair_round(
        present, group.records(), system=system, odd=odd, index=index, seed=index, order=order
    )
    return group.check_and_record(present, pairing, order)


def test_the_tiers_are_every_subset_of_the_rules_in_their_order() -> None:
    assert tiers(TOURNAMENT)[:5] == [
        {"balance", "new_partners", "alternate"},
        {"balance", "new_partners"},
        {"balance", "alternate"},
        {"balance"},
        {"new_partners", "alternate"},
    ]
    assert tiers(PLAIN)[:4] == [
        {"new_partners", "balance", "alternate"},
        {"new_partners", "balance"},
        {"new_partners", "alternate"},
        {"new_partners"},
    ]
    assert len(set(tiers(PLAIN))) == 8 and tiers(PLAIN)[-1] == frozenset()


@pytest.mark.parametrize("seed", range(10))
def test_five_players_over_four_rounds_meet_new_partners_in_even_roles(seed: int) -> None:
    group = Class()
    group.join(5)
    for index in range(4):
        pairing = pair_round(
            group.joined, group.records(), system="round_robin", odd="bot", index=index, seed=seed
        )
        kept = group.check_and_record(group.joined, pairing, PLAIN)
        assert "new_partners" in kept and "balance" in kept
    for p in group.joined:
        assert group.roles[p].count(0) == group.roles[p].count(1) == 2, group.roles[p]
    assert sorted(group.sat.values()) == [0, 1, 1, 1, 1], "four different players had the bot"


@pytest.mark.parametrize("n", [2, 3, 4, 6, 7, 10, 15, 24])
def test_a_fixed_class_meets_everyone_once_in_even_roles(n: int) -> None:
    group = Class()
    group.join(n)
    rounds = n if n % 2 else n - 1
    for index in range(rounds):
        kept = play(group, group.joined, index)
        assert kept == {"new_partners", "balance", "alternate"} or index == 0
        assert all(abs(lean(group.roles[p])) <= 1 for p in group.joined)
    assert all(len(group.partners[p]) == n - 1 for p in group.joined)
    assert all(group.sat[p] == n % 2 for p in group.joined)


def test_a_hundred_players_over_ninety_nine_rounds_never_repeat_a_partner() -> None:
    group = Class()
    group.join(100)
    for index in range(99):
        play(group, group.joined, index)
    assert all(len(group.partners[p]) == 99 for p in group.joined)
    assert all(abs(lean(group.roles[p])) <= 1 for p in group.joined)


@settings(max_examples=60, deadline=None)
@given(
    start=st.integers(1, 40),
    rounds=st.lists(
        st.tuples(st.integers(0, 3), st.sets(st.integers(0, 59), max_size=6)), max_size=12
    ),
    order=st.sampled_from([PLAIN, TOURNAMENT]),
    system=st.sampled_from(["round_robin", "swiss"]),
)
def test_each_round_keeps_the_best_tier_that_exists(
    start: int,
    rounds: list[tuple[int, set[int]]],
    order: tuple[Rule, ...],
    system: Pairing,
) -> None:
    """Joins, and players away or busy for a round: each round is checked by the oracle."""
    group = Class()
    group.join(start)
    for index, (joins, away) in enumerate(rounds):
        group.join(joins)
        present = [p for i, p in enumerate(group.joined) if i not in away]
        if present:
            play(group, present, index, order, system)


@settings(max_examples=300, deadline=None)
@given(
    histories=st.lists(
        st.tuples(
            st.lists(st.integers(0, 1), max_size=5).map(tuple),
            st.sets(st.integers(0, 29), max_size=8),
            st.integers(0, 2),
        ),
        min_size=1,
        max_size=30,
    ),
    order=st.sampled_from([PLAIN, TOURNAMENT]),
    system=st.sampled_from(["round_robin", "swiss"]),
    index=st.integers(0, 30),
)
def test_any_history_gets_the_best_tier_that_exists(
    histories: list[tuple[tuple[int, ...], set[int], int]],
    order: tuple[Rule, ...],
    system: Pairing,
    index: int,
) -> None:
    """Whatever came before (broken balance, three in a row, many partners met)."""
    group = Class()
    group.join(len(histories))
    for p, (roles, met, sat) in zip(group.joined, histories, strict=True):
        group.roles[p], group.sat[p] = roles, sat
        for other in met:
            if other < len(histories) and group.joined[other] != p:
                group.partners[p].add(group.joined[other])
                group.partners[group.joined[other]].add(p)
    play(group, group.joined, index, order, system)


def test_a_busy_tenth_of_a_large_class_repeats_only_unavoidably() -> None:
    """Each round a different tenth is still playing: the circle bends, the rules hold."""
    group = Class()
    group.join(60)
    for index in range(40):
        present = [p for i, p in enumerate(group.joined) if (i + index) % 10]
        kept = play(group, present, index)
        assert "new_partners" in kept or index > 30


def test_the_odd_player_out_gets_the_bot_and_the_role_they_need() -> None:
    history = {"a": Record(roles=(0, 0)), "b": Record(roles=(0, 1)), "c": Record(roles=(1, 0))}
    for seed in range(20):
        pairing = pair_round(
            ["a", "b", "c"], history, system="round_robin", odd="bot", index=seed, seed=seed
        )
        assert len(pairing.tables) == 2
        roles = {p: r for t in pairing.tables for r, p in enumerate(t.seats) if p}
        assert roles["a"] == 1, "a has played the first role twice"


def test_a_bye_goes_to_the_sitter_and_the_bot_plays_nobody() -> None:
    players = ["a", "b", "c"]
    history = {"a": Record(sat_out=1), "b": Record(sat_out=1), "c": Record()}
    for system in ("round_robin", "swiss"):
        pairing = pair_round(players, history, system=system, odd="bye", index=0, seed=1)
        assert pairing.bye == "c" and all(None not in t.seats for t in pairing.tables)


def test_pairing_is_reproducible_from_its_seed() -> None:
    players = [f"p{i}" for i in range(11)]
    for order in (PLAIN, TOURNAMENT):
        first = pair_round(players, {}, system="swiss", odd="bot", index=3, seed=5, order=order)
        again = pair_round(players, {}, system="swiss", odd="bot", index=3, seed=5, order=order)
        assert first == again


def test_a_very_large_session_is_paired_without_recursion_limits() -> None:
    players = [f"p{i}" for i in range(3001)]
    history = {
        p: Record((i % 2,), frozenset({players[i - 1], players[(i + 1) % 3001]}))
        for i, p in enumerate(players)
    }
    pairing = pair_round(players, history, system="swiss", odd="bot", index=1, seed=3, order=PLAIN)
    seated = [p for t in pairing.tables for p in t.seats if p is not None]
    assert sorted(seated) == sorted(players)
    assert pairing.rules == {"new_partners", "balance"}
    for table in pairing.tables:
        a, b = table.seats
        if a is not None and b is not None:
            assert b not in history[a].partners
            assert history[a].lean <= 0 <= history[b].lean


@settings(max_examples=100, deadline=None)
@given(
    changes=st.lists(
        st.one_of(
            st.tuples(st.sampled_from("abcd")),
            st.tuples(st.sampled_from("abcd"), st.sampled_from("abcd")).filter(
                lambda t: t[0] != t[1]
            ),
            st.tuples(st.sampled_from("abcd"), st.none()),
            st.tuples(st.none(), st.sampled_from("abcd")),
        ),
        max_size=12,
    ),
    cut=st.integers(0, 12),
)
def test_folding_changes_gives_each_game_and_bye_in_order(changes: list[Change], cut: int) -> None:
    """Whole or in two parts, the records are those of each game and bye one by one."""
    expected: dict[str, Record] = {}
    for change in changes:
        if len(change) == 1:
            (player,) = change
            assert player is not None
            expected[player] = expected.get(player, EMPTY).after_bye()
            continue
        for role, player in enumerate(change):
            if player is not None:
                before = expected.get(player, EMPTY)
                expected[player] = before.after(role, change[1 - role])
    assert fold({}, changes) == expected
    assert fold(fold({}, changes[:cut]), changes[cut:]) == expected


def test_the_worker_takes_only_changes_that_continue_what_it_kept() -> None:
    how = {"system": "round_robin", "odd": "bot", "index": 1, "seed": 1, "order": PLAIN}
    key = Ledger().key
    first = pair_kept(key, None, [("a", "b"), ("c", None)], ["a", "b", "c"], None, **how)
    assert first is not None and first[0] == 2
    assert pair_kept(key, 1, [("a", "c")], ["a", "b", "c"], None, **how) is None, "not at 1"
    assert pair_kept(Ledger().key, 2, [], ["a", "b"], None, **how) is None, "never heard of"
    again = pair_kept(key, 2, [("b", None)], ["a", "b", "c"], None, **how)
    assert again is not None and again[0] == 3
    pairs = [set(seats) for seats in again[1]]
    assert {"a", "b"} not in pairs, "a and b met in the first change"


@pytest.mark.parametrize(("system", "odd"), [("round_robin", "bot"), ("swiss", "bye")])
async def test_a_large_round_is_paired_where_its_history_is_kept_to_the_same_answer(
    system: Pairing, odd: Odd
) -> None:
    """Round after round through the worker, sent only what changed (and everything again
    once a new worker knows nothing), each the same as paired on the loop from scratch."""
    group = Class()
    group.join(INLINE_UP_TO + 51)
    rounds: list[list[str]] = []
    byes: dict[int, list[str]] = {}
    games: dict[str, Change] = {}
    ledger = Ledger()
    scores = {p: float(i % 7) for i, p in enumerate(group.joined)}
    for index in range(5):
        if index == 3:
            await offload.shutdown()
        present = group.joined[index:]
        how = {"system": system, "odd": odd, "index": index, "seed": index, "order": TOURNAMENT}
        away = await pair_session_round(
            present,
            rounds,
            byes,
            games.__getitem__,
            lambda: ledger,
            scores=scores,
            **how,  # type: ignore[arg-type]
        )
        everything = changes_of(rounds, byes, games.__getitem__)
        history = {
            p: dataclasses.replace(r, score=scores[p])
            for p, r in fold(dict.fromkeys(present, EMPTY), everything).items()
        }
        inline = pair_round(present, history, **how)  # type: ignore[arg-type]
        assert away == inline and ledger.heard == len(everything)
        ids = [f"g{len(games) + i}" for i in range(len(away.tables))]
        games.update(zip(ids, (t.seats for t in away.tables), strict=True))
        rounds.append(ids)
        if away.bye is not None:
            byes[index + 1] = [away.bye]
        group.check_and_record(present, away, TOURNAMENT)
    await offload.shutdown()


async def test_a_plain_session_keeps_its_pairing_history_across_a_restart(
    server: Server,
) -> None:
    """Three players, a restart, a fourth joins: the circle over four would pair round
    one's pair again in round three; the history read back after the restart prevents it."""
    code = await open_session(server, "guitar")
    players = [await Player(server, code, name).join() for name in ("Ana", "Ben", "Cy")]
    met: list[frozenset[str]] = []
    roles: dict[str, list[int]] = {}
    for number in (1, 2, 3):
        started = await server.acall("POST", f"/api/sessions/{code}/rounds")
        assert started["round"] == number
        for game in started["games"]:
            seats = list(game["players"].values())
            for index, p in enumerate(seats):
                if p is not None:
                    roles.setdefault(p, []).append(index)
            if None not in seats:
                met.append(frozenset(seats))
        await server.acall("POST", f"/api/sessions/{code}/end-round")
        if number == 1:
            assert server.terminate() in (0, -signal.SIGTERM)
            server.start()
            players.append(await Player(server, code, "Dee").join())
    assert len(met) == 5 and len(set(met)) == 5, "nobody met a partner twice"
    assert all(abs(r.count(0) - r.count(1)) <= 1 for r in roles.values()), roles


def test_the_pairing_benchmark_prints_its_checks() -> None:
    done = subprocess.run(
        [sys.executable, "bench/bench_pairing.py", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    small = next(line for line in lines if line.startswith("5 players x 4 rounds"))
    assert "repeated pairs 0" in small and "largest difference 0" in small, small
    assert any("no avoidable repeat: yes" in line for line in lines), done.stdout
    assert any(line.startswith("p99 ms") for line in lines), done.stdout
