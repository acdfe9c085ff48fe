"""A tournament on a live server: scheduled rounds on three scenarios, scripted players
over real websockets, a late joiner, a withdrawal, byes; then the standings, checked
against a computation of our own from the game logs, and the CSV export."""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from tests.live import Http, Player, open_session
from tests.virtual_time import VirtualServer, virtual_time
from zopa.rules.library import builtin
from zopa.rules.log import read_log, replay
from zopa.rules.scenario import Scenario
from zopa.rules.scoring import result
from zopa.server.bot_client import run_bots


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 10) -> None:
    """Ask the server until ``check`` holds: for states that time alone brings about.

    On the loop's clock, so that on a virtual-time loop the wait costs no real time.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, "the server never got there"
        await asyncio.sleep(0.05)


class Scripted:
    """A player who offers a point of the frontier and accepts what clears its bar."""

    def __init__(self, player: Player, pick: int, tolerance: int) -> None:
        self.player = player
        self.pick = pick
        self.tolerance = tolerance  # how far below its BATNA it still accepts

    async def play(self, view: dict[str, Any]) -> dict[str, Any]:
        scenario = builtin(view["scenario"]["id"])
        role = view["role"]
        client = self.player.c
        if view["turn"] == role:
            terms = outcomes(scenario)[self.pick % len(outcomes(scenario))]
            await self.player.send({"type": "offer", "terms": terms})
        else:
            offer = await client.until(
                lambda m: m["type"] == "event" and m["event"]["type"] == "offer", 10
            )
            terms = offer["event"]["terms"]
            bar = scenario.role(role).batna - self.tolerance
            if scenario.points(role, terms) >= bar:
                await self.player.send({"type": "accept", "offer": offer["seq"]})
            else:
                await self.player.send({"type": "walkout"})
        return await client.type("ended", 10)


def outcomes(scenario: Scenario) -> list[dict[str, int]]:
    ids = [issue.id for issue in scenario.issues]
    return [
        dict(zip(ids, choice, strict=True))
        for choice in itertools.product(*(range(len(i.options)) for i in scenario.issues))
    ]


def best_surplus(scenario: Scenario, role: str) -> float:
    """By listing every outcome: the role's best surplus in a deal both sides accept."""
    other = scenario.other(role)
    mine, theirs = scenario.role(role).batna, scenario.role(other).batna
    both = [
        scenario.points(role, t)
        for t in outcomes(scenario)
        if scenario.points(role, t) >= mine and scenario.points(other, t) >= theirs
    ]
    if both and max(both) > mine:
        return float(max(both) - mine)
    most = max(scenario.points(role, t) for t in outcomes(scenario)) - mine
    return float(most) if most > 0 else 1.0


async def play_round(server: Http, code: str, people: dict[str, Scripted]) -> dict[str, Any]:
    started = await server.acall("POST", f"/api/sessions/{code}/rounds")
    seated = [p for g in started["games"] for p in g["players"].values() if p is not None]

    async def one(player_id: str) -> dict[str, Any]:
        scripted = people[player_id]
        view = await scripted.player.c.type("game", 10)
        return await scripted.play(view)

    await asyncio.gather(*(one(p) for p in seated))
    answer: dict[str, Any] = started
    return answer


async def logged_games(server: Http, code: str) -> list[dict[str, Any]]:
    """Every game of the session with its round and its log, read back from the server."""
    results = await server.acall("GET", f"/api/sessions/{code}/results")
    games = []
    for number in results["rounds"]:
        for game in number["games"]:
            status, text = await server.ask("GET", f"/api/games/{game['game']}/log")
            assert status == 200 and isinstance(text, str)
            games.append({**game, "round": number["round"], "log": read_log(text.splitlines())})
    return games


