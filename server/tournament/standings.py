"""Standings that compare players across roles and scenarios.

The two roles of a scenario are rarely worth the same, so raw points cannot rank a
class that played different roles. Each game gives each player two numbers instead:

- **score**: the player's surplus over their BATNA divided by the best surplus their
  role could get in a deal both sides accept (the role's ideal point minus its BATNA,
  from the outcome-space analysis). 1 is the best deal the other side would accept, 0 is
  no better than walking away (an impasse scores each side's BATNA, so 0), below 0 is a
  deal worse than the BATNA. Above 1 is possible only when the other side accepted a
  deal below their own BATNA. When a role has no such surplus to win (no zone of
  agreement), the divisor is the role's largest surplus over any outcome, else 1.
- **percentile**: where the player's score falls among everyone who played the same
  role in the same round (0 lowest, 100 highest, ties share the midpoint, 50 alone).
  By score, not raw points: every game deals its own cards, so the same points can be a
  fine deal in one game and a poor one in the next; with the same cards the order is
  the same either way.

A bye is worth a score of 0.5 and a percentile of 50 (half the best deal: neither a
reward nor a penalty for an odd count). A game against the bot counts like any game.

Standings rank players by mean score; ties go to the higher mean percentile, then to
more games played; players still tied share a rank. Players with no game or bye yet
(late joiners) come last. A second table ranks the pairs of
each game by joint gain: the efficiency of ``zopa.rules.scoring.gain`` (joint surplus over
both BATNAs divided by the largest joint surplus the game's cards allow), with its verdict,
so a correct walkaway where no deal was possible reads as one, not as a 0% failure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from zopa.rules.analysis import analyze
from zopa.rules.scenario import Scenario
from zopa.rules.scoring import gain

BYE_SCORE = 0.5
BYE_PERCENTILE = 50.0
BOT = "bot"


@dataclass(frozen=True, slots=True)
class Played:
    """A game of the tournament as standings see it."""

    round: int
    game: str
    scenario: Scenario
    players: Mapping[str, str | None]  # role -> player id, None for the bot
    result: Mapping[str, Any] | None  # None while live


@dataclass(frozen=True, slots=True)
class Line:
    """One player in one game (or bye): a row of the CSV export."""

    round: int
    game: str | None  # None for a bye
    scenario: str
    role: str | None
    role_index: int | None
    player: str
    partner: str | None  # player id, "bot", or None for a bye
    outcome: str  # agreement, impasse, live or bye
    reason: str | None = None
    points: float | None = None
    batna: float | None = None
    surplus: float | None = None
    best_surplus: float | None = None
    score: float | None = None
    percentile: float | None = None


def best_surplus(scenario: Scenario, role: str) -> float:
    """What the score divides by: the role's best surplus in a deal both sides accept."""
    analysis = analyze(scenario)
    index = scenario.role_ids.index(role)
    batna = float(scenario.roles[index].batna)
    if analysis.ideal is not None and analysis.ideal[index] > batna:
        return float(analysis.ideal[index]) - batna
    most = float(sum(max(options) for options in scenario.roles[index].points)) - batna
    return most if most > 0 else 1.0


def lines(games: Iterable[Played], byes: Mapping[int, Sequence[str]]) -> list[Line]:
    """Every player's every game and bye, in round order, with scores and percentiles."""
    found: list[Line] = []
    for game in games:
        roles = game.scenario.role_ids
        for index, role in enumerate(roles):
            player = game.players.get(role)
            if player is None:
                continue
            partner = game.players.get(roles[1 - index])
            line = Line(
                round=game.round,
                game=game.game,
                scenario=game.scenario.id,
                role=role,
                role_index=index,
                player=player,
                partner=BOT if partner is None else partner,
                outcome="live",
            )
            result = game.result
            if result is not None:
                points = float(result["points"][role])
                batna = float(result["batna"][role])
                best = best_surplus(game.scenario, role)
                line = replace(
                    line,
                    outcome=str(result["outcome"]),
                    reason=str(result["reason"]),
                    points=points,
                    batna=batna,
                    surplus=points - batna,
                    best_surplus=best,
                    score=(points - batna) / best,
                )
            found.append(line)
    for number, players in byes.items():
        for player in players:
            found.append(
                Line(
                    round=number,
                    game=None,
                    scenario="",
                    role=None,
                    role_index=None,
                    player=player,
                    partner=None,
                    outcome="bye",
                    score=BYE_SCORE,
                    percentile=BYE_PERCENTILE,
                )
            )
    found = _with_percentiles(found)
    found.sort(key=lambda line: (line.round, line.game or "", line.role_index or 0, line.player))
    return found


