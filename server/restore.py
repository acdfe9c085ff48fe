"""Records from stored rows: what start-up and on-demand loading share.

Ended games become results only: their header is read for who sat where and the
scenario, which is parsed once for all the games that share it. Live games are handed
back with their parsed header, for recovery to give each its actor again. A game whose
rows do not read back is quarantined (``quarantine``), and the others load as ever.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import orjson

from zopa.rules.errors import LogError, ScenarioError
from zopa.rules.log import Header, parse_header
from zopa.rules.scenario import Scenario, parse_scenario
from zopa.server.records import GameEntry, Player, Session, pack_json
from zopa.server.storage import GameRow, Snapshot
from zopa.server.tournament.schedule import schedule_from_dict

if TYPE_CHECKING:
    from zopa.server.registry import Registry

log = logging.getLogger("zopa.restore")

# What reading a damaged header, result or event line raises (orjson's error is a
# ValueError): the game is quarantined, never the server stopped.
READ_ERRORS = (LogError, ScenarioError, KeyError, TypeError, ValueError, AttributeError)


def restore(registry: Registry, snapshot: Snapshot) -> list[tuple[Header, GameRow]]:
    """Add the snapshot's sessions, players, rounds and ended games; the live games' rows."""
    sessions: dict[str, Session] = {}
    for row in snapshot.sessions:
        plan = None if row.schedule is None else schedule_from_dict(json.loads(row.schedule))
        session = Session(
            row.code,
            registry.scenarios(row.scenario, row.time_limit),
            row.created_at,
            registry.scenarios,
            time_limit=row.time_limit,
            schedule=plan,
            practice=row.practice,
        )
        if row.options is not None:
            options = json.loads(row.options)
            session.variation = options.get("variation", True) is not False
            session.estimates = options.get("estimates", False) is True
            session.reading = options.get("reading")
            session.walkout_window = options.get("walkout_window", 0)
        sessions[row.code] = session
        registry.add_session(session)
    for p in snapshot.players:
        if p.session in sessions:
            registry.add_player(
                sessions[p.session], Player(p.id, p.session, p.name, p.token, p.removed)
            )
    live: list[tuple[Header, GameRow]] = []
    for game in snapshot.games:
        owner = sessions.get(game.session)
        if owner is None:
            continue
        try:
            if game.result is None:
                header = parse_header(json.loads(game.header))
                entry = GameEntry(
                    game.id, game.round, seats(header), header.scenario, practice=owner.practice
                )
                live.append((header, game))
            else:
                entry = ended_entry(game, owner.practice)
        except READ_ERRORS as exc:
            entry = GameEntry(game.id, game.round, (None, None), owner.scenario)
            quarantine(entry, owner, f"its stored header or result does not read: {exc}")
        registry.add_game(owner, entry)
    for started in snapshot.rounds:
        opened = sessions.get(started.session)
        if opened is not None:
            opened.open_round(started.number, opened.scenario, list(started.byes))
    for session in sessions.values():
        session.resumed()
    return live


def quarantine(entry: GameEntry, session: Session, reason: str) -> None:
    """Set a game aside whose rows cannot be rebuilt; every other game goes on.

    Its rows stay in storage untouched (``GET /api/games/{id}/log`` still gives them),
    the reason is logged and shown on the facilitator's dashboard, and its players are
    free for the next round.
    """
    entry.quarantine(reason)
    log.error(
        "game quarantined: %s; its rows are kept as they are",
        reason,
        extra={"game": entry.id, "session": session.code},
    )


def seats(header: Header) -> tuple[str | None, ...]:
    """Who sits in each role, in the scenario's order; ``None`` for a bot."""
    return tuple(
        None if "bot" in header.players[role] else str(header.players[role]["id"])
        for role in header.scenario.role_ids
    )


def ended_entry(game: GameRow, practice: bool = False) -> GameEntry:
    """An ended game's record from its header: the scenario shared with every game that
    differs from it only in its cards, and the game's own cards as the header holds them."""
    raw = orjson.loads(game.header)
    whole = raw["scenario"]
    roles = whole["roles"]
    # Everything but the cards and the briefs (which quote the cards) says which base.
    rest = {**whole, "roles": [{"id": r["id"], "label": r["label"]} for r in roles]}
    base, own = _base(orjson.dumps(rest, option=orjson.OPT_SORT_KEYS), whole)
    players = raw["players"]
    seated = tuple(
        None if "bot" in players[role] else str(players[role]["id"]) for role in base.role_ids
    )
    packed = _packed(base, roles)
    return GameEntry(
        game.id,
        game.round,
        seated,
        base,
        None if packed == own else packed,
        pack_json(game.result or ""),
        practice=practice,
    )


def _packed(base: Scenario, roles: list[dict[str, Any]]) -> bytes:
    """The cards in a header's roles, packed as ``deal.pack_cards`` does (``unpack_cards``
    reads either): straight from the decoded JSON, without building them first."""
    issues = base.issue_ids
    return orjson.dumps([[r["batna"], [r["points"][i] for i in issues]] for r in roles])


_BASES: dict[bytes, tuple[Scenario, bytes]] = {}
_BASES_MAX = 256


def _base(key: bytes, whole: dict[str, Any]) -> tuple[Scenario, bytes]:
    """One scenario object for every stored game whose header differs only in its cards,
    parsed once from the first such header, and its cards packed (that game's own, which
    is why every other game keeps its cards beside it)."""
    found = _BASES.get(key)
    if found is None:
        if len(_BASES) >= _BASES_MAX:
            _BASES.clear()
        base = parse_scenario(whole, "header.scenario")
        found = _BASES[key] = (base, _packed(base, whole["roles"]))
    return found
