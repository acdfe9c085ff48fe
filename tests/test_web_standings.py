"""The tournament page in a real browser: a facilitator opens a tournament and runs its
schedule, the room's projector shows the standings, a player reads their own games."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from playwright.sync_api import expect

from tests.live import Player
from tests.web import LAPTOP, Pages, run_async, shot, unlabelled


def test_a_tournament_is_opened_run_projected_and_exported(pages: Pages, tmp_path: Path) -> None:
    server = pages.server
    page = pages.person("facilitator", LAPTOP)
    page.goto(f"{server.url}/standings.html?view=new#key=test-facilitator-key")
    expect(page.locator("#new-rounds tr")).to_have_count(3)
    assert "key=" not in page.url, "the key leaves the address bar"
    assert unlabelled(page) == []
    page.locator("#new-rounds tr").nth(2).get_by_role("button", name="Remove round 3").click()
    page.get_by_label("Round 1 scenario").select_option("guitar")
    page.get_by_label("Round 2 scenario").select_option("supplier")
    page.get_by_label("Pairing").select_option("round_robin")
    page.get_by_label("With an odd number of players").select_option("bye")
    shot(page, "tournament-new")
    page.get_by_role("button", name="Open the tournament").click()
    expect(page.locator("#schedule-rows tr")).to_have_count(2)
    code = page.locator("#session-label").inner_text().strip()
    expect(page.locator("#start-next")).to_have_text("Start round 1: The Guitar")

    async def join() -> list[Player]:
        return [await Player(server, code, name).join() for name in ("Ana", "Ben", "Cy")]

    players = run_async(join())
    page.locator("#start-next").click()
    expect(page.locator("#schedule-rows tr").first).to_contain_text("live")
    run_async(server.acall("POST", f"/api/sessions/{code}/end-round"))
    page.reload()  # rather than wait for the page's next look, every few seconds
    expect(page.locator("#schedule-rows tr").first).to_contain_text("done")
    expect(page.locator("#standings-rows tr")).to_have_count(3)
    # Impasses score 0 and the bye 0.5, so whoever had the bye leads.
    expect(page.locator("#standings-rows tr").first).to_contain_text("0.500")
    shot(page, "tournament-schedule")

    with page.expect_download() as download:
        page.get_by_role("button", name="Export the tournament (CSV)").click()
    saved = tmp_path / "export.csv"
    download.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert sorted(r["outcome"] for r in rows) == ["bye", "impasse", "impasse"]

    projector = pages.person("projector", LAPTOP)
    projector.goto(f"{server.url}/standings.html?code={code}")
    expect(projector.locator("#standings-rows tr")).to_have_count(3)
    expect(projector.locator("#pairs-rows tr")).to_have_count(1)
    for player in players:
        assert player.id not in projector.content()
    shot(projector, "tournament-projector")

    ana = players[0]
    person = pages.person("Ana")
    identity = {"player": ana.id, "token": ana.token, "name": "Ana", "code": code}
    person.add_init_script(
        f"sessionStorage.setItem('zopa.player', {json.dumps(json.dumps(identity))});"
    )
    person.goto(f"{server.url}/standings.html?view=me")
    expect(person.locator("#me-rows tr")).to_have_count(1)
    expect(person.locator("#me-about")).to_contain_text("Ana: rank")
    shot(person, "tournament-my-games")
