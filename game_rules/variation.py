"""Variation: how each game of a scenario draws its own cards (the ``[variation]`` table).

A card belongs to a game, not to a scenario: a scenario declares how each game's cards
are drawn, and ``zopa.rules.deal`` draws them from a game's seed. Per role, in this
order: one points table from a deck of alternatives (``cards``), the points tables of
issues in a group swapped among them (``shuffle``), each issue's points scaled by a
factor near 1 (``noise``, rounded to ``round``), and the BATNA from a range (``batna``).
For the pair, ``zone``, ``joint`` and ``surplus`` say what every game's cards must keep
(a zone of agreement or none, the best joint points, how much the best deal adds over
both BATNAs): a draw that breaks them is drawn again.

Parsed here with the same checks and the same kind of messages as the rest of the
scenario file (``zopa.rules.scenario`` calls ``parse_variation``), and written back by
``to_dict`` in the shape of the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from zopa.rules.errors import ScenarioError

if TYPE_CHECKING:
    from zopa.rules.scenario import Issue, Points, PointsTable, Role, StrictChecker

ZONES = ("any", "required", "forbidden")
Zone = Literal["any", "required", "forbidden"]
Bounds = tuple["Points | None", "Points | None"]  # (min, max), either may be absent


@dataclass(frozen=True, slots=True)
class Steps:
    """``min``, ``min + step``, ... up to ``max``: the values a number is drawn from."""

    low: Points
    high: Points
    step: Points

    def values(self) -> tuple[Points, ...]:
        count = round((self.high - self.low) / self.step) + 1
        return tuple(_tidy(self.low + k * self.step) for k in range(count))


@dataclass(frozen=True, slots=True)
class RoleVariation:
    """How one role's card changes from game to game; the defaults change nothing."""

    batna: Steps | None = None
    # Alternative points tables, each in the scenario's issue order; one is drawn.
    cards: tuple[PointsTable, ...] = ()
    # Groups of issue indexes whose points tables are shuffled among the group.
    shuffle: tuple[tuple[int, ...], ...] = ()
    # Each issue's points are multiplied by a factor from 1 - noise to 1 + noise.
    noise: float = 0.0
    # Points changed by noise are rounded to a whole multiple of this.
    round: Points = 1

    @property
    def varies(self) -> bool:
        return bool(self.batna or self.cards or self.shuffle or self.noise)


@dataclass(frozen=True, slots=True)
class Variation:
    roles: tuple[RoleVariation, RoleVariation]  # in the scenario's role order
    zone: Zone = "any"
    # Bounds on the best joint points any deal gives.
    joint: Bounds = (None, None)
    # Bounds on the joint surplus: the best joint points minus both BATNAs.
    surplus: Bounds = (None, None)

    @property
    def constrained(self) -> bool:
        return self.zone != "any" or self.joint != (None, None) or self.surplus != (None, None)

    def to_dict(self, issues: tuple[Issue, ...], roles: tuple[Role, Role]) -> dict[str, Any]:
        """The ``[variation]`` table as the file has it; ``parse_variation`` reads it back."""
        out: dict[str, Any] = {}
        if self.zone != "any":
            out["zone"] = self.zone
        for key, (low, high) in (("joint", self.joint), ("surplus", self.surplus)):
            bounds = {k: v for k, v in (("min", low), ("max", high)) if v is not None}
            if bounds:
                out[key] = bounds
        per_role: dict[str, Any] = {}
        for role, change in zip(roles, self.roles, strict=True):
            table: dict[str, Any] = {}
            if change.batna is not None:
                b = change.batna
                table["batna"] = {"min": b.low, "max": b.high, "step": b.step}
            if change.cards:
                table["cards"] = [
                    {issue.id: list(row) for issue, row in zip(issues, card, strict=True)}
                    for card in change.cards
                ]
            if change.shuffle:
                table["shuffle"] = [[issues[i].id for i in group] for group in change.shuffle]
            if change.noise:
                table["noise"] = change.noise
            if change.round != 1:
                table["round"] = change.round
            if table:
                per_role[role.id] = table
        if per_role:
            out["roles"] = per_role
        return out


_KEYS = ("zone", "joint", "surplus", "roles")
_ROLE_KEYS = ("batna", "cards", "shuffle", "noise", "round")


def parse_variation(
    check: StrictChecker, raw: Any, issues: tuple[Issue, ...], roles: tuple[Role, Role]
) -> Variation:
    """Check the ``[variation]`` table of a scenario whose issues and roles are known."""
    source = check.source
    if not isinstance(raw, Mapping):
        raise ScenarioError(source, "variation", "a [variation] table")
    check.keys(raw, "variation", required=(), optional=_KEYS)
    zone = raw.get("zone", "any")
    if zone not in ZONES:
        wanted = " or ".join(f'"{z}"' for z in ZONES)
        raise ScenarioError(source, "variation.zone", f"{wanted} (found {zone!r})")
    joint = _bounds(check, raw.get("joint", {}), "variation.joint")
    surplus = _bounds(check, raw.get("surplus", {}), "variation.surplus")
    per_role = raw.get("roles", {})
    if not isinstance(per_role, Mapping):
        raise ScenarioError(source, "variation.roles", "a table of [variation.roles.ROLE] tables")
    ids = [role.id for role in roles]
    for key in per_role:
        if key not in ids:
            raise ScenarioError(source, f"variation.roles.{key}", f"a role id (one of {ids})")
    changes = tuple(
        _role(check, per_role.get(role.id, {}), f"variation.roles.{role.id}", issues, role)
        for role in roles
    )
    return Variation((changes[0], changes[1]), zone, joint, surplus)


