"""GENIUS domains as scenarios: the frontier is GENIUS's own, computed here independently
from the numbers written into the files, and every refusal names the file and the item."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import pytest

from tests.genius_xml import Domain, ProfileSpec, domain_xml, profile_xml, random_case
from zopa.rules.analysis import FrontierPoint, analyze
from zopa.rules.errors import DomainError
from zopa.rules.importers.genius import SAFE, XmlFile, genius_scenario, role_names
from zopa.rules.scenario import load_scenario
from zopa.server.cli import main

DATA = Path(__file__).parent / "data" / "genius"
HOLIDAY: Domain = [
    ("Destination", ["Beach", "City", "Mountains", "Lake"]),
    ("Duration", ["One week", "Two weeks", "Three weeks"]),
    ("Sleeping in", ["Tent", "Hotel", "Apartment"]),
]
# The numbers of tests/data/genius/holiday_*.xml, in the domain's order (bob's file lists
# its issues and items in another order on purpose).
ALICE = ProfileSpec(["0.5", "0.3", "0.2"], [["4", "1", "2", "3"], ["1", "3", "2"], ["1", "3", "2"]])
BOB = ProfileSpec(
    ["0.25", "0.45", "0.30"], [["2", "4", "3", "1"], ["3", "2", "1"], ["1", "2", "3"]]
)


def utilities(spec: ProfileSpec) -> list[list[Fraction]]:
    """GENIUS's evaluation: each item's evaluation over its issue's largest, times the weight."""
    rows = []
    for weight, evaluations in zip(spec.weights, spec.evaluations, strict=True):
        values = [Fraction(e) for e in evaluations]
        rows.append([Fraction(weight) * v / max(values) for v in values])
    return rows


def genius_frontier(
    first: ProfileSpec, second: ProfileSpec
) -> list[tuple[tuple[Fraction, Fraction], tuple[int, ...]]]:
    """Every outcome's pair of utilities, the Pareto-optimal ones with their first terms,
    by listing all outcomes (nothing shared with zopa's analysis)."""
    a, b = utilities(first), utilities(second)
    pairs: dict[tuple[Fraction, Fraction], tuple[int, ...]] = {}
    for terms in itertools.product(*(range(len(row)) for row in a)):
        pair = (
            sum((a[i][t] for i, t in enumerate(terms)), Fraction(0)),
            sum((b[i][t] for i, t in enumerate(terms)), Fraction(0)),
        )
        pairs.setdefault(pair, terms)
    optimal = [p for p in pairs if not any(q != p and q[0] >= p[0] and q[1] >= p[1] for q in pairs)]
    return [(p, pairs[p]) for p in sorted(optimal)]


def utility_pairs(frontier: Sequence[FrontierPoint], scale: int) -> list[tuple[Fraction, Fraction]]:
    """Frontier points back in GENIUS's utilities: points over the scale, exactly."""
    return [
        (Fraction(int(f.points[0]), scale), Fraction(int(f.points[1]), scale)) for f in frontier
    ]


def files(tmp_path: Path, domain: Domain, first: ProfileSpec, second: ProfileSpec) -> list[Path]:
    paths = [tmp_path / name for name in ("d_domain.xml", "d_first.xml", "d_second.xml")]
    paths[0].write_text(domain_xml("D", domain), encoding="utf-8")
    paths[1].write_text(profile_xml(domain, first), encoding="utf-8")
    paths[2].write_text(profile_xml(domain, second), encoding="utf-8")
    return paths


def xml(path: Path) -> XmlFile:
    return XmlFile(path.name, path.read_bytes())


def load(*paths: Path) -> tuple[XmlFile, XmlFile, XmlFile]:
    domain, first, second = (xml(p) for p in paths)
    return domain, first, second


def test_the_holiday_domain_imports_with_genius_s_own_frontier() -> None:
    imported = genius_scenario(
        *load(DATA / "holiday_domain.xml", DATA / "holiday_alice.xml", DATA / "holiday_bob.xml")
    )
    scenario = imported.scenario
    assert imported.exact
    assert scenario.role_ids == ("alice", "bob")
    assert [i.label for i in scenario.issues] == [name for name, _ in HOLIDAY]
    assert [list(i.options) for i in scenario.issues] == [list(items) for _, items in HOLIDAY]
    scale = imported.scale
    assert scale == scenario.origin["points_per_utility"] == 1200
    truth = genius_frontier(ALICE, BOB)
    found = analyze(scenario).frontier
    assert [
        (Fraction(int(f.points[0]), scale), Fraction(int(f.points[1]), scale)) for f in found
    ] == [pair for pair, _ in truth]
    assert [tuple(f.terms.values()) for f in found] == [terms for _, terms in truth]
    # Reservation values are the BATNAs, on the same scale; discount factors kept as data.
    assert [r.batna for r in scenario.roles] == [Fraction("0.35") * scale, Fraction("0.4") * scale]
    assert scenario.origin["discount_factor"] == {"alice": 1.0, "bob": 0.9}
    assert scenario.origin["exact"] is True


