"""The facilitator stepping in, live: one game's pause, a message or hint to one pair,
the mediator's seat (and what it may see), the board's flags, and a walkout's window."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

from tests.live import KEY, Client, Http, Player, open_session
from tests.test_server_abuse import closed_with
from tests.test_server_game import paired
from tests.test_server_privacy import walk
from tests.virtual_time import VirtualServer, virtual_time


async def two_games(server: Http) -> tuple[str, list[dict[str, Player]], list[str]]:
    code = await open_session(server, "guitar")
    people = [await Player(server, code, name).join() for name in ("Ana", "Ben", "Cy", "Di")]
    for person in people:
        await person.connect()
    started = await server.acall("POST", f"/api/sessions/{code}/rounds")
    games: list[dict[str, Player]] = []
    for game in started["games"]:
        by_id = {p.id: p for p in people}
        games.append({role: by_id[pid] for role, pid in game["players"].items()})
    for game in games:
        for player in game.values():
            await player.c.type("game")
    return code, games, [g["game"] for g in started["games"]]


@virtual_time
async def test_one_game_is_paused_and_resumed_while_the_other_plays_on(
    server: VirtualServer,
) -> None:
    code, (first, second), ids = await two_games(server)
    answer = await server.acall("POST", f"/api/sessions/{code}/pause", {"game": ids[0]})
    assert answer == {"games": 1}
    for player in first.values():
        assert (await player.event("pause"))["status"]["paused"] is True
    mover = first[(await first["seller"].c.seen("game"))["turn"]]
    await mover.send({"type": "offer", "terms": {"price": 5}})
    refused = await mover.c.type("error")
    assert refused["code"] == "paused" and "paused" in refused["message"]
    turn = (await second["seller"].c.seen("game"))["turn"]
    await second[turn].send({"type": "offer", "terms": {"price": 5}})
    assert (await second[turn].event("offer"))["event"]["by"] == turn
    snapshot = await server.acall("GET", f"/api/sessions/{code}")
    paused = {g["game"]: g["paused"] for g in snapshot["rounds"][0]["games"]}
    assert paused == {ids[0]: True, ids[1]: False} and snapshot["paused"] is False
    status, again = await server.ask("POST", f"/api/sessions/{code}/pause", {"game": ids[0]})
    assert status == 409 and again["error"]["code"] == "not_allowed"
    await server.acall("POST", f"/api/sessions/{code}/resume", {"game": ids[0]})
    for player in first.values():
        assert (await player.event("resume"))["status"]["paused"] is False
    status, missing = await server.ask("POST", f"/api/sessions/{code}/pause", {"game": "g-nope"})
    assert status == 404 and missing["error"]["code"] == "no_such_game"


@virtual_time
async def test_a_message_and_a_hint_reach_both_players_of_one_game_only(
    server: VirtualServer,
) -> None:
    code, (first, second), ids = await two_games(server)
    said = {"game": ids[0], "text": "Have you talked about what matters most?", "hint": True}
    assert (await server.acall("POST", f"/api/sessions/{code}/message", said)) == {"games": 1}
    for player in first.values():
        event = (await player.event("message"))["event"]
        assert event == {**event, "from": "facilitator", "hint": True, "by": None}
        assert event["text"] == said["text"]
    await server.acall("POST", f"/api/sessions/{code}/message", {"game": ids[1], "text": "Hi"})
    for player in second.values():
        assert (await player.event())["event"]["text"] == "Hi", "the first message was not theirs"
    status, bad = await server.ask(
        "POST", f"/api/sessions/{code}/message", {"game": ids[0], "text": " "}
    )
    assert status == 400 and bad["error"]["code"] == "bad_request"
    status, _ = await server.ask("POST", f"/api/sessions/{code}/message", said, key="wrong")
    assert status == 401
    log = (await server.ask("GET", f"/api/games/{ids[0]}/log"))[1]
    assert '"type":"message"' in log and '"from":"facilitator"' in log


def secrets_in(messages: list[dict[str, Any]]) -> list[str]:
    """Anything of either card or brief in what the mediator got before ``ended``."""
    found = []
    for message in messages:
        if message["type"] == "ended":
            break
        for key, value in walk(message):
            if key in ("card", "cards", "brief", "batna", "points") and value is not None:
                found.append(f"{message['type']}: {key}")
    return found


@virtual_time
async def test_the_mediator_sits_speaks_and_sees_no_card_until_the_end(
    server: VirtualServer,
) -> None:
    code, players, started = await paired(server, "moving-out")
    ada, ben = players["ada"], players["ben"]
    game = started["games"][0]["game"]
    mediator = await Client.open(server)
    await mediator.send(
        {"type": "hello", "key": KEY, "session": code, "mediate": game, "name": "Dr Lee"}
    )
    view = await mediator.type("mediator")
    assert view["game"] == game and set(view["players"].values()) == {"Ana", "Ben"}
    for player in (ada, ben):
        told = await player.event("mediator")
        assert told["event"] == {**told["event"], "name": "Dr Lee", "seated": True, "by": None}
        assert told["status"]["mediator"] == "Dr Lee"
    await mediator.send({"type": "chat", "text": "What does each of you need most?"})
    await mediator.send({"type": "suggest", "terms": {"rug": 1}})
    for player in (ada, ben):
        said = (await player.event("message"))["event"]
        assert said == {**said, "from": "mediator", "name": "Dr Lee", "hint": False}
        suggested = (await player.event("mediator_suggest"))["event"]
        assert suggested["terms"] == {"rug": 1} and suggested["name"] == "Dr Lee"
    await mediator.send({"type": "suggest", "terms": {"piano": 1}})
    assert (await mediator.type("error"))["code"] == "invalid_terms"
    await mediator.send({"type": "offer", "terms": {"rug": 1}})
    assert (await mediator.type("error"))["code"] == "bad_message"
    split = {"books": 1, "lamps": 2, "rug": 0}
    await ada.send({"type": "claim", "terms": split})
    claim = await mediator.until(lambda m: m.get("event", {}).get("type") == "claim")
    assert claim["event"]["sealed"] is True and "terms" not in claim["event"]
    await ben.send({"type": "claim", "terms": split})
    ended = await mediator.type("ended")
    assert ended["result"]["reason"] == "claims_matched" and set(ended["cards"]) == {"ada", "ben"}
    assert secrets_in(mediator.received) == []
    # The check would see a leak: the ended message itself holds both cards.
    assert secrets_in([{**ended, "type": "probe"}])
    log = (await server.ask("GET", f"/api/games/{game}/log"))[1]
    assert '"type":"mediator"' in log and '"from":"mediator"' in log
    await mediator.close()


@virtual_time
async def test_a_newer_mediator_socket_takes_the_seat_over_and_an_unknown_game_is_refused(
    server: VirtualServer,
) -> None:
    code, players, started = await paired(server, "guitar")
    game = started["games"][0]["game"]
    first = await Client.open(server)
    await first.send({"type": "hello", "key": KEY, "session": code, "mediate": game})
    await first.type("mediator")
    seller = players["seller"]
    assert (await seller.event("mediator"))["event"]["name"] == "Facilitator"
    # A reconnect (or another tab) of the same name takes the seat over: no new event.
    again = await Client.open(server)
    await again.send({"type": "hello", "key": KEY, "session": code, "mediate": game})
    await again.type("mediator")
    assert await closed_with(first) == 4409
    other = await Client.open(server)
    hello = {"type": "hello", "key": KEY, "session": code, "mediate": game, "name": "Dr Lee"}
    await other.send(hello)
    await other.type("mediator")
    left, seated = await seller.event("mediator"), await seller.event("mediator")
    assert (left["event"]["seated"], left["event"]["name"]) == (False, "Facilitator")
    assert (seated["event"]["seated"], seated["event"]["name"]) == (True, "Dr Lee")
    assert await closed_with(again) == 4409
    await other.send({"type": "chat", "text": "hello"})
    assert (await seller.event("message"))["event"]["name"] == "Dr Lee"
    await other.close()
    gone = await seller.event("mediator")
    assert gone["event"]["seated"] is False and gone["status"]["mediator"] is None
    stranger = await Client.open(server)
    await stranger.send({"type": "hello", "key": KEY, "session": code, "mediate": "g-none"})
    assert await closed_with(stranger) == 4404


@virtual_time
async def test_the_board_flags_a_quiet_pair_and_a_final_standoff(server: VirtualServer) -> None:
    code, players, _ = await paired(server, "guitar")
    turn = players["seller"].c.received[-1]["turn"]
    other = "buyer" if turn == "seller" else "seller"
    # Each side asks for the price it likes best: the seller high, the buyer low.
    price = {"seller": 9, "buyer": 1}
    await players[turn].send({"type": "offer", "terms": {"price": price[turn]}, "final": True})
    await players[other].event("offer")
    await players[other].send({"type": "offer", "terms": {"price": price[other]}, "final": True})
    await players[turn].event("offer")  # its own, then the answer
    assert (await players[turn].event("offer"))["event"]["by"] == other
    game = (await server.ask("GET", f"/api/sessions/{code}"))[1]["rounds"][0]["games"][0]
    assert [f["flag"] for f in game["flags"]] == ["standoff"], game
    assert game["gap"] > 0 and game["since_offer"] < 1
    await asyncio.sleep(200)
    game = (await server.ask("GET", f"/api/sessions/{code}"))[1]["rounds"][0]["games"][0]
    assert {"flag": "quiet", "minutes": 3} in game["flags"]


@virtual_time
async def test_a_walkout_may_be_taken_back_in_its_window_and_is_final_after(
    server: VirtualServer,
) -> None:
    code, players, started = await paired(server, "guitar", walkout_window=30)
    seller, buyer = players["seller"], players["buyer"]
    await buyer.send({"type": "walkout", "reason": "the price is too high"})
    for player in (seller, buyer):
        told = await player.event("walkout")
        assert told["event"]["reason"] == "the price is too high"
        assert told["status"]["walkout"]["by"] == "buyer"
    await seller.send({"type": "offer", "terms": {"price": 5}})
    refused = await seller.c.type("error")
    assert refused["code"] == "walked_out"
    await buyer.send({"type": "return_request"})
    await seller.event("return_request")
    await seller.send({"type": "return_accept"})
    back = await buyer.event("return_accept")
    assert back["status"]["walkout"] is None and back["status"]["clock"] == "negotiation"
    await buyer.send({"type": "walkout"})
    await seller.event("walkout")
    # Nothing is scored until the window closes.
    game = started["games"][0]["game"]
    results = await server.acall("GET", f"/api/sessions/{code}/results")
    assert results["rounds"][0]["games"][0]["result"] is None
    await asyncio.sleep(31)
    timeout = await seller.event("timeout")
    assert timeout["event"]["what"] == "walkout"
    ended = await seller.c.type("ended")
    assert ended["result"]["reason"] == "walkout" and "walkout" not in ended["result"]
    status, answer = await server.ask(
        "POST", "/api/sessions", {"scenario": "guitar", "walkout_window": 999}
    )
    assert status == 400 and "walkout_window" in answer["error"]["message"]
    log = (await server.ask("GET", f"/api/games/{game}/log"))[1]
    assert '"reason":"the price is too high"' in log


@virtual_time
async def test_a_declined_return_ends_the_game_at_once_with_its_reason(
    server: VirtualServer,
) -> None:
    code, players, _ = await paired(server, "guitar", walkout_window=30)
    seller, buyer = players["seller"], players["buyer"]
    await seller.send({"type": "walkout", "reason": "no zone"})
    await buyer.event("walkout")
    await buyer.send({"type": "return_decline"})
    ended = await seller.c.type("ended")
    assert ended["result"]["walkout"] == {"by": "seller", "reason": "no zone"}
    results = await server.acall("GET", f"/api/sessions/{code}/results")
    assert results["rounds"][0]["games"][0]["result"]["walkout"]["reason"] == "no zone"
    status, text = await server.ask("GET", f"/api/sessions/{code}/results.csv")
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["reason"] == "walkout" and rows[0]["walkout_reason"] == "no zone"


def test_the_boards_offer_lines_are_read_once_and_agree_with_the_whole_log() -> None:
    import orjson

    from tests.factories import HIGH, LOW, played, tiny
    from zopa.rules.actions import Chat, Offer
    from zopa.rules.stuck import StuckRules, watch_offers
    from zopa.server.board_watch import OfferLines

    log = played(
        tiny(first_mover="seller"),
        Chat("seller", 'a trap: "type":"offer"'),
        Offer("seller", HIGH, final=True),
        Offer("buyer", LOW, final=True),
    )
    lines = [orjson.dumps(e.to_dict()).decode() for e in log.events]
    watch = OfferLines(log.header.scenario)
    assert watch.watch(lines, 2).gap is None
    whole = watch.watch(lines, 3)
    assert whole == watch_offers(log.header.scenario, log.events, StuckRules())
    assert whole.flags == ({"flag": "standoff"},) and whole.gap == 8
    assert watch.watch(lines, 3) is whole, "nothing new: nothing worked out again"
