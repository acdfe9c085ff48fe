"""Standings and the CSV export, on games built in memory."""

from __future__ import annotations

import csv
import dataclasses
import io
import sqlite3
from pathlib import Path
from typing import Any

from zopa.rules.library import builtin
from zopa.rules.scenario import Scenario
from zopa.rules.scoring import score
from zopa.server.storage_sqlite import SqliteStorage
from zopa.server.tournament.export import COLUMNS, csv_text
from zopa.server.tournament.standings import (
    Played,
    best_surplus,
    lines,
    pair_gains,
    percentile,
    standings,
)

GUITAR = builtin("guitar")  # price options 0..16; seller +50 a step, buyer -50; BATNAs 200


def deal(price: int) -> dict[str, Any]:
    return score(GUITAR, "agreement", "accepted", {"price": price})


def game(number: int, name: str, seller: str | None, buyer: str | None, result: Any) -> Played:
    return Played(number, name, GUITAR, {"seller": seller, "buyer": buyer}, result)


def test_scores_compare_roles_and_impasses_score_zero() -> None:
    # Guitar: each side's best deal the other accepts is 600 points, so 400 surplus.
    assert best_surplus(GUITAR, "seller") == best_surplus(GUITAR, "buyer") == 400
    played = [
        game(1, "g1", "a", "b", deal(12)),  # seller 600, buyer 200
        game(1, "g2", "c", "d", score(GUITAR, "impasse", "walkout", None)),
    ]
    found = {(line.player, line.game): line for line in lines(played, {1: ["e"]})}
    assert found[("a", "g1")].score == 1.0 and found[("b", "g1")].score == 0.0
    assert found[("c", "g2")].score == 0.0 and found[("c", "g2")].outcome == "impasse"
    # Among the two sellers of round 1, a (600) is above c (200).
    assert found[("a", "g1")].percentile == 100.0 and found[("c", "g2")].percentile == 0.0
    # The two buyers tie on 200 points: each is at the midpoint.
    assert found[("b", "g1")].percentile == found[("d", "g2")].percentile == 50.0
    bye = found[("e", None)]
    assert (bye.outcome, bye.score, bye.percentile) == ("bye", 0.5, 50.0)
    ranked = standings(lines(played, {1: ["e"]}), ["a", "b", "c", "d", "e", "f"])
    assert [r.player for r in ranked][:2] == ["a", "e"]
    assert ranked[-1].player == "f" and ranked[-1].games == 0
    # b and d tie on everything, so they share a rank.
    tied = [r for r in ranked if r.player in ("b", "d")]
    assert tied[0].rank == tied[1].rank


def test_a_role_without_a_zone_of_agreement_divides_by_its_largest_surplus() -> None:
    truck = builtin("food-truck")
    for role in truck.role_ids:
        index = truck.role_ids.index(role)
        most = sum(max(points) for points in truck.roles[index].points)
        assert best_surplus(truck, role) == most - truck.roles[index].batna


def test_percentiles_share_ties() -> None:
    assert percentile(5, [5]) == 50.0
    assert percentile(5, [1, 5, 5, 9]) == 100 * (1 + 0.5) / 3


def test_pairs_rank_by_joint_gain() -> None:
    played = [
        game(1, "g1", "a", "b", deal(8)),
        game(1, "g2", "c", "d", score(GUITAR, "impasse", "deadline", None)),
        game(2, "g3", "a", None, None),  # live
    ]
    ranked = pair_gains(played)
    assert [(g.game, g.rank) for g in ranked] == [("g1", 1), ("g2", 2)]
    assert ranked[0].joint_score == 1.0 and ranked[1].joint_score == 0.0


def test_the_csv_is_tidy_and_safe_in_a_spreadsheet() -> None:
    played = [game(1, "g1", "a", "b", deal(9)), game(2, "g2", "a", None, None)]
    text = csv_text(lines(played, {2: ["b"]}), {"a": "=HYPERLINK(1)", "b": "Bé, Jr."})
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 4
    first = rows[0]
    assert first["name"] == "'=HYPERLINK(1)" and first["partner_name"] == "Bé, Jr."
    assert first["role_number"] == "1" and first["points"] == "450" and first["score"] == "0.625"
    assert rows[1]["partner_name"] == "'=HYPERLINK(1)"
    live = next(r for r in rows if r["outcome"] == "live")
    assert live["partner"] == "bot" and live["points"] == "" and live["score"] == ""
    bye = next(r for r in rows if r["outcome"] == "bye")
    assert bye["game"] == "" and bye["score"] == "0.5"
    assert text.endswith("\r\n") and not text.startswith("\ufeff")


async def test_a_database_from_before_tournaments_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.executescript(
            "CREATE TABLE sessions (code TEXT PRIMARY KEY, scenario TEXT NOT NULL, "
            "time_limit REAL, created_at REAL NOT NULL);"
            "INSERT INTO sessions VALUES ('ABC', 'guitar', NULL, 1.0);"
        )
    storage = SqliteStorage(str(path))
    await storage.open()
    snapshot = await storage.load()
    await storage.close()
    assert [s.code for s in snapshot.sessions] == ["ABC"]
    assert snapshot.sessions[0].schedule is None and snapshot.rounds == ()


def test_each_game_is_judged_against_its_own_cards() -> None:
    # Two sellers of one round, dealt different walk-aways: the shop offered $1,600 to a
    # and $2,000 to c. a sells for $1,900 (300 points, 300 above the shop), c for $2,100
    # (500 points, only 100 above): more points, but the poorer deal.
    cheap, dear = (deal_cards(GUITAR, seller, buyer) for seller, buyer in ((0, 400), (400, 0)))
    played = [
        Played(
            1,
            "g1",
            cheap,
            {"seller": "a", "buyer": "b"},
            score(cheap, "agreement", "accepted", {"price": 6}),
        ),
        Played(
            1,
            "g2",
            dear,
            {"seller": "c", "buyer": "d"},
            score(dear, "agreement", "accepted", {"price": 10}),
        ),
    ]
    found = {(line.player, line.game): line for line in lines(played, {})}
    a, c = found[("a", "g1")], found[("c", "g2")]
    assert (a.points, c.points) == (300, 500)
    assert a.score is not None and c.score is not None and a.score > c.score
    assert (a.percentile, c.percentile) == (100.0, 0.0)


def deal_cards(scenario: Scenario, seller: int, buyer: int) -> Scenario:
    first, second = scenario.roles
    return dataclasses.replace(
        scenario,
        roles=(dataclasses.replace(first, batna=seller), dataclasses.replace(second, batna=buyer)),
    )
