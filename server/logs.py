"""Log lines for an operator: readable by default, one JSON object per line on request.

A readable line is the time, the level when it is not ``info``, the message and the ids
it concerns (``session=KQ7RTA game=g…``); ``--log-format json`` (or ``ZOPA_LOG_FORMAT``)
writes the same fields as JSON for a log collector. At ``info`` the server writes one
line per thing worth an operator's attention (start, a session opened, a round started,
warnings); every connection and every game's end are ``debug``.
"""

from __future__ import annotations

import logging
import sys
import time

import orjson

_CONTEXT = ("session", "game", "player", "client", "scheme")
FORMATS = ("text", "json")
LEVELS = ("debug", "info", "warning")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in _CONTEXT:
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


class TextFormatter(logging.Formatter):
    """``21:58:32 session opened on guitar  session=FQR9FP``: local time, for the person
    at the terminal."""

    def format(self, record: logging.LogRecord) -> str:
        parts = [time.strftime("%H:%M:%S", time.localtime(record.created))]
        if record.levelno != logging.INFO:
            parts.append(record.levelname.lower())
        parts.append(record.getMessage())
        ids = [f"{key}={value}" for key in _CONTEXT if (value := getattr(record, key, None))]
        line = " ".join(parts) + ("  " + " ".join(ids) if ids else "")
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure(level: str = "info", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger("zopa")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
