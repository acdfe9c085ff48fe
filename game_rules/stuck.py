"""Flags on the facilitator's board for a pair that looks stuck (docs/web.md).

Pure: a game's state and events and the time in, the flags out; the server sends them
in the board's snapshot and the board only shows them.

- ``quiet``: no offer for ``quiet_seconds`` of wall time (since the start when there is
  none), while the negotiation clock runs; not raised while paused, on a break or in a
  walkout's window, when nobody is expected to offer.
- ``gap``: the gap between the sides' latest offers has not narrowed over the last
  ``gap_offers`` offers. The gap is what both would give up to take the other's latest
  offer instead of their own: ``(a(A) - a(B)) + (b(B) - b(A))`` for the latest offers
  ``A`` by role ``a`` and ``B`` by role ``b``, each valued on its own card, in points.
- ``standoff``: each side's latest offer is marked final.
- ``walkout``: a walkout's window is open; the pair may still come back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from zopa.rules.events import Event
from zopa.rules.negotiation import GameState
from zopa.rules.scenario import Points, Scenario


@dataclass(frozen=True, slots=True)
class StuckRules:
    quiet_seconds: float = 180.0
    gap_offers: int = 4


RULES = StuckRules()


def gap(scenario: Scenario, latest: dict[str, dict[str, int]]) -> Points | None:
    """The gap between the two sides' latest offers, or ``None`` until both have offered."""
    first, second = scenario.role_ids
    if first not in latest or second not in latest:
        return None
    own, theirs = latest[first], latest[second]
    return (scenario.points(first, own) - scenario.points(first, theirs)) + (
        scenario.points(second, theirs) - scenario.points(second, own)
    )


def gaps(scenario: Scenario, events: Sequence[Event]) -> list[Points]:
    """The gap after each offer, from the first offer that leaves both sides with one."""
    latest: dict[str, dict[str, int]] = {}
    found: list[Points] = []
    for event in events:
        if event.type == "offer" and event.by is not None:
            latest[event.by] = event.data["terms"]
            now = gap(scenario, latest)
            if now is not None:
                found.append(now)
    return found


def narrowing(found: Sequence[Points], offers: int) -> bool | None:
    """Whether the gap narrowed over the last ``offers`` offers; ``None`` with too few."""
    if len(found) <= offers:
        return None
    return found[-1] < found[-1 - offers]


@dataclass(frozen=True, slots=True)
class OfferWatch:
    """What the offers alone say, worked out once per new offer: the latest gap, and the
    gap and standoff flags."""

    gap: Points | None
    flags: tuple[dict[str, Any], ...]
    last_at: float | None


def watch_offers(
    scenario: Scenario, events: Sequence[Event], rules: StuckRules = RULES
) -> OfferWatch:
    """``events`` may be all of a game's or only its offers: only offers are read."""
    offers = [e for e in events if e.type == "offer"]
    found = gaps(scenario, offers)
    flags: list[dict[str, Any]] = []
    if narrowing(found, rules.gap_offers) is False:
        flags.append({"flag": "gap", "gap": found[-1], "offers": rules.gap_offers})
    latest = {e.by: e for e in offers}
    if len(latest) == 2 and all(e.data.get("final") for e in latest.values()):
        flags.append({"flag": "standoff"})
    return OfferWatch(found[-1] if found else None, tuple(flags), offers[-1].at if offers else None)


def board(
    state: GameState,
    events: Sequence[Event] | OfferWatch,
    now: float,
    rules: StuckRules = RULES,
) -> dict[str, Any]:
    """What the board shows of a live game: seconds since the latest offer, the gap, and
    the flags raised (each ``{"flag": name, ...}``). ``events`` may be the game's events
    or, worked out before, what its offers say (``watch_offers``)."""
    offers = (
        events if isinstance(events, OfferWatch) else watch_offers(state.scenario, events, rules)
    )
    since = now - (offers.last_at if offers.last_at is not None else state.started_at)
    flags: list[dict[str, Any]] = []
    if state.ending is None:
        stopped = state.paused or state.on_break or state.walked_out is not None
        if not stopped and since >= rules.quiet_seconds:
            flags.append({"flag": "quiet", "minutes": int(since // 60)})
        flags.extend(offers.flags)
        if state.walked_out is not None:
            flags.append({"flag": "walkout", "by": state.walked_out, "ends": state.walkout_ends})
    return {"since_offer": round(max(0.0, since), 1), "gap": offers.gap, "flags": flags}
