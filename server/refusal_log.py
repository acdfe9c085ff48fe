"""Refusals logged as counts: the first of a kind at once, the rest as one line a period.

A guessing script, a flood of bad frames or a crowd of slow connections would otherwise
write a log line per attempt, and fill the disk as fast as it can try. Each kind of
refusal is logged in full the first time in a period (so the log still says what was
refused, and to whom); the ones after it in that period are counted, and one line at
the period's end says how many came and from how many addresses.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

# Addresses remembered per kind and period, for the count of distinct ones: beyond this a
# flood's spread is reported as "at least".
MAX_ADDRESSES = 1000


@dataclass(slots=True)
class _Tally:
    level: int
    more: int = 0
    addresses: set[str] = field(default_factory=set)


class RefusalLog:
    def __init__(self, logger: logging.Logger, seconds: float) -> None:
        self.logger = logger
        self.seconds = seconds
        self._tallies: dict[str, _Tally] = {}
        self._flush: asyncio.TimerHandle | None = None

    def note(
        self,
        what: str,
        address: str | None,
        level: int = logging.INFO,
        detail: str = "",
        **extra: Any,
    ) -> None:
        """One refusal: ``what`` names its kind; ``detail``, if any, goes in its first line."""
        tally = self._tallies.get(what)
        if tally is None:
            self._tallies[what] = tally = _Tally(level)
            if address is not None:
                tally.addresses.add(address)
            line = f"{what}: {detail}" if detail else what
            self.logger.log(level, "%s", line, extra={"client": address, **extra})
            if self._flush is None:
                loop = asyncio.get_running_loop()
                self._flush = loop.call_later(self.seconds, self.flush)
            return
        tally.more += 1
        if address is not None and len(tally.addresses) < MAX_ADDRESSES:
            tally.addresses.add(address)

    def flush(self) -> None:
        """Log the counts of the period now ending and start a new one."""
        self._flush = None
        tallies, self._tallies = self._tallies, {}
        for what, tally in tallies.items():
            if tally.more == 0:
                continue
            spread = len(tally.addresses)
            self.logger.log(
                tally.level,
                "%s: %d more in the last %g s, from %s%d address%s",
                what,
                tally.more,
                self.seconds,
                "at least " if spread >= MAX_ADDRESSES else "",
                spread,
                "" if spread == 1 else "es",
            )

    def stop(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
            self.flush()


# uvicorn's complaints about what a client sent: a line each, one with a traceback.
CLIENT_FAULTS = {
    "Invalid HTTP request received.": "invalid HTTP request",
    "Invalid UTF-8 sequence received from client.": "invalid UTF-8 in a text frame",
    "Unsupported upgrade request.": "unsupported upgrade request",
}


class ClientFaults(logging.Filter):
    """On uvicorn's error logger: its complaints about clients become counted refusals.

    A client's protocol error is the client's doing, not the server's: it is logged as
    one line without a traceback, and a flood of them as counts. Every other record,
    a real error in the server above all, passes unchanged.
    """

    def __init__(self, refusals: RefusalLog) -> None:
        super().__init__()
        self.refusals = refusals

    def filter(self, record: logging.LogRecord) -> bool:
        what = CLIENT_FAULTS.get(str(record.msg))
        if what is None:
            return True
        self.refusals.note(what, None)
        return False