def _with_percentiles(found: list[Line]) -> list[Line]:
    groups: dict[tuple[int, str, str], list[float]] = defaultdict(list)
    for line in found:
        if line.role is not None and line.score is not None:
            groups[(line.round, line.scenario, line.role)].append(line.score)
    out = []
    for line in found:
        if line.role is None or line.score is None:
            out.append(line)
            continue
        peers = groups[(line.round, line.scenario, line.role)]
        out.append(replace(line, percentile=percentile(line.score, peers)))
    return out


def percentile(value: float, peers: Sequence[float]) -> float:
    """Percent of the others below ``value``, ties counting half; 50 with no others."""
    if len(peers) <= 1:
        return 50.0
    below = sum(1 for p in peers if p < value)
    equal = sum(1 for p in peers if p == value) - 1  # the player is among the peers
    return 100.0 * (below + 0.5 * equal) / (len(peers) - 1)


@dataclass(frozen=True, slots=True)
class Standing:
    rank: int
    player: str
    games: int
    byes: int
    score: float
    percentile: float


def standings(found: Iterable[Line], players: Iterable[str]) -> list[Standing]:
    """Everyone in ``players``, ranked; players with nothing scored yet count 0 and 50."""
    scores: dict[str, list[float]] = {p: [] for p in players}
    percentiles: dict[str, list[float]] = {p: [] for p in scores}
    games = dict.fromkeys(scores, 0)
    byes = dict.fromkeys(scores, 0)
    for line in found:
        if line.player not in scores or line.score is None or line.percentile is None:
            continue
        scores[line.player].append(line.score)
        percentiles[line.player].append(line.percentile)
        if line.outcome == "bye":
            byes[line.player] += 1
        else:
            games[line.player] += 1
    rows = [
        Standing(0, p, games[p], byes[p], _mean(scores[p], 0.0), _mean(percentiles[p], 50.0))
        for p in scores
    ]
    rows.sort(key=lambda s: (*_key(s), s.player))
    ranked: list[Standing] = []
    for position, row in enumerate(rows, start=1):
        previous = ranked[-1] if ranked else None
        tied = previous is not None and _key(previous) == _key(row)
        rank = previous.rank if tied and previous is not None else position
        ranked.append(replace(row, rank=rank))
    return ranked


def _key(row: Standing) -> tuple[bool, float, float, int]:
    """Smaller is better; rounded so that float noise never splits a real tie."""
    unranked = row.games + row.byes == 0
    return (unranked, -round(row.score, 9), -round(row.percentile, 9), -row.games)


def _mean(values: list[float], empty: float) -> float:
    return sum(values) / len(values) if values else empty


@dataclass(frozen=True, slots=True)
class PairGain:
    rank: int
    round: int
    game: str
    scenario: str
    players: Mapping[str, str | None]
    outcome: str
    joint: float
    joint_surplus: float
    joint_score: float  # scoring.gain's efficiency; 0 where it has none
    verdict: str  # scoring.gain's verdict: frontier, deal, trap, missed or walkaway


def pair_gains(games: Iterable[Played]) -> list[PairGain]:
    """Every ended game, ranked by joint score; equal joint scores share a rank."""
    rows = []
    for game in games:
        result = game.result
        if result is None:
            continue
        scenario = game.scenario
        batnas = sum(float(r.batna) for r in scenario.roles)
        joint = float(result["joint"])
        surplus = joint - batnas
        first, second = scenario.role_ids
        scored = gain(
            scenario,
            (result["points"][first], result["points"][second]),
            result["outcome"] == "agreement",
        )
        rows.append(
            PairGain(
                0,
                game.round,
                game.game,
                scenario.id,
                dict(game.players),
                str(result["outcome"]),
                joint,
                surplus,
                scored.efficiency or 0.0,
                scored.verdict,
            )
        )
    rows.sort(key=lambda g: (-g.joint_score, g.round, g.game))
    ranked: list[PairGain] = []
    for position, row in enumerate(rows, start=1):
        previous = ranked[-1] if ranked else None
        tied = previous is not None and round(previous.joint_score, 9) == round(row.joint_score, 9)
        rank = previous.rank if tied and previous is not None else position
        ranked.append(replace(row, rank=rank))
    return ranked
