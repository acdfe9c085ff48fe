"""The facilitator stepping in, in Chromium: the board's flags for a stuck pair, one
game's pause, a message to one pair, the mediator's seat, and a walkout taken back."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.axe import run_axe
from tests.test_web_game import create_session, join, pick, start_round
from tests.web import LAPTOP, Pages, shot


def blocking(page: Page, axe_source: str) -> list[str]:
    return [v["id"] for v in run_axe(page, axe_source) if v["impact"] in ("serious", "critical")]


def offer(page: Page, option: int, final: bool = False) -> None:
    pick(page, option)
    page.locator("#g-final").set_checked(final)
    page.locator("#g-send").click()


def test_the_board_flags_a_standoff_and_steps_into_one_game(pages: Pages, axe_source: str) -> None:
    facilitator = pages.facilitator()
    code = create_session(facilitator, "guitar")
    ana, ben = join(pages, code, "Ana"), join(pages, code, "Ben")
    first, second = start_round(facilitator, 1, [ana, ben])
    row = facilitator.locator("#board tbody tr")
    expect(row.locator("[data-flags]")).to_have_text("\N{EN DASH}")
    # Each side asks for the price it likes best: the seller high, the buyer low.
    high = first.inner_text("#g-role") == "Seller"
    offer(first, 9 if high else 0, final=True)
    expect(second.locator("#g-accept")).to_be_visible()
    offer(second, 0 if high else 9, final=True)
    flag = row.locator(".flag")
    expect(flag).to_have_text("Final-offer standoff")
    expect(row.locator("[data-flags] .muted")).to_have_text(re.compile(r"^gap \d"))
    shot(facilitator, "facilitator-6-flags")
    assert blocking(facilitator, axe_source) == []

    facilitator.get_by_role("button", name=re.compile("^Pause the game of")).click()
    for page in (ana, ben):
        expect(page.locator("#g-turn")).to_have_text("Paused by the facilitator")
    expect(row.locator(".state")).to_have_text("paused")
    facilitator.get_by_role("button", name=re.compile("^Resume the game of")).click()
    for page in (ana, ben):
        expect(page.locator("#g-turn")).to_have_text(re.compile("turn to offer$"))

    facilitator.get_by_role("button", name=re.compile("^Message ")).click()
    expect(facilitator.locator("#message-dialog")).to_be_visible()
    assert blocking(facilitator, axe_source) == []
    facilitator.fill("#message-text", "What would make a final offer acceptable?")
    facilitator.get_by_label("Show it as a hint").check()
    facilitator.locator("#message-send").click()
    for page in (ana, ben):
        said = page.locator("#g-timeline li[data-type='message']")
        expect(said).to_have_text(
            re.compile("Hint from the facilitator: What would make a final offer acceptable\\?$")
        )
    shot(ana, "player-7-hint")


def test_the_mediator_sits_in_speaks_and_a_walkout_is_taken_back(
    pages: Pages, axe_source: str
) -> None:
    facilitator = pages.facilitator()
    code = create_session(facilitator, "guitar", walkout_window=True)
    ana, ben = join(pages, code, "Ana"), join(pages, code, "Ben")
    first, second = start_round(facilitator, 1, [ana, ben])
    link = facilitator.get_by_role("link", name=re.compile("^Mediate the game of"))
    href = link.get_attribute("href")
    assert href is not None and href.startswith("mediator.html#session=")
    # The mediator's tab shares the facilitator's browser (and its key).
    mediator = pages.watch(facilitator.context.new_page(), "mediator")
    mediator.set_viewport_size(LAPTOP)
    mediator.goto(f"{pages.server.url}/{href}")
    mediator.fill("#m-name", "Dr Lee")
    mediator.get_by_role("button", name="Take the mediator's seat").click()
    expect(mediator.locator("#m-title")).to_have_text("The Guitar: mediating")
    for page in (ana, ben):
        expect(page.locator("#g-asks")).to_contain_text("Dr Lee sits in as the mediator")
        expect(page.locator("#g-timeline li").last).to_have_text(
            re.compile("Dr Lee joined as the mediator$")
        )
    mediating = facilitator.get_by_role("link", name=re.compile("^Mediating the game of"))
    expect(mediating).to_have_text("Mediating")

    offer(first, 7)
    expect(mediator.locator("#m-timeline li[data-type='offer']")).to_have_count(1)
    # Nothing of either card reaches the mediator's page.
    assert "BATNA" not in mediator.inner_text("body")
    assert "point" not in mediator.inner_text("#m-game").lower()
    mediator.fill("#m-chat", "What does each of you need from this deal?")
    mediator.get_by_role("button", name="Send", exact=True).click()
    mediator.select_option("#m-pick-price", "4")
    mediator.get_by_role("button", name="Suggest", exact=True).click()
    for page in (ana, ben):
        expect(page.locator("#g-timeline li[data-type='message']")).to_have_text(
            re.compile("Dr Lee \\(mediator\\): What does each of you need from this deal\\?$")
        )
        suggestion = page.locator("#g-timeline li[data-type='mediator_suggest']")
        expect(suggestion).to_contain_text("Dr Lee (mediator) suggested (not binding): Price:")
        expect(suggestion).to_contain_text("worth")
    shot(mediator, "mediator-1-seat")
    assert blocking(mediator, axe_source) == []

    # A walkout with a reason, taken back within its window because the other agrees.
    second.locator("#g-walkout").click()
    expect(second.locator("#walkout-rule")).to_contain_text(
        "For 30 seconds you may ask to come back"
    )
    second.fill("#walkout-reason", "We are too far apart")
    second.locator("#walkout-confirm").click()
    expect(first.locator("#g-walkout-window")).to_contain_text("walked out")
    expect(first.locator("#g-timeline li[data-type='walkout']")).to_contain_text(
        "We are too far apart"
    )
    expect(mediator.locator("#m-status")).to_contain_text("walked out")
    expect(facilitator.locator("#board .flag.walkout")).to_be_visible()
    shot(first, "player-8-walkout-window")
    assert blocking(first, axe_source) == []
    second.get_by_role("button", name="Ask to come back").click()
    first.get_by_role("button", name="Let them back").click()
    for page in (ana, ben):
        expect(page.locator("#g-walkout-window")).to_have_count(0)
    expect(second.locator("#g-turn")).to_have_text("Your turn to offer")
    second.locator("#g-walkout").click()
    second.fill("#walkout-reason", "No zone after all")
    second.locator("#walkout-confirm").click()
    first.get_by_role("button", name="End it now").click()
    for page in (ana, ben):
        expect(page.locator("#end-outcome")).to_contain_text("No zone after all")
    expect(mediator.locator("#m-result")).to_have_text("No deal (a walkout).")
    # The replay tells the mediator's words and the walkout's reason.
    game = facilitator.locator("#board tbody tr").get_attribute("data-game")
    replay = pages.watch(facilitator.context.new_page(), "replay")
    replay.goto(f"{pages.server.url}/replay.html#game={game}")
    expect(replay.locator("#r-result")).to_contain_text("walked out: “No zone after all”")
    moves = replay.locator("#r-moves")
    expect(moves).to_contain_text("Dr Lee (mediator): What does each of you need")
    expect(moves).to_contain_text("asked to come back")


def test_the_board_words_every_flag(pages: Pages) -> None:
    """Each flag the rules raise, as the board words it (a quiet pair takes minutes to
    arise live: its flag is put through the board's own code here)."""
    facilitator = pages.facilitator()
    expect(facilitator.locator("#setup-screen")).to_be_visible()
    words = facilitator.evaluate(
        """async () => {
            const { flagList } = await import("/js/intervene_board.js");
            const game = { live: true, result: null, gap: 1200, flags: [
                { flag: "quiet", minutes: 4 }, { flag: "gap", gap: 1200, offers: 4 },
                { flag: "standoff" }, { flag: "walkout", by: "buyer", ends: 0 }] };
            const box = document.createElement("div");
            box.append(...flagList(game, { buyer: "Buyer" }));
            return [...box.querySelectorAll(".flag")].map((f) => f.textContent)
                .concat([box.querySelector(".muted").textContent]);
        }"""
    )
    assert words == [
        "No offer for 4 min",
        "Gap of 1,200 points not narrowing over 4 offers",
        "Final-offer standoff",
        "Buyer walked out; may come back",
        "gap 1,200",
    ]
