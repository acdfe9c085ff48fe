"""The player's screens as a student meets them (issue 19, defects 7 to 16): what stays
in view, what comes first, what the words say, and what a keyboard and a screen reader
get. Each test fails on the page as it was before its fix."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from tests.test_web_game import create_session, join, pick, start_round
from tests.web import PHONE, Pages, run_async

IN_VIEW = """(selector) => {
    const box = document.querySelector(selector).getBoundingClientRect();
    return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
}"""


def in_view(page: Page, selector: str) -> bool:
    return bool(page.evaluate(IN_VIEW, selector))


def to_bottom(page: Page) -> None:
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function("() => window.scrollY > 0")


def timeline(page: Page) -> list[str]:
    texts: list[str] = page.locator("#g-timeline li").all_text_contents()
    return texts


def test_the_clock_turn_requests_and_refusals_stay_in_view(pages: Pages) -> None:
    """Defect 7: a sticky bar; the partner's request and a refusal in it; a break is
    told in the badge; the clock turns red in the last minute."""
    facilitator = pages.facilitator()
    code = create_session(facilitator, "new-hire")
    ana = join(pages, code, "Ana")
    ben = join(pages, code, "Ben")
    first, second = start_round(facilitator, 1, [ana, ben])
    assert first.evaluate("() => document.documentElement.scrollHeight") > PHONE["height"] * 2
    for page in (first, second):
        to_bottom(page)
        assert in_view(page, "#g-clock") and in_view(page, "#g-turn")
    second.get_by_role("button", name="Ask for a break (1 left)").click()
    accept = first.get_by_role("button", name="Accept the break")
    expect(accept).to_be_visible()
    assert in_view(first, "#g-asks button"), "the partner's request is in view"
    accept.click()
    for page in (first, second):
        expect(page.locator("#g-turn")).to_have_text("On a break")
    first.get_by_role("button", name="Back to the table now").click()
    expect(first.locator("#g-turn")).to_have_text("Your turn to offer")

    # Two taps on Send before the first answer: the second is refused, in view.
    pick(first, 2)
    to_bottom(first)
    first.evaluate("() => { const b = document.querySelector('#g-send'); b.click(); b.click(); }")
    refusal = first.locator("#g-errors .notice")
    expect(refusal).to_be_visible()
    assert in_view(first, "#g-errors .notice")

    # The last minute: red, and said in words.
    facilitator.get_by_role("button", name="New session").click()
    expect(facilitator.locator("#setup-screen")).to_be_visible()
    quick = create_session(facilitator, "guitar", minutes=1)
    cy = join(pages, quick, "Cy")
    di = join(pages, quick, "Di")
    facilitator.locator("#start-round").click()
    for page in (cy, di):
        expect(page.locator("#g-clock")).to_have_class(re.compile(r"\blow\b"))
        expect(page.locator("#g-clock-note")).to_have_text("Less than a minute left.")
        colour = page.evaluate("() => getComputedStyle(document.querySelector('#g-clock')).color")
        assert colour == "rgb(179, 38, 30)"


def test_the_brief_comes_first(pages: Pages) -> None:
    """Defect 8: the brief is open at the top when a game starts."""
    facilitator = pages.facilitator()
    code = create_session(facilitator, "supplier")
    ana = join(pages, code, "Ana")
    ben = join(pages, code, "Ben")
    start_round(facilitator, 1, [ana, ben])
    for page in (ana, ben):
        brief = page.locator("#g-brief")
        expect(brief).to_be_visible()
        assert page.evaluate("() => document.querySelector('#g-brief-box').open")
        top = page.evaluate("() => document.querySelector('#g-brief').getBoundingClientRect().top")
        assert top < PHONE["height"], "the brief starts on the first screen"
        order = page.evaluate(
            """() => document.querySelector('#g-brief-box')
                .compareDocumentPosition(document.querySelector('#g-standing'))"""
        )
        assert order & 4, "the brief comes before the partner's offer"


def test_a_claims_game_explains_itself_and_allows_claiming_no_deal(pages: Pages) -> None:
    """Defect 9: the claims are explained, "no deal" can be claimed, and roles named
    after people read as roles."""
    facilitator = pages.facilitator()
    code = create_session(facilitator, "moving-out")
    hana = join(pages, code, "Hana")
    ivo = join(pages, code, "Ivo")
    facilitator.locator("#start-round").click()
    for page in (hana, ivo):
        expect(page.locator("#g-claims-help")).to_contain_text("Submit my claim")
        sentence = r"^Your role: (Ada|Ben)\. You negotiate with (Hana|Ivo), playing (Ada|Ben)\.$"
        expect(page.locator("#g-roles")).to_have_text(re.compile(sentence))
        roles = page.locator("#g-roles").inner_text()
        assert "the Ada" not in roles and "the Ben" not in roles
        page.get_by_role("button", name="Claim no deal").click()
    for page in (hana, ivo):
        expect(page.locator("#end-outcome")).to_have_text("No deal: the claims did not match")


def test_offers_are_numbered_among_offers(pages: Pages) -> None:
    """Defect 10: the first offer is offer 1, whatever came before it."""
    facilitator = pages.facilitator()
    code = create_session(facilitator, "guitar")
    ana = join(pages, code, "Ana")
    ben = join(pages, code, "Ben")
    first, second = start_round(facilitator, 1, [ana, ben])
    for text in ("Hello", "Shall we?", "Let us start"):
        first.fill("#g-chat", text)
        first.get_by_role("button", name="Send", exact=True).click()
    expect(second.locator("#g-timeline li")).to_have_count(3)
    pick(first, 8)
    first.locator("#g-final").check()
    first.locator("#g-send").click()
    name = first.inner_text("#who").split(" · ")[0]
    expect(second.locator("#g-standing-body strong").first).to_have_text(
        f"FINAL Offer 1 from {name}"
    )
    expect(second.locator("#g-accept")).to_have_text("Accept offer #1")
    expect(first.locator("#g-standing-body")).to_contain_text("Your FINAL offer 1 is on the table")
    expect(second.locator("#g-timeline li").last).to_contain_text("(offer 1)")
    second.locator("#g-accept").click()
    expect(first.locator("#g-timeline li").nth(4)).to_contain_text("accepted offer 1")


def test_an_empty_batna_statement_is_not_sent(pages: Pages) -> None:
    """Defect 11: "my BATNA is" with nothing typed asks for a number instead of saying 0."""
    facilitator = pages.facilitator()
    code = create_session(facilitator, "guitar")
    ana = join(pages, code, "Ana")
    ben = join(pages, code, "Ben")
    start_round(facilitator, 1, [ana, ben])
    ana.select_option("#g-reveal-about", "batna")
    ana.get_by_role("button", name="Say it").click()
    expect(ana.locator("#g-errors")).to_contain_text("Type the number")
    ana.fill("#g-chat", "after the statement")
    ana.get_by_role("button", name="Send", exact=True).click()
    expect(ben.locator("#g-timeline li")).to_have_count(1)
    assert not [t for t in timeline(ben) if "BATNA is" in t]
    ana.fill("#g-reveal-value", "350")
    ana.get_by_role("button", name="Say it").click()
    expect(ben.locator("#g-timeline li").last).to_contain_text("said: my BATNA is 350")


def test_seats_are_told_in_the_second_person_and_practice_starts_clean(pages: Pages) -> None:
    """Defect 12: "A bot held your seat", "You are back at the table"; a practice game
    does not open with the bot taking its own seat."""
    solo = pages.person("Solo")
    solo.goto(pages.server.url + "/")
    solo.wait_for_selector("#practice-scenario option[value='supplier']", state="attached")
    solo.fill("#practice-name", "Solo")
    solo.select_option("#practice-scenario", "supplier")
    solo.get_by_role("button", name="Start a practice game").click()
    expect(solo.locator("#game-screen")).to_be_visible()
    expect(solo.locator("#g-partner")).to_contain_text("a bot")
    assert not [t for t in timeline(solo) if "took" in t and "seat" in t]

    facilitator = pages.facilitator()
    code = create_session(facilitator, "supplier")
    ida = join(pages, code, "Ida")
    jon = join(pages, code, "Jon")
    first, second = start_round(facilitator, 1, [ida, jon])
    identity = second.evaluate("() => sessionStorage.getItem('zopa.player')")
    second.context.close()
    first.get_by_role("button", name="Let a bot take their seat").click()
    expect(first.locator("#g-presence")).to_contain_text("A bot is holding")
    back = pages.person("back")
    back.add_init_script(f"sessionStorage.setItem('zopa.player', {json.dumps(identity)});")
    back.goto(pages.server.url + "/")
    expect(back.locator("#g-timeline li").last).to_contain_text("You are back at the table")
    texts = timeline(back)
    assert any(t.endswith("A bot held your seat while you were away") for t in texts), texts
    assert not [t for t in texts if "You's" in t or "You is" in t], texts
    expect(first.locator("#g-timeline li").last).to_contain_text("is back at the table")


def test_long_words_wrap_and_names_keep_their_order(pages: Pages) -> None:
    """Defect 13: a chat without spaces wraps on a phone (the game and its replay), and
    a name with a right-to-left override cannot reverse the names after it."""
    facilitator = pages.facilitator()
    code = create_session(facilitator, "guitar")
    ana = join(pages, code, "\u202eredro")
    cyba = join(pages, code, "Cyba")
    first, second = start_round(facilitator, 1, [ana, cyba])
    first.fill("#g-chat", "x" * 1990)
    first.get_by_role("button", name="Send", exact=True).click()
    expect(second.locator("#g-timeline li")).to_have_count(1)
    for page in (first, second):
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        wraps = "(li) => li.scrollWidth <= li.clientWidth"
        assert page.locator("#g-timeline li").first.evaluate(wraps), "the chat wraps"
    facilitator.get_by_role("button", name="End the round…").click()
    facilitator.locator("#confirm-ok").click()
    game = facilitator.locator("#board tr[data-game]").first.get_attribute("data-game")
    replay = facilitator.context.new_page()
    pages.watch(replay, "replay")
    replay.set_viewport_size(PHONE)
    replay.goto(f"{pages.server.url}/replay.html#game={game}")
    expect(replay.locator("#r-moves li").first).to_be_visible()
    replay.keyboard.press("End")
    assert replay.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    row = facilitator.locator("#debrief-games tbody tr").first
    expect(row).to_contain_text("Cyba")
    assert "\u202e" not in row.inner_text()
    # Visual order: Cyba's C is drawn left of its a.
    lefts = facilitator.evaluate(
        """() => {
            const cell = document.querySelector('#debrief-games tbody tr td:nth-child(2)');
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode()) && !node.data.includes('Cyba')) {}
            const at = node.data.indexOf('Cyba');
            const x = (i) => {
                const r = document.createRange();
                r.setStart(node, i);
                r.setEnd(node, i + 1);
                return r.getBoundingClientRect().left;
            };
            return [x(at), x(at + 3)];
        }"""
    )
    assert lefts[0] < lefts[1], lefts


def test_the_end_screen_names_who_walked_out_and_fits_its_chart(pages: Pages) -> None:
    """Defect 14: who walked out; the chart's labels whole on a phone; "anglers'"; "1 point"."""
    facilitator = pages.facilitator()
    code = create_session(facilitator, "campsite")
    kim = join(pages, code, "Kim")
    lou = join(pages, code, "Lou")
    facilitator.locator("#start-round").click()
    expect(kim.locator("#game-screen")).to_be_visible()
    kim.locator("#g-walkout").click()
    kim.locator("#walkout-confirm").click()
    expect(kim.locator("#end-outcome")).to_have_text("No deal: you walked out")
    expect(lou.locator("#end-outcome")).to_have_text("No deal: Kim walked out")
    for page in (kim, lou):
        expect(page.locator("#end-chart .points-chart")).to_be_visible()
        outside = page.evaluate(
            """() => {
                const svg = document.querySelector('#end-chart svg').getBoundingClientRect();
                return [...document.querySelectorAll('#end-chart svg text')].filter((t) => {
                    const b = t.getBoundingClientRect();
                    return b.left < svg.left - 0.5 || b.right > svg.right + 0.5
                        || b.top < svg.top - 0.5 || b.bottom > svg.bottom + 0.5;
                }).map((t) => t.textContent);
            }"""
        )
        assert outside == []
        text = page.locator("body").inner_text()
        assert "anglers's" not in text
        assert "anglers' points" in page.locator("#end-chart svg").inner_html()
        assert not re.search(r"(?<![\d,.])1 pts\b", text)
    words = kim.evaluate(
        "async () => { const d = await import('/js/dom.js'); return [d.pts(1), d.pts(2)]; }"
    )
    assert words == ["1 point", "2 points"]