@pytest.mark.parametrize(
    ("seed", "options", "digits"),
    [(1, (3, 4, 2), 1), (2, (5, 5, 5, 5), 2), (3, (2, 7, 3, 4), 3), (4, (4, 3, 5), 4)],
)
def test_random_domains_keep_their_frontier_exactly(
    tmp_path: Path, seed: int, options: Sequence[int], digits: int
) -> None:
    domain, first, second = random_case(seed, options, digits)
    imported = genius_scenario(*load(*files(tmp_path, domain, first, second)))
    assert imported.exact
    scale = imported.scale
    truth = genius_frontier(first, second)
    found = analyze(imported.scenario).frontier
    assert [
        (Fraction(int(f.points[0]), scale), Fraction(int(f.points[1]), scale)) for f in found
    ] == [p for p, _ in truth]
    # Every point is its utility times the scale, exactly: a whole number.
    for role, spec in zip(imported.scenario.roles, (first, second), strict=True):
        assert [list(row) for row in role.points] == [
            [u * scale for u in row] for row in utilities(spec)
        ]
        assert role.batna == Fraction(spec.reservation) * scale


def test_weights_of_sixteen_decimals_are_rounded_only_as_far_as_the_frontier_allows(
    tmp_path: Path,
) -> None:
    domain, first, second = random_case(5, (4, 3, 5, 3), digits=16)
    imported = genius_scenario(*load(*files(tmp_path, domain, first, second)))
    assert not imported.exact
    assert imported.scenario.origin["exact"] is False
    scale = imported.scale
    assert str(scale).strip("0") == "1"  # a power of ten
    top = max(sum(max(row) for row in role.points) for role in imported.scenario.roles)
    assert top <= SAFE
    truth = genius_frontier(first, second)
    found = analyze(imported.scenario).frontier
    # The same deals, in the same order; each point its utility rounded at the scale.
    assert [tuple(f.terms.values()) for f in found] == [terms for _, terms in truth]
    for role, spec in zip(imported.scenario.roles, (first, second), strict=True):
        assert [list(row) for row in role.points] == [
            [round(u * scale) for u in row] for row in utilities(spec)
        ]


def broken(tmp_path: Path, which: int, old: str, new: str) -> tuple[XmlFile, XmlFile, XmlFile]:
    paths = [DATA / "holiday_domain.xml", DATA / "holiday_alice.xml", DATA / "holiday_bob.xml"]
    text = paths[which].read_text(encoding="utf-8")
    assert old in text
    changed = tmp_path / paths[which].name
    changed.write_text(text.replace(old, new, 1), encoding="utf-8")
    paths[which] = changed
    return load(*paths)


