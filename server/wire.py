"""The one place messages become frames and frames become messages.

JSON text frames by default; binary MessagePack frames for a client that asked for the
``zopa.msgpack`` subprotocol. Both carry the same dicts.
"""

from __future__ import annotations

from typing import Any

import msgpack
import orjson

MSGPACK = "zopa.msgpack"


class BadFrame(Exception):
    """A frame that is not a message; ``code`` says how the socket answers it."""

    def __init__(self, message: str, close: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.close = close  # close the socket with this code, or None to answer with an error


def encode(message: dict[str, Any], binary: bool) -> str | bytes:
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
