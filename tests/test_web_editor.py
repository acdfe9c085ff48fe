"""The scenario editor in Chromium: a case written in the form, its outcome space redrawn
as one types, problems shown on their fields, saved, exported, and played in two
browsers; by keyboard, every field named for a screen reader, no console errors."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from playwright.sync_api import FilePayload, Page, Request, expect

from tests.axe import Audit
from tests.live import KEY
from tests.test_web_game import join, pick, start_round
from tests.web import LAPTOP, Pages, shot, unlabelled


def editor(pages: Pages) -> Page:
    page = pages.person("teacher", LAPTOP)
    page.goto(f"{pages.server.url}/editor.html#key={KEY}")
    expect(page.locator("#space svg.points-chart")).to_be_visible()
    return page


def redraws(page: Page) -> int:
    return int(page.evaluate("Number(document.body.dataset.redraws || 0)"))


def typed(page: Page, selector: str, text: str) -> None:
    """Type into a field as a person would, and wait for the drawing that follows."""
    before = redraws(page)
    field = page.locator(selector)
    field.click()
    field.press("ControlOrMeta+a")
    field.press_sequentially(text)
    # Functions, not expressions: an expression is polled with eval, which the page's
    # Content-Security-Policy forbids (server/security_headers.py).
    page.wait_for_function(f"() => Number(document.body.dataset.redraws || 0) > {before}")
    # The newest draft drawn, not only one typed before it.
    page.wait_for_function("() => document.body.dataset.drafting === '0'")


def test_a_case_is_written_checked_saved_exported_and_played(pages: Pages) -> None:
    page = editor(pages)
    assert "key=" not in page.url
    checks = page.locator("#checks")
    expect(checks).to_contain_text("There is a zone of agreement")
    expect(checks).to_contain_text("Splitting the difference on every issue gives")
    expect(page.locator("#issue-kinds tbody tr")).to_have_count(2)
    assert unlabelled(page) == []

    # Name the case; a BATNA too high for any deal empties the zone of agreement.
    typed(page, "#f-title", "Office move")
    typed(page, "#f-id", "office-move")
    typed(page, "#f-roles-0-batna", "90")
    expect(checks).to_contain_text("There is no zone of agreement")
    expect(page.locator("#announcer")).to_contain_text("no zone of agreement")
    typed(page, "#f-roles-0-batna", "10")
    expect(checks).to_contain_text("There is a zone of agreement")

    # A mistake is named on its field, and the drawing waits for the fix.
    option = page.get_by_label("Price: option 2", exact=True)
    typed(page, "#issues [data-path='issues.0.options.1']", "Low")
    expect(page.locator("#problems")).to_contain_text("issues[0].options: distinct option labels")
    expect(option).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#save")).to_be_disabled()
    expect(page.locator("#space")).to_have_class(re.compile("stale"))
    typed(page, "#issues [data-path='issues.0.options.1']", "Fair")
    expect(page.locator("#problems")).to_be_empty()
    expect(option).not_to_have_attribute("aria-invalid", "true")

    # By keyboard: a new issue, its first option's points, the focus where one works.
    page.locator("#add-issue").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#issues fieldset.issue-box")).to_have_count(3)
    expect(page.locator("#f-issues-2-label")).to_be_focused()
    page.keyboard.type("Speed")
    page.keyboard.press("Tab")
    expect(page.locator("#f-issues-2-id")).to_be_focused()
    page.get_by_role("button", name="Add an option to Speed").press("Enter")
    expect(page.get_by_label("Speed: option 4", exact=True)).to_be_focused()
    typed(page, "[data-path='roles.1.rows.2.3']", "25")
    expect(page.locator("#issue-kinds tbody tr")).to_have_count(3)
    assert unlabelled(page) == []
    shot(page, "editor-1-draft")

    # Export: the TOML file reads back as this case.
    with page.expect_download() as download:
        page.locator("#export").click()
    path = download.value.path()
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    assert data["id"] == "office-move" and data["title"] == "Office move"
    assert data["roles"][1]["points"]["issue3"] == [0, 0, 0, 25]

    # Save and play: the facilitator page opens on a session of it; two people play it.
    page.locator("#play").click()
    expect(page.locator("#join-code")).to_have_text(re.compile(r"^[A-Z0-9]{4,}$"))
    code = page.inner_text("#join-code")
    status, listing = pages.server.call("GET", "/api/scenarios", key=None)
    assert status == 200 and "office-move" in [s["id"] for s in listing["scenarios"]]
    ana = join(pages, code, "Ana")
    ben = join(pages, code, "Ben")
    first, second = start_round(page, 1, [ana, ben])
    expect(first.locator("#game-screen")).to_contain_text("Office move")
    pick(first, 1)
    first.locator("#g-send").click()
    second.locator("#g-accept").click()
    for player in (first, second):
        expect(player.locator("#end-screen")).to_be_visible()


def test_a_built_in_case_opens_as_a_copy_and_a_file_with_problems_is_named(pages: Pages) -> None:
    page = editor(pages)
    page.wait_for_selector("#open-scenario option[value='new-hire']", state="attached")
    page.select_option("#open-scenario", "new-hire")
    page.locator("#open-button").click()
    expect(page.locator("#f-id")).to_have_value("new-hire-copy")
    expect(page.locator("#issues fieldset.issue-box")).to_have_count(8)
    expect(page.locator("#checks")).to_contain_text("390,625 possible deals")
    expect(page.locator("#checks")).to_contain_text("integrative")
    # Typing in a point of an 8 x 5 case redraws; the page says how long it took. (A
    # higher salary point would break the copy's [variation] surplus bound, a problem the
    # page names.)
    # However fast one types, one draft is in flight at a time (the page's rule).
    flight = {"now": 0, "most": 0, "sent": 0}

    def sent(request: Request) -> None:
        if request.url.endswith("/draft"):
            flight["now"] += 1
            flight["sent"] += 1
            flight["most"] = max(flight["most"], flight["now"])

    def answered(request: Request) -> None:
        if request.url.endswith("/draft"):
            flight["now"] -= 1

    page.on("request", sent)
    page.on("requestfinished", answered)
    page.on("requestfailed", answered)
    typed(page, "[data-path='roles.0.rows.0.4']", "5500")
    expect(page.locator("#draft-status")).to_contain_text(re.compile(r"Redrawn in \d+ ms"))
    assert flight["most"] == 1 and flight["sent"] >= 1
    expect(page.locator("#issue-kinds tbody tr:first-child td:nth-child(3)")).to_have_text("5,500")
    shot(page, "editor-2-new-hire")

    broken: FilePayload = {
        "name": "broken.toml",
        "mimeType": "application/toml",
        "buffer": b'format = "zopa-scenario/1"\nid = "x"\ntitle = 5\n',
    }
    page.set_input_files("#open-file", files=[broken])
    expect(page.locator("#problems")).to_contain_text("line 3: title: a string (found int)")
    expect(page.locator("#problems")).to_contain_text("issues: a value (the key is missing)")
    expect(page.locator("#errors")).to_contain_text("broken.toml has problems")


def test_variation_is_edited_checked_and_dealt(pages: Pages, axe_source: str) -> None:
    page = editor(pages)
    switch = page.get_by_label(re.compile("Each game deals its own cards"))
    expect(switch).not_to_be_checked()
    expect(page.locator("#deals")).to_have_count(0)

    # By keyboard: variation on, a BATNA range for the buyer, what three games deal.
    switch.focus()
    before = redraws(page)
    page.keyboard.press("Space")
    page.wait_for_function(f"() => Number(document.body.dataset.redraws || 0) > {before}")
    expect(page.locator("#f-variation-roles-0-batna-min")).to_be_visible()
    typed(page, "#f-variation-roles-0-batna-min", "10")
    typed(page, "#f-variation-roles-0-batna-max", "30")
    typed(page, "#f-variation-roles-0-batna-step", "5")
    expect(page.locator("#problems")).to_be_empty()
    deals = page.locator("#deals tbody tr")
    expect(deals).to_have_count(3)
    batnas = {
        int(page.locator(f"#deals tbody tr:nth-child({n}) td").first.inner_text().split(",")[0])
        for n in (1, 2, 3)
    }
    assert batnas <= {10, 15, 20, 25, 30}
    assert unlabelled(page) == []

    # A range that is not a whole number of steps: the server's words, on its fields.
    typed(page, "#f-variation-roles-0-batna-step", "7")
    expect(page.locator("#problems")).to_contain_text(
        "variation.roles.buyer.batna: max - min a whole number of steps (found 2.85714)"
    )
    expect(page.locator("#f-variation-roles-0-batna-step")).to_have_attribute(
        "aria-invalid", "true"
    )
    typed(page, "#f-variation-roles-0-batna-step", "5")
    expect(page.locator("#problems")).to_be_empty()

    # Shuffled priorities, a zone required, and a deck whose card lacks a point.
    page.select_option("[aria-label='Seller: shuffle group of Price']", "A")
    page.select_option("[aria-label='Seller: shuffle group of Delivery']", "A")
    page.select_option("#f-variation-zone", "required")
    typed(page, "#f-variation-roles-1-deck", "0 20 40 | 0 5")
    expect(page.locator("#problems")).to_contain_text(
        "variation.roles.seller.cards[0].delivery: 3 numbers, one per option (found 2)"
    )
    expect(page.locator("#f-variation-roles-1-deck")).to_have_attribute("aria-invalid", "true")
    typed(page, "#f-variation-roles-1-deck", "0 20 40 | 0 5 10\n0 10 20 | 0 10 20")
    expect(page.locator("#problems")).to_be_empty()
    expect(deals).to_have_count(3)
    audit = Audit(axe_source)
    audit.screen(page, "editor-variation")
    assert audit.blocking == [], audit.blocking

    # Exported, the file has the variation as written; read back, the form shows it.
    with page.expect_download() as download:
        page.locator("#export").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    variation = tomllib.loads(text)["variation"]
    assert variation["zone"] == "required"
    assert variation["roles"]["buyer"]["batna"] == {"min": 10, "max": 30, "step": 5}
    assert variation["roles"]["seller"]["shuffle"] == [["price", "delivery"]]
    assert variation["roles"]["seller"]["cards"][1] == {
        "price": [0, 10, 20],
        "delivery": [0, 10, 20],
    }
    exported: FilePayload = {
        "name": "case.toml",
        "mimeType": "application/toml",
        "buffer": text.encode(),
    }
    page.locator("#blank-button").click()
    expect(switch).not_to_be_checked()
    page.set_input_files("#open-file", files=[exported])
    expect(switch).to_be_checked()
    expect(page.locator("#f-variation-roles-0-batna-step")).to_have_value("5")
    expect(page.locator("#f-variation-roles-1-deck")).to_have_value(
        "0 20 40 | 0 5 10\n0 10 20 | 0 10 20"
    )
    expect(page.locator("#deals tbody tr")).to_have_count(3)
