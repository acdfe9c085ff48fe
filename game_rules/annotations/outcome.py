"""How the game ended, judged against the outcome space: value left on the table,
lose-lose issues, agreement traps and missed deals. All are tags on the ``end`` event,
and the last two are exactly scoring's ``agreement_trap`` and ``missed_deal``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zopa.rules.analysis import FrontierPoint, analyze, beating_batnas, dominating
from zopa.rules.annotations.tag import Tag, points_text
from zopa.rules.events import Event
from zopa.rules.scenario import Scenario
from zopa.rules.scoring import score
from zopa.rules.timeline import describe_terms, num


def outcome_tags(scenario: Scenario, end: Event) -> list[Tag]:
    terms = end.data.get("terms")
    scored = score(scenario, end.data["outcome"], end.data["reason"], terms)
    if terms is None:
        return _missed_deal(scenario, end, scored)
    return [
        *_value_left(scenario, end, scored),
        *_lose_lose(scenario, end, terms),
        *_traps(scenario, end, scored),
    ]


def _pair(scenario: Scenario, point: FrontierPoint) -> dict[str, Any]:
    first, second = scenario.role_ids
    return {
        "points": {first: point.points[0], second: point.points[1]},
        "terms": dict(point.terms),
    }


def _shown(scenario: Scenario, point: FrontierPoint) -> str:
    first, second = scenario.role_ids
    p1, p2 = point.points
    return f"{first} {num(p1)} / {second} {num(p2)} ({describe_terms(scenario, point.terms)})"


def _best(points: tuple[FrontierPoint, ...]) -> FrontierPoint:
    # The most joint points; the first such along the frontier, so the choice is stable.
    return max(points, key=lambda f: f.points[0] + f.points[1])


def _value_left(scenario: Scenario, end: Event, scored: Mapping[str, Any]) -> list[Tag]:
    first, second = scenario.role_ids
    points = scored["points"]
    better = dominating(analyze(scenario), points[first], points[second])
    if not better:
        return []
    pick = _best(better)
    left = scored["value_left"]
    return [
        Tag(
            end.seq,
            "value-left",
            f"The deal is off the Pareto frontier: {points_text(left)} left on the table; "
            f"{_shown(scenario, pick)} was better for both.",
            {"left": left, "points": dict(points), "better": _pair(scenario, pick)},
        )
    ]


def _lose_lose(scenario: Scenario, end: Event, terms: Mapping[str, int]) -> list[Tag]:
    """Compatible issues (one option is best for both) settled on an option both like less."""
    first, second = scenario.roles
    tags: list[Tag] = []
    for n, issue in enumerate(scenario.issues):
        mine, yours = first.points[n], second.points[n]
        shared = [
            o for o in range(len(issue.options)) if mine[o] == max(mine) and yours[o] == max(yours)
        ]
        agreed = terms[issue.id]
        if not shared or not (mine[agreed] < max(mine) and yours[agreed] < max(yours)):
            continue
        best = shared[0]
        loss = {first.id: max(mine) - mine[agreed], second.id: max(yours) - yours[agreed]}
        tags.append(
            Tag(
                end.seq,
                "lose-lose",
                f"Lose-lose on {issue.label}: both prefer {issue.options[best]} but settled "
                f"on {issue.options[agreed]} ({first.id} loses {num(loss[first.id])}, "
                f"{second.id} loses {num(loss[second.id])}).",
                {"issue": issue.id, "agreed": agreed, "best": best, "loss": loss},
            )
        )
    return tags


def _traps(scenario: Scenario, end: Event, scored: Mapping[str, Any]) -> list[Tag]:
    return [
        Tag(
            end.seq,
            "agreement-trap",
            f"Agreement trap: {role} agreed to {num(scored['points'][role])}, below its "
            f"BATNA of {num(scored['batna'][role])}.",
            {"role": role, "points": scored["points"][role], "batna": scored["batna"][role]},
        )
        for role in scenario.role_ids
        if scored["agreement_trap"][role]
    ]


def _missed_deal(scenario: Scenario, end: Event, scored: Mapping[str, Any]) -> list[Tag]:
    if not scored["missed_deal"]:
        return []
    first, second = scenario.roles
    b1, b2 = first.batna, second.batna
    analysis = analyze(scenario)
    # One deal that proves it: the Nash point when it does (the deal a fair split would
    # have reached), else the deal with the most joint points.
    deals = beating_batnas(analysis)
    pick = analysis.nash if analysis.nash in deals else _best(deals)
    assert pick is not None
    return [
        Tag(
            end.seq,
            "missed-deal",
            f"Missed deal: an impasse ({end.data['reason']}) although {_shown(scenario, pick)} "
            f"was at least as good for each side as its BATNA ({first.id} {num(b1)}, "
            f"{second.id} {num(b2)}).",
            {"reason": end.data["reason"], "deal": _pair(scenario, pick)},
        )
    ]
