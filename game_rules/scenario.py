"""Scenarios: the issues, options, roles, interest cards and protocol of a negotiation.

A scenario is read from TOML (``zopa-scenario/1``, see docs/scenarios.md) or from the dict
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
ID_RULE = (
    "an id of letters, digits, '-', '_' or '.', starting with a letter or digit, "
    "at most 64 characters"
)
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
    # Reading time before the negotiation clock starts (zopa.rules.reading); 0: none.
    reading: Points = 0
    # Seconds in which a walkout may be taken back if the other side agrees; 0: a walkout
    # ends the game at once (game_rules/intervention.py).
    walkout_window: Points = 0


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
    # Where the scenario came from (an importer's notes, such as GENIUS's discount factor):
    # data kept with it and in every log of it, never read by the rules.
    origin: Mapping[str, Any] = field(default_factory=dict, compare=False)
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
            **({"origin": dict(self.origin)} if self.origin else {}),
        }
        if self.variation is not None:
            whole["variation"] = self.variation.to_dict(self.issues, self.roles)
        return whole


def _protocol_dict(protocol: Protocol) -> dict[str, Any]:
    found = {name: getattr(protocol, name) for name in Protocol.__dataclass_fields__}
    # Written only when there is some: a scenario without reading time writes the bytes
    # it wrote before there was any, so older logs and their hashes stay as they were.
    if not protocol.reading:
        del found["reading"]
    if not protocol.walkout_window:
        del found["walkout_window"]
    return found


_DURATION = re.compile(r"^\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$")


def duration_seconds(raw: Any) -> Points | None:
    """Seconds from a number of seconds or a text like ``"3m"``, ``"90s"``, ``"1m30s"``;
    None when it is neither (or negative)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return raw if math.isfinite(raw) and raw >= 0 else None
    if not isinstance(raw, str):
        return None
    found = _DURATION.match(raw)
    if found is None or not any(found.groups()):
        return None
    minutes, seconds = (int(part or 0) for part in found.groups())
    return minutes * 60 + seconds


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a TOML scenario file."""
    source = str(path)
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
    except OSError as exc:
        raise ScenarioError(source, "(file)", f"a readable file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ScenarioError(source, "(file)", f"UTF-8 text ({exc.reason})") from exc
    return read_scenario(text, source)


def read_scenario(text: str, source: str) -> Scenario:
    """Check a scenario held as TOML text; the first problem is raised."""
    return parse_scenario(_toml(text, source), source)


def scenario_problems(text: str, source: str) -> list[ScenarioError]:
    """Every problem of a scenario's TOML text, in the order the file is checked.

    Empty when the text is a valid scenario. A TOML syntax error is the one problem: the
    rest of the file cannot be read past it.
    """
    return check_text(text, source)[1]


def check_text(text: str, source: str) -> tuple[Scenario | None, list[ScenarioError]]:
    """The scenario of a TOML text and every problem found, from one reading.

    The scenario only when there is no problem. For who needs both (an upload, the
    editor's every keystroke): checking, then reading again, would check twice.
    """
    try:
        data = _toml(text, source)
    except ScenarioError as exc:
        return None, [exc]
    return _parse(data, source)


def check_data(data: Mapping[str, Any], source: str) -> tuple[Scenario | None, list[ScenarioError]]:
    """``check_text`` for a scenario held as a dict."""
    return _parse(data, source)


def _toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, "(syntax)", f"valid TOML ({exc})") from exc


def parse_scenario(data: Mapping[str, Any], source: str) -> Scenario:
    """Check a scenario held as a dict (from TOML or a log header) and build its value."""
    scenario, problems = _parse(data, source)
    if problems:
        raise problems[0]
    assert scenario is not None
    return scenario


def data_problems(data: Mapping[str, Any], source: str) -> list[ScenarioError]:
    """Every problem of a scenario held as a dict; empty when ``parse_scenario`` accepts it."""
    return _parse(data, source)[1]


def _parse(data: Any, source: str) -> tuple[Scenario | None, list[ScenarioError]]:
    check = _Checker(source)
    try:
        scenario = _build(check, data)
    except ScenarioError as exc:  # a check that cannot go on past its problem
        check.problems.append(exc)
        scenario = None
    return (None if check.problems else scenario), check.problems


def _build(check: _Checker, data: Any) -> Scenario | None:
    """The scenario, checking every key it can; ``None`` once a problem is found.

    The checks run in the order the file reads, so the first problem is the one a reader
    meets first; after a problem, checking goes on wherever the rest does not depend on
    the broken value.
    """
    check.keys(data, "", required=_TOP_REQUIRED, optional=_TOP_OPTIONAL)
    if not isinstance(data, Mapping):
        return None
    if "format" in data and data["format"] != FORMAT:
        check.fail("format", f'"{FORMAT}" (found {data["format"]!r})')
    scenario_id = check.identifier(data["id"], "id") if "id" in data else None
    title = check.text(data["title"], "title") if "title" in data else None
    description = check.text(data.get("description", ""), "description")
    issues = _parse_issues(check, data["issues"]) if "issues" in data else None
    roles = _parse_roles(check, data["roles"], issues) if "roles" in data else None
    protocol = _parse_protocol(check, data.get("protocol", {}), roles)
    origin = _parse_origin(check, data.get("origin", {}))
    if check.problems or issues is None or roles is None or protocol is None:
        return None
    assert scenario_id is not None and title is not None and description is not None
    pair = (roles[0], roles[1])
    variation = None
    if "variation" in data:
        variation = parse_variation(
            StrictChecker(check.source), data["variation"], issues.good, pair
        )
    for n, role in enumerate(pair):
        change = None if variation is None else variation.roles[n]
        check_brief(check.source, f"roles[{n}].brief", role, change, issues.good)
    scenario = Scenario(
        scenario_id, title, description, protocol, issues.good, pair, origin, variation
    )
    if variation is not None and variation.constrained:
        # Imported here: dealing needs the outcome-space analysis, which needs this module.
        from zopa.rules.deal import check_constraints

        check_constraints(scenario, check.source)
    return scenario


_TOP_REQUIRED = ("format", "id", "title", "issues", "roles")
_TOP_OPTIONAL = ("description", "protocol", "origin", "variation")


@dataclass(frozen=True, slots=True)
class _Issues:
    """The issues that passed, and the id of every issue that has a good one (even if broken)."""

    good: tuple[Issue, ...]
    ids: frozenset[str]


def _parse_issues(check: _Checker, raw: Any) -> _Issues | None:
    items = check.table_list(raw, "issues")
    if items is None:
        return None
    if not items:
        check.fail("issues", "at least one [[issues]] table")
        return None
    issues: list[Issue] = []
    seen: set[str] = set()
    for n, item in enumerate(items):
        where = f"issues[{n}]"
        before = len(check.problems)
        if not check.keys(item, where, required=("id", "options"), optional=("label",)) and (
            not isinstance(item, Mapping) or "id" not in item
        ):
            continue
        issue_id = check.identifier(item["id"], f"{where}.id")
        if issue_id is not None and issue_id in seen:
            check.fail(f"{where}.id", f"a unique issue id ({issue_id!r} repeats)")
            issue_id = None
        if issue_id is not None:
            seen.add(issue_id)
        options = _parse_options(check, item["options"], where) if "options" in item else None
        label = check.text(item.get("label", issue_id or ""), f"{where}.label")
        if len(check.problems) > before or None in (issue_id, options, label):
            continue
        assert issue_id is not None and options is not None and label is not None
        issues.append(Issue(issue_id, label, options))
    return _Issues(tuple(issues), frozenset(seen))


def _parse_options(check: _Checker, options: Any, where: str) -> tuple[str, ...] | None:
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        check.fail(f"{where}.options", "a list of strings")
    elif len(options) < 2:
        check.fail(f"{where}.options", "at least two options")
    elif len(set(options)) != len(options):
        check.fail(f"{where}.options", "distinct option labels")
    else:
        return tuple(options)
    return None


def _parse_roles(check: _Checker, raw: Any, issues: _Issues | None) -> list[Role] | None:
    """The two roles; their points are checked against the issues when those were readable."""
    items = check.table_list(raw, "roles")
    if items is None:
        return None
    if len(items) != 2:
        check.fail("roles", f"exactly two [[roles]] tables (found {len(items)})")
        return None
    roles: list[Role] = []
    ids: list[str] = []
    for n, item in enumerate(items):
        where = f"roles[{n}]"
        before = len(check.problems)
        if not check.keys(
            item, where, required=("id", "batna", "points"), optional=("label", "brief")
        ) and not isinstance(item, Mapping):
            continue
        role_id = check.identifier(item["id"], f"{where}.id") if "id" in item else None
        if role_id is not None and role_id in ids:
            check.fail(f"{where}.id", f"a unique role id ({role_id!r} repeats)")
            role_id = None
        if role_id is not None:
            ids.append(role_id)
        batna = check.number(item["batna"], f"{where}.batna") if "batna" in item else None
        rows = _parse_points(check, item["points"], where, issues) if "points" in item else None
        label = check.text(item.get("label", role_id or ""), f"{where}.label")
        brief = check.text(item.get("brief", ""), f"{where}.brief")
        if len(check.problems) > before or None in (role_id, batna, rows, label, brief):
            continue
        assert role_id is not None and batna is not None and rows is not None
        assert label is not None and brief is not None
        roles.append(Role(id=role_id, label=label, brief=brief, batna=batna, points=rows))
    # First movers name roles: the ids are kept even when something else of a role broke.
    check.role_ids = tuple(ids)
    return roles if len(roles) == 2 else None


def _parse_points(
    check: _Checker, table: Any, where: str, issues: _Issues | None
) -> PointsTable | None:
    if not isinstance(table, Mapping):
        check.fail(f"{where}.points", "a table of issue id = [points per option]")
        return None
    if issues is None:
        return None
    return _points_rows(check, table, f"{where}.points", issues.good, issues.ids)


def _points_rows(
    check: _Checker,
    table: Mapping[str, Any],
    where: str,
    good: tuple[Issue, ...],
    known: frozenset[str],
) -> PointsTable | None:
    """One row of numbers per issue of ``good``; ``known`` also names the broken issues,
    whose points are left unchecked (and the card then incomplete)."""
    before = len(check.problems)
    for key in table:
        if key not in known:
            check.fail(f"{where}.{key}", f"an issue id (one of {sorted(known)})")
    rows: list[tuple[Points, ...]] = []
    for issue in good:
        key = f"{where}.{issue.id}"
        if issue.id not in table:
            check.fail(key, "points for every issue (missing)")
            continue
        row = table[issue.id]
        if not isinstance(row, list):
            check.fail(key, f"a list of {len(issue.options)} numbers")
            continue
        if len(row) != len(issue.options):
            check.fail(key, f"{len(issue.options)} numbers, one per option (found {len(row)})")
            continue
        numbers = [check.number(v, f"{key}[{i}]") for i, v in enumerate(row)]
        rows.append(tuple(v for v in numbers if v is not None))
    if len(check.problems) > before or len(good) != len(known):
        return None
    return tuple(rows)


def _parse_protocol(check: _Checker, raw: Any, roles: list[Role] | None) -> Protocol | None:
    if not isinstance(raw, Mapping):
        check.fail("protocol", "a [protocol] table")
        return None
    check.keys(raw, "protocol", required=(), optional=tuple(Protocol.__dataclass_fields__))
    default = Protocol()
    before = len(check.problems)

    def positive(key: str) -> Points:
        value = check.number(raw.get(key, getattr(default, key)), f"protocol.{key}")
        if value is None:
            return 1
        if value <= 0:
            check.fail(f"protocol.{key}", f"a number of seconds above 0 (found {value})")
        return value

    def seconds(key: str) -> Points:
        value = check.number(raw.get(key, getattr(default, key)), f"protocol.{key}")
        if value is None:
            return 0
        if value < 0:
            check.fail(f"protocol.{key}", f"a number of seconds, 0 or more (found {value})")
        return value

    def count(key: str) -> int:
        value = raw.get(key, getattr(default, key))
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            check.fail(f"protocol.{key}", f"a whole number 0 or more (found {value!r})")
            return 0
        return value

    def choice(key: str, allowed: tuple[str, ...]) -> str:
        value = raw.get(key, getattr(default, key))
        if value not in allowed:
            wanted = " or ".join(f'"{a}"' for a in allowed)
            check.fail(f"protocol.{key}", f"{wanted} (found {value!r})")
            return allowed[0]
        return str(value)

    def duration(key: str) -> Points:
        value = duration_seconds(raw.get(key, getattr(default, key)))
        if value is None:
            check.fail(
                f"protocol.{key}",
                f'seconds 0 or more, or a duration like "3m" (found {raw.get(key)!r})',
            )
            return 0
        return value

    turns = choice("turns", TURNS)
    closing = choice("closing", CLOSINGS)
    time_limit = positive("time_limit")
    # Without readable role ids a role named as first mover cannot be checked; "random" can.
    movers = ("random", *check.role_ids)
    first_mover = choice("first_mover", movers) if check.role_ids else "random"
    protocol = Protocol(
        time_limit=time_limit,
        turns="free" if turns == "free" else "alternating",
        first_mover=first_mover,
        max_offers=count("max_offers"),
        closing="claims" if closing == "claims" else "accept",
        breaks=count("breaks"),
        break_seconds=positive("break_seconds"),
        extensions=count("extensions"),
        extension_seconds=positive("extension_seconds"),
        reading=duration("reading"),
        walkout_window=seconds("walkout_window"),
    )
    return None if len(check.problems) > before else protocol


def _parse_origin(check: _Checker, raw: Any) -> Mapping[str, Any]:
    """Where the scenario came from (an importer's notes): kept as data, never used in play."""
    if not isinstance(raw, Mapping):
        check.fail("origin", "a table ([origin])")
        return {}

    def plain(value: Any, key: str) -> bool:
        if isinstance(value, Mapping):
            return all(plain(v, f"{key}.{k}") for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v, f"{key}[{i}]") for i, v in enumerate(value))
        if isinstance(value, float) and not math.isfinite(value):
            check.fail(key, f"a finite number (found {value!r})")
            return False
        if not isinstance(value, str | int | float | bool):
            check.fail(key, f"text, a number, true or false (found {type(value).__name__})")
            return False
        return True

    return dict(raw) if plain(raw, "origin") else {}


class _Checker:
    """Small type checks that all phrase their refusal the same way, and keep every one."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[ScenarioError] = []
        self.role_ids: tuple[str, ...] = ()

    def fail(self, key: str, expected: str) -> None:
        self.problems.append(ScenarioError(self.source, key, expected))

    def keys(
        self, table: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> bool:
        """Every missing and every unknown key; whether the table has all it needs."""
        if not isinstance(table, Mapping):
            self.fail(where or "(top level)", "a table")
            return False
        complete = True
        for key in required:
            if key not in table:
                self.fail(f"{where}.{key}" if where else key, "a value (the key is missing)")
                complete = False
        allowed = set(required) | set(optional)
        for key in table:
            if key not in allowed:
                name = f"{where}.{key}" if where else key
                self.fail(name, f"no such key; expected one of {sorted(allowed)}")
        return complete

    def table_list(self, value: Any, key: str) -> list[Mapping[str, Any]] | None:
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            self.fail(key, f"a list of tables ([[{key}]])")
            return None
        return value

    def identifier(self, value: Any, key: str) -> str | None:
        if not isinstance(value, str) or not _ID.match(value):
            self.fail(key, f"{ID_RULE} (found {value!r})")
            return None
        return value

    def text(self, value: Any, key: str) -> str | None:
        if not isinstance(value, str):
            self.fail(key, f"a string (found {type(value).__name__})")
            return None
        return value

    def number(self, value: Any, key: str) -> Points | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, f"a number (found {value!r})")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(key, f"a finite number (found {value!r})")
            return None
        return value


class StrictChecker:
    """The checks of ``_Checker`` for a part read up to its first problem (a scenario's
    variation, whose later keys depend on the earlier): each raises its problem."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._check = _Checker(source)

    def _first(self) -> None:
        if self._check.problems:
            raise self._check.problems[0]

    def keys(
        self, table: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> None:
        self._check.keys(table, where, required, optional)
        self._first()

    def number(self, value: Any, key: str) -> Points:
        found = self._check.number(value, key)
        self._first()
        assert found is not None
        return found

    def points_table(self, table: Any, where: str, issues: tuple[Issue, ...]) -> PointsTable:
        """A role's points: one list of numbers per issue, one number per option."""
        if not isinstance(table, Mapping):
            raise ScenarioError(self.source, where, "a table of issue id = [points per option]")
        found = _points_rows(self._check, table, where, issues, frozenset(i.id for i in issues))
        self._first()
        assert found is not None
        return found
