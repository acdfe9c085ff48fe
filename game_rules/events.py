"""Events: what happened in a game, in order. The log of events is the source of truth."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zopa.rules.record import record

# Events that the rules add as consequences of an action, never sent as actions.
CONSEQUENCES = frozenset({"end"})


@record
class Event:
    seq: int
    type: str
    at: float
    by: str | None
    data: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "type": self.type, "at": self.at, "by": self.by, **self.data}

    def body(self) -> dict[str, Any]:
        """The event as the websocket sends it: without ``seq`` (carried beside it)."""
        return {"type": self.type, "at": self.at, "by": self.by, **self.data}


def event_from_dict(raw: Mapping[str, Any]) -> Event:
    """Read an event dict; ``KeyError``/``TypeError``/``ValueError`` for a malformed one."""
    seq, kind, at, by = raw["seq"], raw["type"], raw["at"], raw.get("by")
    if isinstance(seq, bool) or not isinstance(seq, int):
        raise TypeError("'seq' must be a whole number")
    if not isinstance(kind, str):
        raise TypeError("'type' must be a string")
    if isinstance(at, bool) or not isinstance(at, int | float):
        raise TypeError("'at' must be a number")
    if by is not None and not isinstance(by, str):
        raise TypeError("'by' must be a role id or null")
    data = {k: v for k, v in raw.items() if k not in ("seq", "type", "at", "by")}
    return Event(seq, kind, float(at), by, data)


# Events the other side sees only as sealed until the game ends.
SEALED = frozenset({"claim", "estimate"})
# Events the other side sees only as sealed, for good: a plan (zopa.rules.reading).
PRIVATE = frozenset({"plan"})


def sealed(event: Event, ended: bool) -> bool:
    """Whether the two roles see this event differently: a claim or an estimate until the
    end, a plan always."""
    kind = event.type
    return kind in PRIVATE or (not ended and kind in SEALED)


def visible_to(event: Event, role: str, ended: bool) -> Event:
    """The event as ``role`` may see it: the other side's claim or estimate stays sealed
    until the end, its plan for good."""
    if sealed(event, ended) and event.by != role:
        return Event(event.seq, event.type, event.at, event.by, {"sealed": True})
    return event
