"""GENIUS negotiation domains as zopa scenarios: one domain file and two profiles in.

GENIUS (the negotiation environment of the ANAC competitions) describes a domain in
one XML file (issues and their items) and each party's preferences in a profile (per
issue, a weight and an evaluation of every item; a reservation value; a discount
factor). For a discrete linear-additive profile GENIUS's utility of an outcome is the
sum over issues of ``weight * evaluation / largest evaluation of that issue``. The
scenario gives each role exactly that utility, times one scale shared by both roles,
and the reservation value, on the same scale, as its BATNA.

Exact points. The utilities are computed as fractions from the decimal text of the
files (never through binary floats), and the scale is the least common multiple of
every denominator (and of 100, so points read as hundredths of a utility at least):
the points are whole numbers and each is its utility times the scale, exactly, so the
frontier, the zone of agreement and the Nash point are GENIUS's own. Only when that
scale would take points past 2**53 (beyond which a browser's numbers round; files
whose weights have sixteen decimals get there) are points rounded instead, at a
scale of 10**k, with the smallest k from 4 whose rounding keeps the analysis: the same
frontier deals in the same order, the same zone of agreement and the same Nash deal
as exact arithmetic gives. ``[origin]`` says which it was.

The discount factor has no meaning in zopa's games (points do not shrink with time);
it is kept, with the files' names and the scale, in the scenario's ``[origin]`` table,
and the importer's caller reports it.

Refused, with the file and the item named: XML that is not well formed; a profile that
is not linear additive, or an issue that is not discrete; nested objectives; a repeated
issue, item or weight; issues or items of a profile that the domain does not have (and
the reverse); a missing or non-numeric evaluation, weight or value; negative numbers;
an issue whose evaluations are all 0 (GENIUS would divide by zero).

Pure: the caller reads the files (``zopa import genius``).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from zopa.rules.analysis import Analysis, analyze
from zopa.rules.errors import DomainError
from zopa.rules.scenario import FORMAT, Scenario, parse_scenario

SAFE = 2**53  # the largest whole number every JSON reader (a browser's) keeps exact
_LEAST_SCALE = 100
# Rounded points keep at least this many decimals of a utility: a researcher compares them.
_LEAST_DIGITS = 4
# "any" is what negmas writes for linear-additive profiles it saves in GENIUS's format.
_LINEAR_TYPES = ("", "linear", "additive", "any")
# Elements only GENIUS's non-linear (constraint-based) utility spaces hold.
_NON_LINEAR = ("ufun", "constraint", "hyperRectangle", "hyperrectangle")
_DECIMAL = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
_NOT_ID = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True, slots=True)
class XmlFile:
    """A file's name (for messages and ``[origin]``) and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Profile:
    """One party's preferences, exactly: utility per option of each issue, in domain order."""

    file: str
    utilities: tuple[tuple[Fraction, ...], ...]
    reservation: Fraction
    discount: float


@dataclass(frozen=True, slots=True)
class GeniusScenario:
    scenario: Scenario
    profiles: tuple[Profile, Profile]
    scale: int  # points = utility * scale (rounded to whole points unless ``exact``)
    exact: bool
    analysis: Analysis

    @property
    def discounts(self) -> tuple[float, float]:
        return (self.profiles[0].discount, self.profiles[1].discount)


@dataclass(frozen=True, slots=True)
class _Issue:
    name: str
    items: tuple[str, ...]


def genius_scenario(
    domain: XmlFile,
    first: XmlFile,
    second: XmlFile,
    scenario_id: str | None = None,
    role_ids: tuple[str, str] | None = None,
) -> GeniusScenario:
    """The scenario of a GENIUS domain between two profiles; ``DomainError`` names the problem."""
    issues, domain_name = read_domain(domain)
    profiles = (read_profile(first, issues), read_profile(second, issues))
    roles = role_ids or role_names(first.name, second.name)
    every = [u for p in profiles for row in p.utilities for u in row]
    every += [p.reservation for p in profiles]
    scale = math.lcm(_LEAST_SCALE, *(u.denominator for u in every))
    exact_scenario = _scenario(issues, profiles, scale, domain, roles, scenario_id, domain_name)
    largest = max(max(_totals(exact_scenario)), *(abs(r.batna) for r in exact_scenario.roles))
    if largest <= SAFE:
        return GeniusScenario(exact_scenario, profiles, scale, True, analyze(exact_scenario))
    return _rounded(exact_scenario, issues, profiles, domain, roles, scenario_id, domain_name)


