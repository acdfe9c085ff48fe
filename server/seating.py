"""Who sits where in a new round: by the facilitator's hand, or by the pairing rules.

Each function turns a session's free players into seatings (role -> player id, ``None``
for a bot); the pairing itself is ``pairing.pair_round`` for both, with a plain
session's order of its rules or a tournament's. A player's history is read from the
session's games and byes, the one record of who played what with whom
(``pairing_history.py``); a large round goes to the worker process, which keeps it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from zopa.rules.scenario import Scenario
from zopa.server.errors import Conflict, Invalid
from zopa.server.pairing import PLAIN, TOURNAMENT, RoundPairing, Rule
from zopa.server.pairing_history import Change, pair_session_round
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
    pairing = await _pair(registry, session, free, index=len(session.rounds), order=PLAIN)
    return seated(pairing, scenario)


async def _pair(
    registry: Registry,
    session: Session,
    players: list[str],
    *,
    index: int,
    order: tuple[Rule, ...],
    scores: dict[str, float] | None = None,
) -> RoundPairing:
    """The session's round ``index`` for ``players``, by its history of games and byes."""

    def seats(game_id: str) -> Change:
        entry = registry.game(game_id)
        assert entry is not None
        return entry.seats

    schedule = session.schedule
    return await pair_session_round(
        players,
        session.rounds,
        session.byes,
        seats,
        lambda: registry.ledger(session),
        scores=scores,
        system="round_robin" if schedule is None else schedule.pairing,
        odd="bot" if schedule is None else schedule.odd,
        index=index,
        seed=secrets.randbits(32),
        order=order,
    )


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
    standing = None
    if schedule.pairing == "swiss":
        played = [entry.played() for _, entry in registry.games_of(session)]
        standing = scores(played, session.byes, list(session.players))
    pairing = await _pair(
        registry, session, here, index=number - 1, order=TOURNAMENT, scores=standing
    )
    return seated(pairing, scenario), [] if pairing.bye is None else [pairing.bye]


def seated(pairing: RoundPairing, scenario: Scenario) -> list[Seating]:
    return [dict(zip(scenario.role_ids, table.seats, strict=True)) for table in pairing.tables]
