"""Seeded variety: numbers in [0, 1) drawn from the game's seed, the role and a purpose.

The rules package has no randomness of its own; a bot that varies its pace, its curve
or its words between games draws from the game's seed, so the same game always plays
the same way and replays from its log.
"""

from __future__ import annotations

import functools
import zlib

_MASK = (1 << 64) - 1


def _mix(x: int) -> int:
    # The splitmix64 finaliser: every input bit moves about half of the output bits.
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


@functools.lru_cache(maxsize=1024)
def _role_key(role: str) -> int:
    # crc32, not hash(): str hashes change from one process to the next.
    return zlib.crc32(role.encode())


@functools.lru_cache(maxsize=4096)
def unit(seed: int, role: str, purpose: int, n: int = 0) -> float:
    """A number in [0, 1), the same for the same arguments in every process."""
    x = _mix((seed & _MASK) ^ (_role_key(role) << 32))
    x = _mix(x ^ purpose)
    if n:
        x = _mix(x ^ (n & _MASK))
    return x / 2**64


def units(seed: int, role: str, first: int, second: int) -> tuple[float, float]:
    """``unit(seed, role, first)`` and ``unit(seed, role, second)``, mixing the seed and
    the role once: every side of every game draws two (its stance), which the cache of
    ``unit`` never finds, one seed a game."""
    x = _mix((seed & _MASK) ^ (_role_key(role) << 32))
    return _mix(x ^ first) / 2**64, _mix(x ^ second) / 2**64


def game_seed(seed: int, n: int) -> int:
    """The seed of the ``n``-th game of a series started from ``seed``."""
    return _mix(_mix(seed & _MASK) ^ n) & 0xFFFFFFFF
