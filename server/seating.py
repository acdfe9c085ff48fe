"""Who sits where in a new round: by the facilitator's hand, or by the pairing rules.

Each function turns a session's free players into seatings (role -> player id, ``None``
for a bot); the pairing itself is ``pairing.pair_round`` for both, with a plain
session's order of its rules or a tournament's. A player's history (``pairing.Record``)
is read from the session's games and byes, the one record of who played what with whom.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from typing import Any

from zopa.rules.scenario import Scenario
from zopa.server.errors import Conflict, Invalid
from zopa.server.pairing import EMPTY, PLAIN, TOURNAMENT, Record, RoundPairing, pair_round_async
from zopa.server.records import Session
from zopa.server.registry import Registry
from zopa.server.tournament.report import scores

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


async def plain(registry: Registry, session: Session, scenario: Scenario) -> list[Seating]:
    """A plain session's round: new partners first, then each role as equally as possible."""
    free = free_players(registry, session)
    if not free:
        raise Conflict("no joined player is free to play", "no_players")
    pairing = await pair_round_async(
        free,
        records(registry, session),
        system="round_robin",
        odd="bot",
        index=len(session.rounds),
        seed=secrets.randbits(32),
        order=PLAIN,
    )
    return seated(pairing, scenario)


def records(registry: Registry, session: Session) -> dict[str, Record]:
    """Each player's record so far: roles by index in the order played, partners, sit-outs."""
    found: dict[str, Record] = {}
    for _, entry in registry.games_of(session):
        roles = entry.scenario.role_ids
        for role, player in entry.players.items():
            if player is not None:
                partner = entry.partner_of(role)[1]
                found[player] = found.get(player, EMPTY).after(roles.index(role), partner)
    for byes in session.byes.values():
        for player in byes:
            found[player] = found.get(player, EMPTY).after_bye()
    return found


async def tournament(
    registry: Registry,
    session: Session,
    scenario: Scenario,
    number: int,
    present: Callable[[str], bool],
) -> tuple[list[Seating], list[str]]:
    """A tournament's round by its schedule's rules; the seatings and who has a bye.

    ``present`` leaves out no-shows: players gone longer than the grace period.
    """
    schedule = session.schedule
    assert schedule is not None
    here = [p for p in free_players(registry, session) if present(p)]
    if not here:
        raise Conflict("no joined player is free to play", "no_players")
    history = records(registry, session)
    if schedule.pairing == "swiss":
        played = [entry.played() for _, entry in registry.games_of(session)]
        standing = scores(played, session.byes, list(session.players))
        history = {p: dataclasses.replace(r, score=standing[p]) for p, r in history.items()}
    pairing = await pair_round_async(
        here,
        history,
        system=schedule.pairing,
        odd=schedule.odd,
        index=number - 1,
        seed=secrets.randbits(32),
        order=TOURNAMENT,
    )
    return seated(pairing, scenario), [] if pairing.bye is None else [pairing.bye]


def seated(pairing: RoundPairing, scenario: Scenario) -> list[Seating]:
    return [dict(zip(scenario.role_ids, table.seats, strict=True)) for table in pairing.tables]