def read_domain(file: XmlFile) -> tuple[tuple[_Issue, ...], str]:
    """The domain's issues in file order, and the name of its objective."""
    objective = _objective(file, _root(file))
    issues: list[_Issue] = []
    for issue in _issues(file, objective):
        name = _attribute(file, issue, "name", "issue")
        _discrete(file, issue, name)
        items = [
            _attribute(file, item, "value", f"issue {name!r}: item")
            for item in issue.findall("item")
        ]
        _unique(file, items, f"issue {name!r}: item")
        if len(items) < 2:
            raise DomainError(file.name, f"issue {name!r}: at least two items (found {len(items)})")
        issues.append(_Issue(name, tuple(items)))
    if not issues:
        raise DomainError(file.name, "at least one issue (found none)")
    _unique(file, [i.name for i in issues], "issue")
    return tuple(issues), objective.get("name", "")


def read_profile(file: XmlFile, domain: Sequence[_Issue]) -> Profile:
    """A profile's exact utilities, checked against the domain's issues and items."""
    root = _root(file)
    space = root if root.tag == "utility_space" else root.find("utility_space")
    kind = "" if space is None else space.get("type", "").strip().lower()
    if kind not in _LINEAR_TYPES:
        raise DomainError(
            file.name,
            f'utility_space: a linear additive profile (found type="{kind}"); '
            "only discrete linear-additive domains can be imported",
        )
    for tag in _NON_LINEAR:
        if root.find(f".//{tag}") is not None:
            raise DomainError(
                file.name,
                f"<{tag}>: a linear additive profile (this one is non-linear); only discrete "
                "linear-additive domains can be imported",
            )
    objective = _objective(file, root)
    weights = _weights(file, objective)
    found: dict[str, tuple[str, dict[str, Fraction]]] = {}
    for issue in _issues(file, objective):
        name = _attribute(file, issue, "name", "issue")
        _discrete(file, issue, name)
        if name in found:
            raise DomainError(file.name, f"issue {name!r}: a repeated issue")
        evaluations: dict[str, Fraction] = {}
        for item in issue.findall("item"):
            value = _attribute(file, item, "value", f"issue {name!r}: item")
            where = f"issue {name!r}: item {value!r}"
            if value in evaluations:
                raise DomainError(file.name, f"{where}: a repeated item")
            evaluations[value] = _number(file, item, "evaluation", where)
        found[name] = (issue.get("index", ""), evaluations)
    known = {i.name for i in domain}
    for name in found:
        if name not in known:
            raise DomainError(
                file.name, f"issue {name!r}: an issue of the domain (it has {sorted(known)})"
            )
    rows: list[tuple[Fraction, ...]] = []
    for wanted in domain:
        if wanted.name not in found:
            raise DomainError(file.name, f"issue {wanted.name!r}: the domain's issue is missing")
        index, evaluations = found[wanted.name]
        for value in evaluations:
            if value not in wanted.items:
                raise DomainError(
                    file.name,
                    f"issue {wanted.name!r}: item {value!r}: an item of the domain's issue "
                    f"(it has {list(wanted.items)})",
                )
        for value in wanted.items:
            if value not in evaluations:
                raise DomainError(
                    file.name, f"issue {wanted.name!r}: item {value!r}: an evaluation (missing)"
                )
        if index not in weights:
            raise DomainError(
                file.name, f"issue {wanted.name!r}: a <weight index={index!r}> for it (missing)"
            )
        top = max(evaluations.values())
        if top <= 0:
            raise DomainError(
                file.name,
                f"issue {wanted.name!r}: an evaluation above 0 (GENIUS divides by the largest)",
            )
        weight = weights[index]
        rows.append(tuple(weight * evaluations[v] / top for v in wanted.items))
    return Profile(
        file.name,
        tuple(rows),
        _setting(file, root, "reservation", Fraction(0)),
        float(_setting(file, root, "discount_factor", Fraction(1))),
    )


def role_names(first: str, second: str) -> tuple[str, str]:
    """Role ids from the profiles' file names, without what the two names share.

    ``laptop_buyer_utility.xml`` and ``laptop_seller_utility.xml`` give ``buyer`` and
    ``seller``; names with nothing distinct give ``a`` and ``b``.
    """
    words = [re.split(r"[\s_.-]+", _stem(name)) for name in (first, second)]
    a, b = words
    while len(a) > 1 and len(b) > 1 and a[0].lower() == b[0].lower():
        a, b = a[1:], b[1:]
    while len(a) > 1 and len(b) > 1 and a[-1].lower() == b[-1].lower():
        a, b = a[:-1], b[:-1]
    ids = (_identifier("_".join(a)), _identifier("_".join(b)))
    if not all(ids) or ids[0] == ids[1]:
        return ("a", "b")
    return ids[0], ids[1]


