"""Per-address rate limits: on creating things without a login, and on failed guesses.

Anyone who can reach the server may join a session with a code, start a practice game,
or try a code, the facilitator key or a player token. Each address has a bucket per
kind (``count/seconds``: at most ``count`` at once, refilled at ``count`` per
``seconds``):

- **creations** (``join``, ``practice``) take from their bucket on every try;
- **guesses** (``code``, ``key``, ``token``) take from theirs on every failure, and an
  address whose bucket is empty is answered 429 (and a websocket hello closed with 4429)
  without its guess being looked at, until it refills: right or wrong, no guess counts
  while locked out.

The address is the connection's peer, or the one a trusted proxy forwarded
(``--forwarded-allow-ips``; uvicorn has put it in the ASGI scope). The defaults let a
whole class behind one school address join at once; ``ZOPA_RATE_LIMITS=off`` lifts
every per-address limit, for load tests. Failures are logged as counts
(server/refusal_log.py).
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zopa.server.config import Settings
from zopa.server.errors import TooMany
from zopa.server.http_api import error_response
from zopa.server.refusal_log import RefusalLog
from zopa.server.scope import client_address, route_path

JOIN = "join"
PRACTICE = "practice"
CODE = "code"
KEY = "key"
TOKEN = "token"
# What a refusal says the address did too often.
TOO_MANY = {
    JOIN: "joins",
    PRACTICE: "practice games",
    CODE: "unknown join codes",
    KEY: "wrong facilitator keys",
    TOKEN: "unknown player tokens",
}
# Buckets kept before the full ones (addresses quiet long enough) are let go.
PRUNE_AT = 10_000


@dataclass(frozen=True, slots=True)
class Limit:
    count: float
    seconds: float

    @classmethod
    def parse(cls, text: str, name: str) -> Limit:
        """``"300/60"``: 300 at once, refilled at 300 a minute."""
        found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*s?\s*", text)
        if found is None or float(found[1]) < 1 or float(found[2]) <= 0:
            raise SystemExit(f"zopa: {name} must be COUNT/SECONDS, e.g. 300/60 (found {text!r})")
        return cls(float(found[1]), float(found[2]))


class Buckets:
    """One token bucket per address."""

    def __init__(self, limit: Limit, clock: Callable[[], float]) -> None:
        self.capacity = limit.count
        self.rate = limit.count / limit.seconds
        self.clock = clock
        self._held: dict[str, tuple[float, float]] = {}  # address -> (tokens, at)

    def _tokens(self, address: str, now: float) -> float:
        tokens, at = self._held.get(address, (self.capacity, now))
        return min(self.capacity, tokens + (now - at) * self.rate)

    def wait(self, address: str) -> float:
        """Seconds until the address has a token; 0 if it has one now."""
        tokens = self._tokens(address, self.clock())
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def take(self, address: str) -> float:
        """Take a token if there is one (0); else the seconds until there is one."""
        now = self.clock()
        tokens = self._tokens(address, now)
        if tokens < 1:
            return (1 - tokens) / self.rate
        if len(self._held) >= PRUNE_AT:
            self._prune(now)
        self._held[address] = (tokens - 1, now)
        return 0.0

    def _prune(self, now: float) -> None:
        full = [a for a in self._held if self._tokens(a, now) >= self.capacity]
        for address in full:
            del self._held[address]


class RateLimits:
    def __init__(
        self, settings: Settings, refusals: RefusalLog, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.enabled = settings.rate_limits
        self.refusals = refusals
        guesses = Limit.parse(settings.guess_limit, "ZOPA_GUESS_LIMIT")
        self._buckets = {
            JOIN: Buckets(Limit.parse(settings.join_limit, "ZOPA_JOIN_LIMIT"), clock),
            PRACTICE: Buckets(Limit.parse(settings.practice_limit, "ZOPA_PRACTICE_LIMIT"), clock),
            CODE: Buckets(guesses, clock),
            KEY: Buckets(guesses, clock),
            TOKEN: Buckets(guesses, clock),
        }

    def create(self, kind: str, address: str) -> None:
        """One more creation of ``kind`` from the address; TooMany if over its limit."""
        if self.enabled:
            self._refuse_after(self._buckets[kind].take(address), kind, address)

    def guard(self, kind: str, address: str) -> None:
        """TooMany if the address has failed too many guesses of ``kind`` lately."""
        if self.enabled:
            self._refuse_after(self._buckets[kind].wait(address), kind, address)

    def failed(self, kind: str, address: str, what: str, **extra: str) -> None:
        """A wrong guess: counted against the address, and logged as a count."""
        self.refusals.note(what, address, logging.INFO, **extra)
        if self.enabled:
            self._buckets[kind].take(address)

    def _refuse_after(self, wait: float, kind: str, address: str) -> None:
        if wait <= 0:
            return
        self.refusals.note(f"rate limited: too many {TOO_MANY[kind]}", address, logging.WARNING)
        seconds = math.ceil(wait)
        raise TooMany(
            f"too many {TOO_MANY[kind]} from your address; try again in {seconds} s", seconds
        )


_JOIN = re.compile(r"/api/sessions/[^/]+/players")
_PUBLIC = re.compile(r"/api/sessions/[^/]+/standings/public")
# Calls whose Bearer is a player's token rather than the facilitator key.
_PLAYER_BEARER = re.compile(r"/api/me/.*|/api/games/[^/]+/analysis")


class RateLimited:
    """The HTTP side: sorts each request into the limits it falls under (ASGI middleware)."""

    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        address = client_address(scope)
        try:
            watched = self._check(scope, address)
        except TooMany as refused:
            await error_response(refused)(scope, receive, send)
            return
        if not watched:
            await self.app(scope, receive, send)
            return

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in watched:
                kind, what = watched[message["status"]]
                self.limits.failed(kind, address, what)
            await send(message)

        await self.app(scope, receive, counting)

    def _check(self, scope: Scope, address: str) -> dict[int, tuple[str, str]]:
        """Refuse now (TooMany), or say which answers count as failed guesses of what."""
        limits = self.limits
        path, method = route_path(scope), scope["method"]
        watched: dict[int, tuple[str, str]] = {}
        if method == "POST" and path == "/api/practice":
            limits.create(PRACTICE, address)
        elif method == "POST" and _JOIN.fullmatch(path):
            limits.guard(CODE, address)
            limits.create(JOIN, address)
            watched[404] = (CODE, "join with an unknown code")
        elif method == "GET" and _PUBLIC.fullmatch(path):
            limits.guard(CODE, address)
            watched[404] = (CODE, "standings asked with an unknown code")
        if any(name == b"authorization" for name, _ in scope["headers"]):
            if _PLAYER_BEARER.fullmatch(path):
                limits.guard(TOKEN, address)
                watched[401] = (TOKEN, "a call with an unknown player token")
            else:
                limits.guard(KEY, address)
                watched[401] = (KEY, "a call with a wrong facilitator key")
        return watched
