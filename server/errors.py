"""The server's exceptions: one root, one subclass per kind of refusal.

They say what went wrong in the server's own terms, never how a transport reports it:
the HTTP edge (``http_api.status_of``, ``http_api.headers_of``) maps each kind to a
status and headers, the websocket edge (``ws.py``) to a close code or an ``error``
message. ``code`` is the machine-readable code clients see (docs/protocol.md lists them).

ServerError                 code, message
├── Invalid                 a request that breaks a rule of its form (bad_request)
│   └── wire.BadFrame       a websocket frame that is not a message (bad_message)
├── Unauthorized            a call without the key or token it needs (unauthorized)
├── NotFound                no such session, player, game, scenario or schedule
├── Conflict                the request is well formed but the state forbids it now
├── TooLarge                a request body over its limit (too_large)
├── TooSlow                 a request body that did not arrive in time (too_slow)
├── TooMany                 an address over a rate limit for now (rate_limited); retry_after
├── Busy                    a limit on live work is reached (too_many_games)
├── Damaged                 stored data that no longer reads back (bad_log)
├── Unavailable             storage takes no writes now (storage_unavailable)
│   └── Elsewhere           another worker serves this session now (session_elsewhere)
├── BadDatabase             a database file the server cannot start on (empty, foreign, damaged…)
├── bot_client.BotError     a bot cannot join or stay in its session (``zopa bots``)
├── agent_loader.AgentError an agent cannot be loaded (``zopa bots``; docs/agents.md)
│   └── agent_guard.Forfeit an agent raised or overran its move limit: it loses that game
└── commands.backup.BackupError   a backup could not be made (``zopa backup``)

The rules' own refusals are ``zopa.rules.errors.ActionRefused``, under that package's root.
"""

from __future__ import annotations

import math


class ServerError(Exception):
    default_code = "error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code


class Invalid(ServerError):
    default_code = "bad_request"


class Unauthorized(ServerError):
    default_code = "unauthorized"


class NotFound(ServerError):
    default_code = "not_found"


class Conflict(ServerError):
    default_code = "conflict"


class TooLarge(ServerError):
    default_code = "too_large"


class TooSlow(ServerError):
    default_code = "too_slow"


class TooMany(ServerError):
    default_code = "rate_limited"

    def __init__(self, message: str, retry_after: float, code: str | None = None) -> None:
        super().__init__(message, code)
        # Whole seconds, at least one: what an HTTP Retry-After header can say.
        self.retry_after = max(1, math.ceil(retry_after))


class Busy(ServerError):
    default_code = "too_many_games"


class Damaged(ServerError):
    default_code = "bad_log"


class Unavailable(ServerError):
    """Storage failed to write: nothing was changed, and the same request may work later."""

    default_code = "storage_unavailable"


class Elsewhere(Unavailable):
    """Another live worker owns the session (PostgreSQL, several workers): nothing was
    done here, and the same request, routed again, reaches the owner (docs/deploy.md)."""

    default_code = "session_elsewhere"
    # Seconds a client or proxy waits before asking again: the owner may be taking over.
    retry_after = 1


class BadDatabase(ServerError):
    """The database file cannot be used at all; the message names it and says what to do."""

    default_code = "bad_database"
