"""Garbage collection tuned for a game server.

The heap is mostly long-lived and acyclic: sockets, games, their events. CPython's
automatic collector walks all of it again and again as it grows, and at thousands of
players its pauses ruled the latency (docs/performance.md). So automatic collection is
off; a sweep every half minute (``ZOPA_GC_SWEEP_SECONDS``) collects the cycles made
since the last one and freezes what survives (frozen objects are skipped by later
sweeps but still freed by reference counting). Cycles that die after being frozen
would never be found, so every ten minutes (``ZOPA_GC_FULL_SECONDS``) everything is
unfrozen and collected in one longer, rare pause.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time

log = logging.getLogger("zopa.memory")


def take_over() -> None:
    """Freeze what start-up made and switch the automatic collector off."""
    gc.collect()
    gc.freeze()
    gc.disable()


def sweep(full: bool) -> int:
    started = time.perf_counter()
    if full:
        gc.unfreeze()
    found = gc.collect()
    gc.freeze()
    log.debug(
        "%s sweep: %d unreachable in %.1f ms",
        "full" if full else "quick",
        found,
        1000 * (time.perf_counter() - started),
    )
    return found


async def sweep_forever(every: float, full_every: float) -> None:
    last_full = time.monotonic()
    while True:
        await asyncio.sleep(every)
        full = time.monotonic() - last_full >= full_every
        if full:
            last_full = time.monotonic()
        sweep(full)
