"""The server's exceptions. One root, so callers can catch everything the server refuses.

ServerError
└── Refused      a request that cannot be done: an HTTP status and a code for the client
    ├── TooMany  over a limit for now: 429, and the seconds until it is worth trying again
    └── Cut      a request body refused while it arrived (413, 408): the connection closes
"""

from __future__ import annotations

import math


class ServerError(Exception):
    pass


class Refused(ServerError):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def headers(self) -> dict[str, str]:
        """Headers the HTTP answer carries besides the error object."""
        return {}


class TooMany(Refused):
    def __init__(self, code: str, message: str, retry_after: float) -> None:
        super().__init__(429, code, message)
        # Whole seconds, at least one: what the Retry-After header can say.
        self.retry_after = max(1, math.ceil(retry_after))

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class Cut(Refused):
    def headers(self) -> dict[str, str]:
        # The rest of the body is never read: the connection ends with the answer.
        return {"Connection": "close"}
