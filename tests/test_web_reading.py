"""Reading time in a real browser: the facilitator sets it, each player gets the brief
first with its own countdown and a planning form, the table appears when both are ready,
and the plan comes back beside the outcome, to its author alone. axe checks each screen.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.axe import Audit
from tests.test_web_game import create_session, join
from tests.web import Pages, unlabelled


def reading_left(page: Page) -> str:
    found = re.search(r"Reading time left: (\d+:\d\d)", page.inner_text("#g-reading-clock"))
    assert found, page.inner_text("#g-reading-clock")
    return found.group(1)


def test_reading_time_a_plan_and_the_plan_shown_back(pages: Pages, axe_source: str) -> None:
    audit = Audit(axe_source)
    facilitator = pages.facilitator()
    facilitator.fill("#reading-minutes", "2")
    facilitator.locator("#estimates").check()
    code = create_session(facilitator, "guitar", minutes=5)
    expect(facilitator.locator("#session-about")).to_have_text(
        "The Guitar, 5:00 per game, after 2:00 of reading time."
    )
    ana = join(pages, code, "Ana")
    ben = join(pages, code, "Ben")
    expect(facilitator.locator("#join-count")).to_have_text("2 joined, 2 connected")
    facilitator.locator("#start-round").click()
    for page in (ana, ben):
        expect(page.locator("#g-reading")).to_be_visible()
        expect(page.locator("#g-turn")).to_have_text("Reading time")
        # The brief first; nothing to negotiate with until the clock starts.
        expect(page.locator("#g-reading-brief")).not_to_be_empty()
        expect(page.locator("#g-builder")).to_be_hidden()
        expect(page.locator("#g-chat")).to_be_hidden()
        expect(page.locator("#g-clock-value")).to_have_text("5:00")
        # The session's estimate is asked for in the planning form, not apart.
        expect(page.locator("#g-estimate")).to_be_hidden()
        expect(page.locator("#g-plan-estimate")).to_be_visible()
    expect(facilitator.locator("#board")).to_contain_text("reading")
    # The reading countdown runs on its own, the negotiation clock stands still.
    first = reading_left(ana)
    ana.wait_for_function(
        "(first) => !document.querySelector('#g-reading-clock').textContent.includes(first)",
        arg=f"left: {first}.",
    )
    expect(ana.locator("#g-clock-value")).to_have_text("5:00")
    assert unlabelled(ana) == []
    audit.screen(ana, "player-reading")

    # Ana writes down a plan: target, walk-away, the issues in order.
    ana.fill("#g-plan-target", "12345")
    ana.fill("#g-plan-walkaway", "23456")
    ana.select_option("#g-plan-rank-0", "price")
    ana.fill("#g-plan-estimate", "777")
    ana.select_option("#g-plan-estimate-issue", "price")
    ana.get_by_role("button", name="Keep my plan").click()
    expect(ana.locator("#g-plan-kept")).to_contain_text("target 12,345 points")
    expect(ana.locator("#g-plan-estimate")).to_be_hidden()
    ana.get_by_role("button", name="I'm ready to negotiate").click()
    expect(ana.get_by_role("button", name="I'm ready to negotiate")).to_be_disabled()
    expect(ben.locator("#g-reading-note")).to_contain_text("Ana is ready")
    audit.screen(ben, "player-reading-partner-ready")
    ben.get_by_role("button", name="I'm ready to negotiate").click()
    for page in (ana, ben):
        expect(page.locator("#g-reading")).to_be_hidden()
        expect(page.locator("#g-builder")).to_be_visible()
        expect(page.locator("#g-turn")).to_have_text(re.compile("turn to offer$"))
    expect(ben.locator("#g-timeline")).to_contain_text("Ana wrote down a plan")
    expect(ana.locator("#g-timeline")).to_contain_text("You kept a plan: target 12345")

    ben.locator("#g-walkout").click()
    ben.locator("#walkout-confirm").click()
    expect(ana.locator("#end-plan")).to_contain_text("Your target was 12,345 points")
    expect(ana.locator("#end-plan")).to_contain_text("short")
    expect(ana.locator("#end-plan")).to_contain_text("Your walk-away was 23,456 points")
    expect(ana.locator("#end-plan")).to_contain_text("Your order of the issues: Price.")
    expect(ana.locator("#end-estimates")).to_contain_text("You put their BATNA at 777")
    expect(ana.locator("#end-estimates")).to_contain_text("You guessed Price mattered most")
    audit.screen(ana, "player-end-plan")
    expect(ben.locator("#end-outcome")).to_contain_text("walked out")
    expect(ben.locator("#end-plan")).to_be_empty()
    assert "12,345" not in ben.inner_text("body") and "12345" not in ben.inner_text("body")
    # A reload keeps the plan beside the outcome.
    ana.reload()
    expect(ana.locator("#end-plan")).to_contain_text("Your target was 12,345 points")
    blocking = audit.blocking
    assert blocking == [], "\n".join(blocking)
