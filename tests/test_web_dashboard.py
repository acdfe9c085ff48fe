"""The facilitator's dashboard and the tournament page as a facilitator of a room of
forty on phones meets them (issue 19, defects 1 to 6). Each test fails on the pages as
they were before its fix."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.axe import run_axe
from tests.live import KEY, Player
from tests.test_web_game import create_session, join, pick, start_round
from tests.web import LAPTOP, PHONE, Pages, run_async, shot


def test_the_scenario_list_names_the_roles(pages: Pages) -> None:
    """Defect 1: "Campsite — Leader of the hikers vs Leader of the anglers"."""
    facilitator = pages.facilitator()
    facilitator.wait_for_selector("#scenario option[value='campsite']", state="attached")
    options = facilitator.locator("#scenario option").all_inner_texts()
    assert not [o for o in options if "[object" in o], options
    assert "Campsite — Leader of the hikers vs Leader of the anglers, 3 issues" in options


def test_the_roster_follows_games_and_time_away(pages: Pages) -> None:
    """Defect 2: *Now* leaves "playing" when games end; "away" counts up."""
    facilitator = pages.facilitator()
    code = create_session(facilitator, "guitar")
    ana = join(pages, code, "Ana")
    ben = join(pages, code, "Ben")
    start_round(facilitator, 1, [ana, ben])
    now = facilitator.locator("#roster tbody tr td:nth-child(3)")
    expect(now).to_have_text(["playing", "playing"])
    facilitator.get_by_role("button", name="End the round…").click()
    facilitator.locator("#confirm-ok").click()
    expect(now).to_have_text(["waiting for the next round"] * 2)
    ben.context.close()
    away = facilitator.locator("#roster tbody tr", has_text="Ben").locator("td").nth(1)
    expect(away).to_have_text(re.compile(r"^away \d+ s$"))
    expect(away).to_have_text(re.compile(r"^away ([2-9]|\d\d) s$"))


def test_a_room_of_eleven_games_fits_the_dashboard(pages: Pages) -> None:
    """Defect 3: the scenario and its time limit shown; the join card shrinks once the
    room plays; counts of games by state; the debrief within reach with 11 games; the
    projector view whole at 1280 by 800."""
    server = pages.server
    facilitator = pages.facilitator()
    code = create_session(facilitator, "guitar", minutes=5)
    expect(facilitator.locator("#session-about")).to_have_text("The Guitar, 5:00 per game.")

    async def room() -> list[Player]:
        players = [await Player(server, code, f"P{n:02}").join() for n in range(22)]
        for player in players:
            await player.connect()
        return players

    players = run_async(room())
    expect(facilitator.locator("#join-count")).to_have_text("22 joined, 22 connected")
    card = facilitator.locator("#join-card")
    big = card.bounding_box()
    assert big is not None
    facilitator.locator("#start-round").click()
    expect(facilitator.locator("#board-counts")).to_have_text("Round 1: 11 negotiating")
    expect(card).to_have_class(re.compile(r"\bcompact\b"))
    small = card.bounding_box()
    assert small is not None and small["height"] < big["height"] / 2, (small, big)
    top = facilitator.evaluate(
        "() => document.querySelector('#debrief-title').getBoundingClientRect().top + scrollY"
    )
    assert top < 1.5 * LAPTOP["height"], top
    facilitator.locator("#debrief-link").click()
    expect(facilitator.locator("#debrief-title")).to_be_focused()
    assert f"session={code}" in facilitator.url
    facilitator.get_by_role("button", name="End the round…").click()
    facilitator.locator("#confirm-ok").click()
    expect(facilitator.locator("#board-counts")).to_have_text("Round 1: 11 impasse")
    assert len(players) == 22

    facilitator.set_viewport_size({"width": 1280, "height": 800})
    facilitator.get_by_role("button", name="Projector view").click()
    fits = facilitator.evaluate(
        """() => {
            const heading = document.querySelector('#join-title').getBoundingClientRect();
            const qr = document.querySelector('#qr').getBoundingClientRect();
            return [document.documentElement.scrollHeight <= innerHeight, heading.top >= 0,
                    qr.bottom <= innerHeight];
        }"""
    )
    shot(facilitator, "facilitator-projector-1280x800", full_page=False)
    assert fits == [True, True, True]


def test_a_plain_session_has_no_schedule_and_a_tournament_stops_after_its_last_round(
    pages: Pages,
) -> None:
    """Defect 4."""
    server = pages.server
    facilitator = pages.facilitator()
    code = create_session(facilitator, "guitar")
    expect(facilitator.locator("#session-about")).to_have_text(re.compile("^The Guitar"))
    expect(facilitator.locator("#schedule-link")).to_be_hidden()
    page = pages.person("schedule", LAPTOP)
    page.goto(f"{server.url}/standings.html?code={code}&view=schedule#key={KEY}")
    expect(page.locator("#schedule-title")).to_have_text("Not a tournament")
    expect(page.locator("#start-next")).to_be_hidden()
    expect(page.get_by_role("link", name="the facilitator's dashboard")).to_be_visible()

    schedule = {"rounds": [{"scenario": "guitar"}]}
    tournament = run_async(server.acall("POST", "/api/sessions", {"schedule": schedule}))["code"]

    async def two() -> None:
        for name in ("Ana", "Ben"):
            await Player(server, tournament, name).join()

    run_async(two())
    facilitator.goto(f"{server.url}/facilitator.html#session={tournament}")
    facilitator.reload()
    expect(facilitator.locator("#schedule-link")).to_be_visible()
    start = facilitator.locator("#start-round")
    expect(start).to_have_text("Start round 1")
    start.click()
    expect(facilitator.locator("#board-counts")).to_have_text("Round 1: 1 negotiating")
    facilitator.get_by_role("button", name="End the round…").click()
    facilitator.locator("#confirm-ok").click()
    expect(start).to_have_text("Every scheduled round has started")
    expect(start).to_be_disabled()


def test_names_are_told_apart_expected_and_a_removed_player_starts_afresh(pages: Pages) -> None:
    """Defect 5: a second Sam is "Sam 2"; a removed player finds an empty form; the
    facilitator's list of expected participants shows who has not joined."""
    facilitator = pages.facilitator()
    code = create_session(facilitator, "guitar")
    join(pages, code, "Sam")
    second = join(pages, code, "Sam")
    expect(second.locator("#lobby-name")).to_have_text("Sam 2")
    expect(second.locator("#lobby-renamed")).to_have_text(
        "Someone here is already called Sam, so you are Sam 2."
    )
    names = facilitator.locator("#roster tbody tr td:first-child")
    expect(names).to_have_text(["Sam", "Sam 2"])

    facilitator.locator("#expected summary").click()
    facilitator.fill("#expected-names", "Sam\nZoe\n")
    facilitator.get_by_role("button", name="Save the list").click()
    expect(names).to_have_text(["Sam", "Sam 2", "Zoe"])
    expect(facilitator.locator("#roster tr.expected")).to_contain_text("not joined yet")
    counts = "2 joined · 2 connected · 1 of 2 expected"
    expect(facilitator.locator("#roster-counts")).to_have_text(counts)

    facilitator.get_by_role("button", name="Remove Sam 2").click()
    facilitator.locator("#confirm-ok").click()
    expect(second.locator("#join-screen")).to_be_visible()
    expect(second.locator("#errors")).to_have_text("The facilitator removed you from the session.")
    expect(second.locator("#join-name")).to_have_value("")
    expect(second.locator("#join-code")).to_have_value("")
    assert "code=" not in second.url


