"""A game under review: its timeline with every event's tags and notes, the result,
and the tags worth leading a debrief with. What ``zopa replay`` prints, as values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zopa.rules.annotate import Tag, annotate, by_importance, counts
from zopa.rules.events import Event
from zopa.rules.log import GameLog
from zopa.rules.negotiation import GameState
from zopa.rules.notes import Note, notes_by_event
from zopa.rules.scoring import result
from zopa.rules.timeline import Entry, timeline

# Move tags telling enough to lead a summary; the others are only counted.
_TELLING_MOVES = ("bluff-called", "reveal-false", "extreme-opening", "logroll")


@dataclass(frozen=True, slots=True)
class Step:
    event: Event
    entry: Entry
    tags: tuple[Tag, ...]
    notes: tuple[Note, ...]


@dataclass(frozen=True, slots=True)
class Review:
    log: GameLog
    steps: tuple[Step, ...]
    tags: tuple[Tag, ...]
    result: Mapping[str, Any] | None

    @property
    def highlights(self) -> list[Tag]:
        """Every tag on the end of the game and the telling move tags, most telling first."""
        end = self.log.events[-1].seq if self.result is not None else None
        return by_importance(t for t in self.tags if t.seq == end or t.tag in _TELLING_MOVES)

    @property
    def counts(self) -> dict[str, int]:
        return counts(self.tags)


def review(log: GameLog, state: GameState) -> Review:
    """``state`` is the log's replayed state (``log.replay``), which proves the log valid."""
    tags = annotate(log)
    by_seq: dict[int, list[Tag]] = {}
    for tag in tags:
        by_seq.setdefault(tag.seq, []).append(tag)
    notes = notes_by_event(log.notes)
    header = log.header
    steps = tuple(
        Step(event, entry, tuple(by_seq.get(event.seq, ())), tuple(notes.get(event.seq, ())))
        for event, entry in zip(
            log.events,
            timeline(header.scenario, header.started_at, log.events),
            strict=True,
        )
    )
    return Review(log, steps, tuple(tags), result(state))


def review_json(value: Review) -> dict[str, Any]:
    """The ``zopa replay --timeline-json`` object (docs/annotations.md)."""
    header = value.log.header
    return {
        "game": header.game,
        "scenario": header.scenario.id,
        "roles": list(header.scenario.role_ids),
        "started_at": header.started_at,
        **({"source": header.extra["source"]} if "source" in header.extra else {}),
        "timeline": [
            {
                "seq": step.event.seq,
                "seconds": step.entry.seconds,
                "by": step.event.by,
                "type": step.event.type,
                "what": step.entry.what,
                "points": step.entry.points,
                "event": step.event.to_dict(),
                "tags": [t.to_dict() for t in step.tags],
                "notes": [n.to_dict() for n in step.notes],
            }
            for step in value.steps
        ],
        "result": value.result,
        "summary": {
            "tags": value.counts,
            "highlights": [t.to_dict() for t in value.highlights],
        },
    }
