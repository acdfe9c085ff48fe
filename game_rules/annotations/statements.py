"""Reveals checked against the speaker's own card: ``reveal-true`` or ``reveal-false``.

The rule (docs/annotations.md): a stated BATNA is false when it is not the card's BATNA,
the number the brief's ``{batna}`` shows. An issue's importance to a role is the spread
of its points on that issue (best option minus worst): what the role stands to win or
lose there. An issue is *clearly* more important than another when its spread is at
least ``CLEAR`` times the other's (and larger); issues not clearly apart are tied and
share their ranks. A stated rank is false only when the card puts the issue clearly
elsewhere: more issues clearly above it than the rank allows, or fewer issues not
clearly below it. Dealt cards vary each option by up to a tenth (a scenario's
``noise``), so issues a brief calls equal may differ by up to about a quarter on one
game's card; a student repeating the brief must not be called a liar for that.
"""

from __future__ import annotations

from zopa.rules.annotations.tag import Tag
from zopa.rules.events import Event
from zopa.rules.scenario import Scenario
from zopa.rules.timeline import num

# How much larger an issue's spread must be to rank clearly above another's.
CLEAR = 1.25


def priority_ranks(scenario: Scenario, role: str) -> dict[str, tuple[int, int]]:
    """Each issue's true rank for ``role``: (best, worst) rank it may claim, 1 = most important."""
    table = scenario.role(role).points
    spread = {
        issue.id: max(row) - min(row) for issue, row in zip(scenario.issues, table, strict=True)
    }
    ranks: dict[str, tuple[int, int]] = {}
    for issue_id, size in spread.items():
        above = sum(1 for other in spread.values() if _clearly_above(other, size))
        not_below = sum(1 for other in spread.values() if not _clearly_above(size, other))
        ranks[issue_id] = (above + 1, not_below)
    return ranks


def _clearly_above(a: float, b: float) -> bool:
    return a > b and a >= CLEAR * b


def checked_reveals(scenario: Scenario, events: tuple[Event, ...]) -> list[Tag]:
    tags: list[Tag] = []
    for event in events:
        if event.type != "reveal" or event.by is None:
            continue
        role = event.by
        if event.data.get("about") == "batna":
            stated, actual = event.data["value"], scenario.role(role).batna
            true = stated == actual
            text = (
                f"True: {role}'s BATNA is {num(actual)}."
                if true
                else f"False: {role} says its BATNA is {num(stated)}; it is {num(actual)}."
            )
            data = {"by": role, "about": "batna", "stated": stated, "actual": actual}
        else:
            issue, stated = event.data["issue"], event.data["rank"]
            low, high = priority_ranks(scenario, role)[issue]
            true = low <= stated <= high
            actual_text = str(low) if low == high else f"{low} to {high} (tied)"
            text = (
                f"True: {issue} is {role}'s priority number {stated}."
                if true
                else f"False: {role} says {issue} is its priority number {stated}; "
                f"it is number {actual_text}."
            )
            data = {
                "by": role,
                "about": "priority",
                "issue": issue,
                "stated": stated,
                "actual": [low, high],
            }
        tags.append(Tag(event.seq, "reveal-true" if true else "reveal-false", text, data))
    return tags
