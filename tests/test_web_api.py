"""The HTTP calls the web client adds (server/web_api.py), against a real server."""

from __future__ import annotations

import asyncio
import csv
import io
import urllib.parse
import urllib.request

import pytest

from tests.live import KEY, open_session
from tests.test_server_game import paired
from tests.virtual_time import VirtualServer, virtual_time
from zopa.rules.analysis import analysis_json, analyze
from zopa.rules.library import builtin
from zopa.rules.log import read_log


@virtual_time
async def test_the_facilitator_gets_the_session_outcome_space(server: VirtualServer) -> None:
    code = await open_session(server, "new-hire")
    space = await server.acall("GET", f"/api/sessions/{code}/analysis")
    scenario = builtin("new-hire")
    assert {k: v for k, v in space.items() if k != "labels"} == analysis_json(
        analyze(scenario), scenario
    )
    assert space["labels"] == {"candidate": "Candidate", "recruiter": "Recruiter"}
    assert (await server.ask("GET", f"/api/sessions/{code}/analysis", key=None))[0] == 401


@virtual_time
async def test_a_player_sees_what_was_possible_only_after_the_game(server: VirtualServer) -> None:
    """The frontier and the other BATNA say much about the other card: not before the end."""
    _, players, started = await paired(server, "guitar")
    game = started["games"][0]["game"]
    path = f"/api/games/{game}/analysis"
    seller, buyer = players["seller"], players["buyer"]
    status, answer = await server.ask("GET", path, key=seller.token)
    assert status == 409 and answer["error"]["code"] == "game_live"
    assert (await server.ask("GET", path, key=None))[0] == 401
    assert (await server.ask("GET", path, key="not-a-token"))[0] == 401
    # The facilitator may look at any time.
    assert (await server.ask("GET", path))[0] == 200

    view = seller.c.received[-1]
    mover = players[view["turn"]]
    other = buyer if mover is seller else seller
    await mover.send({"type": "offer", "terms": {"price": 8}})
    await other.event("offer")
    await other.send({"type": "accept", "offer": 1})
    for player in (seller, buyer):
        ended = await player.c.type("ended")
        status, space = await server.ask("GET", path, key=player.token)
        # The analysis of this game's own cards, as the end showed them.
        assert status == 200
        assert space["batna"] == {r: c["batna"] for r, c in ended["cards"].items()}
        assert space["frontier"][0] == [0, 800]

    # A player of another game is told nothing about this one.
    _, strangers, _ = await paired(server, "guitar")
    status, _ = await server.ask("GET", path, key=strangers["seller"].token)
    assert status == 404


@virtual_time
async def test_results_export_as_csv_with_names_points_and_terms(server: VirtualServer) -> None:
    code, players, _ = await paired(server, "guitar")
    status, text = await server.ask("GET", f"/api/sessions/{code}/results.csv")
    assert status == 200 and text.splitlines()[1].split(",")[2] == "live"
    view = players["seller"].c.received[-1]
    mover = players[view["turn"]]
    other = players["buyer"] if mover is players["seller"] else players["seller"]
    await mover.send({"type": "offer", "terms": {"price": 10}})
    await other.event("offer")
    await other.send({"type": "accept", "offer": 1})
    await other.c.type("ended")
    status, text = await server.ask("GET", f"/api/sessions/{code}/results.csv")
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    row = rows[0]
    assert row["outcome"] == "agreement" and row["reason"] == "accepted"
    assert row["seller_points"] == "500" and row["buyer_points"] == "300"
    assert {row["seller_player"], row["buyer_player"]} == {"Ana", "Ben"}
    assert row["terms"] == "Price: $2,100"
    # Guitar is all price: every deal is on the frontier and gains all there is to gain,
    # each side's share being its surplus over its BATNA (dealt per game, so the deal
    # may leave one side below it: a trap, never "frontier").
    gains = {r: int(row[f"{r}_points"]) - int(row[f"{r}_batna"]) for r in ("seller", "buyer")}
    trapped = min(gains.values()) < 0
    assert row["efficiency"] == "1.0"
    assert row["verdict"] == ("trap" if trapped else "frontier")
    assert {row[f"{r}_trap"] for r in gains} == ({"True", "False"} if trapped else {"False"})
    for role, own in gains.items():
        assert float(row[f"{role}_gain_share"]) == pytest.approx(own / sum(gains.values()))
    assert (await server.ask("GET", f"/api/sessions/{code}/results.csv", key=None))[0] == 401


@virtual_time
async def test_the_qr_code_is_an_svg_for_the_facilitator_only(server: VirtualServer) -> None:
    text = urllib.parse.quote(f"{server.url}/?code=ABCDEF")
    request = urllib.request.Request(
        f"{server.url}/api/qr?text={text}", headers={"Authorization": f"Bearer {KEY}"}
    )

    def fetch() -> tuple[str, bytes]:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.headers["content-type"], answer.read()

    kind, body = await asyncio.to_thread(fetch)
    assert kind.startswith("image/svg+xml")
    assert body.startswith(b"<svg")
    assert (await server.ask("GET", f"/api/qr?text={text}", key=None))[0] == 401
    assert (await server.ask("GET", "/api/qr?text=" + "x" * 600))[0] == 400


@virtual_time
async def test_the_snapshot_tells_a_break_from_negotiating(server: VirtualServer) -> None:
    code, players, _ = await paired(server, "supplier")
    await players["supplier"].send({"type": "break_request"})
    await players["buyer"].event("break_request")
    await players["buyer"].send({"type": "break_accept"})
    await players["supplier"].event("break_accept")
    snapshot = await server.acall("GET", f"/api/sessions/{code}")
    game = snapshot["rounds"][0]["games"][0]
    assert game["on_break"] is True and game["live"] is True


@virtual_time
async def test_the_pages_are_served(server: VirtualServer) -> None:
    for page in ("/", "/facilitator.html", "/replay.html", "/js/player.js", "/zopa.css"):
        status, _ = await server.ask("GET", page, key=None)
        assert status == 200, page


@virtual_time
async def test_a_facilitator_note_is_kept_with_the_log_and_shown_in_the_review(
    server: VirtualServer,
) -> None:
    _, players, started = await paired(server, "guitar")
    game = started["games"][0]["game"]
    mover = players[players["seller"].c.received[-1]["turn"]]
    await mover.send({"type": "offer", "terms": {"price": 0}, "final": True})
    await mover.event("offer")
    note = {"about": 1, "mark": "?!", "comment": "An extreme opening.", "author": "facilitator"}
    assert await server.acall("POST", f"/api/games/{game}/notes", note) == {"type": "note", **note}
    status, answer = await server.ask("POST", f"/api/games/{game}/notes", {"about": 9, "mark": "!"})
    assert status == 400 and "no event 9" in answer["error"]["message"]
    status, answer = await server.ask(
        "POST", f"/api/games/{game}/notes", {"about": 1, "mark": "!!!"}
    )
    assert status == 400 and "mark" in answer["error"]["message"]
    status, _ = await server.ask("POST", f"/api/games/{game}/notes", note, key=None)
    assert status == 401

    status, text = await server.ask("GET", f"/api/games/{game}/log")
    assert status == 200 and isinstance(text, str)
    log = read_log(text.splitlines())
    assert [n.to_dict() for n in log.notes] == [{"type": "note", **note}]
    review = await server.acall("GET", f"/api/games/{game}/review")
    first = review["timeline"][0]
    assert first["seq"] == 1 and first["notes"][0]["comment"] == "An extreme opening."
    assert "final-offer" in [t["tag"] for t in first["tags"]]