def expected_standings(
    games: list[dict[str, Any]], byes: dict[int, list[str]], everyone: list[str]
) -> list[tuple[str, float, float]]:
    """(player, mean score, mean percentile), ranked, from replayed logs alone."""
    rows: list[tuple[int, str, str, float, float]] = []  # round, role, player, points, score
    for game in games:
        log = game["log"]
        scenario = log.header.scenario
        points = result(replay(log))
        assert points is not None
        for role, player in game["players"].items():
            if player is None:
                continue
            batna = scenario.role(role).batna
            mine = points["points"][role]
            rows.append(
                (game["round"], role, player, mine, (mine - batna) / best_surplus(scenario, role))
            )
    # Percentiles rank scores, not points: every game deals its own cards, so the same
    # points may be a good deal in one game and a poor one in another.
    peers: dict[tuple[int, str], list[float]] = defaultdict(list)
    for number, role, _, _, score in rows:
        peers[(number, role)].append(score)
    scores: dict[str, list[tuple[float, float]]] = {p: [] for p in everyone}
    for number, role, player, _, score in rows:
        group = peers[(number, role)]
        below = sum(x < score for x in group)
        ties = sum(x == score for x in group) - 1
        pct = 50.0 if len(group) == 1 else 100 * (below + ties / 2) / (len(group) - 1)
        scores[player].append((score, pct))
    played = {p: len(got) for p, got in scores.items()}  # games, not byes
    for players in byes.values():
        for player in players:
            scores[player].append((0.5, 50.0))
    table = [
        (
            p,
            sum(s for s, _ in got) / len(got) if got else 0.0,
            sum(c for _, c in got) / len(got) if got else 50.0,
            played[p],
            not got,
        )
        for p, got in scores.items()
    ]
    # Ties go to the higher percentile, then to more games played (a bye is not one);
    # players with neither come last (docs/tournaments.md). Equal means, summed in
    # another order, may differ in the last bit: still a tie.
    table.sort(key=lambda row: (row[4], -round(row[1], 9), -round(row[2], 9), -row[3], row[0]))
    return [(p, s, c) for p, s, c, _, _ in table]


@virtual_time
async def test_a_tournament_over_three_scenarios_ranks_players_across_roles(
    server: VirtualServer,
) -> None:
    schedule = {
        "rounds": [{"scenario": "guitar"}, {"scenario": "supplier"}, {"scenario": "food-truck"}],
        "pairing": "swiss",
        "odd": "bye",
    }
    code = await open_session(server, "guitar", schedule=schedule)
    people: dict[str, Scripted] = {}

    async def join(name: str, pick: int, tolerance: int) -> Scripted:
        player = await Player(server, code, name).join()
        await player.connect()
        people[player.id] = Scripted(player, pick, tolerance)
        return people[player.id]

    for i, name in enumerate(["Ana", "Ben", "Cy", "Dee", "Eve"]):
        await join(name, pick=3 * i + 2, tolerance=[0, 50, 2000, 0, 100][i])
    first = await play_round(server, code, people)
    assert len(first["games"]) == 2, "five players: two games and a bye"

    late = await join("Fay", pick=7, tolerance=0)  # enters at the next round
    second = await play_round(server, code, people)
    assert len(second["games"]) == 3
    assert any(late.player.id in g["players"].values() for g in second["games"])

    leaving = next(p for p in people.values() if p.player.name == "Cy")
    await server.acall("DELETE", f"/api/sessions/{code}/players/{leaving.player.id}")
    del people[leaving.player.id]
    third = await play_round(server, code, people)
    assert all(leaving.player.id not in g["players"].values() for g in third["games"])
    status, answer = await server.ask("POST", f"/api/sessions/{code}/rounds")
    assert status == 409 and answer["error"]["code"] == "schedule_complete"

    plan = await server.acall("GET", f"/api/sessions/{code}/schedule")
    assert [r["status"] for r in plan["rounds"]] == ["done", "done", "done"]
    assert [r["scenario"]["id"] for r in plan["rounds"]] == ["guitar", "supplier", "food-truck"]
    byes = {r["round"]: r["byes"] for r in plan["rounds"] if r["byes"]}
    assert len(byes[1]) == 1 and len(byes[3]) == 1 and byes[1] != byes[3], "byes rotate"

    games = await logged_games(server, code)
    everyone = [*people, leaving.player.id]
    expected = expected_standings(games, byes, everyone)

    table = await server.acall("GET", f"/api/sessions/{code}/standings")
    got = [(row["player"], row["score"], row["percentile"]) for row in table["standings"]]
    assert [p for p, _, _ in got] == [p for p, _, _ in expected]
    for (_, score, pct), (_, want_score, want_pct) in zip(got, expected, strict=True):
        assert abs(score - want_score) < 1e-5 and abs(pct - want_pct) < 1e-2
    withdrawn = next(r for r in table["standings"] if r["player"] == leaving.player.id)
    assert withdrawn["withdrawn"] is True
    assert len(table["pairs"]) == len(games)
    joint_scores = [pair["joint_score"] for pair in table["pairs"]]
    assert joint_scores == sorted(joint_scores, reverse=True)

    public = await server.acall("GET", f"/api/sessions/{code}/standings/public", key=None)
    assert [r["name"] for r in public["standings"]] == [r["name"] for r in table["standings"]]
    assert all("player" not in r for r in public["standings"])

    status, text = await server.ask("GET", f"/api/sessions/{code}/export.csv")
    assert status == 200 and isinstance(text, str)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == sum(2 for g in games) + sum(len(b) for b in byes.values())
    assert {r["outcome"] for r in rows} <= {"agreement", "impasse", "bye"}
    for row in rows:
        if row["outcome"] != "bye":
            points, batna, best = (
                float(row["points"]),
                float(row["batna"]),
                float(row["best_surplus"]),
            )
            assert abs(float(row["score"]) - (points - batna) / best) < 1e-5
            assert row["role_number"] in ("1", "2") and row["partner_name"]

    # The dashboard's per-game CSV copes with rounds on scenarios of other roles.
    status, text = await server.ask("GET", f"/api/sessions/{code}/results.csv")
    assert status == 200 and isinstance(text, str)
    per_game = list(csv.DictReader(io.StringIO(text)))
    assert len(per_game) == len(games) and all(row["role1_player"] for row in per_game)

    # The best placed player still in (the withdrawn one's token no longer works).
    best = next(row for row in table["standings"] if row["player"] in people)
    mine = people[best["player"]].player
    status, history = await server.ask("GET", "/api/me/history", key=mine.token)
    assert status == 200 and history["rank"] == best["rank"] and history["name"] == mine.name
    assert len(history["games"]) == best["games"] + best["byes"]
    assert (await server.ask("GET", "/api/me/history", key=leaving.player.token))[0] == 401
    assert (await server.ask("GET", "/api/me/history", key="nobody"))[0] == 401
    assert (await server.ask("GET", f"/api/sessions/{code}/standings", key=None))[0] == 401
    assert (await server.ask("GET", f"/api/sessions/{code}/export.csv", key=None))[0] == 401


