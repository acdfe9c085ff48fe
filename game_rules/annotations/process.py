"""Tags on talk and process: trial balloons, breaks and extensions.

- ``trial-balloon``: a suggestion, terms floated for some issues without committing to
  them (the other side can neither accept nor hold the suggester to it);
- ``break``: a break the other side agreed to, on the ``break_accept``;
- ``extension``: more time, on an ``extension_accept`` (both sides agreed) or a
  facilitator's ``extend``.

``talk`` counts each side's talk before the end (chat lines and suggestions), which the
impasse stage reads: bargaining in words is bargaining even without a formal offer.
"""

from __future__ import annotations

from collections import Counter

from zopa.rules.annotations.tag import Tag
from zopa.rules.events import Event
from zopa.rules.scenario import Scenario

TALK = frozenset({"chat", "suggest"})


def process_tags(scenario: Scenario, events: tuple[Event, ...], started: float) -> list[Tag]:
    """``started``: when the negotiation clock started (the log header's ``started_at``)."""
    labels = {issue.id: issue for issue in scenario.issues}
    requested: dict[str, str | None] = {}
    tags: list[Tag] = []
    for event in events:
        minute = _minute(event.at - started)
        if event.type == "suggest" and event.by is not None:
            terms = event.data.get("terms") or {}
            said = "; ".join(
                f"{labels[i].label} {labels[i].options[o]}"
                for i, o in terms.items()
                if i in labels and 0 <= o < len(labels[i].options)
            )
            tags.append(
                Tag(
                    event.seq,
                    "trial-balloon",
                    f"{event.by} floats terms without committing ({said or 'no issue'}).",
                    {"by": event.by, "issues": sorted(terms)},
                )
            )
        elif event.type in ("break_request", "extension_request"):
            requested[event.type.split("_")[0]] = event.by
        elif event.type == "break_accept":
            asker = requested.pop("break", None)
            tags.append(
                Tag(
                    event.seq,
                    "break",
                    f"A break, asked for by {asker or 'a side'} and agreed by {event.by}, "
                    f"{minute} min into the game.",
                    {"requested_by": asker, "accepted_by": event.by, "minute": minute},
                )
            )
        elif event.type == "extension_accept":
            asker = requested.pop("extension", None)
            seconds = scenario.protocol.extension_seconds
            tags.append(
                Tag(
                    event.seq,
                    "extension",
                    f"{seconds:g} more seconds, asked for by {asker or 'a side'} and agreed "
                    f"by {event.by}, {minute} min into the game.",
                    {"by": "players", "requested_by": asker, "seconds": seconds, "minute": minute},
                )
            )
        elif event.type == "extend":
            seconds = event.data.get("seconds", 0)
            tags.append(
                Tag(
                    event.seq,
                    "extension",
                    f"The facilitator added {seconds:g} seconds, {minute} min into the game.",
                    {
                        "by": "facilitator",
                        "requested_by": None,
                        "seconds": seconds,
                        "minute": minute,
                    },
                )
            )
    return tags


def talk(events: tuple[Event, ...]) -> dict[str, Counter[str]]:
    """Per role, how many chat lines and suggestions it made."""
    found: dict[str, Counter[str]] = {}
    for event in events:
        if event.type in TALK and event.by is not None:
            found.setdefault(event.by, Counter())[event.type] += 1
    return found


def _minute(seconds: float) -> int:
    return int(max(seconds, 0.0) // 60)
