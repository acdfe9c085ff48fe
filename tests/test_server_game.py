"""A whole game over real sockets, in JSON and in MessagePack, and the HTTP API around it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.live import Http, Player, open_session
from tests.virtual_time import VirtualServer, virtual_time
from zopa.rules.deal import deal
from zopa.rules.library import builtin
from zopa.rules.log import read_log, replay
from zopa.rules.scoring import result


async def paired(
    server: Http, scenario: str, binary: bool = False, **extra: object
) -> tuple[str, dict[str, Player], dict[str, Any]]:
    """Two players joined, connected and paired; their views by role."""
    code = await open_session(server, scenario, **extra)
    ana = await Player(server, code, "Ana", binary).join()
    ben = await Player(server, code, "Ben", binary).join()
    for player in (ana, ben):
        welcome = await player.connect()
        assert welcome["game"] is None and welcome["player"] == player.id
    started = await server.acall("POST", f"/api/sessions/{code}/rounds")
    assert started["round"] == 1 and len(started["games"]) == 1
    by_role: dict[str, Player] = {}
    for player in (ana, ben):
        view = await player.c.type("game")
        assert view["game"] == started["games"][0]["game"]
        assert started["games"][0]["players"][view["role"]] == player.id
        by_role[view["role"]] = player
    return code, by_role, started


@pytest.mark.parametrize("binary", [False, True], ids=["json", "msgpack"])
@virtual_time
async def test_a_game_is_played_to_agreement(server: VirtualServer, binary: bool) -> None:
    code, players, started = await paired(server, "guitar", binary)
    seller, buyer = players["seller"], players["buyer"]
    view = seller.c.received[-1]
    mover = players[view["turn"]]
    other = buyer if mover is seller else seller
    # The game's own card: the guitar's points, and a walk-away dealt for this game.
    assert view["card"]["points"] == {"price": list(range(0, 801, 50))}
    assert view["card"]["batna"] in range(0, 401, 50)

    await other.send({"type": "offer", "terms": {"price": 8}})
    refused = await other.c.type("error")
    assert refused["code"] == "not_your_turn"

    await mover.send({"type": "offer", "terms": {"price": 8}, "final": False})
    for player in (seller, buyer):
        offer = await player.event("offer")
        assert offer["seq"] == 1 and offer["event"]["terms"] == {"price": 8}
    await other.send({"type": "accept", "offer": 1})
    for player in (seller, buyer):
        await player.event("accept")
        end = await player.event("end")
        assert end["event"]["outcome"] == "agreement"
        ended = await player.c.type("ended")
        assert ended["result"]["points"] == {"seller": 400, "buyer": 400}
        assert ended["result"]["reason"] == "accepted"
        assert set(ended["cards"]) == {"seller", "buyer"}
        assert ended["cards"]["seller"] == view["card"]
        assert ended["result"]["batna"] == {r: c["batna"] for r, c in ended["cards"].items()}

    results = await server.acall("GET", f"/api/sessions/{code}/results")
    game = started["games"][0]["game"]
    assert results["rounds"][0]["games"][0]["game"] == game
    assert results["rounds"][0]["games"][0]["result"]["joint"] == 800

    status, text = await server.ask("GET", f"/api/games/{game}/log")
    assert status == 200
    log = read_log(text.splitlines() if isinstance(text, str) else [])
    assert result(replay(log)) == results["rounds"][0]["games"][0]["result"]
    # The log holds the game's own cards and the seed they were drawn from.
    assert log.header.scenario.card("seller") == view["card"]
    assert log.header.deal is not None
    assert deal(builtin("guitar"), log.header.deal) == log.header.scenario


@virtual_time
async def test_facilitator_calls_need_the_key(server: VirtualServer) -> None:
    status, answer = await server.ask("POST", "/api/sessions", {"scenario": "guitar"}, key=None)
    assert status == 401 and answer["error"]["code"] == "unauthorized"
    status, answer = await server.ask("POST", "/api/sessions", {"scenario": "guitar"}, key="wrong")
    assert status == 401
    code = await open_session(server, "guitar")
    for method, path in [
        ("GET", f"/api/sessions/{code}/results"),
        ("POST", f"/api/sessions/{code}/rounds"),
        ("GET", "/api/games/gnothing/log"),
    ]:
        assert (await server.ask(method, path, key=None))[0] == 401


@virtual_time
async def test_http_errors_say_what_was_expected(server: VirtualServer) -> None:
    status, answer = await server.ask("POST", "/api/sessions", {"scenario": "chess"})
    assert status == 404 and "new-hire" in answer["error"]["message"]
    status, answer = await server.ask(
        "POST", "/api/sessions/ZZZZZZ/players", {"name": "Ana"}, key=None
    )
    assert status == 404 and answer["error"]["code"] == "no_such_session"
    code = await open_session(server, "guitar")
    status, answer = await server.ask(
        "POST", f"/api/sessions/{code}/players", {"name": " "}, key=None
    )
    assert status == 400 and answer["error"]["code"] == "bad_request"
    status, answer = await server.ask("POST", f"/api/sessions/{code}/rounds")
    assert status == 409 and answer["error"]["code"] == "no_players"
    status, answer = await server.ask("GET", "/api/games/gnothing/log")
    assert status == 404
    # Join codes forgive case and dashes, as people type them on phones.
    status, answer = await server.ask(
        "POST", f"/api/sessions/{code[:3].lower()}-{code[3:]}/players", {"name": "Ana"}, key=None
    )
    assert status == 201, answer


@virtual_time
async def test_an_odd_player_out_gets_a_bot_visible_to_the_facilitator(
    server: VirtualServer,
) -> None:
    code = await open_session(server, "guitar")
    players = [await Player(server, code, name).join() for name in ("Ana", "Ben", "Cy")]
    for player in players:
        await player.connect()
    started = await server.acall("POST", f"/api/sessions/{code}/rounds")
    seats = [g["players"] for g in started["games"]]
    assert sorted(len([p for p in s.values() if p is not None]) for s in seats) == [1, 2]
    snapshot = await server.acall("GET", f"/api/sessions/{code}")
    with_bot = [g for g in snapshot["rounds"][0]["games"] if None in g["players"].values()]
    assert len(with_bot) == 1
    assert any(seat.startswith("bot:") for seat in with_bot[0]["seats"].values())
    alone = next(p for p in players if p.id in with_bot[0]["players"].values())
    view = await alone.c.type("game")
    assert view["partner"]["bot"] is True
    # The bot really plays: it makes an offer or answers one within a few of its ticks
    # (perhaps with a line of chat first).
    if view["turn"] == view["role"]:
        await alone.send({"type": "offer", "terms": {"price": 16}})
    made = await alone.c.until(
        lambda m: (
            m["type"] == "event"
            and m["event"]["by"] == view["partner"]["role"]
            and m["event"]["type"] != "chat"
        ),
        10,
    )
    assert made["event"]["type"] in ("offer", "accept", "reject")


@virtual_time
async def test_a_game_past_its_deadline_ends_in_impasse_within_a_second(
    server: VirtualServer,
) -> None:
    _, players, started = await paired(server, "guitar", time_limit=1.5)
    for player in players.values():
        end = await player.event("end", timeout=4)
        assert end["event"]["reason"] == "deadline"
        ended = await player.c.type("ended")
        assert ended["result"]["outcome"] == "impasse"
        assert ended["result"]["points"] == {r: c["batna"] for r, c in ended["cards"].items()}
    status, text = await server.ask("GET", f"/api/games/{started['games'][0]['game']}/log")
    assert status == 200
    log = read_log(text.splitlines())
    deadline = log.header.started_at + 1.5
    timeout = next(e for e in log.events if e.type == "timeout")
    # The server's timer, not a player's next move, ends the game: at most a second late.
    assert 0 <= timeout.at - deadline < 1.0


@virtual_time
async def test_solo_practice_starts_a_game_against_the_chosen_bot(server: VirtualServer) -> None:
    status, answer = await server.ask(
        "POST",
        "/api/practice",
        {"name": "Ana", "scenario": "guitar", "strategy": "boulware", "role": "buyer"},
        key=None,
    )
    assert status == 201, answer
    player = Player(server, answer["code"], "Ana")
    player.id, player.token = answer["player"], answer["token"]
    view = (await player.connect())["game"]
    assert view["game"] == answer["game"] and view["role"] == "buyer"
    assert view["partner"] == {"role": "seller", "name": "Bot (boulware)", "bot": True}
    assert view["status"]["seats"]["seller"] == "bot:boulware"
    if view["turn"] == "buyer":
        await player.send({"type": "offer", "terms": {"price": 2}})
    # The bot may say a line first; its move follows.
    reply = await player.c.until(
        lambda m: (
            m["type"] == "event" and m["event"]["by"] == "seller" and m["event"]["type"] != "chat"
        ),
        timeout=10,
    )
    assert reply["event"]["type"] in ("offer", "reject", "accept")
    status, answer = await server.ask(
        "POST",
        "/api/practice",
        {"name": "Ana", "scenario": "guitar", "strategy": "oracle"},
        key=None,
    )
    assert status == 400 and "conceder" in answer["error"]["message"]
