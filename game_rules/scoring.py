"""Scoring a finished game: the contract's result object and what the debrief needs.

Beyond CONTRACT.md's result (outcome, reason, terms, points, batna, joint) every result
carries each side's surplus over its BATNA, the joint surplus, efficiency (joint points
over the best joint points possible), whether the deal is Pareto-optimal and how far it
is from the frontier, the value left on the table, agreement traps (a deal below a
side's BATNA) and missed deals (an impasse although a deal good for both existed).
"""

from __future__ import annotations

import math
from typing import Any

from game_rules.analysis import analyze, beating_batnas, dominating, left_on_table
from game_rules.negotiation import GameState, terms_dict
from game_rules.scenario import Points, Scenario


def result(state: GameState) -> dict[str, Any] | None:
    """The result of a finished game; ``None`` while it is live."""
    ending = state.ending
    if ending is None:
        return None
    scenario = state.scenario
    terms = None if ending.terms is None else terms_dict(scenario, ending.terms)
    return score(scenario, ending.outcome, ending.reason, terms)


def score(
    scenario: Scenario, outcome: str, reason: str, terms: dict[str, int] | None
) -> dict[str, Any]:
    """Score an outcome of ``scenario``; ``terms`` is ``None`` for an impasse."""
    roles = scenario.role_ids
    batna = {r: scenario.role(r).batna for r in roles}
    if terms is None:
        points: dict[str, Points] = dict(batna)
    else:
        points = {r: scenario.points(r, terms) for r in roles}
    joint = points[roles[0]] + points[roles[1]]
    analysis = analyze(scenario)
    p1, p2 = points[roles[0]], points[roles[1]]
    better = dominating(analysis, p1, p2)
    nearest = min((math.dist((p1, p2), f.points) for f in better), default=0.0)
    b1, b2 = batna[roles[0]], batna[roles[1]]
    missed = terms is None and bool(beating_batnas(analysis))
    max_joint = analysis.max_joint
    return {
        "outcome": outcome,
        "reason": reason,
        "terms": terms,
        "points": points,
        "batna": batna,
        "joint": joint,
        "surplus": {r: points[r] - batna[r] for r in roles},
        "joint_surplus": joint - (b1 + b2),
        "max_joint": max_joint,
        "efficiency": round(joint / max_joint, 6) if max_joint > 0 else None,
        "pareto_optimal": not better,
        "frontier_distance": round(nearest, 6),
        "value_left": left_on_table(analysis, p1, p2),
        "agreement_trap": {r: terms is not None and points[r] < batna[r] for r in roles},
        "missed_deal": missed,
    }
