"""The class debrief of moves in a real browser: a round of three games (a deal opened
extremely, a walkout, a game still in play), on the projector and in the facilitator's
view; the projector shows no card of anybody, a game in play only by its players'
names, and follows the session when the facilitator ends the round. Every screen passes
axe, at phone and laptop size, with no console error."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.axe import Audit
from tests.live import KEY, Player, Server, open_session
from tests.web import LAPTOP, Pages, run_async, shot

NAMES = ("Ana", "Ben", "Cy", "Dee", "Eve", "Fay")


@pytest.fixture(scope="module")
def audit(axe_source: str) -> Iterator[Audit]:
    found = Audit(axe_source)
    yield found
    found.save("axe-class-debrief.json")


async def three_games(server: Server) -> tuple[str, dict[str, list[str]]]:
    """A guitar round on the scenario's own cards (both BATNAs 200): what each game did
    -> the names of its players."""
    code = await open_session(server, "guitar", variation=False)
    players = [await Player(server, code, name).join() for name in NAMES]
    for player in players:
        await player.connect()
    started = await server.acall("POST", f"/api/sessions/{code}/rounds")
    games: dict[str, dict[str, Player]] = {g["game"]: {} for g in started["games"]}
    for player in players:
        view = await player.c.type("game")
        games[view["game"]][view["role"]] = player
    seats = list(games.values())
    done: dict[str, list[str]] = {}
    for what, seat in zip(("deal", "walkout", "running"), seats, strict=True):
        mover = seat[seat["seller"].c.received[-1]["turn"]]
        other = seat["buyer"] if mover is seat["seller"] else seat["seller"]
        done[what] = [p.name for p in seat.values()]
        if what == "deal":
            # Extreme openings both ways (nothing for the other side), then the opener
            # concedes to 500 / 300 points for itself: 75% of the gain over both BATNAs.
            buyer = mover is seat["buyer"]
            await mover.send({"type": "offer", "terms": {"price": 0 if buyer else 16}})
            await other.event("offer")
            await other.send({"type": "offer", "terms": {"price": 16 if buyer else 0}})
            await mover.event("offer")
            await mover.send({"type": "offer", "terms": {"price": 6 if buyer else 10}})
            await other.event("offer")
            await other.send({"type": "accept", "offer": 3})
            await other.c.type("ended")
        elif what == "walkout":
            await mover.send({"type": "walkout"})
            await other.c.type("ended")
        else:
            await mover.send({"type": "offer", "terms": {"price": 8}})
            await mover.event("offer")
    return code, done


def row_of(page: Page, names: list[str]) -> str:
    rows = page.locator("#cd-pairs-table tbody tr")
    for n in range(rows.count()):
        text = rows.nth(n).inner_text()
        if all(name in text for name in names):
            return text
    raise AssertionError(f"no row names {names}")


def test_the_class_debrief_on_the_projector_and_for_the_facilitator(
    pages: Pages, audit: Audit
) -> None:
    server = pages.server
    code, games = run_async(three_games(server))
    facilitator = pages.person("facilitator", LAPTOP)
    facilitator.goto(f"{server.url}/facilitator.html#key={KEY}&session={code}")
    link = facilitator.locator("#class-projector-link")
    expect(link).to_have_attribute("href", f"debrief.html?session={code}&view=class")

    projector = facilitator.context.new_page()
    pages.watch(projector, "projector")
    projector.goto(f"{server.url}/debrief.html?session={code}&view=class")
    expect(projector.locator("#cd-status")).to_have_text(
        "2 of 3 games over; 1 still negotiating (they show here when they end)."
    )
    body = projector.locator("#cd-body")
    impasses = projector.locator("section[aria-labelledby=cd-impasses]")
    expect(impasses.locator(".stat").first).to_contain_text("50%")
    expect(impasses.locator(".stat").first).to_contain_text("1 of 2 finished games")
    # The walkout had a zone (a deal good for both existed): a missed deal, 1 of 1.
    expect(impasses.locator(".stat").nth(1)).to_contain_text("100%")
    expect(impasses).to_contain_text("Impasse at the start")
    first = projector.locator("section[aria-labelledby=cd-first]")
    expect(first).to_contain_text("Going first paid")
    expect(first.locator(".stat").first).to_contain_text("75%")
    # Every chart is an image with a title and a description saying its figures, and a table.
    charts = projector.locator("svg.rate-bars")
    expect(charts).to_have_count(3)
    for n in range(3):
        chart = charts.nth(n)
        assert chart.get_attribute("role") == "img"
        assert chart.locator("title").first.text_content() and chart.locator("desc").text_content()
    assert "Impasse rate: 50%" in (charts.nth(0).locator("desc").text_content() or "")
    assert "29% typical: a line at 29%" in (charts.nth(0).locator("desc").text_content() or "")
    assert "44% typical: a line at 44%" in (charts.nth(0).locator("desc").text_content() or "")
    expect(projector.locator("table.figures")).to_have_count(3)
    # Every pair by name; the game in play by its names alone.
    expect(projector.locator("#cd-pairs-table tbody tr")).to_have_count(3)
    assert "Extreme openings" in projector.locator("#cd-pairs-table thead").inner_text()
    deal = row_of(projector, games["deal"])
    assert "deal" in deal and "(extreme)" in deal and "75%" in deal and "25%" in deal
    assert "never bargained" in row_of(projector, games["walkout"])
    running = row_of(projector, games["running"])
    assert "still negotiating" in running and "%" not in running
    # No card on the projector: no points, no BATNA, no price.
    text = body.inner_text()
    assert not re.search(r"BATNA (of )?\d", text) and "$" not in text and "Points" not in text
    assert not re.search(r"\b(200|400|800)\b", text), text
    shot(projector, "class-debrief-projector")
    audit.screen(projector, "class-debrief-projector")

    # The facilitator ends the round: the projector follows, and the ended game is
    # counted apart, not as an impasse.
    run_async(server.acall("POST", f"/api/sessions/{code}/end-round"))
    expect(projector.locator("#cd-status")).to_have_text("3 of 3 games over.")
    expect(impasses.locator(".stat").nth(2)).to_contain_text("1")
    expect(impasses.locator(".stat").first).to_contain_text("1 of 2 finished games")
    assert "ended by the facilitator" in row_of(projector, games["running"])
    # The facilitator page's own debrief counts it apart too: 1 impasse in 2, not 2 in 3.
    stats = facilitator.locator("#debrief .stat")
    expect(stats.nth(1)).to_contain_text("50%")
    expect(stats.nth(1)).to_contain_text("1 ended by the facilitator, counted apart")

    # The facilitator's own view adds the points and what happened, and links each replay.
    own = facilitator.context.new_page()
    pages.watch(own, "facilitator's debrief")
    own.set_viewport_size(LAPTOP)
    own.goto(f"{server.url}/debrief.html?session={code}&view=facilitator")
    expect(own.locator("#cd-pairs-table tbody tr")).to_have_count(3)
    deal = row_of(own, games["deal"])
    assert "BATNA 200" in deal and "below its BATNA of 200" in deal
    expect(own.locator("#cd-pairs-table a", has_text="Replay")).to_have_count(3)
    # Each replay link names the session, which the replay page's calls carry for the
    # proxy (docs/deploy.md); the facilitator page's board and debrief link the same way.
    for links in (
        own.locator("#cd-pairs-table a", has_text="Replay"),
        facilitator.locator("#board a", has_text="Replay"),
        facilitator.locator("#debrief a", has_text="Replay"),
    ):
        hrefs = links.evaluate_all("links => links.map((a) => a.getAttribute('href'))")
        assert hrefs and all(href.endswith(f"&session={code}") for href in hrefs), hrefs
    expect(own.locator("#view-link")).to_have_text("Projector view")
    shot(own, "class-debrief-facilitator")
    audit.screen(own, "class-debrief-facilitator")
    # One round chosen: the same games, all in round 1.
    own.locator("#cd-round").select_option("1")
    expect(own.locator("#cd-pairs-table tbody tr")).to_have_count(3)
    assert audit.blocking == [], "\n".join(audit.blocking)


def test_the_class_debrief_asks_for_the_key_it_lacks(pages: Pages, audit: Audit) -> None:
    page = pages.person("someone")
    page.goto(f"{pages.server.url}/debrief.html?session=ABCDEF")
    expect(page.locator("#key-screen")).to_be_visible()
    expect(page.locator("#debrief-screen")).to_be_hidden()
    audit.screen(page, "class-debrief-key")
    assert audit.blocking == [], "\n".join(audit.blocking)
