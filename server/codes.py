"""Join codes, player tokens and ids.

A join code is read aloud in a room and typed on a phone, so it avoids characters
that look or sound alike (0/O, 1/I/L, 5/S, 2/Z, 8/B, U/V) and has no case. Six of the
remaining 23 symbols give about 148 million codes: with a handful of live sessions,
guessing one by trying is hopeless before the session ends, and joining needs a name
only, never a secret beyond the code.
"""

from __future__ import annotations

import secrets

CODE_ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
CODE_LENGTH = 6


def join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """What the player typed, forgiving case, spaces and dashes."""
    return "".join(ch for ch in raw.upper() if ch not in " -")


def token() -> str:
    return secrets.token_urlsafe(24)


def new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(6)
