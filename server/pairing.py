"""Pairing a round: who plays whom, in which role, and who gets a bot.

Pure and seeded, so a round's pairing is reproducible from its inputs. Two aims, in
order: nobody meets a partner they have already met while a pairing of new partners
exists, and over the rounds every player plays each role as equally as possible (two
players owed the same role are not paired while another pairing exists).

Finding a repeat-free pairing is a perfect-matching search; a greedy pass fails on
late rounds of small classes (six players, round five), so it is a depth-first search
that tries the most constrained player first, with a step budget after which it
settles for the pairing with the fewest repeats a greedy pass finds.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

# Each step costs time linear in the class size, so large classes get a budget that
# allows little backtracking: their pairings have plenty of room anyway.
SEARCH_STEPS = 20_000
SEARCH_STEPS_LARGE = 2_000  # beyond one step per pair
# Above this many players, picking the most constrained player costs more than it saves.
CONSTRAINED_FIRST_UP_TO = 60


@dataclass(frozen=True, slots=True)
class History:
    """What one player has done in earlier rounds of the session."""

    roles: Mapping[str, int] = field(default_factory=dict)  # role -> times played
    partners: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Pair:
    # role -> player id, or None for the bot's seat
    seats: Mapping[str, str | None]


def pair_players(
    players: Sequence[str],
    history: Mapping[str, History],
    roles: tuple[str, str],
    seed: int,
) -> list[Pair]:
    """Pairs for a round; with an odd number, one player is seated with a bot."""
    empty = History()
    past = {p: history.get(p, empty) for p in players}
    pool = list(players)
    random.Random(seed).shuffle(pool)
    pairs: list[Pair] = []
    if len(pool) % 2:
        # The player leaning hardest to one role sits with the bot in the other.
        alone = max(pool, key=lambda p: abs(_lean(past[p], roles)))
        pool.remove(alone)
        role = roles[1] if _lean(past[alone], roles) > 0 else roles[0]
        other = roles[0] if role == roles[1] else roles[1]
        pairs.append(Pair({role: alone, other: None}))
    matched = (
        _search(pool, past, roles, strict_roles=True)
        or _search(pool, past, roles, strict_roles=False)
        or _greedy(pool, past, roles)
    )
    return [Pair(_assign(past, a, b, roles)) for a, b in matched] + pairs


def _lean(history: History, roles: tuple[str, str]) -> int:
    """How much more often the player has played the first role than the second."""
    return history.roles.get(roles[0], 0) - history.roles.get(roles[1], 0)


def _search(
    pool: list[str], past: Mapping[str, History], roles: tuple[str, str], strict_roles: bool
) -> list[tuple[str, str]] | None:
    """A repeat-free pairing; with ``strict_roles``, also never two players owed the same role.

    Depth-first with an explicit stack (a class of thousands would overflow Python's
    recursion limit): each frame is a player and the partners still to try for them.
    """
    lean = {p: _lean(past[p], roles) for p in pool}

    def fits(a: str, b: str) -> bool:
        if b in past[a].partners:
            return False
        return not strict_roles or lean[a] * lean[b] <= 0

    def choices(first: str, rest: list[str]) -> Iterator[str]:
        # Opposite leans first: each then gets the role they are owed.
        yield from (q for q in rest if lean[first] * lean[q] < 0 and fits(first, q))
        yield from (q for q in rest if lean[first] * lean[q] >= 0 and fits(first, q))

    budget = SEARCH_STEPS if len(pool) <= 200 else len(pool) // 2 + SEARCH_STEPS_LARGE
    stack: list[tuple[list[str], str, Iterator[str]]] = []
    pairs: list[tuple[str, str]] = []
    remaining = list(pool)
    steps = 0
    while remaining:
        steps += 1
        if steps > budget:
            return None
        if len(remaining) <= CONSTRAINED_FIRST_UP_TO:
            first = min(remaining, key=lambda p: sum(fits(p, q) for q in remaining if q != p))
        else:
            first = remaining[0]
        rest = [q for q in remaining if q != first]
        stack.append((rest, first, choices(first, rest)))
        while True:
            if not stack:
                return None
            rest, first, options = stack[-1]
            second = next(options, None)
            if len(pairs) == len(stack):
                pairs.pop()  # this frame's previous choice failed further down
            if second is None:
                stack.pop()
                continue
            pairs.append((first, second))
            remaining = [q for q in rest if q != second]
            break
    return pairs


def _greedy(
    pool: list[str], past: Mapping[str, History], roles: tuple[str, str]
) -> list[tuple[str, str]]:
    left = list(pool)
    pairs = []
    while left:
        first = left.pop(0)
        second = min(
            left,
            key=lambda q: (
                q in past[first].partners,
                -abs(_lean(past[first], roles) - _lean(past[q], roles)),
            ),
        )
        left.remove(second)
        pairs.append((first, second))
    return pairs


def _assign(
    past: Mapping[str, History], a: str, b: str, roles: tuple[str, str]
) -> dict[str, str | None]:
    # The one who has played the first role more takes the second.
    if _lean(past[a], roles) > _lean(past[b], roles):
        return {roles[0]: b, roles[1]: a}
    return {roles[0]: a, roles[1]: b}