@pytest.mark.parametrize(
    ("which", "old", "new", "message"),
    [
        (
            1,
            'type="linear"',
            'type="nonlinear"',
            'holiday_alice.xml: utility_space: a linear additive profile (found type="nonlinear")',
        ),
        (
            2,
            'name="Sleeping in">',
            'name="Sleeping in"><constraint/>',
            "holiday_bob.xml: <constraint>: a linear additive profile",
        ),
        (
            0,
            'index="2" etype="discrete" type="discrete"',
            'index="2" etype="integer" type="integer"',
            "holiday_domain.xml: issue 'Duration': a discrete issue (found type=\"integer\")",
        ),
        (
            0,
            'value="Lake"',
            'value="City"',
            "holiday_domain.xml: issue 'Destination': item 'City': a repeated item",
        ),
        (
            1,
            'value="Tent" evaluation="1"/>',
            'value="Tent" evaluation="1"/><item index="9" value="Tent" evaluation="2"/>',
            "holiday_alice.xml: issue 'Sleeping in': item 'Tent': a repeated item",
        ),
        (
            2,
            'name="Duration"',
            'name="Length"',
            "holiday_bob.xml: issue 'Length': an issue of the domain",
        ),
        (
            1,
            'value="Lake" evaluation="3"',
            'value="Lakes" evaluation="3"',
            "holiday_alice.xml: issue 'Destination': item 'Lakes': an item of the domain's issue",
        ),
        (
            1,
            '<weight index="2" value="0.3"/>',
            "",
            "holiday_alice.xml: issue 'Duration': a <weight index='2'> for it (missing)",
        ),
        (
            2,
            'evaluation="4"',
            'evaluation="four"',
            "holiday_bob.xml: issue 'Destination': item 'City': evaluation a decimal number",
        ),
        (
            1,
            '<reservation value="0.35"/>',
            '<reservation value="-0.35"/>',
            "holiday_alice.xml: <reservation>: value 0 or more",
        ),
        (1, "</objective>", "", "holiday_alice.xml: line "),
        (
            0,
            '<issue name="Duration"',
            '<objective name="Inner"/><issue name="Duration"',
            "holiday_domain.xml: objective 'Inner': a flat list of issues",
        ),
    ],
    ids=[
        "non-linear type",
        "constraint",
        "integer issue",
        "repeated domain item",
        "repeated profile item",
        "issue names differ",
        "item names differ",
        "missing weight",
        "bad evaluation",
        "negative reservation",
        "malformed xml",
        "nested objective",
    ],
)
def test_a_profile_that_cannot_be_imported_is_refused_naming_file_and_item(
    tmp_path: Path, which: int, old: str, new: str, message: str
) -> None:
    with pytest.raises(DomainError) as caught:
        genius_scenario(*broken(tmp_path, which, old, new))
    assert str(caught.value).startswith(message), str(caught.value)


def test_an_issue_whose_evaluations_are_all_zero_is_refused(tmp_path: Path) -> None:
    domain, first, second = random_case(6, (2, 2))
    zero = ProfileSpec(first.weights, [["0", "0"], ["1", "2"]])
    with pytest.raises(DomainError, match="issue 'Issue 1': an evaluation above 0"):
        genius_scenario(*load(*files(tmp_path, domain, zero, second)))


def test_role_ids_come_from_what_the_profile_names_do_not_share() -> None:
    assert role_names("laptop_buyer_utility.xml", "laptop_seller_utility.xml") == (
        "buyer",
        "seller",
    )
    assert role_names("dir/ItexvsCypress_Cypress.xml", "ItexvsCypress_Itex.xml") == (
        "Cypress",
        "Itex",
    )
    assert role_names("same.xml", "other/same.xml") == ("a", "b")


def test_zopa_import_genius_writes_the_scenario_and_reports_the_discount(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "my-holiday.toml"
    args = [str(DATA / f"holiday_{n}.xml") for n in ("domain", "alice", "bob")]
    assert main(["import", "genius", *args, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "3 issues, 36 outcomes, 6 on the frontier" in said
    assert "x 1,200 (exactly)" in said
    assert "discount factor 0.9" in said and "[origin]" in said
    scenario = load_scenario(out)
    assert scenario.id == "my-holiday"
    assert main(["analyze", str(out), "--json"]) == 0
    analysis = json.loads(capsys.readouterr().out)
    assert analysis["frontier"] == [
        [int(p[0] * 1200), int(p[1] * 1200)] for p, _ in genius_frontier(ALICE, BOB)
    ]
    assert analysis["batna"] == {"alice": 420, "bob": 480}
    # Written again, the same bytes.
    first = out.read_bytes()
    assert main(["import", "genius", *args, "--out", str(out), "--roles", "alice,bob"]) == 0
    assert out.read_bytes() == first


def test_zopa_import_genius_refuses_with_the_file_and_item(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bob.xml"
    bad.write_text(
        (DATA / "holiday_bob.xml").read_text(encoding="utf-8").replace("Tent", "Tents", 1),
        encoding="utf-8",
    )
    out = tmp_path / "x.toml"
    args = [str(DATA / "holiday_domain.xml"), str(DATA / "holiday_alice.xml"), str(bad)]
    assert main(["import", "genius", *args, "--out", str(out)]) == 2
    said = capsys.readouterr().err
    assert f"{bad}: issue 'Sleeping in': item 'Tents': an item of the domain's issue" in said
    assert not out.exists()
    assert main(["import", "genius", *args[:2], str(tmp_path / "no.xml"), "--out", "x"]) == 2
    assert "no.xml: cannot read" in capsys.readouterr().err
