"""A student who says what the brief says is never tagged ``reveal-false``.

Every built-in brief is read here as the priority statements it makes (docs/annotations.md
gives the rule): for each role, groups of issues in the brief's order, where "about as
much as" puts issues in one group and "your card says which of the two weighs more"
names the card's heavier or lighter of a shuffled pair. Each issue of a group may be
claimed at every rank the group covers. The BATNA a student reads in the brief (its
``{batna}``, filled from the game's card) is stated too. All over 200 deals.
"""

from __future__ import annotations

from collections.abc import Callable

from zopa.rules.annotations.statements import checked_reveals
from zopa.rules.brief import number_text
from zopa.rules.deal import deal
from zopa.rules.events import Event
from zopa.rules.library import builtin, builtin_scenarios
from zopa.rules.scenario import Scenario

DEALS = 200

# An issue a brief names: an id, or the card's heavier / lighter of a shuffled pair.
Pick = Callable[[Scenario, str], str]


def named(issue: str) -> Pick:
    return lambda scenario, role: issue


def heavier(a: str, b: str) -> Pick:
    return lambda scenario, role: _by_spread(scenario, role, a, b)[0]


def lighter(a: str, b: str) -> Pick:
    return lambda scenario, role: _by_spread(scenario, role, a, b)[1]


def _by_spread(scenario: Scenario, role: str, a: str, b: str) -> tuple[str, str]:
    ids = [issue.id for issue in scenario.issues]
    rows = scenario.role(role).points
    spread = {i: max(rows[ids.index(i)]) - min(rows[ids.index(i)]) for i in (a, b)}
    return (a, b) if spread[a] >= spread[b] else (b, a)


def card_order(scenario: Scenario, role: str) -> list[list[Pick]]:
    """Briefs that say "your card says which": the card's own order, one issue a group."""
    rows = scenario.role(role).points
    spreads = sorted(
        ((max(row) - min(row), issue.id) for issue, row in zip(scenario.issues, rows, strict=True)),
        reverse=True,
    )
    return [[named(issue)] for _, issue in spreads]


V, M, A, L = "vacation", "moving", "assignment", "location"

# Each role's groups, most important first, as its brief words them.
BRIEFS: dict[tuple[str, str], Callable[[Scenario], list[list[Pick]]]] = {
    ("new-hire", "candidate"): lambda s: [
        [named("salary")],
        [named("bonus"), heavier(V, M)],
        [lighter(V, M)],
        [heavier(A, L)],
        [named("start"), lighter(A, L)],
        [named("insurance")],
    ],
    ("new-hire", "recruiter"): lambda s: [
        [named("salary")],
        [named("start"), named("bonus")],
        [heavier(A, L)],
        [named("insurance")],
        [lighter(A, L)],
        [heavier(V, M)],
        [lighter(V, M)],
    ],
    ("supplier", "supplier"): lambda s: [
        [heavier("price", "volume")],
        [lighter("price", "volume")],
        [named("payment")],
        [named("warranty")],
        [named("lead_time")],
    ],
    ("supplier", "buyer"): lambda s: [
        [heavier("price", "lead_time")],
        [lighter("price", "lead_time")],
        [named("warranty")],
        [named("volume")],
        [named("payment")],
    ],
    ("guitar", "seller"): lambda s: [[named("price")]],
    ("guitar", "buyer"): lambda s: [[named("price")]],
    ("food-truck", "owner"): lambda s: [[named("price")]],
    ("food-truck", "cook"): lambda s: [[named("price")]],
}


def statements(scenario: Scenario, role: str) -> list[Event]:
    """The reveals of a student repeating the brief of ``role`` on this game's card."""
    read = BRIEFS.get((scenario.id, role))
    groups = read(scenario) if read else card_order(scenario, role)
    events = [Event(1, "reveal", 0.0, role, {"about": "batna", "value": scenario.role(role).batna})]
    first = 1
    for group in groups:
        ranks = range(first, first + len(group))
        for pick in group:
            for rank in ranks:
                data = {"about": "priority", "issue": pick(scenario, role), "rank": rank}
                events.append(Event(len(events) + 1, "reveal", 0.0, role, data))
        first += len(group)
    return events


def test_every_built_in_brief_is_true_on_every_deal() -> None:
    for scenario in builtin_scenarios():
        for seed in (None, *range(DEALS)):
            cards = scenario if seed is None else deal(scenario, seed)
            for role in cards.role_ids:
                said = statements(cards, role)
                # Every issue is claimed at least once: the brief leaves none unsaid.
                issues = {e.data["issue"] for e in said if e.data["about"] == "priority"}
                assert issues == {i.id for i in cards.issues}, (scenario.id, role)
                false = [t.text for t in checked_reveals(cards, tuple(said)) if "false" in t.tag]
                assert false == [], (scenario.id, seed, role, false)


def test_the_brief_shows_the_batna_the_check_holds_true() -> None:
    for scenario in builtin_scenarios():
        for seed in range(20):
            cards = deal(scenario, seed)
            for role in cards.roles:
                assert number_text(role.batna) in role.brief, (scenario.id, seed, role.id)


def test_a_claim_the_card_clearly_contradicts_is_false() -> None:
    # Salary (6,000 points) is clearly above the health plan (800) on the candidate's card.
    hire = builtin("new-hire")
    top = {"about": "priority", "issue": "insurance", "rank": 1}
    said = (
        Event(1, "reveal", 0.0, "candidate", top),
        Event(2, "reveal", 0.0, "candidate", {"about": "batna", "value": 12000}),
    )
    assert [t.tag for t in checked_reveals(hire, said)] == ["reveal-false", "reveal-false"]
