"""Server settings, read once from the environment (and the ``zopa serve`` flags)."""

from __future__ import annotations

import dataclasses
import os
import secrets
from dataclasses import dataclass, field

MIN_KEY_LENGTH = 16


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
    # Live solo practice games at most: anyone may start one, so they are capped.
    max_practice_games: int = 500
    # Seconds between garbage sweeps, and between full ones (server/memory.py); 0 leaves
    # Python's automatic collector on.
    gc_sweep_seconds: float = 30.0
    gc_full_seconds: float = 600.0
    # Least seconds between the starts of two storage commits: moves arriving meanwhile
    # share the next commit, and its fsync. 0 commits as soon as the last one is done.
    commit_interval: float = 0.002
    # Proxies whose X-Forwarded-For/-Proto are believed (addresses or networks, comma-separated):
    # anyone else could claim any address, so only the reverse proxy in front is trusted.
    forwarded_allow_ips: str = "127.0.0.1,::1"
    # Sessions created this recently are loaded at start-up (with any that has a live game
    # or a tournament round still to start); older ones are loaded when first asked for.
    recent_seconds: float = 24 * 3600.0
    # Folders of scenario files added to the library at start (``zopa serve --scenarios``).
    scenario_folders: tuple[str, ...] = ()
    # The limits that keep a hostile network from exhausting the server (docs/security.md).
    # Largest request body, and the seconds it may take to arrive.
    max_body_bytes: int = 16 * 1024
    body_seconds: float = 10.0
    # Seconds a connection has to send a request's headers (a websocket's handshake too).
    header_seconds: float = 10.0
    # Open connections at most: overall (lowered to fit the file limit), from one address,
    # and websockets per player (a newer one replaces the oldest).
    max_connections: int = 10_000
    max_connections_per_address: int = 1_000
    max_sockets_per_player: int = 4
    # New connections one address may open, as "count/seconds" (rate_limits.py).
    connection_limit: str = "2000/40"
    # Per address: creations and failed guesses, as "count/seconds" (rate_limits.py).
    rate_limits: bool = True
    join_limit: str = "300/60"
    practice_limit: str = "60/600"
    guess_limit: str = "30/60"
    # Seconds between two summary lines of refusals counted rather than logged one by one.
    refusal_log_seconds: float = 60.0
    # An ended practice game leaves memory after `practice_linger_seconds` and the
    # database after `practice_retention_seconds`; both are looked at every sweep.
    practice_linger_seconds: float = 600.0
    practice_retention_seconds: float = 86_400.0
    practice_sweep_seconds: float = 60.0
    # A session older than `recent_seconds` that nobody has asked for in `idle_seconds`,
    # with no live game and nobody connected, leaves memory (idle_sessions.py); looked
    # at every `idle_sweep_seconds` (0: never).
    idle_seconds: float = 600.0
    idle_sweep_seconds: float = 60.0


def settings_from_env(database: str | None = None) -> Settings:
    """Settings from ``ZOPA_*`` variables (docs/deploy.md lists them)."""
    defaults = Settings()
    base = Settings(
        database=database
        or os.environ.get("ZOPA_DATABASE")
        or os.environ.get("ZOPA_DB", "zopa.db"),
        grace_seconds=_number("ZOPA_GRACE_SECONDS", defaults.grace_seconds),
        rate=_number("ZOPA_RATE", defaults.rate),
        burst=_number("ZOPA_BURST", defaults.burst),
        hello_seconds=_number("ZOPA_HELLO_SECONDS", defaults.hello_seconds),
        bot_tick=_number("ZOPA_BOT_TICK", defaults.bot_tick),
        max_practice_games=int(_number("ZOPA_MAX_PRACTICE_GAMES", defaults.max_practice_games)),
        gc_sweep_seconds=_number("ZOPA_GC_SWEEP_SECONDS", defaults.gc_sweep_seconds),
        gc_full_seconds=_number("ZOPA_GC_FULL_SECONDS", defaults.gc_full_seconds),
        max_frame_bytes=int(_number("ZOPA_MAX_FRAME_BYTES", defaults.max_frame_bytes)),
        commit_interval=_number("ZOPA_COMMIT_INTERVAL", defaults.commit_interval),
        forwarded_allow_ips=os.environ.get("ZOPA_FORWARDED_ALLOW_IPS", "")
        or defaults.forwarded_allow_ips,
        recent_seconds=3600 * _number("ZOPA_RECENT_HOURS", defaults.recent_seconds / 3600),
        scenario_folders=tuple(
            f for f in os.environ.get("ZOPA_SCENARIOS", "").split(os.pathsep) if f
        ),
        max_body_bytes=int(_number("ZOPA_MAX_BODY_BYTES", defaults.max_body_bytes)),
        body_seconds=_number("ZOPA_BODY_SECONDS", defaults.body_seconds),
        header_seconds=_number("ZOPA_HEADER_SECONDS", defaults.header_seconds),
        max_connections=int(_number("ZOPA_MAX_CONNECTIONS", defaults.max_connections)),
        max_connections_per_address=int(
            _number("ZOPA_MAX_CONNECTIONS_PER_ADDRESS", defaults.max_connections_per_address)
        ),
        max_sockets_per_player=int(
            _number("ZOPA_MAX_SOCKETS_PER_PLAYER", defaults.max_sockets_per_player)
        ),
        connection_limit=os.environ.get("ZOPA_CONNECTION_LIMIT", "") or defaults.connection_limit,
        rate_limits=_switch("ZOPA_RATE_LIMITS", defaults.rate_limits),
        join_limit=os.environ.get("ZOPA_JOIN_LIMIT", "") or defaults.join_limit,
        practice_limit=os.environ.get("ZOPA_PRACTICE_LIMIT", "") or defaults.practice_limit,
        guess_limit=os.environ.get("ZOPA_GUESS_LIMIT", "") or defaults.guess_limit,
        refusal_log_seconds=_number("ZOPA_REFUSAL_LOG_SECONDS", defaults.refusal_log_seconds),
        practice_linger_seconds=_number(
            "ZOPA_PRACTICE_LINGER_SECONDS", defaults.practice_linger_seconds
        ),
        practice_retention_seconds=_number(
            "ZOPA_PRACTICE_RETENTION_SECONDS", defaults.practice_retention_seconds
        ),
        practice_sweep_seconds=_number(
            "ZOPA_PRACTICE_SWEEP_SECONDS", defaults.practice_sweep_seconds
        ),
        idle_seconds=_number("ZOPA_IDLE_SECONDS", defaults.idle_seconds),
        idle_sweep_seconds=_number("ZOPA_IDLE_SWEEP_SECONDS", defaults.idle_sweep_seconds),
    )
    key = os.environ.get("ZOPA_FACILITATOR_KEY", "")
    if key:
        if len(key) < MIN_KEY_LENGTH:
            # A short key falls to guessing; refuse to start rather than run open.
            raise SystemExit(
                f"zopa: ZOPA_FACILITATOR_KEY must be at least {MIN_KEY_LENGTH} characters "
                f"(it has {len(key)}); pick a longer one, e.g. "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(18))'"
            )
        return dataclasses.replace(base, facilitator_key=key, key_generated=False)
    return base


def _switch(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("on", "1", "yes", "true"):
        return True
    if raw in ("off", "0", "no", "false"):
        return False
    raise SystemExit(f"zopa: {name} must be on or off (found {raw!r})")