def test_keyboard_and_screen_reader(pages: Pages) -> None:
    """Defect 15: a reload keeps a half-built offer; a new screen takes the focus to its
    heading; the chat comes before Walk out for the keyboard; the time is its own word;
    the partner's requests are announced."""
    facilitator = pages.facilitator()
    code = create_session(facilitator, "new-hire")
    ana = join(pages, code, "Ana")
    ben = join(pages, code, "Ben")
    first, second = start_round(facilitator, 1, [ana, ben])
    expect(first.locator("#g-title")).to_be_focused()
    pick(second, {"salary": 3, "bonus": 1})
    second.reload()
    expect(second.locator("#game-screen")).to_be_visible()
    expect(second.locator("#pick-salary")).to_have_value("3")
    expect(second.locator("#pick-bonus")).to_have_value("1")

    focusable = first.evaluate(
        """() => [...document.querySelectorAll(
                '#game-screen button, #game-screen input, #game-screen select')]
            .filter((e) => e.offsetParent !== null).map((e) => e.id)"""
    )
    assert focusable.index("g-chat") < focusable.index("g-walkout")
    first.locator("#g-chat").focus()
    first.keyboard.press("Shift+Tab")
    assert first.evaluate("() => document.activeElement.id") != "g-walkout"

    second.get_by_role("button", name="Ask for a break (1 left)").click()
    expect(first.locator("#announcer")).to_contain_text("asks for a break")
    item = first.locator("#g-timeline li").last.text_content() or ""
    assert re.match(r"^\d\d:\d\d:\d\d \S", item), item

    pick(first, 2)
    first.locator("#g-send").click()
    second.locator("#g-accept").click()
    for page in (first, second):
        expect(page.locator("#end-screen")).to_be_visible()
        expect(page.locator("#end-title")).to_be_focused()


