"""The automatic annotator: ``annotate(log) -> list[Tag]``.

Reads a game's events (a log that replays; check it with ``log.replay`` first) and
tags the moves a debrief talks about, each with one plain sentence. Pure and
deterministic: the same log always gets the same tags, in seq order. Every tag, its
definition and its thresholds are in docs/annotations.md; the detectors live in
``zopa.rules.annotations``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from zopa.rules.annotations.estimates import checked_estimates
from zopa.rules.annotations.finals import bluffs_called, final_offers
from zopa.rules.annotations.history import offer_moves
from zopa.rules.annotations.impasse import impasse_stage
from zopa.rules.annotations.moves import concessions_and_hard_lines, extreme_openings, logrolls
from zopa.rules.annotations.outcome import outcome_tags
from zopa.rules.annotations.process import process_tags, talk
from zopa.rules.annotations.statements import checked_reveals
from zopa.rules.annotations.tag import Tag
from zopa.rules.log import GameLog
from zopa.rules.status import clock_started

__all__ = ["TAGS", "Tag", "annotate", "by_importance", "counts"]

# Every tag, most telling first: the order of a game's summary and of tags on one event.
TAGS = (
    "agreement-trap",
    "missed-deal",
    "value-left",
    "lose-lose",
    "impasse-start",
    "impasse-middle",
    "impasse-end",
    "bluff-called",
    "estimate-high",
    "reveal-false",
    "extreme-opening",
    "logroll",
    "final-offer",
    "reveal-true",
    "estimate-low",
    "estimate-close",
    "estimate-issue",
    "concession",
    "hard-line",
    "trial-balloon",
    "break",
    "extension",
)
_RANK = {name: n for n, name in enumerate(TAGS)}


def annotate(log: GameLog) -> list[Tag]:
    scenario = log.header.scenario
    events = log.events
    moves = offer_moves(scenario, events)
    steps = concessions_and_hard_lines(moves)
    tags = [
        *extreme_openings(scenario, moves),
        *steps,
        *logrolls(scenario, moves),
        *checked_reveals(scenario, events),
        *checked_estimates(scenario, events),
        *final_offers(moves),
        *bluffs_called(events),
        *process_tags(scenario, events, clock_started(log)),
    ]
    end = events[-1] if events and events[-1].type == "end" else None
    if end is not None:
        tags += outcome_tags(scenario, end)
        if end.data["outcome"] == "impasse":
            conceding = {t.seq for t in steps if t.tag == "concession"}
            tags.append(impasse_stage(end, moves, conceding, talk(events)))
    return sorted(tags, key=lambda t: (t.seq, _RANK[t.tag]))


def by_importance(tags: Iterable[Tag]) -> list[Tag]:
    """The tags most telling first (the order of ``TAGS``), then by seq."""
    return sorted(tags, key=lambda t: (_RANK[t.tag], t.seq))


def counts(tags: Iterable[Tag]) -> dict[str, int]:
    """How many of each tag, in the order of ``TAGS``."""
    seen = Counter(t.tag for t in tags)
    return {name: seen[name] for name in TAGS if seen[name]}
