"""Pairing a round: who plays whom, in which role, and who gets a bot.

Pure and seeded, so a round's pairing is reproducible from its inputs. Two aims, in
order: nobody meets a partner they have already met while someone new is available,
and over the rounds every player plays each role as equally as possible.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

BOT = None  # the partner of the odd player out


@dataclass(frozen=True, slots=True)
class History:
    """What one player has done in earlier rounds of the session."""

    roles: Mapping[str, int] = field(default_factory=dict)  # role -> times played
    partners: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Pair:
    # role -> player id, or None for the bot's seat
    seats: Mapping[str, str | None]


def _lean(history: History, roles: tuple[str, str]) -> int:
    """How much more often the player has played the first role than the second."""
    return history.roles.get(roles[0], 0) - history.roles.get(roles[1], 0)


def pair_players(
    players: Sequence[str],
    history: Mapping[str, History],
    roles: tuple[str, str],
    seed: int,
) -> list[Pair]:
    """Pairs for a round; with an odd number, the player who most needs a game gets the bot."""
    rng = random.Random(seed)
    pool = list(players)
    rng.shuffle(pool)
    empty = History()
    # Players leaning hardest to one role are placed first, so they get the other.
    pool.sort(key=lambda p: -abs(_lean(history.get(p, empty), roles)))
    pairs: list[Pair] = []
    while len(pool) >= 2:
        first = pool.pop(0)
        seen = history.get(first, empty).partners

        def cost(
            candidate: str, first: str = first, seen: frozenset[str] = seen
        ) -> tuple[int, int]:
            repeat = 1 if candidate in seen else 0
            return (repeat, -_complement(history, first, candidate, roles))

        second = min(pool, key=cost)
        pool.remove(second)
        pairs.append(Pair(_assign(history, first, second, roles)))
    if pool:
        alone = pool[0]
        lean = _lean(history.get(alone, empty), roles)
        role = roles[1] if lean > 0 else roles[0]
        other = roles[0] if role == roles[1] else roles[1]
        pairs.append(Pair({role: alone, other: BOT}))
    return pairs


def _complement(history: Mapping[str, History], a: str, b: str, roles: tuple[str, str]) -> int:
    """How well two players' role needs fit together: opposite leans fit best."""
    empty = History()
    return abs(_lean(history.get(a, empty), roles) - _lean(history.get(b, empty), roles))


def _assign(
    history: Mapping[str, History], a: str, b: str, roles: tuple[str, str]
) -> dict[str, str | None]:
    empty = History()
    # The one who has played the first role more takes the second.
    if _lean(history.get(a, empty), roles) > _lean(history.get(b, empty), roles):
        return {roles[0]: b, roles[1]: a}
    return {roles[0]: a, roles[1]: b}