def test_name_errors_read_as_sentences(pages: Pages) -> None:
    """Defect 16: an empty name is asked for in words, on the page and from the server."""
    page = pages.person("nameless")
    page.goto(pages.server.url + "/?code=ABCDEF")
    page.fill("#join-name", "   ")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.locator("#errors")).to_have_text("Please type your name.")
    page.wait_for_selector("#practice-scenario option", state="attached")
    page.fill("#practice-name", "   ")
    page.evaluate("() => document.querySelector('#practice-form').requestSubmit()")
    expect(page.locator("#errors")).to_have_text("Please type your name.")

    facilitator = pages.facilitator()
    code = create_session(facilitator, "guitar")
    path = f"/api/sessions/{code}/players"
    status, answer = pages.server.call("POST", path, {"name": " "}, key=None)
    assert status == 400 and answer["error"]["message"] == "Please type your name."
    assert "'" not in answer["error"]["message"]


def test_players_join_by_api_keep_working(pages: Pages) -> None:
    """The join answer adds the name as the session knows it (docs/protocol.md)."""
    facilitator = pages.facilitator()
    code = create_session(facilitator, "guitar")

    async def two_sams() -> list[str]:
        path = f"/api/sessions/{code}/players"
        first = await pages.server.acall("POST", path, {"name": "Sam"}, key=None)
        second = await pages.server.acall("POST", path, {"name": "sam"}, key=None)
        return [first["name"], second["name"]]

    assert run_async(two_sams()) == ["Sam", "sam 2"]
