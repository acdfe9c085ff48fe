"""The server's exceptions. One root, so callers can catch everything the server refuses.

ServerError
└── Refused   a request that cannot be done: an HTTP status and a code for the client
"""

from __future__ import annotations


class ServerError(Exception):
    pass


class Refused(ServerError):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
