"""The facilitator key kept beside the database, so a bookmarked facilitator page keeps
working after a restart.

Used when ``ZOPA_FACILITATOR_KEY`` is not set: the first start makes a key and writes it
to ``<database>.key`` (``zopa.db`` → ``zopa.key``), readable by its owner only; every
later start on that database reads it back. Deleting the file makes a new key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def key_path(database: str) -> Path:
    return Path(database).with_suffix(".key")


def kept_key(path: Path) -> tuple[str, bool]:
    """The key in ``path``, or a new one written there; and whether it was made now."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        key = ""
    if key:
        return key, False
    key = secrets.token_urlsafe(18)
    # Created with the owner's permissions only: the key opens every session.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(key + "\n")
    return key, True
