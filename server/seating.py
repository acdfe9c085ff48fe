"""Who sits where in a new round: by the facilitator's hand, or by the pairing rules.

Each function turns a session's free players into seatings (role -> player id, ``None``
for a bot); the pairing itself is ``pairing.pair_players`` for a plain session and
``tournament.pairing.pair_round`` for a tournament. A player's history is read from the
session's games, the one record of who played what with whom.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable
from typing import Any

from zopa.rules.scenario import Scenario
from zopa.server.errors import Conflict, Invalid
from zopa.server.pairing import History, pair_players
from zopa.server.records import Session
from zopa.server.registry import Registry
from zopa.server.tournament.pairing import pair_round
from zopa.server.tournament.report import records

Seating = dict[str, str | None]


def free_players(registry: Registry, session: Session) -> list[str]:
    """The session's players who are not removed and not in a live game, in joining order."""
    return [p.id for p in session.players.values() if registry.is_free(p)]


def by_hand(registry: Registry, session: Session, scenario: Scenario, pairs: Any) -> list[Seating]:
    """The facilitator's pairs ``[[first role, second role], ...]``; null is a bot's seat."""
    if not isinstance(pairs, list) or not pairs:
        raise Invalid("'pairs' must be a list of [player, player] pairs")
    free = set(free_players(registry, session))
    seen: set[str] = set()
    seatings = []
    for pair in pairs:
        if not isinstance(pair, list) or len(pair) != 2 or pair == [None, None]:
            raise Invalid("each pair is [player id, player id], null for the bot")
        for player in pair:
            if player is None:
                continue
            if not isinstance(player, str) or player not in free:
                raise Conflict(
                    f"{player!r} is not a player of this session free to play", "not_free"
                )
            if player in seen:
                raise Invalid(f"{player!r} is in two pairs")
            seen.add(player)
        seatings.append(dict(zip(scenario.role_ids, pair, strict=True)))
    return seatings


def plain(registry: Registry, session: Session, scenario: Scenario) -> list[Seating]:
    """A plain session's round: new partners first, then each role as equally as possible."""
    free = free_players(registry, session)
    if not free:
        raise Conflict("no joined player is free to play", "no_players")
    history = histories(registry, session)
    found = pair_players(free, history, scenario.role_ids, secrets.randbits(32))
    return [dict(pair.seats) for pair in found]


def histories(registry: Registry, session: Session) -> dict[str, History]:
    roles: dict[str, Counter[str]] = {}
    partners: dict[str, set[str]] = {}
    for _, entry in registry.games_of(session):
        for role, player in entry.players.items():
            if player is None:
                continue
            roles.setdefault(player, Counter())[role] += 1
            partner = entry.partner_of(role)[1]
            if partner is not None:
                partners.setdefault(player, set()).add(partner)
    return {p: History(dict(roles[p]), frozenset(partners.get(p, ()))) for p in roles}


def tournament(
    registry: Registry,
    session: Session,
    scenario: Scenario,
    number: int,
    present: Callable[[str], bool],
) -> tuple[list[Seating], list[str]]:
    """A tournament's round by its schedule's rules; the seatings and who has a bye.

    ``present`` leaves out no-shows: players gone longer than the grace period.
    """
    assert session.schedule is not None
    here = [p for p in free_players(registry, session) if present(p)]
    if not here:
        raise Conflict("no joined player is free to play", "no_players")
    played = [entry.played() for _, entry in registry.games_of(session)]
    pairing = pair_round(
        here,
        records(played, session.byes, list(session.players)),
        system=session.schedule.pairing,
        odd=session.schedule.odd,
        index=number - 1,
        seed=secrets.randbits(32),
    )
    roles = scenario.role_ids
    seatings = [dict(zip(roles, table.seats, strict=True)) for table in pairing.tables]
    return seatings, [] if pairing.bye is None else [pairing.bye]
