"""A session's pairing history as changes, and large rounds paired where it is kept.

The one record of who played what with whom is a session's games and byes. Pairing reads
it as ``Record``s (``pairing.py``); here it is read as changes, one per game (its seats
in role order, ``None`` for the bot) and one per bye (the player alone), and ``fold``
turns changes into records.

A large round is paired in the worker process (``offload.py``), which keeps each
session's records between rounds: the server sends only the changes since the worker
last heard, the players of the round and, for Swiss, their standings, and gets back
the tables as plain tuples. Sending every player's whole record each round held the
event loop for milliseconds at a time pickling it (docs/performance.md, "Pairing"). A
worker that does not know the session (its first large round, a restarted worker, one
that let it go) answers ``None`` and is sent the whole history once, as changes.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from zopa.server import offload
from zopa.server.pairing import EMPTY, TOURNAMENT, Record, RoundPairing, Rule, Table, pair_round
from zopa.server.tournament.schedule import Odd, Pairing

# A game's seats in role order (None: the bot), or a bye: the player alone.
Change = tuple[str | None, ...]
# Up to this many players a round is paired on the event loop; a larger one goes to the
# worker process (the measurements behind the line: docs/performance.md).
INLINE_UP_TO = 200
# Sessions whose records the worker keeps; one it let go is sent whole again.
KEPT_SESSIONS = 16


def fold(records: Mapping[str, Record], changes: Iterable[Change]) -> dict[str, Record]:
    """``records`` after ``changes``: each player's record built once, however many."""
    roles: dict[str, list[int]] = {}
    partners: dict[str, set[str]] = {}
    sat: dict[str, int] = {}

    def touch(player: str) -> None:
        if player not in roles:
            roles[player], partners[player], sat[player] = [], set(), 0

    for change in changes:
        if len(change) == 1:
            player = change[0]
            assert player is not None
            touch(player)
            sat[player] += 1
            continue
        for role, player in enumerate(change):
            if player is None:
                continue
            touch(player)
            roles[player].append(role)
            partner = change[1 - role]
            if partner is None:
                sat[player] += 1  # a game against the bot is a sit-out, as a bye is
            else:
                partners[player].add(partner)
    folded = dict(records)
    for player, played in roles.items():
        old = records.get(player, EMPTY)
        folded[player] = dataclasses.replace(
            old,
            roles=old.roles + tuple(played),
            partners=old.partners | partners[player] if partners[player] else old.partners,
            sat_out=old.sat_out + sat[player],
        )
    return folded


@dataclass
class Ledger:
    """How far the worker process has heard one session's history.

    ``folded`` counts the games read so far in each round and ``byes`` the rounds whose
    byes were read: a session's rounds and byes only grow, so the changes since are
    what lies past them. ``heard`` is the number of changes the worker holds (-1: none).
    """

    key: str = field(default_factory=lambda: secrets.token_hex(8))
    heard: int = -1
    folded: list[int] = field(default_factory=list)
    byes: set[int] = field(default_factory=set)


def changes_of(
    rounds: Sequence[Sequence[str]],
    byes: Mapping[int, Sequence[str]],
    seats: Callable[[str], Change],
    ledger: Ledger | None = None,
) -> list[Change]:
    """The changes of a session's ``rounds`` (game ids) and ``byes`` (by round number), all
    of them or only those past ``ledger``, whose marks this moves past them."""
    folded = ledger.folded if ledger is not None else []
    read = ledger.byes if ledger is not None else set()
    changes: list[Change] = []
    for number, ids in enumerate(rounds, start=1):
        if number not in read and number in byes:
            changes.extend((player,) for player in byes[number])
            read.add(number)
        done = folded[number - 1] if number <= len(folded) else 0
        changes.extend(seats(game_id) for game_id in ids[done:])
        if number <= len(folded):
            folded[number - 1] = len(ids)
        else:
            folded.append(len(ids))
    return changes


async def pair_session_round(
    players: Sequence[str],
    rounds: Sequence[Sequence[str]],
    byes: Mapping[int, Sequence[str]],
    seats: Callable[[str], Change],
    ledger_of: Callable[[], Ledger],
    *,
    scores: Mapping[str, float] | None = None,
    system: Pairing,
    odd: Odd,
    index: int,
    seed: int,
    order: Sequence[Rule] = TOURNAMENT,
) -> RoundPairing:
    """A session's round: on the event loop when small, else where its history is kept.

    ``scores`` are the players' standings (Swiss); ``ledger_of`` gives the session's own
    ledger, asked for only when the round is large.
    """
    how = {"system": system, "odd": odd, "index": index, "seed": seed, "order": tuple(order)}
    if len(players) <= INLINE_UP_TO:
        history = fold({}, changes_of(rounds, byes, seats))
        if scores is not None:
            history = {
                p: dataclasses.replace(history.get(p, EMPTY), score=scores.get(p, 0.0))
                for p in players
            }
        return pair_round(players, history, **how)  # type: ignore[arg-type]
    standings = None if scores is None else tuple(scores.get(p, 0.0) for p in players)
    ledger = ledger_of()
    heard, ledger.heard = ledger.heard, -1  # until the worker answers: whole next time
    news = changes_of(rounds, byes, seats, ledger)
    answer = None
    if heard >= 0:
        answer = await offload.run(
            pair_kept, ledger.key, heard, news, list(players), standings, **how
        )
    if answer is None:
        everything = changes_of(rounds, byes, seats)
        answer = await offload.run(
            pair_kept, ledger.key, None, everything, list(players), standings, **how
        )
    assert answer is not None, "a whole history is always taken"
    ledger.heard, tables, bye, rules = answer
    return RoundPairing(tuple(Table(t) for t in tables), bye, frozenset(rules))


# ---- in the worker process ----------------------------------------------------------

Answer = tuple[int, tuple[tuple[str | None, str | None], ...], str | None, tuple[Rule, ...]]
_kept: OrderedDict[str, tuple[int, dict[str, Record]]] = OrderedDict()


def pair_kept(
    key: str,
    heard: int | None,
    changes: list[Change],
    players: list[str],
    standings: tuple[float, ...] | None,
    **how: object,
) -> Answer | None:
    """Round ``how`` for ``players`` with the session ``key``'s records after ``changes``,
    the records kept; ``None`` when the records kept are not the ``heard`` the server
    thinks (``heard`` None: ``changes`` are the whole history)."""
    if heard is None:
        version, history = len(changes), fold({}, changes)
    else:
        kept = _kept.get(key)
        if kept is None or kept[0] != heard:
            return None
        version, history = heard + len(changes), fold(kept[1], changes)
    _kept[key] = (version, history)
    _kept.move_to_end(key)
    while len(_kept) > KEPT_SESSIONS:
        _kept.popitem(last=False)
    if standings is not None:
        history = {
            p: dataclasses.replace(history.get(p, EMPTY), score=score)
            for p, score in zip(players, standings, strict=True)
        }
    pairing = pair_round(players, history, **how)  # type: ignore[arg-type]
    tables = tuple((t.seats[0], t.seats[1]) for t in pairing.tables)
    return version, tables, pairing.bye, tuple(pairing.rules)
