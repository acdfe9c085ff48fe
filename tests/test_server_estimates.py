"""Estimates on a real server: asked for per session, sealed until the end, judged after."""

from __future__ import annotations

from tests.test_server_game import paired
from tests.virtual_time import VirtualServer, virtual_time


@virtual_time
async def test_a_session_asks_for_sealed_estimates_and_judges_them(server: VirtualServer) -> None:
    code, players, _ = await paired(server, "guitar", estimates=True)
    snapshot = await server.acall("GET", f"/api/sessions/{code}")
    assert snapshot["estimates"] is True
    seller, buyer = players["seller"], players["buyer"]
    view = seller.c.received[-1]
    assert view["estimates"] is True
    await seller.send({"type": "estimate", "batna": 250, "issue": "price"})
    own = await seller.event("estimate")
    assert own["event"]["batna"] == 250 and own["event"]["issue"] == "price"
    sealed = await buyer.event("estimate")
    assert sealed["event"] == {
        "type": "estimate",
        "at": own["event"]["at"],
        "by": "seller",
        "sealed": True,
    }
    await seller.send({"type": "estimate", "batna": 300})
    refused = await seller.c.type("error")
    assert refused["code"] == "not_allowed"
    await buyer.send({"type": "walkout"})
    for player in (seller, buyer):
        ended = await player.c.type("ended")
        judged = ended["result"]["estimates"]["seller"]
        assert judged["about"] == "buyer" and judged["batna"] == 250
        assert judged["actual_batna"] == ended["cards"]["buyer"]["batna"]
        assert judged["error"] == 250 - judged["actual_batna"]
        assert judged["issue_right"] is True
    # After the end the estimate is no longer sealed, for a reload too.
    welcome = await buyer.connect()
    estimate = next(e for e in welcome["game"]["events"] if e["type"] == "estimate")
    assert estimate["batna"] == 250


@virtual_time
async def test_without_the_option_an_estimate_is_refused(server: VirtualServer) -> None:
    code, players, _ = await paired(server, "guitar")
    assert (await server.acall("GET", f"/api/sessions/{code}"))["estimates"] is False
    seller = players["seller"]
    assert seller.c.received[-1]["estimates"] is False
    await seller.send({"type": "estimate", "batna": 250})
    refused = await seller.c.type("error")
    assert refused["code"] == "not_allowed"
    status, answer = await server.ask(
        "POST", "/api/sessions", {"scenario": "guitar", "estimates": "y"}
    )
    assert status == 400 and "'estimates' must be true or false" in answer["error"]["message"]