def scenario_id_for(name: str) -> str:
    """A scenario id from a file name: its stem, with anything an id may not hold replaced."""
    return _identifier(_stem(name)) or "genius"


# ---- the scenario ----


def _scenario(
    issues: Sequence[_Issue],
    profiles: tuple[Profile, Profile],
    scale: int,
    domain: XmlFile,
    roles: tuple[str, str],
    scenario_id: str | None,
    domain_name: str,
    exact: bool = True,
) -> Scenario:
    ids = _issue_ids(i.name for i in issues)
    title = domain_name if domain_name and domain_name.lower() != "root" else _stem(domain.name)
    how = "exactly" if exact else "rounded to whole points"
    data: dict[str, Any] = {
        "format": FORMAT,
        "id": scenario_id or scenario_id_for(domain.name),
        "title": title,
        "description": (
            f"Imported from the GENIUS domain {_base(domain.name)} with the profiles "
            f"{_base(profiles[0].file)} and {_base(profiles[1].file)}. Points are GENIUS utilities "
            f"times {scale:,} ({how})."
        ),
        "issues": [
            {"id": ids[n], "label": issue.name, "options": list(issue.items)}
            for n, issue in enumerate(issues)
        ],
        "roles": [
            {
                "id": role,
                "label": role.replace("_", " ").capitalize(),
                "brief": _brief(profile, scale),
                "batna": _points(profile.reservation, scale, exact),
                "points": {
                    ids[n]: [_points(u, scale, exact) for u in row]
                    for n, row in enumerate(profile.utilities)
                },
            }
            for role, profile in zip(roles, profiles, strict=True)
        ],
        "origin": {
            "format": "genius",
            "domain": _base(domain.name),
            "profiles": [_base(p.file) for p in profiles],
            "points_per_utility": scale,
            "exact": exact,
            "discount_factor": {r: p.discount for r, p in zip(roles, profiles, strict=True)},
        },
    }
    return parse_scenario(data, domain.name)


def _brief(profile: Profile, scale: int) -> str:
    return (
        f"Your preferences are those of the GENIUS profile {_base(profile.file)}: each point is "
        f"1/{scale:,} of a GENIUS utility. Your reservation value, "
        f"{_decimal(profile.reservation)}, is your BATNA.\n\n"
        f"The profile's discount factor is {profile.discount:g}. Points do not shrink with "
        "time in this game: the deadline is the only cost of waiting."
    )


def _points(utility: Fraction, scale: int, exact: bool) -> int:
    scaled = utility * scale
    if exact:
        assert scaled.denominator == 1
        return scaled.numerator
    return round(scaled)


def _totals(scenario: Scenario) -> tuple[int, ...]:
    """Each role's most points (none is negative: no weight or evaluation is)."""
    return tuple(int(sum(max(row) for row in role.points)) for role in scenario.roles)


def _rounded(
    exact: Scenario,
    issues: Sequence[_Issue],
    profiles: tuple[Profile, Profile],
    domain: XmlFile,
    roles: tuple[str, str],
    scenario_id: str | None,
    domain_name: str,
) -> GeniusScenario:
    """Points at the smallest scale 10**k whose rounding keeps the exact analysis."""
    truth = analyze(exact)
    largest = max(
        *(sum(max(row) for row in p.utilities) for p in profiles),
        *(p.reservation for p in profiles),
    )
    k = _LEAST_DIGITS
    while 10**k * largest <= SAFE:
        scale = 10**k
        scenario = _scenario(
            issues, profiles, scale, domain, roles, scenario_id, domain_name, False
        )
        found = analyze(scenario)
        if _same(found, truth):
            return GeniusScenario(scenario, profiles, scale, False, found)
        k += 1
    raise DomainError(
        domain.name,
        "points whole and below 2**53 that keep the frontier: neither exact points nor any "
        f"rounding up to 10**{k - 1} points per utility do",
    )


