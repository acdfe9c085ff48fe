"""``GET /api/sessions/{code}/debrief`` against a real server: the class debrief of
moves for the facilitator, the projector's view without any card, and games the
facilitator ended counted apart."""

from __future__ import annotations

from typing import Any

from tests.live import Http, Player, open_session
from tests.test_class_debrief import _keys
from tests.virtual_time import VirtualServer, virtual_time


async def _round_of_two_games(server: Http) -> tuple[str, dict[str, dict[str, Player]]]:
    """Four players, two guitar games: game id -> role -> player."""
    # The scenario's own cards (BATNAs of 200): an offer of 0 points to a side is extreme.
    code = await open_session(server, "guitar", variation=False)
    players = [await Player(server, code, name).join() for name in ("Ana", "Ben", "Cy", "Dee")]
    for player in players:
        await player.connect()
    started = await server.acall("POST", f"/api/sessions/{code}/rounds")
    games: dict[str, dict[str, Player]] = {g["game"]: {} for g in started["games"]}
    for player in players:
        view = await player.c.type("game")
        games[view["game"]][view["role"]] = player
    return code, games


@virtual_time
async def test_the_class_debrief_rolls_up_ended_games_and_only_names_live_ones(
    server: VirtualServer,
) -> None:
    code, games = await _round_of_two_games(server)
    (done, seats), (running, others) = games.items()
    mover = seats[seats["seller"].c.received[-1]["turn"]]
    other = seats["buyer"] if mover is seats["seller"] else seats["seller"]
    # The buyer offering $0 or the seller $3,000 is an extreme opening either way.
    price = 0 if mover is seats["buyer"] else 16
    await mover.send({"type": "offer", "terms": {"price": price}})
    await other.event("offer")
    await other.send({"type": "accept", "offer": 1})
    await other.c.type("ended")
    # The running game has an offer on the table: none of it may show.
    runner = others[others["seller"].c.received[-1]["turn"]]
    await runner.send({"type": "offer", "terms": {"price": 8}})
    await runner.event("offer")

    path = f"/api/sessions/{code}/debrief"
    full = await server.acall("GET", path)
    assert full["view"] == "facilitator"
    by_game = {p["game"]: p for p in full["pairs"]}
    ended = by_game[done]
    assert ended["state"] == "agreement" and ended["round"] == 1
    assert ended["names"] == {role: p.name for role, p in seats.items()}
    assert ended["opener"] == mover_role(seats, mover) and ended["opening_extreme"]
    assert ended["moves"][ended["opener"]]["extreme-opening"] == 1
    assert ended["offers"] == 1 and ended["points"] and ended["highlights"]
    live = by_game[running]
    assert live == {
        "game": running,
        "round": 1,
        "roles": ["seller", "buyer"],
        "labels": {"seller": "Seller", "buyer": "Buyer"},
        "names": {role: p.name for role, p in others.items()},
        "state": "live",
    }
    summary = full["summary"]
    assert (summary["games"], summary["live"], summary["agreements"]) == (2, 1, 1)
    assert summary["impasse_rate"] == 0.0 and summary["impasse_reference"] == 0.29
    assert summary["first_offer"]["deals"] == 1

    public = await server.acall("GET", f"{path}?view=class")
    assert public["view"] == "class" and public["summary"] == summary
    assert not _keys(public) & {"points", "batna", "highlights", "terms", "text"}
    assert (await server.acall("GET", f"{path}?round=1"))["summary"] == summary
    assert (await server.acall("GET", f"{path}?round=2"))["pairs"] == []

    # Ending the round ends the running game: counted apart, never as an impasse.
    await server.acall("POST", f"/api/sessions/{code}/end-round")
    for player in others.values():
        await player.c.type("ended")
    after = await server.acall("GET", path)
    ended_early = {p["game"]: p for p in after["pairs"]}[running]
    assert ended_early["state"] == "ended" and ended_early["reason"] == "aborted"
    assert after["summary"]["ended_by_facilitator"] == 1
    assert after["summary"]["impasses"] == 0 and after["summary"]["impasse_rate"] == 0.0


def mover_role(seats: dict[str, Player], mover: Player) -> str:
    return next(role for role, p in seats.items() if p is mover)


@virtual_time
async def test_the_class_debrief_is_the_facilitators(server: VirtualServer) -> None:
    assert (await server.ask("GET", "/api/sessions/ABCDEF/debrief", key=None))[0] == 401
    status, answer = await server.ask("GET", "/api/sessions/ABCDEF/debrief")
    assert status == 404 and answer["error"]["code"]


@virtual_time
async def test_an_unknown_view_is_refused(server: VirtualServer) -> None:
    code = await open_session(server, "guitar")
    status, answer = await server.ask("GET", f"/api/sessions/{code}/debrief?view=everything")
    assert status == 400 and "view" in answer["error"]["message"]
    status, answer = await server.ask("GET", f"/api/sessions/{code}/debrief?round=first")
    assert status == 400 and "round" in answer["error"]["message"]
    empty: dict[str, Any] = await server.acall("GET", f"/api/sessions/{code}/debrief?view=class")
    assert empty["pairs"] == [] and empty["summary"]["impasse_rate"] is None
    for page in ("/debrief.html", "/debrief.css", "/js/class_debrief.js", "/js/bar_chart.js"):
        assert (await server.ask("GET", page, key=None))[0] == 200, page
