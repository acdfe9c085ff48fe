"""GENIUS-format XML written from Python numbers, for the importer's tests and its bench.

A domain is a list of ``(issue name, [item values])``; a profile gives, per issue, a
weight and an evaluation per item, as decimal *text* (so the files hold exactly the
numbers a test computes with), a reservation value and a discount factor.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

Domain = Sequence[tuple[str, Sequence[str]]]


@dataclass(frozen=True)
class ProfileSpec:
    weights: Sequence[str]  # one per issue, decimal text
    evaluations: Sequence[Sequence[str]]  # per issue, one per item, decimal text
    reservation: str = "0"
    discount: str = "1.0"


def domain_xml(name: str, domain: Domain) -> str:
    issues = []
    for n, (issue, items) in enumerate(domain, start=1):
        rows = "".join(
            f'\t\t<item index="{k}" value={quoteattr(v)} description=""></item>\n'
            for k, v in enumerate(items, start=1)
        )
        issues.append(
            f'\t<issue name={quoteattr(issue)} index="{n}" etype="discrete" type="discrete" '
            f'vtype="discrete">\n{rows}\t</issue>\n'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<negotiation_template>\n'
        f'<utility_space number_of_issues="{len(domain)}">\n'
        f'<objective index="0" description="" name={quoteattr(name)} type="objective" '
        f'etype="objective">\n{"".join(issues)}</objective>\n</utility_space>\n'
        "</negotiation_template>\n"
    )


def profile_xml(domain: Domain, spec: ProfileSpec, kind: str = "linear") -> str:
    parts = []
    for n, (issue, items) in enumerate(domain, start=1):
        rows = "".join(
            f'\t\t<item index="{k}" value={quoteattr(v)} evaluation="{e}"/>\n'
            for k, (v, e) in enumerate(zip(items, spec.evaluations[n - 1], strict=True), start=1)
        )
        parts.append(
            f'\t<issue index="{n}" etype="discrete" type="discrete" vtype="discrete" '
            f"name={quoteattr(issue)}>\n{rows}\t</issue>\n"
            f'\t<weight index="{n}" value="{spec.weights[n - 1]}"/>\n'
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<utility_space type="{kind}">\n'
        '<objective index="0" description="" name="root" type="objective" etype="objective">\n'
        f"{''.join(parts)}</objective>\n"
        f'<reservation value="{spec.reservation}"/>\n'
        f'<discount_factor value="{spec.discount}"/>\n</utility_space>\n'
    )


def random_case(
    seed: int, options: Sequence[int], digits: int = 2
) -> tuple[Domain, ProfileSpec, ProfileSpec]:
    """A domain of issues with these option counts and two profiles of random numbers.

    ``digits`` is how many decimals the weights have (GENIUS's own files have 1 to 17).
    """
    rng = random.Random(seed)
    domain = [
        (f"Issue {n + 1}", [f"value {k + 1}" for k in range(count)])
        for n, count in enumerate(options)
    ]

    def profile() -> ProfileSpec:
        raw = [rng.random() + 0.05 for _ in options]
        total = sum(raw)
        weights = [f"{w / total:.{digits}f}" for w in raw]
        evaluations = [[str(rng.randint(0, 10)) for _ in range(c)] for c in options]
        for row in evaluations:
            row[rng.randrange(len(row))] = str(rng.randint(1, 10))  # some evaluation above 0
        return ProfileSpec(
            weights, evaluations, f"{rng.uniform(0, 0.6):.2f}", f"{rng.uniform(0.5, 1):.2f}"
        )

    return domain, profile(), profile()
