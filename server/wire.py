"""The one place messages become frames and frames become messages.

JSON text frames by default; binary MessagePack frames for a client that asked for the
``zopa.msgpack`` subprotocol. Both carry the same dicts.
"""

from __future__ import annotations

from typing import Any

import msgpack
import orjson

from zopa.server.errors import Invalid

MSGPACK = "zopa.msgpack"


class BadFrame(Invalid):
    """A frame that is not a message; ``close`` says how the socket answers it."""

    default_code = "bad_message"

    def __init__(self, message: str, close: int | None = None) -> None:
        super().__init__(message)
        self.close = close  # close the socket with this code, or None to answer with an error


class Prepared:
    """A message sent to several sockets, encoded at most once per format."""

    __slots__ = ("_json", "_packed", "message")

    def __init__(self, message: dict[str, Any]) -> None:
        self.message = message
        self._json: str | None = None
        self._packed: bytes | None = None

    def encoded(self, binary: bool) -> str | bytes:
        if binary:
            if self._packed is None:
                self._packed = msgpack.packb(self.message, use_bin_type=True)
            return self._packed
        if self._json is None:
            self._json = orjson.dumps(self.message).decode()
        return self._json


def encode(message: dict[str, Any] | Prepared, binary: bool) -> str | bytes:
    if isinstance(message, Prepared):
        return message.encoded(binary)
    if binary:
        packed: bytes = msgpack.packb(message, use_bin_type=True)
        return packed
    return orjson.dumps(message).decode()


def decode(text: str | None, data: bytes | None, binary: bool) -> dict[str, Any]:
    if binary:
        if data is None:
            raise BadFrame("this socket speaks MessagePack: send binary frames", close=1003)
        try:
            message = msgpack.unpackb(data, raw=False, strict_map_key=True)
        except (ValueError, TypeError, msgpack.UnpackException) as exc:
            raise BadFrame(f"not MessagePack: {exc}") from exc
    else:
        if text is None:
            raise BadFrame("this socket speaks JSON: send text frames", close=1003)
        try:
            message = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise BadFrame(f"not JSON: {exc}") from exc
    if not isinstance(message, dict):
        raise BadFrame("a message is an object with a 'type'")
    if not isinstance(message.get("type"), str):
        raise BadFrame("a message needs a string 'type'")
    return message