@virtual_time
async def test_a_scheduled_round_starts_on_time_after_a_restart(server: VirtualServer) -> None:
    schedule = {"rounds": [{"starts_at": server.clock() + 2.5}, {}], "odd": "bot"}
    code = await open_session(server, "guitar", schedule=schedule)
    players = [await Player(server, code, name).join() for name in ("Ana", "Ben", "Cy")]
    # The restart takes no time on the virtual clock: the round starts by the timer the
    # recovered server sets again (had it started already, the welcome would hold it).
    await server.restart()
    welcomes = [await player.connect() for player in players]
    views = [
        welcome["game"] or await player.c.type("game", 10)
        for welcome, player in zip(welcomes, players, strict=True)
    ]
    assert {v["round"] for v in views} == {1}
    assert sum(v["partner"]["bot"] for v in views) == 1, "the odd one out plays the bot"
    plan = await server.acall("GET", f"/api/sessions/{code}/schedule")
    assert plan["rounds"][0]["status"] == "live" and plan["rounds"][1]["status"] == "planned"


@virtual_time
async def test_a_facilitator_pairs_by_hand(server: VirtualServer) -> None:
    code = await open_session(server, "guitar", schedule={"rounds": 2, "pairing": "round_robin"})
    ana, ben, cy = [await Player(server, code, n).join() for n in ("Ana", "Ben", "Cy")]
    started = await server.acall(
        "POST", f"/api/sessions/{code}/rounds", {"pairs": [[cy.id, ana.id], [ben.id, None]]}
    )
    assert [g["players"] for g in started["games"]] == [
        {"seller": cy.id, "buyer": ana.id},
        {"seller": ben.id, "buyer": None},
    ]
    status, answer = await server.ask(
        "POST", f"/api/sessions/{code}/rounds", {"pairs": [[ana.id, ben.id]]}
    )
    assert status == 409 and answer["error"]["code"] == "not_free"


@virtual_time
async def test_a_schedule_is_checked_and_named_in_errors(server: VirtualServer) -> None:
    for schedule, words in [
        ({"rounds": 0}, "schedule.rounds"),
        ({"rounds": [{"scenario": "chess"}]}, "chess"),
        ({"rounds": 2, "pairing": "knockout"}, "schedule.pairing"),
        ({"rounds": [{"starts_at": "tomorrow"}]}, "starts_at"),
        ({"rounds": [{"starts_at": "2030-01-01T09:00:00"}]}, "offset"),
        ({"rounds": [{"time_limit": 0}]}, "time_limit"),
        ({"rounds": 2, "colour": "white"}, "colour"),
    ]:
        status, answer = await server.ask(
            "POST", "/api/sessions", {"scenario": "guitar", "schedule": schedule}
        )
        assert status in (400, 404) and words in answer["error"]["message"], (schedule, answer)
    # A schedule that names every round's scenario needs no session scenario.
    status, answer = await server.ask(
        "POST", "/api/sessions", {"schedule": {"rounds": [{"scenario": "supplier"}]}}
    )
    assert status == 201, answer


