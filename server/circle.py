"""The circle method: a round robin's pairs and roles for each round.

A fixed class of n players, paired by ``circle_pairs`` for rounds 0 to n - 2 (n - 1
when n is odd, one player left out each round), meets every other player exactly once;
``circle_roles`` gives each player's role in each round so that nobody's counts of the
two roles ever differ by more than one. Pairing (``zopa.server.pairing``) starts from
these pairs and roles and changes only what its rules require.
"""

from __future__ import annotations

from collections.abc import Sequence

FIRST, SECOND = 0, 1


def circle_pairs(seats: Sequence[str], index: int) -> list[tuple[str, str]]:
    """Round ``index`` of the circle method, each pair (first role, second role) as de Werra
    orients it; with an odd count, the player facing the empty seat is left out."""
    return [(a, b) for a, b in _circle(seats, index) if a is not None and b is not None]


def left_out(seats: Sequence[str], index: int) -> str | None:
    """The player facing the empty seat in round ``index``: None for an even count."""
    for pair in _circle(seats, index):
        if None in pair:
            return pair[0] if pair[1] is None else pair[1]
    return None


def _circle(seats: Sequence[str], index: int) -> list[tuple[str | None, str | None]]:
    # One seat stays put and the others turn around it: with an odd count the one that
    # stays put is the empty seat, which is what lets every player alternate roles.
    fixed: str | None
    if len(seats) % 2:
        fixed, turning = None, list(seats)
    else:
        fixed, turning = (seats[0], list(seats[1:])) if seats else (None, [])
    r = len(turning)
    if r == 0:
        return []
    k = index % r
    # de Werra: the seat that stays put takes each role in turn.
    pairs: list[tuple[str | None, str | None]] = [
        (turning[k], fixed) if k % 2 == 0 else (fixed, turning[k])
    ]
    for i in range(1, (r + 1) // 2):
        up, down = turning[(k + i) % r], turning[(k - i) % r]
        pairs.append((up, down) if i % 2 else (down, up))
    return pairs


def circle_roles(seats: Sequence[str], index: int) -> dict[str, int]:
    """The role each player should take in round ``index`` of the circle.

    With an odd count, de Werra's orientation of the circle already alternates every
    player's roles between their byes. With an even count it cannot (some player plays
    the same role twice in a row somewhere), so the roles come in twos instead: two
    perfect matchings together form even cycles, so the players of rounds 2j and 2j+1
    two-colour with every pair of either round split between colours. The colour is the
    role in round 2j and the other role in round 2j+1, so each player's second game of
    the two is in the other role, and nobody's counts ever differ by more than one.
    """
    if len(seats) % 2:
        return {
            p: role
            for pair in _circle(seats, index)
            for role, p in enumerate(pair)
            if p is not None
        }
    first = index - index % 2
    links: dict[str, list[str]] = {p: [] for p in seats}
    for round_index in (first, first + 1):
        for a, b in circle_pairs(seats, round_index):
            links[a].append(b)
            links[b].append(a)
    colour: dict[str, int] = {}
    for seat in seats:
        if seat in colour:
            continue
        colour[seat] = FIRST
        stack = [seat]
        while stack:
            v = stack.pop()
            for w in links[v]:
                if w not in colour:
                    colour[w] = 1 - colour[v]
                    stack.append(w)
    return {p: colour[p] ^ (index % 2) for p in seats}
