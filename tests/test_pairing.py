"""Pairing: new partners while any are left, and each player's roles kept even."""

from __future__ import annotations

from collections import Counter

from zopa.server.pairing import History, pair_players

ROLES = ("seller", "buyer")


def play_rounds(players: list[str], rounds: int) -> tuple[dict[str, Counter[str]], list[set[str]]]:
    roles: dict[str, Counter[str]] = {p: Counter() for p in players}
    partners: dict[str, set[str]] = {p: set() for p in players}
    met: list[set[str]] = []
    for n in range(rounds):
        history = {p: History(dict(roles[p]), frozenset(partners[p])) for p in players}
        pairs = pair_players(players, history, ROLES, seed=n)
        seated = [p for pair in pairs for p in pair.seats.values() if p is not None]
        assert sorted(seated) == sorted(players), "everyone plays every round"
        for pair in pairs:
            a, b = pair.seats["seller"], pair.seats["buyer"]
            for role, p in pair.seats.items():
                if p is not None:
                    roles[p][role] += 1
            if a is not None and b is not None:
                met.append({a, b})
                partners[a].add(b)
                partners[b].add(a)
    return roles, met


def test_six_players_meet_new_partners_for_five_rounds() -> None:
    players = [f"p{i}" for i in range(6)]
    _, met = play_rounds(players, 5)
    assert len({frozenset(m) for m in met}) == len(met), "nobody meets the same partner twice"


def test_roles_stay_even_over_rounds() -> None:
    players = [f"p{i}" for i in range(8)]
    roles, _ = play_rounds(players, 6)
    for counts in roles.values():
        assert abs(counts["seller"] - counts["buyer"]) <= 1, counts


def test_the_odd_player_out_gets_the_bot_and_the_role_they_need() -> None:
    history = {"a": History({"seller": 2}), "b": History(), "c": History()}
    for seed in range(20):
        pairs = pair_players(["a", "b", "c"], history, ROLES, seed)
        assert len(pairs) == 2
        bot_pairs = [p for p in pairs if None in p.seats.values()]
        assert len(bot_pairs) == 1
        a_role = next(r for pair in pairs for r, p in pair.seats.items() if p == "a")
        assert a_role == "buyer", "a has played seller twice"


def test_pairing_is_reproducible_from_its_seed() -> None:
    players = [f"p{i}" for i in range(10)]
    assert pair_players(players, {}, ROLES, 5) == pair_players(players, {}, ROLES, 5)


def test_a_very_large_session_is_paired_without_recursion_limits() -> None:
    players = [f"p{i}" for i in range(3001)]
    history = {
        p: History({"seller": i % 2}, frozenset({players[i - 1]})) for i, p in enumerate(players)
    }
    pairs = pair_players(players, history, ROLES, seed=3)
    seated = [p for pair in pairs for p in pair.seats.values() if p is not None]
    assert sorted(seated) == sorted(players)
    for pair in pairs:
        a, b = pair.seats["seller"], pair.seats["buyer"]
        if a is not None and b is not None:
            assert b not in history[a].partners