def _bounds(check: StrictChecker, raw: Any, where: str) -> Bounds:
    if not isinstance(raw, Mapping):
        raise ScenarioError(check.source, where, "a table with min, max or both")
    check.keys(raw, where, required=(), optional=("min", "max"))
    low = None if "min" not in raw else check.number(raw["min"], f"{where}.min")
    high = None if "max" not in raw else check.number(raw["max"], f"{where}.max")
    if low is not None and high is not None and low > high:
        raise ScenarioError(check.source, where, f"min at most max (found {low} and {high})")
    return low, high


def _role(
    check: StrictChecker, raw: Any, where: str, issues: tuple[Issue, ...], role: Role
) -> RoleVariation:
    source = check.source
    if not isinstance(raw, Mapping):
        raise ScenarioError(source, where, "a table")
    check.keys(raw, where, required=(), optional=_ROLE_KEYS)
    batna = None if "batna" not in raw else _steps(check, raw["batna"], f"{where}.batna")
    cards: list[PointsTable] = []
    if "cards" in raw:
        deck = raw["cards"]
        if not isinstance(deck, list) or not deck:
            raise ScenarioError(
                source, f"{where}.cards", "a non-empty list of points tables, one per card"
            )
        cards = [
            check.points_table(card, f"{where}.cards[{n}]", issues) for n, card in enumerate(deck)
        ]
    shuffle = _shuffle(check, raw.get("shuffle", []), f"{where}.shuffle", issues)
    noise = raw.get("noise", 0.0)
    if isinstance(noise, bool) or not isinstance(noise, int | float) or not 0 <= noise < 1:
        raise ScenarioError(
            source, f"{where}.noise", f"a number from 0 up to (not including) 1 (found {noise!r})"
        )
    step = check.number(raw.get("round", 1), f"{where}.round")
    if step <= 0:
        raise ScenarioError(source, f"{where}.round", f"a number above 0 (found {step})")
    return RoleVariation(batna, tuple(cards), shuffle, float(noise), step)


def _steps(check: StrictChecker, raw: Any, where: str) -> Steps:
    if not isinstance(raw, Mapping):
        raise ScenarioError(check.source, where, "a table { min = ..., max = ..., step = ... }")
    check.keys(raw, where, required=("min", "max"), optional=("step",))
    low = check.number(raw["min"], f"{where}.min")
    high = check.number(raw["max"], f"{where}.max")
    step = check.number(raw.get("step", 1), f"{where}.step")
    if low > high:
        raise ScenarioError(check.source, where, f"min at most max (found {low} and {high})")
    if step <= 0:
        raise ScenarioError(check.source, f"{where}.step", f"a number above 0 (found {step})")
    # Exact arithmetic: 0.1 steps from 0.3 to 0.9 are six steps, not 5.999...
    span = (Fraction(high) - Fraction(low)) / Fraction(step)
    if span.denominator != 1 and abs(span - round(span)) > Fraction(1, 10**9):
        raise ScenarioError(
            check.source, where, f"max - min a whole number of steps (found {float(span):g})"
        )
    if round(span) > 10_000:
        raise ScenarioError(
            check.source, where, f"at most 10,000 steps from min to max (found {round(span)})"
        )
    return Steps(low, high, step)


def _shuffle(
    check: StrictChecker, raw: Any, where: str, issues: tuple[Issue, ...]
) -> tuple[tuple[int, ...], ...]:
    source = check.source
    if not isinstance(raw, list) or not all(isinstance(g, list) for g in raw):
        raise ScenarioError(source, where, "a list of groups, each a list of issue ids")
    index = {issue.id: n for n, issue in enumerate(issues)}
    used: set[str] = set()
    groups: list[tuple[int, ...]] = []
    for n, group in enumerate(raw):
        here = f"{where}[{n}]"
        if len(group) < 2:
            raise ScenarioError(source, here, f"at least two issue ids (found {len(group)})")
        for issue_id in group:
            if issue_id not in index:
                raise ScenarioError(
                    source, here, f"issue ids (one of {sorted(index)}; found {issue_id!r})"
                )
            if issue_id in used:
                raise ScenarioError(
                    source, here, f"each issue in one group only ({issue_id!r} repeats)"
                )
            used.add(issue_id)
        sizes = {issues[index[i]].id: len(issues[index[i]].options) for i in group}
        if len(set(sizes.values())) > 1:
            found = ", ".join(f"{i} has {k}" for i, k in sizes.items())
            raise ScenarioError(source, here, f"issues with the same number of options ({found})")
        groups.append(tuple(index[i] for i in group))
    return tuple(groups)


def _tidy(value: Points) -> Points:
    """A drawn number as the file would write it: whole numbers as ints, no 0.30000000000000004."""
    if isinstance(value, float):
        rounded = round(value, 9)
        return int(rounded) if rounded.is_integer() else rounded
    return value
