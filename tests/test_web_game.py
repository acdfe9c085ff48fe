"""Whole games in a real browser: a facilitator and two players, each in their own
browser context, play to agreement (one player reloading mid-game), then to a walkout,
and the debrief chart shows both results."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import Page, expect

from tests.web import Pages, shot, unlabelled


def create_session(
    facilitator: Page,
    scenario: str,
    minutes: int | None = None,
    variation: bool = True,
    walkout_window: bool = False,
) -> str:
    facilitator.wait_for_selector(f"#scenario option[value='{scenario}']", state="attached")
    facilitator.select_option("#scenario", scenario)
    if minutes is not None:
        facilitator.fill("#minutes", str(minutes))
    facilitator.get_by_label("Deal every game its own cards").set_checked(variation)
    # Ticked by default on the page; the tests' walkouts end at once unless they ask.
    facilitator.get_by_label("Let a walkout be taken back").set_checked(walkout_window)
    facilitator.get_by_role("button", name="Create the session").click()
    expect(facilitator.locator("#join-code")).to_have_text(re.compile(r"^[A-Z0-9]{4,}$"))
    # The facilitator sees whether each game deals its own cards.
    expect(facilitator.locator("#cards-mode")).to_contain_text(
        "every game deals its own" if variation else "the scenario's own two cards"
    )
    return facilitator.inner_text("#join-code")


def join(pages: Pages, code: str, name: str, screenshot: str | None = None) -> Page:
    page = pages.person(name)
    page.goto(f"{pages.server.url}/?code={code}")
    expect(page.locator("#join-code")).to_have_value(code)
    page.fill("#join-name", name)
    if screenshot:
        shot(page, screenshot)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.locator("#lobby-screen")).to_be_visible()
    return page


def start_round(facilitator: Page, number: int, players: list[Page]) -> tuple[Page, Page]:
    """Start a round; the player whose turn it is first, then the other."""
    button = facilitator.locator("#start-round")
    expect(button).to_have_text(f"Start round {number}")
    button.click()
    for page in players:
        expect(page.locator("#game-screen")).to_be_visible()
        expect(page.locator("#g-turn")).to_have_text(re.compile("turn to offer$"))
    first = next(p for p in players if p.inner_text("#g-turn") == "Your turn to offer")
    return first, next(p for p in players if p is not first)


def pick(page: Page, options: dict[str, int] | int) -> None:
    """Choose in the offer builder: one option index for every issue, or per issue."""
    for select in page.locator("#g-picks select").all():
        issue = select.get_attribute("data-issue") or ""
        index = options if isinstance(options, int) else options.get(issue)
        if index is not None:
            select.select_option(str(index))


def test_a_game_to_agreement_with_a_reload_mid_game(pages: Pages) -> None:
    facilitator = pages.facilitator()
    shot_setup = facilitator.locator("#setup-screen")
    expect(shot_setup).to_be_visible()
    # The key is taken out of the address bar at once: this page is often projected.
    assert "key=" not in facilitator.url
    code = create_session(facilitator, "new-hire", minutes=15)
    ana = join(pages, code, "Ana", screenshot="player-1-join")
    # The roster is redrawn as people join, without taking the keyboard focus away.
    facilitator.get_by_role("button", name="Remove Ana").focus()
    # Ben types the code as people do, in lower case with a dash: the page reads it as
    # the server does, so the socket names the session as a proxy routes it.
    ben = pages.person("Ben")
    ben.goto(pages.server.url)
    ben.fill("#join-code", f"{code[:3]}-{code[3:]}".lower())
    ben.fill("#join-name", "Ben")
    with ben.expect_websocket() as opened:
        ben.get_by_role("button", name="Join", exact=True).click()
    assert opened.value.url.endswith(f"/ws?session={code}"), opened.value.url
    expect(ben.locator("#lobby-screen")).to_be_visible()
    expect(facilitator.locator("#join-count")).to_have_text("2 joined, 2 connected")
    expect(facilitator.locator("#roster tbody tr")).to_have_count(2)
    expect(facilitator.get_by_role("button", name="Remove Ana")).to_be_focused()
    facilitator.wait_for_function("() => document.querySelector('#qr').naturalWidth > 0")
    shot(facilitator, "facilitator-1-join-code")
    expect(ana.locator("#lobby-status")).to_contain_text("start the next round")
    shot(ana, "player-2-lobby")

    first, second = start_round(facilitator, 1, [ana, ben])
    expect(facilitator.locator("#board .state")).to_have_text("negotiating")
    first.fill("#g-chat", "Hello! Shall we start with the start date?")
    first.get_by_role("button", name="Send", exact=True).click()
    expect(second.locator("#g-timeline li")).to_have_count(1)
    pick(first, 2)
    expect(first.locator("#g-vs-batna")).to_contain_text("against your BATNA")
    first.locator("#g-send").click()
    expect(second.locator("#g-accept")).to_be_visible()
    expect(second.locator("#g-timeline li")).to_have_count(2)

    # A reload (or a phone that slept) comes back to the same game with everything.
    second.reload()
    expect(second.locator("#game-screen")).to_be_visible()
    expect(second.locator("#g-timeline li")).to_have_count(2)
    expect(second.locator("#g-turn")).to_have_text("Your turn to offer")
    second.locator("#g-copy").click()
    pick(second, {"salary": 1, "vacation": 1})
    second.locator("#g-send").click()
    expect(first.locator("#g-accept")).to_be_visible()
    expect(first.locator("#g-standing-body")).to_contain_text("Worth")

    # Statements, a trial balloon and a break, outside the turn order.
    second.select_option("#g-reveal-issue", "vacation")
    second.get_by_role("button", name="Say it").click()
    expect(first.locator("#g-timeline li").last).to_contain_text(
        "said: Vacation is my priority number 1"
    )
    second.locator("#g-picks select").first.select_option("")
    second.locator("#g-suggest").click()
    expect(first.locator("#g-timeline li").last).to_contain_text("suggested (not binding)")
    first.get_by_role("button", name="Ask for a break (1 left)").click()
    second.get_by_role("button", name="Accept the break").click()
    for page in (first, second):
        expect(page.locator("#g-clock-note")).to_have_text("Clock stopped for a break.")
        expect(page.locator("#g-break-clock")).to_contain_text("Back at the table in")
    expect(facilitator.locator("#board .state")).to_have_text("on a break")
    expect(first.locator("#g-accept")).to_be_disabled()
    first.get_by_role("button", name="Back to the table now").click()
    expect(second.locator("#g-clock-note")).to_have_text("")
    expect(first.locator("#g-accept")).to_be_enabled()
    assert unlabelled(first) == []
    assert unlabelled(facilitator) == []
    shot(first, "player-3-negotiation")
    expect(facilitator.locator("#board td.num").nth(1)).to_have_text("2")
    shot(facilitator, "facilitator-2-live-board")

    first.locator("#g-accept").click()
    for page in (ana, ben):
        expect(page.locator("#end-screen")).to_be_visible()
        expect(page.locator("#end-outcome")).to_have_text("Deal!")
        expect(page.locator("#end-chart .points-chart .deal")).to_have_count(1)
        expect(page.locator("#end-cards tbody tr").last).to_contain_text("BATNA")
        expect(page.locator("#end-next")).to_contain_text("round 2")
    shot(ana, "player-4-end")
    expect(facilitator.locator("#board .state")).to_have_text("agreed")
    expect(facilitator.locator("#debrief .points-chart .deal")).to_have_count(1)


def test_a_walkout_and_the_debrief_shows_both_results(pages: Pages) -> None:
    facilitator = pages.facilitator()
    code = create_session(facilitator, "guitar", variation=False)
    cy = join(pages, code, "Cy")
    di = join(pages, code, "Di")

    first, second = start_round(facilitator, 1, [cy, di])
    pick(first, 8)
    first.locator("#g-send").click()
    second.locator("#g-accept").click()
    for page in (cy, di):
        expect(page.locator("#end-outcome")).to_have_text("Deal!")

    first, second = start_round(facilitator, 2, [cy, di])
    expect(first.locator("#g-timeline li")).to_have_count(0)
    # The clock runs on its own between events, and stops when the facilitator pauses.
    clock = second.locator("#g-clock-value")
    expect(clock).not_to_have_text(clock.inner_text())
    facilitator.get_by_role("button", name="Pause all").click()
    expect(second.locator("#g-clock-note")).to_have_text(
        "Clock stopped: the facilitator paused the game."
    )
    expect(facilitator.locator("#board .state")).to_have_text("paused")
    shot(facilitator, "facilitator-4-paused-board")
    facilitator.get_by_role("button", name="Resume all").click()
    expect(second.locator("#g-clock-note")).to_have_text("")
    facilitator.locator("#board").get_by_role("button", name=re.compile(r"^\+2 min for")).click()
    expect(second.locator("#g-timeline li").last).to_have_text(
        re.compile("The facilitator added 120 seconds$")
    )
    expect(clock).to_have_text(re.compile("^8:"))
    # Walking out asks first; staying keeps the game going.
    first.locator("#g-walkout").click()
    expect(first.locator("#walkout-dialog")).to_be_visible()
    shot(first, "player-5-walkout-confirm", full_page=False)
    first.get_by_role("button", name="Stay at the table").click()
    expect(first.locator("#walkout-dialog")).to_be_hidden()
    expect(first.locator("#game-screen")).to_be_visible()
    first.locator("#g-walkout").click()
    first.locator("#walkout-confirm").click()
    for page in (cy, di):
        expect(page.locator("#end-outcome")).to_have_text(re.compile("^No deal: .* walked out$"))
        expect(page.locator("#end-chart .points-chart .impasse")).to_have_count(1)
    shot(second, "player-6-end-walkout")

    expect(facilitator.locator("#board .state")).to_have_text("walked out")
    debrief = facilitator.locator("#debrief")
    expect(debrief.locator(".points-chart .deal")).to_have_count(1)
    expect(debrief.locator(".points-chart .impasse")).to_have_count(1)
    expect(debrief.locator("#debrief-games tbody tr")).to_have_count(2)
    expect(debrief.locator(".stat").nth(1)).to_contain_text("50%")
    shot(facilitator, "facilitator-3-debrief")
    facilitator.get_by_role("button", name="Projector view").click()
    expect(facilitator.locator("#board")).to_be_hidden()
    shot(facilitator, "facilitator-5-projector")
    facilitator.get_by_role("button", name="Back to the controls").click()
    facilitator.select_option("#debrief-round", "2")
    expect(debrief.locator(".points-chart .deal")).to_have_count(0)
    expect(debrief.locator(".points-chart .impasse")).to_have_count(1)

    with facilitator.expect_download() as download:
        facilitator.locator("#export-csv").click()
    path = download.value.path()
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert [r["outcome"] for r in rows] == ["agreement", "impasse"]
    assert rows[1]["reason"] == "walkout"


def test_a_lost_connection_is_shown_and_recovered_and_a_bot_can_stand_in(pages: Pages) -> None:
    server = pages.server
    facilitator = pages.facilitator()
    code = create_session(facilitator, "supplier")
    eve = join(pages, code, "Eve")
    fay = join(pages, code, "Fay")
    first, second = start_round(facilitator, 1, [eve, fay])
    first.fill("#g-chat", "Before the outage")
    first.get_by_role("button", name="Send", exact=True).click()
    expect(second.locator("#g-timeline li")).to_have_count(1)
    second.select_option("#pick-price", "3")

    # While the server is away the browser itself logs each refused reconnection, and
    # each of the facilitator page's requests that falls in the outage (a loaded machine
    # makes the outage long enough for one).
    pages.allow(r"WebSocket connection to .* failed")
    pages.allow(r"^Failed to load resource: net::ERR_CONNECTION_REFUSED$")
    server.terminate()
    for page in (first, second):
        expect(page.locator("#connection")).to_have_text("Connection lost. Reconnecting…")
    shot(first, "player-7-connection-lost")
    server.start()
    for page in (first, second):
        expect(page.locator("#connection")).to_be_hidden(timeout=15_000)
        # The server left its downtime off the clock: a pause and a resume (docs/protocol.md).
        expect(page.locator("#g-timeline li")).to_have_count(3)
        expect(page.locator("#g-timeline li").first).to_contain_text("Before the outage")
    # A half-built offer survives the reconnection.
    expect(second.locator("#pick-price")).to_have_value("3")
    second.fill("#g-chat", "After the outage")
    second.get_by_role("button", name="Send", exact=True).click()
    expect(first.locator("#g-timeline li")).to_have_count(4)

    # A partner who is gone: the other side is told, and may let a bot take the seat.
    second.context.close()
    presence = first.locator("#g-presence")
    expect(presence).to_contain_text("has lost the connection")
    first.get_by_role("button", name="Let a bot take their seat").click()
    expect(presence).to_have_text("A bot is holding your partner's seat until they come back.")
    expect(facilitator.locator("#board")).to_contain_text("(bot standing in)")
    gone = "Eve" if second is eve else "Fay"
    facilitator.get_by_role("button", name=f"Remove {gone}").click()
    facilitator.locator("#confirm-ok").click()
    expect(facilitator.locator("#roster tbody tr")).to_have_count(1)

    # A reloaded facilitator page comes back to the session; ending the round asks first.
    facilitator.reload()
    expect(facilitator.locator("#join-code")).to_have_text(code)
    facilitator.get_by_role("button", name="End the round…").click()
    facilitator.locator("#confirm-ok").click()
    expect(first.locator("#end-outcome")).to_have_text("No deal: the facilitator ended the round")


def test_a_reload_while_the_partner_is_away_keeps_the_bot_seat_control(pages: Pages) -> None:
    facilitator = pages.facilitator()
    code = create_session(facilitator, "supplier")
    ida = join(pages, code, "Ida")
    jon = join(pages, code, "Jon")
    first, second = start_round(facilitator, 1, [ida, jon])
    second.context.close()
    presence = first.locator("#g-presence")
    expect(presence).to_contain_text("has lost the connection")
    # The partner's absence is part of the view: a reload still shows it, and the
    # control appears once the grace period is over.
    first.reload()
    expect(first.locator("#game-screen")).to_be_visible()
    expect(presence).to_contain_text("has lost the connection")
    first.get_by_role("button", name="Let a bot take their seat").click()
    expect(presence).to_have_text("A bot is holding your partner's seat until they come back.")


def test_a_game_that_closes_by_claims(pages: Pages) -> None:
    facilitator = pages.facilitator()
    code = create_session(facilitator, "moving-out")
    ada = join(pages, code, "Ada")
    ben = join(pages, code, "Ben")
    facilitator.locator("#start-round").click()
    for page in (ada, ben):
        expect(page.locator("#g-turn")).to_have_text("Either side may offer at any time")
        expect(page.locator("#g-claim")).to_be_visible()
    pick(ada, {"books": 2, "lamps": 1, "rug": 0})
    ada.locator("#g-claim").click()
    expect(ben.locator("#g-timeline li").last).to_contain_text("submitted a sealed claim")
    expect(ada.locator("#g-claim")).to_be_disabled()
    pick(ben, {"books": 2, "lamps": 1, "rug": 0})
    ben.locator("#g-claim").click()
    for page in (ada, ben):
        expect(page.locator("#end-outcome")).to_have_text("Deal!")
        expect(page.locator("#end-terms")).to_contain_text("Books")


def test_two_players_in_tabs_of_one_browser_stay_themselves_through_reloads(
    pages: Pages,
) -> None:
    """What the README suggests for trying zopa alone."""
    facilitator = pages.facilitator()
    code = create_session(facilitator, "guitar")
    gil = join(pages, code, "Gil")
    hal = gil.context.new_page()
    pages.watch(hal, "Hal")
    hal.goto(f"{pages.server.url}/?code={code}")
    # A new tab finds the browser's last player, and offers to be someone else.
    expect(hal.locator("#lobby-name")).to_have_text("Gil")
    hal.get_by_role("button", name="Not Gil? Join as someone else").click()
    hal.fill("#join-name", "Hal")
    hal.get_by_role("button", name="Join", exact=True).click()
    expect(hal.locator("#lobby-name")).to_have_text("Hal")
    for page, name in ((gil, "Gil"), (hal, "Hal")):
        page.reload()
        expect(page.locator("#lobby-name")).to_have_text(name)
    first, second = start_round(facilitator, 1, [gil, hal])
    assert {first.inner_text("#who"), second.inner_text("#who")} == {
        f"Gil · {code}",
        f"Hal · {code}",
    }


def test_solo_practice_against_a_bot_from_the_join_page(pages: Pages) -> None:
    page = pages.person("Solo")
    page.goto(pages.server.url + "/")
    page.wait_for_selector("#practice-scenario option[value='guitar']", state="attached")
    page.fill("#practice-name", "Solo")
    page.select_option("#practice-scenario", "guitar")
    page.select_option("#practice-strategy", "conceder")
    expect(page.locator("#practice-about")).to_contain_text("guitar")
    shot(page, "player-0-practice")
    page.get_by_role("button", name="Start a practice game").click()
    expect(page.locator("#game-screen")).to_be_visible()
    expect(page.locator("#g-partner")).to_contain_text("Bot (conceder)")
    # The bot plays: whoever moves first, an offer by the bot reaches the page.
    if page.inner_text("#g-turn") == "Your turn to offer":
        # The player's own best price, which the bot will not accept at once: the role is
        # drawn at random, and a generous offer would end the game before it can answer.
        seller = page.inner_text("#g-role").strip().lower() == "seller"
        pick(page, {"price": 16 if seller else 0})
        page.get_by_role("button", name="Send offer").click()
    accept = page.get_by_role("button", name=re.compile(r"^Accept offer #\d+$"))
    expect(accept).to_be_visible(timeout=15_000)
    shot(page, "player-0-practice-game")
    accept.click()
    expect(page.locator("#end-screen")).to_be_visible()
    expect(page.locator("#end-outcome")).to_contain_text("Deal")
    expect(page.locator("#end-next")).to_contain_text("practice game")
    assert unlabelled(page) == []
