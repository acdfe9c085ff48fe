"""Scenarios: the issues, options, roles, interest cards and protocol of a negotiation.

A scenario is read from TOML (``zopa-scenario/1``, see CONTRACT.md) or from the dict
held in a game log's header, checked against every rule of the format, and turned
into immutable values. Every refusal names the source, the key and what was expected,
because the people who write scenarios are instructors, not programmers.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from zopa.rules.brief import check_brief
from zopa.rules.errors import ScenarioError
from zopa.rules.variation import Variation, parse_variation

FORMAT = "zopa-scenario/1"
Points = int | float
Terms = Mapping[str, int]
# A role's points: one tuple per issue, in the scenario's issue order, one number per option.
PointsTable = tuple[tuple[Points, ...], ...]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
TURNS = ("alternating", "free")
CLOSINGS = ("accept", "claims")


def valid_id(value: str) -> bool:
    """Whether ``value`` may be an id (scenario, issue, role); also safe as a file name."""
    return bool(_ID.match(value))


@dataclass(frozen=True, slots=True)
class Protocol:
    time_limit: Points = 900
    turns: Literal["alternating", "free"] = "alternating"
    first_mover: str = "random"
    max_offers: int = 0
    closing: Literal["accept", "claims"] = "accept"
    breaks: int = 1
    break_seconds: Points = 120
    extensions: int = 1
    extension_seconds: Points = 120


@dataclass(frozen=True, slots=True)
class Issue:
    id: str
    label: str
    options: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Role:
    id: str
    label: str
    brief: str
    batna: Points
    points: PointsTable


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    title: str
    description: str
    protocol: Protocol
    issues: tuple[Issue, ...]
    roles: tuple[Role, Role]
    # How each game draws its own cards; None: every game plays the roles' cards as written.
    variation: Variation | None = None
    # Derived once: the rules ask for them on every move.
    role_ids: tuple[str, str] = field(init=False, repr=False, compare=False)
    issue_ids: tuple[str, ...] = field(init=False, repr=False, compare=False)
    option_counts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "role_ids", (self.roles[0].id, self.roles[1].id))
        object.__setattr__(self, "issue_ids", tuple(issue.id for issue in self.issues))
        object.__setattr__(self, "option_counts", tuple(len(i.options) for i in self.issues))

    def role(self, role_id: str) -> Role:
        for role in self.roles:
            if role.id == role_id:
                return role
        raise KeyError(role_id)

    def other(self, role_id: str) -> str:
        first, second = self.role_ids
        if role_id == first:
            return second
        if role_id == second:
            return first
        raise KeyError(role_id)

    def points(self, role_id: str, terms: Terms) -> Points:
        """A role's points for full terms: the sum over issues of the chosen option's points."""
        table = self.role(role_id).points
        return sum(table[i][terms[issue.id]] for i, issue in enumerate(self.issues))

    def card(self, role_id: str) -> dict[str, Any]:
        """A role's private interest card as sent on the wire: BATNA and points per issue."""
        role = self.role(role_id)
        return {
            "batna": role.batna,
            "points": {issue.id: list(role.points[i]) for i, issue in enumerate(self.issues)},
        }

    def public(self) -> dict[str, Any]:
        """What every player may see: issues, roles' names and the public text. No cards."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "protocol": _protocol_dict(self.protocol),
            "issues": [
                {"id": i.id, "label": i.label, "options": list(i.options)} for i in self.issues
            ],
            "roles": [{"id": r.id, "label": r.label} for r in self.roles],
        }

    def to_dict(self) -> dict[str, Any]:
        """The whole scenario in the shape of the TOML file; ``parse_scenario`` reads it back."""
        whole = {
            "format": FORMAT,
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "protocol": _protocol_dict(self.protocol),
            "issues": [
                {"id": i.id, "label": i.label, "options": list(i.options)} for i in self.issues
            ],
            "roles": [
                {
                    "id": r.id,
                    "label": r.label,
                    "brief": r.brief,
                    "batna": r.batna,
                    "points": {issue.id: list(r.points[n]) for n, issue in enumerate(self.issues)},
                }
                for r in self.roles
            ],
        }
        if self.variation is not None:
            whole["variation"] = self.variation.to_dict(self.issues, self.roles)
        return whole


def _protocol_dict(protocol: Protocol) -> dict[str, Any]:
    return {name: getattr(protocol, name) for name in Protocol.__dataclass_fields__}


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a TOML scenario file."""
    source = str(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ScenarioError(source, "(file)", f"a readable file ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, "(syntax)", f"valid TOML ({exc})") from exc
    return parse_scenario(data, source)


def parse_scenario(data: Mapping[str, Any], source: str) -> Scenario:
    """Check a scenario held as a dict (from TOML or a log header) and build its value."""
    check = _Checker(source)
    check.keys(
        data, "", required=("format", "id", "title", "issues", "roles"), optional=_TOP_OPTIONAL
    )
    if data["format"] != FORMAT:
        raise ScenarioError(source, "format", f'"{FORMAT}" (found {data["format"]!r})')
    scenario_id = check.identifier(data["id"], "id")
    title = check.text(data["title"], "title")
    description = check.text(data.get("description", ""), "description")
    issues = _parse_issues(check, data["issues"])
    roles = _parse_roles(check, data["roles"], issues)
    protocol = _parse_protocol(check, data.get("protocol", {}), roles)
    variation = None
    if "variation" in data:
        variation = parse_variation(check, data["variation"], issues, roles)
    for n, role in enumerate(roles):
        change = None if variation is None else variation.roles[n]
        check_brief(source, f"roles[{n}].brief", role, change, issues)
    scenario = Scenario(scenario_id, title, description, protocol, issues, roles, variation)
    if variation is not None and variation.constrained:
        # Imported here: dealing needs the outcome-space analysis, which needs this module.
        from zopa.rules.deal import check_constraints

        check_constraints(scenario, source)
    return scenario


_TOP_OPTIONAL = ("description", "protocol", "variation")


def _parse_issues(check: _Checker, raw: Any) -> tuple[Issue, ...]:
    items = check.table_list(raw, "issues")
    if not items:
        raise ScenarioError(check.source, "issues", "at least one [[issues]] table")
    issues: list[Issue] = []
    seen: set[str] = set()
    for n, item in enumerate(items):
        where = f"issues[{n}]"
        check.keys(item, where, required=("id", "options"), optional=("label",))
        issue_id = check.identifier(item["id"], f"{where}.id")
        if issue_id in seen:
            raise ScenarioError(
                check.source, f"{where}.id", f"a unique issue id ({issue_id!r} repeats)"
            )
        seen.add(issue_id)
        options = item["options"]
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            raise ScenarioError(check.source, f"{where}.options", "a list of strings")
        if len(options) < 2:
            raise ScenarioError(check.source, f"{where}.options", "at least two options")
        if len(set(options)) != len(options):
            raise ScenarioError(check.source, f"{where}.options", "distinct option labels")
        label = check.text(item.get("label", issue_id), f"{where}.label")
        issues.append(Issue(issue_id, label, tuple(options)))
    return tuple(issues)


def _parse_roles(check: _Checker, raw: Any, issues: tuple[Issue, ...]) -> tuple[Role, Role]:
    items = check.table_list(raw, "roles")
    if len(items) != 2:
        raise ScenarioError(
            check.source, "roles", f"exactly two [[roles]] tables (found {len(items)})"
        )
    roles: list[Role] = []
    for n, item in enumerate(items):
        where = f"roles[{n}]"
        check.keys(item, where, required=("id", "batna", "points"), optional=("label", "brief"))
        role_id = check.identifier(item["id"], f"{where}.id")
        if roles and roles[0].id == role_id:
            raise ScenarioError(
                check.source, f"{where}.id", f"a unique role id ({role_id!r} repeats)"
            )
        batna = check.number(item["batna"], f"{where}.batna")
        rows = check.points_table(item["points"], f"{where}.points", issues)
        roles.append(
            Role(
                id=role_id,
                label=check.text(item.get("label", role_id), f"{where}.label"),
                brief=check.text(item.get("brief", ""), f"{where}.brief"),
                batna=batna,
                points=rows,
            )
        )
    return roles[0], roles[1]


def _parse_protocol(check: _Checker, raw: Any, roles: tuple[Role, Role]) -> Protocol:
    if not isinstance(raw, Mapping):
        raise ScenarioError(check.source, "protocol", "a [protocol] table")
    check.keys(raw, "protocol", required=(), optional=tuple(Protocol.__dataclass_fields__))
    default = Protocol()
    role_ids = [r.id for r in roles]

    def positive(key: str) -> Points:
        value = check.number(raw.get(key, getattr(default, key)), f"protocol.{key}")
        if value <= 0:
            raise ScenarioError(
                check.source, f"protocol.{key}", f"a number of seconds above 0 (found {value})"
            )
        return value

    def count(key: str) -> int:
        value = raw.get(key, getattr(default, key))
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ScenarioError(
                check.source, f"protocol.{key}", f"a whole number 0 or more (found {value!r})"
            )
        return value

    def choice(key: str, allowed: tuple[str, ...]) -> str:
        value = raw.get(key, getattr(default, key))
        if value not in allowed:
            wanted = " or ".join(f'"{a}"' for a in allowed)
            raise ScenarioError(check.source, f"protocol.{key}", f"{wanted} (found {value!r})")
        return str(value)

    turns = choice("turns", TURNS)
    closing = choice("closing", CLOSINGS)
    return Protocol(
        time_limit=positive("time_limit"),
        turns="free" if turns == "free" else "alternating",
        first_mover=choice("first_mover", ("random", *role_ids)),
        max_offers=count("max_offers"),
        closing="claims" if closing == "claims" else "accept",
        breaks=count("breaks"),
        break_seconds=positive("break_seconds"),
        extensions=count("extensions"),
        extension_seconds=positive("extension_seconds"),
    )


class _Checker:
    """Small type checks that all phrase their refusal the same way."""

    def __init__(self, source: str) -> None:
        self.source = source

    def keys(
        self, table: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> None:
        if not isinstance(table, Mapping):
            raise ScenarioError(self.source, where or "(top level)", "a table")
        for key in required:
            if key not in table:
                name = f"{where}.{key}" if where else key
                raise ScenarioError(self.source, name, "a value (the key is missing)")
        allowed = set(required) | set(optional)
        for key in table:
            if key not in allowed:
                name = f"{where}.{key}" if where else key
                raise ScenarioError(
                    self.source, name, f"no such key; expected one of {sorted(allowed)}"
                )

    def points_table(self, table: Any, where: str, issues: tuple[Issue, ...]) -> PointsTable:
        """A role's ``points``: one list of numbers per issue, one number per option."""
        if not isinstance(table, Mapping):
            raise ScenarioError(self.source, where, "a table of issue id = [points per option]")
        known = {issue.id for issue in issues}
        for key in table:
            if key not in known:
                raise ScenarioError(
                    self.source, f"{where}.{key}", f"an issue id (one of {sorted(known)})"
                )
        rows: list[tuple[Points, ...]] = []
        for issue in issues:
            key = f"{where}.{issue.id}"
            if issue.id not in table:
                raise ScenarioError(self.source, key, "points for every issue (missing)")
            row = table[issue.id]
            if not isinstance(row, list):
                raise ScenarioError(self.source, key, f"a list of {len(issue.options)} numbers")
            if len(row) != len(issue.options):
                raise ScenarioError(
                    self.source,
                    key,
                    f"{len(issue.options)} numbers, one per option (found {len(row)})",
                )
            rows.append(tuple(self.number(v, f"{key}[{i}]") for i, v in enumerate(row)))
        return tuple(rows)

    def table_list(self, value: Any, key: str) -> list[Mapping[str, Any]]:
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise ScenarioError(self.source, key, f"a list of tables ([[{key}]])")
        return value

    def identifier(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not _ID.match(value):
            raise ScenarioError(
                self.source,
                key,
                "an id of letters, digits, '-', '_' or '.', starting with a letter or digit, "
                f"at most 64 characters (found {value!r})",
            )
        return value

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str):
            raise ScenarioError(self.source, key, f"a string (found {type(value).__name__})")
        return value

    def number(self, value: Any, key: str) -> Points:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(self.source, key, f"a number (found {value!r})")
        if isinstance(value, float) and not math.isfinite(value):
            raise ScenarioError(self.source, key, f"a finite number (found {value!r})")
        return value
