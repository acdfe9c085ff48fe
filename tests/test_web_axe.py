"""Every screen of every page, at phone and laptop size: axe-core with no serious or
critical finding (with ZOPA_SCREENSHOTS=DIR, a screenshot of each and the counts in
DIR/axe.json)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.axe import Audit
from tests.live import KEY, Player
from tests.test_web_game import create_session, join, pick, start_round
from tests.web import LAPTOP, Pages, run_async


@pytest.fixture(scope="module")
def audit(axe_source: str) -> Iterator[Audit]:
    found = Audit(axe_source)
    yield found
    found.save("axe.json")


def passes(audit: Audit) -> None:
    blocking, audit.blocking = audit.blocking, []
    assert blocking == [], "\n".join(blocking)


def test_the_facilitator_and_player_screens_of_a_game(pages: Pages, audit: Audit) -> None:
    facilitator = pages.person("facilitator", LAPTOP)
    facilitator.goto(f"{pages.server.url}/facilitator.html")
    expect(facilitator.locator("#key-screen")).to_be_visible()
    audit.screen(facilitator, "facilitator-key")
    facilitator.fill("#key-input", KEY)
    facilitator.get_by_role("button", name="Continue").click()
    expect(facilitator.locator("#setup-screen")).to_be_visible()
    facilitator.wait_for_selector("#scenario option[value='guitar']", state="attached")
    audit.screen(facilitator, "facilitator-setup")
    code = create_session(facilitator, "guitar")
    facilitator.wait_for_function("() => document.querySelector('#qr').naturalWidth > 0")
    audit.screen(facilitator, "facilitator-session-new")

    newcomer = pages.person("newcomer")
    newcomer.goto(f"{pages.server.url}/?code={code}")
    newcomer.wait_for_selector("#practice-scenario option", state="attached")
    audit.screen(newcomer, "player-join")
    ana = join(pages, code, "Ana")
    audit.screen(ana, "player-lobby")
    ben = join(pages, code, "Ben")
    expect(facilitator.locator("#join-count")).to_have_text("2 joined, 2 connected")
    audit.screen(facilitator, "facilitator-session-joined")

    first, second = start_round(facilitator, 1, [ana, ben])
    audit.screen(first, "player-game-start")
    first.fill("#g-chat", "Hello there")
    first.get_by_role("button", name="Send", exact=True).click()
    pick(first, 8)
    first.locator("#g-send").click()
    expect(second.locator("#g-accept")).to_be_visible()
    first.get_by_role("button", name=re.compile(r"^Ask for \d+:\d\d more")).click()
    expect(second.get_by_role("button", name="Accept more time")).to_be_visible()
    audit.screen(second, "player-game-offer-and-request")
    second.get_by_role("button", name="Decline").click()
    audit.screen(facilitator, "facilitator-live-board")
    second.locator("#g-walkout").click()
    expect(second.locator("#walkout-dialog")).to_be_visible()
    audit.screen(second, "player-walkout-dialog")
    second.get_by_role("button", name="Stay at the table").click()
    second.locator("#g-accept").click()
    for page in (ana, ben):
        expect(page.locator("#end-chart .points-chart")).to_be_visible()
    audit.screen(ana, "player-end-deal")
    expect(facilitator.locator("#debrief .points-chart")).to_be_visible()
    audit.screen(facilitator, "facilitator-debrief")
    facilitator.get_by_role("button", name="Projector view").click()
    audit.screen(facilitator, "facilitator-projector")
    facilitator.get_by_role("button", name="Back to the controls").click()

    game = facilitator.locator("#board tr[data-game]").first.get_attribute("data-game")
    replay = facilitator.context.new_page()
    pages.watch(replay, "replay")
    replay.goto(f"{pages.server.url}/replay.html#game={game}")
    expect(replay.locator("#r-moves li").first).to_be_visible()
    replay.keyboard.press("End")
    audit.screen(replay, "replay-server-game")
    replay.goto(f"{pages.server.url}/replay.html")
    expect(replay.locator("#load")).to_be_visible()
    audit.screen(replay, "replay-open-a-file")

    # A walkout ends the second round: the end screen names who walked out.
    first, second = start_round(facilitator, 2, [ana, ben])
    first.locator("#g-walkout").click()
    first.locator("#walkout-confirm").click()
    expect(second.locator("#end-outcome")).to_contain_text("walked out")
    audit.screen(second, "player-end-walkout")
    passes(audit)


def test_claims_practice_and_tournament_screens(pages: Pages, audit: Audit) -> None:
    server = pages.server
    facilitator = pages.facilitator()
    code = create_session(facilitator, "moving-out")
    ada = join(pages, code, "Ada")
    join(pages, code, "Ben")
    facilitator.locator("#start-round").click()
    expect(ada.locator("#g-claim")).to_be_visible()
    audit.screen(ada, "player-game-claims")

    solo = pages.person("Solo")
    solo.goto(server.url + "/")
    solo.wait_for_selector("#practice-scenario option[value='new-hire']", state="attached")
    solo.fill("#practice-name", "Solo")
    solo.select_option("#practice-scenario", "new-hire")
    solo.get_by_role("button", name="Start a practice game").click()
    expect(solo.locator("#game-screen")).to_be_visible()
    audit.screen(solo, "player-practice-game")

    # The standings page: its chooser, a plain session's schedule, a new tournament,
    # a tournament's schedule and projection, and a player's own games.
    page = pages.person("organiser", LAPTOP)
    page.goto(f"{server.url}/standings.html")
    expect(page.locator("#choose-screen")).to_be_visible()
    audit.screen(page, "standings-choose")
    page.goto(f"{server.url}/standings.html?code={code}&view=schedule#key={KEY}")
    expect(page.locator("#schedule-title")).to_have_text("Not a tournament")
    audit.screen(page, "standings-not-a-tournament")
    page.goto(f"{server.url}/standings.html?view=new")
    expect(page.locator("#new-rounds tr")).to_have_count(3)
    audit.screen(page, "standings-new-tournament")

    schedule = {"rounds": [{"scenario": "guitar"}, {"scenario": "food-truck"}]}
    answer = run_async(server.acall("POST", "/api/sessions", {"schedule": schedule}))
    tournament = answer["code"]

    async def play() -> Player:
        players = [await Player(server, tournament, name).join() for name in ("Cy", "Di")]
        await server.acall("POST", f"/api/sessions/{tournament}/rounds")
        await server.acall("POST", f"/api/sessions/{tournament}/end-round")
        return players[0]

    cy = run_async(play())
    page.goto(f"{server.url}/standings.html?code={tournament}&view=schedule")
    expect(page.locator("#standings-rows tr")).to_have_count(2)
    audit.screen(page, "standings-schedule")
    page.goto(f"{server.url}/standings.html?code={tournament}")
    expect(page.locator("#standings-rows tr")).to_have_count(2)
    audit.screen(page, "standings-projection")
    person = pages.person("Cy")
    identity = json.dumps({"player": cy.id, "token": cy.token, "name": "Cy", "code": tournament})
    person.add_init_script(f"sessionStorage.setItem('zopa.player', {json.dumps(identity)});")
    person.goto(f"{server.url}/standings.html?view=me")
    expect(person.locator("#me-rows tr")).to_have_count(1)
    audit.screen(person, "standings-my-games")
    passes(audit)
