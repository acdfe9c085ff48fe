"""Estimates of the other side, judged against its card once the game is over.

When a session asks for them, each player may write down, sealed, what they think the
other side's BATNA is and which issue matters most to the other side (an ``estimate``
event, ``zopa.rules.actions.Estimate``). The debrief then compares each guess with the
other side's own card in that game:

- the BATNA guess is ``high`` (above the truth), ``low`` or ``close``: within
  ``CLOSE`` of the other side's whole range of points (its best total minus its worst),
  so that "close" means the same in a 40-point campsite and a 30,000-point job offer;
- the issue guess is right when the issue is the other side's most important one (the
  largest spread of its points; issues that tie are all most important).

Over-estimating the other side's BATNA is the classic road to an impasse: you think
they need more than they do and ask too much, or you concede too little.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from zopa.rules.actions import Estimate
from zopa.rules.annotations.statements import priority_ranks
from zopa.rules.scenario import Points, Scenario

CLOSE = 0.05
Verdict = Literal["high", "low", "close"]


def top_issues(scenario: Scenario, role: str) -> tuple[str, ...]:
    """The issues that matter most to ``role`` in this game (several when they tie)."""
    return tuple(issue for issue, (best, _) in priority_ranks(scenario, role).items() if best == 1)


def points_range(scenario: Scenario, role: str) -> Points:
    """The role's best total points minus its worst: how far apart its outcomes lie."""
    table = scenario.role(role).points
    return sum(max(row) for row in table) - sum(min(row) for row in table)


def verdict(scenario: Scenario, about: str, guess: Points) -> Verdict:
    """``high``, ``low`` or ``close``: a guess at ``about``'s BATNA against the truth."""
    error = guess - scenario.role(about).batna
    if abs(error) <= CLOSE * points_range(scenario, about):
        return "close"
    return "high" if error > 0 else "low"


def judged(scenario: Scenario, estimate: Estimate) -> dict[str, Any]:
    """One role's estimate against the other side's card, as the result carries it."""
    about = scenario.other(estimate.by)
    actual = scenario.role(about).batna
    top = top_issues(scenario, about)
    found: dict[str, Any] = {"about": about, "batna": estimate.batna, "actual_batna": actual}
    if estimate.batna is not None:
        found["error"] = estimate.batna - actual
        found["verdict"] = verdict(scenario, about, estimate.batna)
    found["issue"] = estimate.issue
    found["top_issues"] = list(top)
    if estimate.issue is not None:
        found["issue_right"] = estimate.issue in top
    return found


def estimates_json(
    scenario: Scenario, estimates: Sequence[Estimate | None]
) -> dict[str, dict[str, Any]]:
    """Every estimate given, by the role that gave it; empty when nobody estimated."""
    return {e.by: judged(scenario, e) for e in estimates if e is not None}
