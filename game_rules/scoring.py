"""Scoring a finished game: the contract's result object and what the debrief needs.

Beyond the contract's result (outcome, reason, terms, points, batna, joint) every result
carries each side's surplus over its BATNA, the joint surplus, efficiency (the joint
gain over both BATNAs against the most joint gain possible, ``gain``), each side's share
of the gain, a verdict a debrief can say in one word, whether the deal is Pareto-optimal
and how far it is from the frontier, the value left on the table, agreement traps (a deal below a
side's BATNA) and missed deals (an impasse although a deal good for both existed); and,
when the players wrote them down, their estimates of the other side judged against its
card (``zopa.rules.estimates``).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from zopa.rules.analysis import analyze, beating_batnas, dominating, left_on_table, max_joint
from zopa.rules.estimates import estimates_json
from zopa.rules.negotiation import GameState, terms_dict
from zopa.rules.scenario import Points, Scenario


def result(state: GameState) -> dict[str, Any] | None:
    """The result of a finished game; ``None`` while it is live."""
    ending = state.ending
    if ending is None:
        return None
    scenario = state.scenario
    terms = None if ending.terms is None else terms_dict(scenario, ending.terms)
    found = score(scenario, ending.outcome, ending.reason, terms)
    # Only when a session asked for them: a game without estimates scores as it always did.
    estimates = estimates_json(scenario, state.estimates)
    if estimates:
        found["estimates"] = estimates
    # Only when the side that walked out said why (game_rules/intervention.py).
    if ending.reason == "walkout" and state.walkout_reason is not None:
        by, why = state.walkout_reason
        found["walkout"] = {"by": by, "reason": why}
    return found


class Tally(NamedTuple):
    """What a round robin adds up from a finished game, as ``result`` has it."""

    agreement: bool
    points: tuple[Points, Points]  # in role order
    surplus: tuple[Points, Points]
    efficiency: float | None


def tally(state: GameState) -> Tally | None:
    """``result``'s outcome, points, surplus and efficiency, without the rest of it.

    A bot round robin reads only these, and needs none of the rest (the distance to the
    frontier, the value left on the table, missed deals).
    """
    ending = state.ending
    if ending is None:
        return None
    scenario = state.scenario
    key = (scenario.id, ending.outcome, ending.terms)
    known = _TALLIES.get(key)
    if known is not None and known[0] is scenario:
        return known[1]
    terms = None if ending.terms is None else terms_dict(scenario, ending.terms)
    batna, points = _points(scenario, terms)
    p1, p2 = points.values()
    b1, b2 = batna.values()
    agreement = ending.outcome == "agreement"
    scores = Tally(
        agreement,
        (p1, p2),
        (p1 - b1, p2 - b2),
        gain(scenario, (p1, p2), agreement).efficiency,
    )
    if len(_TALLIES) >= 4096:
        _TALLIES.clear()
    _TALLIES[key] = (scenario, scores)
    return scores


# Per scenario, outcome and terms: the tally, which depends on nothing else. A round
# robin ends on the same few deals game after game. Keyed by the scenario's id, and a
# hit is the same scenario object (the entry holds it, so no other can take its place;
# hashing a scenario for every game would cost more than the tally).
_TALLIES: dict[tuple[str, str, tuple[int, ...] | None], tuple[Scenario, Tally]] = {}


def _points(
    scenario: Scenario, terms: dict[str, int] | None
) -> tuple[dict[str, Points], dict[str, Points]]:
    """Each role's BATNA and points, in role order."""
    roles = scenario.role_ids
    batna = {r: scenario.role(r).batna for r in roles}
    if terms is None:
        return batna, dict(batna)
    return batna, {r: scenario.points(r, terms) for r in roles}