def test_the_tournament_pages_show_titles_the_join_code_and_fit_a_phone(
    pages: Pages, axe_source: str
) -> None:
    """Defect 6: the projected standings carry the join code, its QR code and the way
    back; titles and role labels instead of ids; *My games* whole on a phone and its
    scrolling box reachable by keyboard; the debrief chart's links not inside an image."""
    server = pages.server
    schedule = {"rounds": [{"scenario": "guitar"}, {"scenario": "food-truck"}]}
    code = run_async(server.acall("POST", "/api/sessions", {"schedule": schedule}))["code"]

    async def play() -> Player:
        players = [await Player(server, code, name).join() for name in ("Ana", "Ben")]
        await server.acall("POST", f"/api/sessions/{code}/rounds")
        await server.acall("POST", f"/api/sessions/{code}/end-round")
        return players[0]

    ana = run_async(play())
    projector = pages.person("projector", LAPTOP)
    projector.goto(f"{server.url}/standings.html?code={code}&view=schedule#key={KEY}")
    expect(projector.locator("#start-next")).to_have_text("Start round 2: The Food Truck")
    expect(projector.get_by_role("link", name="Back to the dashboard")).to_be_visible()
    projector.goto(f"{server.url}/standings.html?code={code}")
    expect(projector.locator("#standings-code")).to_have_text(code)
    projector.wait_for_function("() => document.querySelector('#standings-qr').naturalWidth > 0")
    expect(projector.get_by_role("link", name="Back to the schedule")).to_be_visible()
    expect(projector.locator("#pairs-rows tr td").nth(2)).to_have_text("The Guitar")

    person = pages.person("Ana", PHONE)
    identity = f'{{"player": "{ana.id}", "token": "{ana.token}", "name": "Ana", "code": "{code}"}}'
    person.add_init_script(f"sessionStorage.setItem('zopa.player', {identity!r});")
    person.goto(f"{server.url}/standings.html?view=me")
    row = person.locator("#me-rows tr").first
    expect(row.locator("td").nth(1)).to_have_text("The Guitar")
    expect(row.locator("td").nth(2)).to_have_text(re.compile("^(Seller|Buyer)$"))
    assert person.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    for cell in row.locator("td").all():
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    found = {v["id"] for v in run_axe(person, axe_source)}
    assert "scrollable-region-focusable" not in found

    facilitator = pages.facilitator()
    plain = create_session(facilitator, "guitar")
    cy = join(pages, plain, "Cy")
    di = join(pages, plain, "Di")
    first, second = start_round(facilitator, 1, [cy, di])
    pick(first, 8)
    first.locator("#g-send").click()
    second.locator("#g-accept").click()
    expect(facilitator.locator("#debrief svg a")).to_have_count(1)
    assert facilitator.locator("#debrief svg").get_attribute("role") != "img"
    found = {v["id"] for v in run_axe(facilitator, axe_source)}
    assert "nested-interactive" not in found
