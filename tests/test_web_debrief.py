"""The debrief in a real browser when games differ: a tournament whose rounds are on two
scenarios, every game with its own cards, and the players' sealed estimates."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.live import KEY
from tests.test_web_game import join, pick, start_round
from tests.web import LAPTOP, Pages, run_async, shot, unlabelled


def estimate(page: Page, batna: str, issue: str) -> None:
    expect(page.locator("#g-estimate")).to_be_visible()
    page.get_by_label("What do you think their BATNA is").fill(batna)
    page.get_by_label("Which issue matters most to them?").select_option(issue)
    page.get_by_role("button", name="Seal my estimate").click()
    expect(page.locator("#g-estimate-sealed")).to_contain_text("Your sealed estimate")
    expect(page.locator("#g-estimate-form")).to_be_hidden()


def test_a_mixed_tournament_debrief_judges_each_game_by_its_own_cards(pages: Pages) -> None:
    server = pages.server
    rounds = [{"scenario": "guitar"}, {"scenario": "supplier"}, {"scenario": "food-truck"}]
    schedule = {"rounds": rounds, "odd": "bot"}
    answer = run_async(
        server.acall("POST", "/api/sessions", {"schedule": schedule, "estimates": True})
    )
    code = answer["code"]
    facilitator = pages.person("facilitator", LAPTOP)
    facilitator.goto(f"{server.url}/facilitator.html#key={KEY}&session={code}")
    expect(facilitator.locator("#cards-mode")).to_contain_text("sealed estimate")
    ana, ben = join(pages, code, "Ana"), join(pages, code, "Ben")

    # Round 1, the guitar: Ana seals an estimate, which Ben sees only as sealed; then a walkout.
    first, second = start_round(facilitator, 1, [ana, ben])
    assert unlabelled(ana) == []
    estimate(ana, "300", "price")
    expect(ben.locator("#g-timeline li").last).to_contain_text("wrote down a sealed estimate")
    expect(ben.locator("#g-timeline")).not_to_contain_text("300")
    first.locator("#g-walkout").click()
    first.locator("#walkout-confirm").click()
    # The end names who walked out (issue 19's end screen).
    walker = "Ana" if first is ana else "Ben"
    expect(first.locator("#end-outcome")).to_have_text("No deal: you walked out")
    expect(second.locator("#end-outcome")).to_have_text(f"No deal: {walker} walked out")
    expect(ana.locator("#end-estimates")).to_contain_text("You put their BATNA at 300; it was")
    expect(ana.locator("#end-estimates")).to_contain_text(
        "You guessed Price mattered most to them: right"
    )
    expect(ben.locator("#end-estimates")).to_contain_text("They put your BATNA at 300")
    shot(ana, "estimate-end")

    # Round 2, the supplier contract: an estimate from Ben, and a deal.
    first, second = start_round(facilitator, 2, [ana, ben])
    estimate(ben, "4000", "lead_time")
    pick(first, 2)
    first.locator("#g-send").click()
    second.locator("#g-accept").click()
    for page in (ana, ben):
        expect(page.locator("#end-outcome")).to_have_text("Deal!")

    debrief = facilitator.locator("#debrief")
    expect(debrief.locator("#debrief-games tbody tr")).to_have_count(2)
    expect(debrief.locator(".points-chart .deal")).to_have_count(1)
    expect(debrief.locator(".points-chart .impasse")).to_have_count(1)
    # One chart for two scenarios with their own cards: each side's share of its own
    # game's possible surplus, never a coordinate that is not a number.
    expect(debrief.locator(".points-chart title").first).to_have_text(
        "Every pair's result, all rounds"
    )
    expect(debrief.locator(".points-chart")).to_contain_text(
        # Possessive as issue 19's charts write it: "Components'", not "Components's".
        "Seller / Kestrel Components' share of its game's possible surplus, % →"
    )
    bad = facilitator.evaluate(
        """() => [...document.querySelectorAll("#debrief svg *")].flatMap((node) =>
            [...node.attributes].filter((a) => /NaN|undefined|Infinity/.test(a.value))
              .map((a) => `${node.tagName} ${a.name}=${a.value}`))"""
    )
    assert bad == []
    assert "undefined" not in debrief.inner_text() and "NaN" not in debrief.inner_text()
    rows = debrief.locator("#debrief-games tbody tr")
    expect(rows.nth(0)).to_contain_text("Seller")
    expect(rows.nth(1)).to_contain_text("Kestrel Components")
    # The class's estimates against the truth.
    panel = debrief.locator(".estimates")
    expect(panel).to_contain_text("Estimates of the other side")
    expect(panel.locator(".estimate-list li")).to_have_count(2)
    expect(panel.locator(".stat").nth(2)).to_contain_text("/ 2")
    # Efficiency is the joint gain over the BATNAs: the guitar walkout gained nothing of
    # what was there; the supplier deal shows how the gain was split.
    expect(rows.nth(0).locator("td").nth(5)).to_have_text("0%")
    expect(rows.nth(0)).to_contain_text("missed deal")
    # (Cards are dealt per game: a deal that gained nothing jointly has no split, a dash.)
    no_split = "\u2013"
    expect(rows.nth(1).locator("td").nth(6)).to_have_text(
        re.compile(rf"^(-?\d+% / -?\d+%|{no_split})$")
    )
    trap = "trap for" in rows.nth(1).inner_text()
    assert not (trap and "on its frontier" in rows.nth(1).inner_text())
    shot(facilitator, "debrief-mixed-tournament")

    # Round 3, the food truck (no zone of agreement): walking away is the right call.
    first, second = start_round(facilitator, 3, [ana, ben])
    first.locator("#g-walkout").click()
    first.locator("#walkout-confirm").click()
    expect(rows).to_have_count(3)
    expect(rows.nth(2).locator("td").nth(5)).to_have_text("correct walkaway")
    # The old points-based measure read this walkaway as 120%. (The supplier row's split
    # may read 120% / -20% for a trap deal, where one side ended below its BATNA.)
    expect(rows.nth(2)).not_to_contain_text("120%")
    expect(debrief.locator(".stat").filter(has_text="correct walkaways")).to_contain_text("1")
    shot(facilitator, "debrief-correct-walkaway")