class Gain(NamedTuple):
    """What one outcome gained together, the one measure every screen and report shows."""

    # Joint gain over both BATNAs / the most joint gain possible (best joint points minus
    # both BATNAs), rounded to 6 places. 0.0 for an impasse while a deal good for both
    # existed; None where no gain was possible (a no-zone walkaway, or a deal in a game
    # whose best joint points do not beat both BATNAs).
    efficiency: float | None
    # Each side's surplus over its BATNA / the joint gain, in role order; None unless the
    # joint gain is positive. A trap shows here as one side's share below zero.
    share: tuple[float, float] | None
    # "frontier" (a deal no other beats for both, nobody below a BATNA), "deal" (a deal
    # off the frontier), "trap" (a deal below a side's BATNA: never "frontier"),
    # "missed" (an impasse while a deal good for both existed) or "walkaway" (an impasse
    # with no zone of agreement: the right call).
    verdict: str


VERDICTS = ("frontier", "deal", "trap", "missed", "walkaway")


def gain(scenario: Scenario, points: tuple[Points, Points], agreement: bool) -> Gain:
    """The joint gain of an outcome giving ``points`` (role order) on ``scenario``'s cards.

    An impasse gives both sides their BATNAs. Results, the debrief, standings and bot
    matches all take efficiency from here, so they teach one lesson: a walkaway is worth
    nothing gained, and only a deal that beats both BATNAs earns a share of what was there.
    """
    b1, b2 = (role.batna for role in scenario.roles)
    p1, p2 = points
    joint_gain = (p1 - b1) + (p2 - b2)
    room = max_joint(scenario) - (b1 + b2)
    share = None if joint_gain <= 0 else (_ratio(p1 - b1, joint_gain), _ratio(p2 - b2, joint_gain))
    if not agreement:
        missed = bool(beating_batnas(analyze(scenario)))
        return Gain(0.0 if missed else None, None, "missed" if missed else "walkaway")
    efficiency = _ratio(joint_gain, room) if room > 0 else None
    if p1 < b1 or p2 < b2:
        verdict = "trap"
    else:
        verdict = "deal" if dominating(analyze(scenario), p1, p2) else "frontier"
    return Gain(efficiency, share, verdict)


def gain_text(efficiency: float | None, verdict: str) -> str:
    """``gain``'s figure in words, for a terminal: never a walkaway as a percentage."""
    if verdict == "walkaway":
        return "a correct walkaway: no deal beat both BATNAs"
    figure = "no gain was possible" if efficiency is None else f"efficiency {efficiency:.0%}"
    words = {
        "frontier": "on the frontier",
        "deal": "off the frontier",
        "trap": "an agreement trap: a side below its BATNA",
        "missed": "a missed deal",
    }
    return f"{figure}, {words[verdict]}"


def _ratio(part: Points, whole: Points) -> float:
    return round(part / whole, 6)


def score(
    scenario: Scenario, outcome: str, reason: str, terms: dict[str, int] | None
) -> dict[str, Any]:
    """Score an outcome of ``scenario``; ``terms`` is ``None`` for an impasse."""
    roles = scenario.role_ids
    batna, points = _points(scenario, terms)
    joint = points[roles[0]] + points[roles[1]]
    analysis = analyze(scenario)
    p1, p2 = points[roles[0]], points[roles[1]]
    better = dominating(analysis, p1, p2)
    nearest = min((math.dist((p1, p2), f.points) for f in better), default=0.0)
    b1, b2 = batna[roles[0]], batna[roles[1]]
    missed = terms is None and bool(beating_batnas(analysis))
    max_joint = analysis.max_joint
    scored = gain(scenario, (p1, p2), terms is not None)
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
        "efficiency": scored.efficiency,
        "gain_share": None
        if scored.share is None
        else {roles[0]: scored.share[0], roles[1]: scored.share[1]},
        "verdict": scored.verdict,
        "pareto_optimal": not better,
        "frontier_distance": round(nearest, 6),
        "value_left": left_on_table(analysis, p1, p2),
        "agreement_trap": {r: terms is not None and points[r] < batna[r] for r in roles},
        "missed_deal": missed,
    }
