"""Every game deals its own cards, so nothing outside a live game tells anything about them.

On a real server: a practice game of the partner's role, and the next round's game,
deal a card equal to the live partner's no more often than chance allows (for every
built-in scenario, with the chance worked out from the scenario's own deals); a session
may switch variation off, and the facilitator sees which is on.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.live import Http, Player, open_session
from tests.test_server_game import paired
from tests.virtual_time import VirtualServer, virtual_time
from zopa.rules.deal import cards_of, deal
from zopa.rules.library import builtin, builtin_scenarios
from zopa.rules.log import Header, read_log
from zopa.rules.scenario import Scenario

IDS = [s.id for s in builtin_scenarios()]
TRIES = 40  # practice games, and next rounds, per scenario


# The suite's server, with room for 80 practice games a test from this one address (more
# than the per-address practice limit of docs/security.md lets through).
on_virtual_time = virtual_time(practice_limit="200/60")


SURPRISE = 1e-6  # how unlikely a count must be under chance alone to fail the test


def card(scenario: Scenario, role: str) -> Any:
    return cards_of(scenario)[scenario.role_ids.index(role)]


async def game_header(server: Http, game: str) -> Header:
    answer = await server.acall("GET", f"/api/games/{game}/log")
    # A log of the header alone is one line of JSON, which the test client decodes.
    lines = [json.dumps(answer)] if isinstance(answer, dict) else answer.splitlines()
    return read_log(lines).header


async def game_scenario(server: Http, game: str) -> Scenario:
    """The scenario as the game plays it: its log's header, which holds its own cards."""
    return (await game_header(server, game)).scenario


def chances(scenario_id: str, draws: int = 1000) -> dict[str, float]:
    """How often two independent deals give each role the same card: the sum of p(card)²."""
    scenario = builtin(scenario_id)
    dealt = [deal(scenario, 10_000 + n) for n in range(draws)]
    found = {}
    for role in scenario.role_ids:
        seen = Counter(card(game, role) for game in dealt)
        found[role] = sum((k / draws) ** 2 for k in seen.values())
    return found


def most_by_chance(tries: int, p: float) -> int:
    """The largest count of matches in ``tries`` that chance alone reaches more than
    ``SURPRISE`` of the time (binomial upper tail)."""
    # A little headroom over the estimate of p, which comes from a sample of deals.
    p = min(1.0, p * 1.25 + 1e-3)
    tail = 0.0
    for k in range(tries, -1, -1):
        tail += math.comb(tries, k) * p**k * (1 - p) ** (tries - k)
        if tail > SURPRISE:
            return k
    return 0


@pytest.mark.parametrize("scenario_id", IDS)
@on_virtual_time
async def test_practice_and_next_rounds_match_the_live_partners_card_only_by_chance(
    server: VirtualServer, scenario_id: str
) -> None:
    code, players, started = await paired(server, scenario_id)
    live = await game_scenario(server, started["games"][0]["game"])
    roles = live.role_ids
    # Each player's partner holds the other role's card: both are guarded.
    practice_matches = Counter[str]()
    for n in range(TRIES):
        for role in roles:
            answer = await server.acall(
                "POST",
                "/api/practice",
                {"name": f"P{n}", "scenario": scenario_id, "role": role},
                key=None,
            )
            practised = await game_scenario(server, answer["game"])
            practice_matches[role] += card(practised, role) == card(live, role)
            await server.acall("POST", f"/api/sessions/{answer['code']}/end-round")

    round_matches = Counter[str]()
    previous = live
    for _ in range(TRIES):
        await server.acall("POST", f"/api/sessions/{code}/end-round")
        for player in players.values():
            await player.c.type("ended")
        following = await server.acall("POST", f"/api/sessions/{code}/rounds")
        now = await game_scenario(server, following["games"][0]["game"])
        # What the last round's `ended` showed of each role's card, against this round's.
        for role in roles:
            round_matches[role] += card(now, role) == card(previous, role)
        previous = now

    chance = chances(scenario_id)
    for role in roles:
        bound = most_by_chance(TRIES, chance[role])
        assert practice_matches[role] <= bound, (role, practice_matches, bound)
        assert round_matches[role] <= bound, (role, round_matches, bound)
        # The test could tell: a card copied from the live game would match every time.
        assert bound < TRIES // 2