@virtual_time
async def test_a_no_show_sits_the_round_out_until_back(server: VirtualServer) -> None:
    code = await open_session(server, "guitar", schedule={"rounds": 2, "odd": "bye"})
    ana, ben, cy = [await Player(server, code, n).join() for n in ("Ana", "Ben", "Cy")]
    for player in (ana, ben, cy):
        await player.connect()
    await cy.c.close()

    async def cy_gone_past_the_grace_period() -> bool:  # 0.5 s in these tests
        snapshot = await server.acall("GET", f"/api/sessions/{code}")
        away = next(p["away_seconds"] for p in snapshot["players"] if p["id"] == cy.id)
        return away is not None and away > 0.6

    await eventually(cy_gone_past_the_grace_period)
    started = await server.acall("POST", f"/api/sessions/{code}/rounds")
    assert [sorted(filter(None, g["players"].values())) for g in started["games"]] == [
        sorted([ana.id, ben.id])
    ]
    plan = await server.acall("GET", f"/api/sessions/{code}/schedule")
    assert plan["rounds"][0]["byes"] == [], "a no-show has no bye"


@virtual_time
async def test_a_tournament_of_joined_bots_is_ranked_as_its_logs_say(
    server: VirtualServer,
) -> None:
    """Bots join as ordinary players (``zopa bots join``'s client) over two short rounds."""
    schedule = {"rounds": [{"time_limit": 4}, {"scenario": "supplier", "time_limit": 4}]}
    code = await open_session(server, "guitar", schedule={**schedule, "odd": "bye"})
    bots = [
        asyncio.create_task(
            run_bots(server.url, code, 1, s, think=0.05, report=lambda _: None, clock=server.clock)
        )
        for s in ("conceder", "boulware", "linear", "problem-solver", "tit-for-tat")
    ]
    try:

        async def all_joined() -> bool:
            return len((await server.acall("GET", f"/api/sessions/{code}"))["players"]) == 5

        await eventually(all_joined)
        for number in (1, 2):
            await server.acall("POST", f"/api/sessions/{code}/rounds")

            async def ended(number: int = number) -> bool:  # 4 s games
                plan = await server.acall("GET", f"/api/sessions/{code}/schedule")
                return bool(plan["rounds"][number - 1]["status"] == "done")

            await eventually(ended, timeout=20)
    finally:
        for task in bots:
            task.cancel()
        await asyncio.gather(*bots, return_exceptions=True)
    games = await logged_games(server, code)
    plan = await server.acall("GET", f"/api/sessions/{code}/schedule")
    byes = {r["round"]: r["byes"] for r in plan["rounds"]}
    assert sorted(len(b) for b in byes.values()) == [1, 1] and byes[1] != byes[2]
    table = await server.acall("GET", f"/api/sessions/{code}/standings")
    expected = expected_standings(games, byes, [row["player"] for row in table["standings"]])
    got = [(row["player"], row["score"], row["percentile"]) for row in table["standings"]]
    assert [p for p, _, _ in got] == [p for p, _, _ in expected]
    for (_, score, pct), (_, want_score, want_pct) in zip(got, expected, strict=True):
        assert abs(score - want_score) < 1e-5 and abs(pct - want_pct) < 1e-2


@virtual_time
async def test_two_round_starts_at_once_take_one_round_each(server: VirtualServer) -> None:
    code = await open_session(server, "guitar", schedule={"rounds": 3})
    for name in ("Ana", "Ben"):
        await Player(server, code, name).join()
    calls = [
        asyncio.to_thread(server.call, "POST", f"/api/sessions/{code}/rounds") for _ in range(2)
    ]
    answers = sorted(await asyncio.gather(*calls), key=lambda answer: answer[0])
    # The first pairs both players; the second finds them busy, not round 1 taken twice.
    assert [status for status, _ in answers] == [201, 409]
    assert answers[0][1]["round"] == 1 and answers[1][1]["error"]["code"] == "no_players"
