"""What the tournament calls answer: the schedule as it stands, standings, export, history.

Each reads a session's games from the registry (results only: ended games are not
kept in full) and hands them to the pure modules beside this one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zopa.server.errors import NotFound
from zopa.server.tournament.export import csv_text
from zopa.server.tournament.report import Entrant, history_json, standings_json
from zopa.server.tournament.standings import Played, lines

if TYPE_CHECKING:
    from zopa.server.records import Player, Session
    from zopa.server.registry import Registry


def played(registry: Registry, session: Session) -> list[Played]:
    return [entry.played() for _, entry in registry.games_of(session)]


def entrants(session: Session) -> list[Entrant]:
    return [Entrant(p.id, p.name, p.removed) for p in session.players.values()]


def schedule_view(registry: Registry, session: Session) -> dict[str, Any]:
    """Every scheduled round: scenario, time limit, start time, and how far it got."""
    schedule = session.schedule
    if schedule is None:
        raise NotFound("this session is not a tournament", "no_schedule")
    rounds = []
    for number, planned in enumerate(schedule.rounds, start=1):
        scenario = session.round_scenario(number)
        ids = session.rounds[number - 1] if number <= len(session.rounds) else None
        if ids is None:
            status = "planned"
        elif any(e is not None and e.live for e in map(registry.game, ids)):
            status = "live"
        else:
            status = "done"
        rounds.append(
            {
                "round": number,
                "scenario": {"id": scenario.id, "title": scenario.title},
                "roles": list(scenario.role_ids),
                "time_limit": scenario.protocol.time_limit,
                "starts_at": planned.starts_at,
                "status": status,
                "games": [] if ids is None else ids,
                "byes": session.byes.get(number, []),
            }
        )
    return {"pairing": schedule.pairing, "odd": schedule.odd, "rounds": rounds}


def standings(registry: Registry, session: Session, public: bool = False) -> dict[str, Any]:
    return standings_json(played(registry, session), session.byes, entrants(session), public)


def export_csv(registry: Registry, session: Session) -> str:
    names = {p.id: p.name for p in session.players.values()}
    return csv_text(lines(played(registry, session), session.byes), names)


def history(registry: Registry, session: Session, player: Player) -> dict[str, Any]:
    return {
        "session": session.code,
        **history_json(played(registry, session), session.byes, entrants(session), player.id),
    }
