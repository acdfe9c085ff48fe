"""A tag: one automatic annotation attached to one event of a game, and how tags write points."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zopa.rules.scenario import Points
from zopa.rules.timeline import num


@dataclass(frozen=True, slots=True)
class Tag:
    seq: int  # the event it is about
    tag: str  # e.g. "concession"; every name is in docs/annotations.md
    text: str  # one sentence a reader understands without the definition
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "tag": self.tag, "text": self.text, "data": dict(self.data)}


def points_text(value: Points) -> str:
    """``"1 point"``, ``"3 points"``."""
    return f"{num(value)} point{'' if value == 1 else 's'}"
