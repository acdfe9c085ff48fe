"""Sealed estimates of the other side, checked against its card: ``estimate-high``,
``estimate-low``, ``estimate-close``, and ``estimate-issue`` for a guess of the issue alone.

Thresholds are ``zopa.rules.estimates``'s: a BATNA guess is close within 5% of the other
side's range of points.
"""

from __future__ import annotations

from zopa.rules.actions import Estimate
from zopa.rules.annotations.tag import Tag
from zopa.rules.estimates import judged
from zopa.rules.events import Event
from zopa.rules.scenario import Scenario
from zopa.rules.timeline import num


def checked_estimates(scenario: Scenario, events: tuple[Event, ...]) -> list[Tag]:
    tags: list[Tag] = []
    for event in events:
        if event.type != "estimate" or event.by is None:
            continue
        found = judged(
            scenario, Estimate(event.by, event.data.get("batna"), event.data.get("issue"))
        )
        about = found["about"]
        parts = []
        if found["batna"] is not None:
            error = found["error"]
            how = {"high": "too high", "low": "too low", "close": "close"}[found["verdict"]]
            parts.append(
                f"{event.by} put {about}'s BATNA at {num(found['batna'])}; it is "
                f"{num(found['actual_batna'])} ({how}, {'+' if error > 0 else ''}{num(error)})"
            )
            tag = f"estimate-{found['verdict']}"
        else:
            tag = "estimate-issue"
        if found["issue"] is not None:
            right = "right" if found["issue_right"] else "wrong"
            most = ", ".join(found["top_issues"])
            parts.append(
                f"{event.by} guessed {found['issue']} matters most to {about} "
                f"({right}: it is {most})"
            )
        tags.append(Tag(event.seq, tag, "; ".join(parts) + ".", found))
    return tags
