"""The replay viewer in a real browser, for a server game and for a log file, and the
browser's own frontier computation against game_rules' analysis."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.live import Player, Server, open_session
from tests.web import Pages, run_async, shot
from zopa.rules.analysis import analysis_json, analyze
from zopa.rules.library import builtin_scenarios
from zopa.rules.worked_examples import examples


async def played_game(server: Server) -> tuple[str, str]:
    """A supplier game over the websocket API: chat, two offers, a statement, a deal."""
    code = await open_session(server, "supplier")
    ana = await Player(server, code, "Ana").join()
    ben = await Player(server, code, "Ben").join()
    for player in (ana, ben):
        await player.connect()
    started = await server.acall("POST", f"/api/sessions/{code}/rounds")
    view = await ana.c.type("game")
    await ben.c.type("game")
    by_role = {view["role"]: ana, view["partner"]["role"]: ben}
    first = by_role[view["turn"]]
    second = ben if first is ana else ana
    full = {"price": 2, "volume": 2, "lead_time": 2, "payment": 1, "warranty": 1}
    moves: list[tuple[Player, dict[str, Any]]] = [
        (first, {"type": "chat", "text": "Good morning"}),
        (first, {"type": "offer", "terms": full}),
        (second, {"type": "reveal", "about": "priority", "issue": "price", "rank": 1}),
        (second, {"type": "offer", "terms": {**full, "price": 1}, "final": True}),
        (first, {"type": "accept", "offer": 4}),
    ]
    for seq, (mover, message) in enumerate(moves, start=1):
        await mover.send(message)
        await first.event()
        assert second.last_seq == seq - 1
        await second.event()
    for player in (ana, ben):
        await player.c.type("ended")
    return code, started["games"][0]["game"]


def open_replay(pages: Pages, game: str, session: str = "", asked: list[str] | None = None) -> Page:
    """The replay page of a server game; ``asked`` gathers the URLs it requests."""
    page = pages.facilitator()
    expect(page.locator("#setup-screen")).to_be_visible()
    if asked is not None:
        page.on("request", lambda request: asked.append(request.url))
    page.goto(
        f"{pages.server.url}/replay.html#game={game}" + (f"&session={session}" if session else "")
    )
    expect(page.locator("#r-moves button")).to_have_count(6)
    return page


def test_a_server_game_steps_with_buttons_and_arrow_keys(pages: Pages) -> None:
    code, game = run_async(played_game(pages.server))
    asked: list[str] = []
    page = open_replay(pages, game, code, asked)
    expect(page.locator("#r-result")).to_contain_text("Deal")
    expect(page.locator("#r-current")).to_contain_text("The start")
    expect(page.locator("#r-chart svg .offer")).to_have_count(0)
    page.keyboard.press("ArrowRight")
    expect(page.locator("#r-current")).to_contain_text("Move 1 of 6")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#r-moves button[aria-current=step]")).to_have_attribute("data-seq", "2")
    expect(page.locator("#r-chart svg .offer")).to_have_count(1)
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("button", name="Next", exact=True).click()
    expect(page.locator("#r-chart svg .offer")).to_have_count(2)
    expect(page.locator("#r-current")).to_contain_text("FINAL offer")
    # The server's automatic annotations come with a server game.
    expect(page.locator("#r-current .tag", has_text="final-offer")).to_have_count(1)
    expect(page.locator("#r-moves .note-tag")).to_have_count(0)
    page.fill("#r-comment", "A final offer after a reveal: was it a bluff?")
    page.select_option("#r-mark", "!?")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#r-current .note")).to_contain_text("!? A final offer")
    expect(page.locator("#r-moves button[data-seq='4'] .note-tag")).to_have_text("!?")
    # The note is kept on the server with the game's log, for every later viewer.
    status, text = pages.server.call("GET", f"/api/games/{game}/log")
    assert status == 200 and isinstance(text, str)
    stored = json.loads(text.splitlines()[-1])
    assert stored["type"] == "note" and stored["about"] == 4 and stored["mark"] == "!?"
    # Each call about the game named its session, for a proxy to route by (docs/deploy.md).
    calls = [url for url in asked if "/api/games/" in url]
    assert len(calls) == 3 and all(url.endswith(f"?session={code}") for url in calls), calls
    page.keyboard.press("End")
    expect(page.locator("#r-current")).to_contain_text("Agreement")
    expect(page.locator("#r-chart svg .deal")).to_have_count(1)
    expect(page.locator("#r-cards tbody tr").last).to_contain_text("BATNA")
    shot(page, "replay-1-server-game")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#r-chart svg .deal")).to_have_count(0)
    page.keyboard.press("Home")
    expect(page.locator("#r-current")).to_contain_text("The start")

    # The log with the note comes back as JSON Lines, the note after the events.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the log with notes").click()
    lines = download.value.path().read_text().splitlines()
    assert json.loads(lines[0])["format"] == "zopa-log/1"
    note = json.loads(lines[-1])
    assert note == {
        "type": "note",
        "about": 4,
        "mark": "!?",
        "comment": "A final offer after a reveal: was it a bluff?",
        "author": "facilitator",
    }


def test_a_log_file_and_its_timeline_open_without_a_server_game(
    pages: Pages, tmp_path: Path
) -> None:
    server = pages.server
    _, game = run_async(played_game(server))
    status, text = server.call("GET", f"/api/games/{game}/log")
    assert status == 200 and isinstance(text, str)
    log = tmp_path / f"{game}.jsonl"
    log.write_text(text + json.dumps({"type": "note", "about": 2, "comment": "Opening"}) + "\n")
    # A timeline as `zopa replay --timeline-json` prints it, with an automatic tag.
    timeline = tmp_path / "timeline.json"
    events = [json.loads(line) for line in text.splitlines()[1:]]
    tag = {"seq": 2, "tag": "extreme-opening", "text": "asks for a lot", "data": {}}
    timeline.write_text(
        json.dumps(
            {
                "game": game,
                "roles": ["supplier", "buyer"],
                "timeline": [
                    {**e, "event": e, "tags": [tag] if e["seq"] == 2 else [], "notes": []}
                    for e in events
                ],
                "result": None,
            }
        )
    )
    page = pages.person("reader")
    page.goto(f"{server.url}/replay.html")
    page.set_input_files("#file", [str(log), str(timeline)])
    expect(page.locator("#r-moves button")).to_have_count(6)
    expect(page.locator("#r-moves .tag")).to_have_text("extreme-opening")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#r-current .note")).to_contain_text("Opening")
    expect(page.locator("#r-current .tag")).to_have_text("extreme-opening")
    shot(page, "replay-2-file-on-a-phone")

    page.set_input_files("#file", [str(timeline)])
    expect(page.locator("#r-cards")).to_contain_text("does not hold the cards")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"format": "something-else"}\n')
    page.set_input_files("#file", [str(broken)])
    expect(page.locator("#errors")).to_contain_text("neither a zopa-log/1 log")


def test_the_browser_frontier_matches_the_analysis(pages: Pages) -> None:
    page = pages.person("reader")
    page.goto(f"{pages.server.url}/replay.html")
    for scenario in builtin_scenarios():
        cards = [scenario.card(role) for role in scenario.role_ids]
        issues = scenario.public()["issues"]
        frontier = page.evaluate(
            """async ([issues, a, b]) => {
                const { frontierOf } = await import("/js/outcome.js");
                return frontierOf(issues, a, b);
            }""",
            [issues, *cards],
        )
        assert frontier == analysis_json(analyze(scenario), scenario)["frontier"], scenario.id


def test_the_browser_scores_a_log_as_the_server_does(pages: Pages) -> None:
    # replay_model.js's gainOf mirrors zopa.rules.scoring.gain for a log opened from a
    # file: the worked examples of every case must come out the same.
    page = pages.person("reader")
    page.goto(f"{pages.server.url}/replay.html")
    for scenario in builtin_scenarios():
        space = analysis_json(analyze(scenario), scenario)
        batna = [role.batna for role in scenario.roles]
        for example in examples(scenario):
            agreed = example.outcome != "impasse"
            found = page.evaluate(
                """async ([points, batna, best, frontier, agreed]) => {
                    const { gainOf } = await import("/js/replay_model.js");
                    return gainOf(points, batna, best, frontier, agreed);
                }""",
                [list(example.points), batna, space["max_joint"], space["frontier"], agreed],
            )
            efficiency = None if found["efficiency"] is None else round(found["efficiency"], 6)
            assert (efficiency, found["verdict"]) == (example.new, example.verdict), example
