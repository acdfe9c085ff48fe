"""Dealing one game's cards: the scenario as that game plays it, drawn from its seed.

``deal(scenario, seed)`` applies the scenario's ``[variation]`` (``zopa.rules.variation``)
with draws from ``seed`` alone, so the same seed always deals the same cards, and
returns a scenario with the game's two cards in its roles, the briefs' ``{batna}``
placeholders filled, and no variation: the scenario a game's log header holds, which
replay, scoring, analysis and annotations read as they always have. With ``seed=None``
(variation switched off) every game gets the roles' own cards.

A draw that breaks the variation's ``zone`` or ``surplus`` is drawn again, up to
``MAX_DRAWS`` times, from the same seed; if none keeps them the roles' own cards are
dealt (``check_constraints`` makes sure, when the file is read, that they keep them and
that draws keep them often enough for that never to matter).

Only ``random.Random(seed).random()`` is used: it is the one draw Python promises to keep
the same from version to version, so a seed deals the same cards years later.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from typing import Any

from zopa.rules.analysis import analyze, max_joint
from zopa.rules.brief import fill_brief
from zopa.rules.errors import ScenarioError
from zopa.rules.scenario import Points, PointsTable, Role, Scenario
from zopa.rules.variation import Bounds, RoleVariation, Variation

MAX_DRAWS = 200
# check_constraints asks for this many of the first CHECK_SEEDS seeds' first draws to
# keep the constraints: at 1 in 20, MAX_DRAWS draws all fail about once in 30,000 games.
CHECK_SEEDS = 200
CHECK_HITS = 10

Cards = tuple[tuple[Points, PointsTable], tuple[Points, PointsTable]]


def deal(scenario: Scenario, seed: int | None) -> Scenario:
    """The scenario as the game of ``seed`` plays it (``None``: the roles' own cards)."""
    variation = scenario.variation
    if seed is None or variation is None:
        return _dealt(scenario, cards_of(scenario))[0]
    key = (id(scenario), seed)
    known = _SEEDED.get(key)
    if known is not None and known[0] is scenario:
        return known[1]
    rng = random.Random(seed)
    for _ in range(MAX_DRAWS):
        dealt, kept = _dealt(scenario, _draw(scenario, variation, rng))
        if kept:
            break
    else:
        dealt = _dealt(scenario, cards_of(scenario))[0]
    if len(_SEEDED) >= _DEALT_MAX:
        _SEEDED.clear()
    _SEEDED[key] = (scenario, dealt)
    return dealt


def with_cards(scenario: Scenario, cards: Cards) -> Scenario:
    """``scenario`` with ``cards`` in its roles, briefs filled and no variation, as dealt."""
    return _dealt(scenario, cards)[0]


def pack_cards(cards: Cards) -> bytes:
    """``cards`` in a few hundred bytes (JSON), for a record that keeps many games' cards."""
    rows = [[batna, [list(row) for row in table]] for batna, table in cards]
    return json.dumps(rows, separators=(",", ":")).encode()


def unpack_cards(packed: bytes) -> Cards:
    """The cards ``pack_cards`` packed."""
    (a, table_a), (b, table_b) = json.loads(packed)
    return (a, tuple(map(tuple, table_a))), (b, tuple(map(tuple, table_b)))


def cards_of(scenario: Scenario) -> Cards:
    """Both roles' BATNA and points table, in role order: what tells one deal from another."""
    first, second = scenario.roles
    return (first.batna, first.points), (second.batna, second.points)


def meets(variation: Variation, scenario: Scenario) -> bool:
    """Whether the cards in ``scenario``'s roles keep ``variation``'s zone, joint and surplus."""
    if not _within(max_joint(scenario), variation.joint):
        return False
    if not _within(joint_surplus(scenario), variation.surplus):
        return False
    if variation.zone == "any":
        return True
    return has_zone(scenario) == (variation.zone == "required")


def has_zone(scenario: Scenario) -> bool:
    """Whether some deal gives each role at least its BATNA (the analysis's ``zopa``).

    Two sure answers come first, from a few additions: no deal can pay both when the
    best joint points fall short of both BATNAs, and the deal best for both together
    settles it when it pays both. Only otherwise is the frontier built: dealing asks
    for every draw of a scenario that requires (or forbids) a zone.
    """
    first, second = scenario.roles
    if max_joint(scenario) < first.batna + second.batna:
        return False
    mine: Points = 0
    theirs: Points = 0
    for a, b in zip(first.points, second.points, strict=True):
        best = max(range(len(a)), key=lambda k: a[k] + b[k])
        mine += a[best]
        theirs += b[best]
    if mine >= first.batna and theirs >= second.batna:
        return True
    return analyze(scenario).zopa


def _within(value: Points, bounds: Bounds) -> bool:
    low, high = bounds
    return (low is None or value >= low) and (high is None or value <= high)


def joint_surplus(scenario: Scenario) -> Points:
    """The best joint points any deal gives, minus both BATNAs (below 0: no deal pays both)."""
    first, second = scenario.roles
    return max_joint(scenario) - first.batna - second.batna


# What ``check_constraints`` found, by the roles' own cards and the variation: all it
# depends on. The scenario editor checks its draft on every keystroke, and a keystroke
# in a brief, a name or a title changes neither, so the draws are not made again.
_CHECKED: dict[tuple[Cards, Variation], tuple[str, str] | None] = {}
_CHECKED_MAX = 64


def check_constraints(scenario: Scenario, source: str) -> None:
    """Refuse a variation whose zone or surplus the roles' own cards break, or draws rarely keep."""
    variation = scenario.variation
    assert variation is not None
    key = (cards_of(scenario), variation)
    if key not in _CHECKED:
        if len(_CHECKED) >= _CHECKED_MAX:
            _CHECKED.clear()
        _CHECKED[key] = _constraints_problem(scenario, variation)
    problem = _CHECKED[key]
    if problem is not None:
        raise ScenarioError(source, *problem)


def _constraints_problem(scenario: Scenario, variation: Variation) -> tuple[str, str] | None:
    if not meets(variation, scenario):
        return _broken(variation, scenario)
    if not any(change.varies for change in variation.roles):
        return None
    hits = 0
    for seed in range(CHECK_SEEDS):
        if _dealt(scenario, _draw(scenario, variation, random.Random(seed)))[1]:
            hits += 1
            if hits >= CHECK_HITS:
                return None
    return (
        "variation",
        f"draws that keep its zone, joint and surplus at least 1 time in "
        f"{CHECK_SEEDS // CHECK_HITS} (found {hits} in {CHECK_SEEDS})",
    )


def _broken(variation: Variation, scenario: Scenario) -> tuple[str, str]:
    """The key and the expectation the roles' own cards break.

    Every game's cards must keep the constraints, and the roles' own are dealt when
    variation is off: so they must keep them too.
    """
    analysis = analyze(scenario)
    if variation.zone == "required" and not analysis.zopa:
        return "variation.zone", "the roles' own cards to have a zone of agreement (none)"
    if variation.zone == "forbidden" and analysis.zopa:
        return "variation.zone", "the roles' own cards to have no zone of agreement (one)"
    best = max_joint(scenario)
    if not _within(best, variation.joint):
        key, what, value, bounds = "joint", "best joint points", best, variation.joint
    else:
        key, what = "surplus", "a joint surplus"
        value, bounds = joint_surplus(scenario), variation.surplus
    low, high = bounds
    limits = f"{'-inf' if low is None else low} to {'inf' if high is None else high}"
    return f"variation.{key}", f"the roles' own cards to have {what} from {limits} (found {value})"


class _Draws:
    """Whole-number and shuffle draws built on ``random()`` alone (see the module's note)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def below(self, n: int) -> int:
        return min(int(self.rng.random() * n), n - 1)

    def shuffle(self, items: list[Any]) -> None:
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


def _draw(scenario: Scenario, variation: Variation, rng: random.Random) -> Cards:
    draws = _Draws(rng)
    first, second = (
        _draw_role(role, change, draws)
        for role, change in zip(scenario.roles, variation.roles, strict=True)
    )
    return first, second


def _draw_role(role: Role, change: RoleVariation, draws: _Draws) -> tuple[Points, PointsTable]:
    table = list(role.points)
    if change.cards:
        table = list(change.cards[draws.below(len(change.cards))])
    for group in change.shuffle:
        rows = [table[i] for i in group]
        draws.shuffle(rows)
        for i, row in zip(group, rows, strict=True):
            table[i] = row
    if change.noise:
        step = change.round
        for i, row in enumerate(table):
            factor = 1 + change.noise * (2 * draws.rng.random() - 1)
            table[i] = tuple(_multiple(value * factor, step) for value in row)
    batna = role.batna
    if change.batna is not None:
        values = change.batna.values()
        batna = values[draws.below(len(values))]
    return batna, tuple(table)


def _multiple(value: float, step: Points) -> Points:
    """``value`` rounded to a whole multiple of ``step``, as an int when it is whole."""
    rounded = round(value / step) * step
    if isinstance(rounded, float):
        rounded = round(rounded, 9)
        return int(rounded) if rounded.is_integer() else rounded
    return rounded


# Dealt scenarios by template (identity) and cards, with whether they keep the variation's
# constraints: the same cards deal the same object, so what is cached per scenario (its
# analysis, a bot's setup, a result's tally) is found again rather than worked out for
# every game, and a draw seen before is not checked again. Bounded, as a long bot series
# deals many.
_DEALT: dict[tuple[int, Cards], tuple[Scenario, Scenario, bool]] = {}
_DEALT_MAX = 128
# Dealt scenarios by template (identity) and seed: a game's record keeps only its seed and
# asks again whenever it is scored (server/records.py).
_SEEDED: dict[tuple[int, int], tuple[Scenario, Scenario]] = {}


def _dealt(scenario: Scenario, cards: Cards) -> tuple[Scenario, bool]:
    """The scenario with these cards, and whether they keep its variation's constraints."""
    key = (id(scenario), cards)
    known = _DEALT.get(key)
    if known is not None and known[0] is scenario:
        return known[1], known[2]
    issues = scenario.issues
    roles = tuple(
        replace(
            role,
            batna=batna,
            points=points,
            brief=fill_brief(role.brief, batna, points, issues),
        )
        for role, (batna, points) in zip(scenario.roles, cards, strict=True)
    )
    dealt = replace(scenario, roles=(roles[0], roles[1]), variation=None)
    constraints = scenario.variation
    kept = constraints is None or not constraints.constrained or meets(constraints, dealt)
    if len(_DEALT) >= _DEALT_MAX:
        _DEALT.clear()
    _DEALT[key] = (scenario, dealt, kept)
    return dealt, kept