@on_virtual_time
async def test_a_practice_players_view_holds_the_card_of_its_log(server: VirtualServer) -> None:
    answer = await server.acall(
        "POST", "/api/practice", {"name": "Ana", "scenario": "new-hire"}, key=None
    )
    player = Player(server, answer["code"], "Ana")
    player.id, player.token = answer["player"], answer["token"]
    welcome = await player.connect()
    view = welcome["game"]
    practised = await game_scenario(server, answer["game"])
    assert view["card"] == practised.card(view["role"])
    assert view["brief"] == practised.role(view["role"]).brief
    assert "{batna}" not in view["brief"]


@on_virtual_time
async def test_a_session_may_deal_everybody_the_scenarios_own_cards(server: VirtualServer) -> None:
    code, players, started = await paired(server, "guitar", variation=False)
    snapshot = await server.acall("GET", f"/api/sessions/{code}")
    assert snapshot["variation"] is False
    own = deal(builtin("guitar"), None)
    for _ in range(3):
        header = await game_header(server, started["games"][0]["game"])
        assert header.deal is None and cards_of(header.scenario) == cards_of(own)
        for player in players.values():
            view = next(m for m in reversed(player.c.received) if m["type"] == "game")
            assert view["card"] == own.card(view["role"])
        await server.acall("POST", f"/api/sessions/{code}/end-round")
        for player in players.values():
            await player.c.type("ended")
        started = await server.acall("POST", f"/api/sessions/{code}/rounds")
        for player in players.values():
            await player.c.type("game")
    # By default every game deals its own, and the facilitator sees that too.
    other = await open_session(server, "guitar")
    assert (await server.acall("GET", f"/api/sessions/{other}"))["variation"] is True
    status, answer = await server.ask(
        "POST", "/api/sessions", {"scenario": "guitar", "variation": 1}
    )
    assert status == 400 and "'variation' must be true or false" in answer["error"]["message"]


@virtual_time
async def test_variation_off_survives_a_restart(tmp_path: Path) -> None:
    async with VirtualServer(tmp_path / "zopa.db") as server:
        code = await open_session(server, "campsite", variation=False)
        on = await open_session(server, "campsite")
        await server.restart()
        assert (await server.acall("GET", f"/api/sessions/{code}"))["variation"] is False
        assert (await server.acall("GET", f"/api/sessions/{on}"))["variation"] is True


@on_virtual_time
async def test_results_and_the_csv_export_use_each_games_own_cards(server: VirtualServer) -> None:
    code = await open_session(server, "food-truck")
    people = [await Player(server, code, name).join() for name in ("Ana", "Ben", "Cy", "Di")]
    for person in people:
        await person.connect()
    started = await server.acall("POST", f"/api/sessions/{code}/rounds")
    await server.acall("POST", f"/api/sessions/{code}/end-round")
    for person in people:
        await person.c.type("ended")
    results = await server.acall("GET", f"/api/sessions/{code}/results")
    status, text = await server.ask("GET", f"/api/sessions/{code}/results.csv")
    assert status == 200 and isinstance(text, str)
    rows = {line.split(",")[1]: line.split(",") for line in text.splitlines()[1:]}
    columns = text.splitlines()[0].split(",")
    for game in started["games"]:
        own = await game_scenario(server, game["game"])
        batna = {r.id: r.batna for r in own.roles}
        found = next(g for g in results["rounds"][0]["games"] if g["game"] == game["game"])
        assert found["result"]["batna"] == batna
        row = rows[game["game"]]
        for role in own.role_ids:
            assert float(row[columns.index(f"{role}_batna")]) == batna[role]
