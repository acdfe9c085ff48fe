"""Server settings, read once from the environment (and the ``zopa serve`` flags)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"zopa: {name} must be a number (found {raw!r})") from None


@dataclass(frozen=True, slots=True)
class Settings:
    database: str = "zopa.db"
    # Generated when not configured, so a fresh install is never open to anyone.
    facilitator_key: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    key_generated: bool = True
    # A player away longer than this may have a bot take their seat (docs/protocol.md).
    grace_seconds: float = 60.0
    # Largest websocket frame accepted; bigger ones close the socket with 1009.
    max_frame_bytes: int = 16 * 1024
    # Per connection: a bucket of `burst` messages refilled at `rate` per second.
    rate: float = 10.0
    burst: float = 30.0
    # Seconds a new socket has to say hello.
    hello_seconds: float = 10.0
    # How often the server records that it is alive, so downtime can be left off clocks.
    heartbeat_seconds: float = 1.0
    # Seconds between a bot's looks at its game.
    bot_tick: float = 1.0


def settings_from_env(database: str | None = None) -> Settings:
    key = os.environ.get("ZOPA_FACILITATOR_KEY", "")
    base = Settings(
        database=database or os.environ.get("ZOPA_DB", "zopa.db"),
        grace_seconds=_number("ZOPA_GRACE_SECONDS", 60.0),
        rate=_number("ZOPA_RATE", 10.0),
        burst=_number("ZOPA_BURST", 30.0),
    )
    if key:
        return Settings(
            database=base.database,
            facilitator_key=key,
            key_generated=False,
            grace_seconds=base.grace_seconds,
            rate=base.rate,
            burst=base.burst,
        )
    return base
