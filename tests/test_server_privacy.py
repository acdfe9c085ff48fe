"""Private stays private: every frame a player receives before ``ended`` is inspected."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.live import Player
from tests.test_server_game import paired
from tests.virtual_time import VirtualServer, virtual_time


def walk(value: Any) -> Iterator[tuple[str | None, Any]]:
    """Every (key, value) in a message, at any depth; list items have key None."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield None, item
            yield from walk(item)


def leaks(messages: list[dict[str, Any]], own: str, other: str, cards: dict[str, Any]) -> list[str]:
    """Anything of the other role's card in messages sent before the game ended.

    ``cards`` are the game's own, as ``ended`` shows them at last: each game deals its
    own, so the scenario's cards as written would not be the ones to look for.
    """
    theirs = cards[other]
    mine = cards[own]
    secret_lists = [p for p in theirs["points"].values() if p not in mine["points"].values()]
    found = []
    for message in messages:
        if message["type"] == "ended":
            break
        for key, value in walk(message):
            if key == "batna" and value != mine["batna"]:
                found.append(f"{message['type']}: batna {value}")
            if key == "points" and isinstance(value, dict) and value != mine["points"]:
                found.append(f"{message['type']}: a points table")
            if isinstance(value, list) and value in secret_lists:
                found.append(f"{message['type']}: the list {value}")
            if key == "cards":
                found.append(f"{message['type']}: cards")
    return found


@virtual_time
async def test_nothing_of_the_other_card_reaches_a_player_before_the_end(
    server: VirtualServer,
) -> None:
    _, players, _ = await paired(server, "supplier")
    supplier, buyer = players["supplier"], players["buyer"]
    view = supplier.c.received[-1]
    first = players[view["turn"]]
    second = buyer if first is supplier else supplier
    full = {"price": 2, "volume": 2, "lead_time": 2, "payment": 1, "warranty": 1}
    moves: list[tuple[Player, dict[str, Any]]] = [
        (first, {"type": "chat", "text": "Shall we start with price?"}),
        (second, {"type": "reveal", "about": "priority", "issue": "price", "rank": 1}),
        (second, {"type": "reveal", "about": "batna", "value": 7777}),
        (first, {"type": "suggest", "terms": {"price": 3}}),
        (first, {"type": "offer", "terms": full}),
        (second, {"type": "offer", "terms": {**full, "price": 1}}),
        (first, {"type": "offer", "terms": {**full, "price": 2, "warranty": 2}}),
        (second, {"type": "accept", "offer": 7}),
    ]
    for seq, (mover, message) in enumerate(moves, start=1):
        await mover.send(message)
        for player in (supplier, buyer):
            event = await player.event()
            assert event["seq"] == seq and event["event"]["type"] == message["type"]
    for player in (supplier, buyer):
        await player.event("end")
        ended = await player.c.type("ended")
        assert ended["result"]["outcome"] == "agreement"
    assert leaks(supplier.c.received, "supplier", "buyer", ended["cards"]) == []
    assert leaks(buyer.c.received, "buyer", "supplier", ended["cards"]) == []
    # The check would see a leak: after the end, each player does hold both cards.
    assert leaks([{**ended, "type": "probe"}], "buyer", "supplier", ended["cards"])


@virtual_time
async def test_a_claim_stays_sealed_until_the_end(server: VirtualServer) -> None:
    _, players, _ = await paired(server, "moving-out")
    ada, ben = players["ada"], players["ben"]
    split = {"books": 1, "lamps": 2, "rug": 0}
    await ada.send({"type": "claim", "terms": split})
    seen_by_ben = await ben.event("claim")
    assert seen_by_ben["event"] == {
        "type": "claim",
        "at": seen_by_ben["event"]["at"],
        "by": "ada",
        "sealed": True,
    }
    seen_by_ada = await ada.event("claim")
    assert seen_by_ada["event"]["terms"] == split
    await ben.send({"type": "claim", "terms": split})
    for player in (ada, ben):
        ended = await player.c.type("ended")
        assert ended["result"]["reason"] == "claims_matched"
    assert leaks(ben.c.received, "ben", "ada", ended["cards"]) == []


@virtual_time
async def test_a_plan_never_reaches_the_partner_not_even_after_the_end(
    server: VirtualServer,
) -> None:
    _, players, _ = await paired(server, "supplier", reading=300)
    supplier, buyer = players["supplier"], players["buyer"]
    plan = {"target": 98765, "walkaway": 87654, "priorities": ["warranty", "payment"]}
    await supplier.send({"type": "plan", **plan})
    assert (await supplier.event("plan"))["event"]["target"] == 98765
    await buyer.event("plan")
    for player in (supplier, buyer):
        await player.send({"type": "ready"})
    await buyer.send({"type": "walkout"})
    for player in (supplier, buyer):
        await player.c.type("ended")
    live = list(buyer.c.received)
    assert any(m["type"] == "ended" for m in live)
    reload = await buyer.connect()
    seen = [*live, reload]
    private = {"target", "walkaway", "priorities"}
    found = [
        (key, value)
        for message in seen
        for key, value in walk(message)
        if key in private or value in (98765, 87654, plan["priorities"])
    ]
    assert found == []
    # The author has it back, after the end too.
    mine = await supplier.connect()
    assert any(e.get("target") == 98765 for e in mine["game"]["events"])
