"""What the standings calls answer: the facilitator's tables, the projected ones, a history.

The projected (public) table is for a screen the whole room sees: ranks, names and the
two averages, nothing a player did not already see at the end of their own games.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zopa.server.tournament.standings import (
    BOT,
    Line,
    Played,
    Standing,
    lines,
    pair_gains,
    standings,
)


@dataclass(frozen=True, slots=True)
class Entrant:
    id: str
    name: str
    withdrawn: bool


def scores(
    played: Sequence[Played], byes: Mapping[int, Sequence[str]], players: Sequence[str]
) -> dict[str, float]:
    """Each player's standing score (mean normalised score), for Swiss pairing."""
    return {row.player: row.score for row in standings(lines(played, byes), players)}


def standings_json(
    played: Sequence[Played],
    byes: Mapping[int, Sequence[str]],
    entrants: Sequence[Entrant],
    public: bool = False,
) -> dict[str, Any]:
    found = lines(played, byes)
    by_id = {e.id: e for e in entrants}
    table = [_standing(row, by_id[row.player], public) for row in standings(found, list(by_id))]
    names = {e.id: e.name for e in entrants}
    pairs = [
        {
            "rank": g.rank,
            "round": g.round,
            "scenario": g.scenario,
            "players": {
                role: (BOT if p is None else names.get(p, p)) if public else p
                for role, p in g.players.items()
            },
            "outcome": g.outcome,
            "joint": g.joint,
            "joint_surplus": g.joint_surplus,
            "joint_score": round(g.joint_score, 6),
            "verdict": g.verdict,
            **({} if public else {"game": g.game}),
        }
        for g in pair_gains(played)
    ]
    return {
        "rounds": max((p.round for p in played), default=0),
        "standings": table,
        "pairs": pairs,
    }


def _standing(row: Standing, entrant: Entrant, public: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "rank": row.rank,
        "name": entrant.name,
        "games": row.games,
        "byes": row.byes,
        "score": round(row.score, 6),
        "percentile": round(row.percentile, 3),
        "withdrawn": entrant.withdrawn,
    }
    if not public:
        item["player"] = row.player
    return item


def history_json(
    played: Sequence[Played],
    byes: Mapping[int, Sequence[str]],
    entrants: Sequence[Entrant],
    player: str,
) -> dict[str, Any]:
    """One player's games and byes with their scores, and where they stand."""
    found = lines(played, byes)
    names = {e.id: e.name for e in entrants}
    mine = [_history_line(line, names) for line in found if line.player == player]
    rows = standings(found, [e.id for e in entrants])
    own = next(row for row in rows if row.player == player)
    return {
        "player": player,
        "name": names[player],
        "rank": own.rank,
        "of": len(rows),
        "score": round(own.score, 6),
        "percentile": round(own.percentile, 3),
        "games": mine,
    }


def _history_line(line: Line, names: Mapping[str, str]) -> dict[str, Any]:
    partner = None if line.partner is None else names.get(line.partner, line.partner)
    return {
        "round": line.round,
        "game": line.game,
        "scenario": line.scenario or None,
        "role": line.role,
        "partner": partner,
        "outcome": line.outcome,
        "reason": line.reason,
        "points": line.points,
        "batna": line.batna,
        "score": None if line.score is None else round(line.score, 6),
        "percentile": None if line.percentile is None else round(line.percentile, 3),
    }