def _same(found: Analysis, truth: Analysis) -> bool:
    """The same deals on the frontier in the same order, zone of agreement and Nash deal."""
    return (
        [f.terms for f in found.frontier] == [f.terms for f in truth.frontier]
        and found.zopa == truth.zopa
        and (found.nash is None) == (truth.nash is None)
        and (found.nash is None or truth.nash is None or found.nash.terms == truth.nash.terms)
    )


# ---- XML ----


def _root(file: XmlFile) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(file.data)
    except ElementTree.ParseError as exc:
        line = exc.position[0]
        raise DomainError(file.name, f"line {line}: well-formed XML ({exc})") from None


def _objective(file: XmlFile, root: ElementTree.Element) -> ElementTree.Element:
    space = root if root.tag == "utility_space" else root.find("utility_space")
    objective = None if space is None else space.find("objective")
    if objective is None:
        raise DomainError(file.name, "utility_space/objective: the GENIUS root objective (missing)")
    nested = objective.find("objective")
    if nested is not None:
        raise DomainError(
            file.name,
            f"objective {nested.get('name', '')!r}: a flat list of issues (nested objectives "
            "cannot be imported)",
        )
    return objective


def _issues(file: XmlFile, objective: ElementTree.Element) -> list[ElementTree.Element]:
    return objective.findall("issue")


def _discrete(file: XmlFile, issue: ElementTree.Element, name: str) -> None:
    for attribute in ("type", "etype", "vtype"):
        kind = issue.get(attribute, "discrete").strip().lower()
        if kind != "discrete":
            raise DomainError(
                file.name,
                f'issue {name!r}: a discrete issue (found {attribute}="{kind}"); only discrete '
                "linear-additive domains can be imported",
            )


def _weights(file: XmlFile, objective: ElementTree.Element) -> dict[str, Fraction]:
    weights: dict[str, Fraction] = {}
    for weight in objective.findall("weight"):
        index = _attribute(file, weight, "index", "weight")
        where = f"weight index={index!r}"
        if index in weights:
            raise DomainError(file.name, f"{where}: a repeated weight")
        weights[index] = _number(file, weight, "value", where)
    return weights


def _setting(file: XmlFile, root: ElementTree.Element, tag: str, default: Fraction) -> Fraction:
    found = list(root.iter(tag))
    if not found:
        return default
    if len(found) > 1:
        raise DomainError(file.name, f"<{tag}>: one (found {len(found)})")
    return _number(file, found[0], "value", f"<{tag}>")


def _attribute(file: XmlFile, element: ElementTree.Element, name: str, where: str) -> str:
    value = element.get(name)
    if value is None:
        raise DomainError(file.name, f"{where}: a {name}= attribute (missing)")
    return value


def _number(file: XmlFile, element: ElementTree.Element, name: str, where: str) -> Fraction:
    raw = _attribute(file, element, name, where)
    if not _DECIMAL.match(raw):
        raise DomainError(file.name, f"{where}: {name} a decimal number (found {raw!r})")
    value = Fraction(raw.strip())
    if value < 0:
        raise DomainError(file.name, f"{where}: {name} 0 or more (found {raw!r})")
    return value


def _unique(file: XmlFile, names: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DomainError(file.name, f"{what} {name!r}: a repeated {what.split(': ')[-1]}")
        seen.add(name)


# ---- names ----


def _base(name: str) -> str:
    """A file's name without its folders: the scenario must not tell where it was made."""
    return re.split(r"[\\/]", name)[-1]


def _stem(name: str) -> str:
    base = _base(name)
    return base[: -len(".xml")] if base.lower().endswith(".xml") else base


def _identifier(text: str) -> str:
    return _NOT_ID.sub("-", text).lstrip("-_.")[:64]


def _issue_ids(names: Iterable[str]) -> list[str]:
    """Ids for issue names (which may hold spaces), unique however the names were mangled."""
    ids: list[str] = []
    for n, name in enumerate(names, start=1):
        base = _identifier(name) or f"issue{n}"
        found, k = base, 2
        while found in ids:
            found, k = f"{base[:60]}-{k}", k + 1
        ids.append(found)
    return ids


def _decimal(value: Fraction) -> str:
    """A value read from a file's decimal text, written back as that decimal exactly."""
    digits = 0
    while (value * 10**digits).denominator != 1:
        digits += 1
    if digits == 0:
        return str(value.numerator)
    whole = str(abs(value * 10**digits).numerator).rjust(digits + 1, "0")
    return ("-" if value < 0 else "") + whole[:-digits] + "." + whole[-digits:]
