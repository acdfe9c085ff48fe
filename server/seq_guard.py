"""A batch of game records checked against each game's stored seqs: what both backends
write, in order, and which records they refuse.

A game's stored seqs never have a gap: a record whose first seq does not follow the
game's last stored one (because a record before it failed) is refused, and nothing of it
is written; nor is a seq stored twice, nor an event after the game's result. The next
seqs of the games a storage loaded or added are kept; a game it does not know (not
loaded, or ended) is looked up in the database first (``unknown``), which costs nothing
while the server records only for its live games. The backends differ only in how they
insert rows, store a result and look a game up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from zopa.server.storage import Snapshot

log = logging.getLogger("zopa.storage")

Rows = list[tuple[str, int, str]]  # (game, seq, line) rows of the events table
# A game's record: the game, its new event rows, its result once it ended, whom to tell.
Record = tuple[str, Rows, str | None, Callable[[bool], None]]
# Each live game's next seq as stored; None in a change: the game ended, forget it.
NextSeq = dict[str, int]
Changes = dict[str, int | None]
# What to write, in order: a list of event rows, or a (game, result) to store.
Step = Rows | tuple[str, str]


def unknown(records: list[Record], stored: NextSeq, changes: Changes) -> list[str]:
    """The games these records add events to whose next seq is not known here: to look up
    (the next seq of each that is live) before ``plan``."""
    games = {game for game, rows, _, _ in records if rows and game not in changes}
    return sorted(game for game in games if game not in stored)


def plan(
    records: list[Record], stored: NextSeq, changes: Changes, found: NextSeq
) -> tuple[list[Step], list[bool]]:
    """The writes for these records, each run of event rows as one step, and which records
    are written. ``changes`` gets each game's next seq as the transaction would leave it;
    ``found`` has the next seq of each ``unknown`` game that is live.

    Event appends are most of the traffic; one insert for all the games that wrote in
    this loop turn costs a fraction of one per game.
    """
    steps: list[Step] = []
    rows: Rows = []
    written = []
    for game_id, game_rows, result, _ in records:
        if game_rows:
            if game_id in changes:
                expected = changes[game_id]
            else:
                expected = stored.get(game_id, found.get(game_id))
            if expected is None or game_rows[0][1] != expected:
                log.warning(
                    "seq %d refused: %s",
                    game_rows[0][1],
                    "the game is not live" if expected is None else f"its next is {expected}",
                    extra={"game": game_id},
                )
                written.append(False)
                continue
            changes[game_id] = game_rows[-1][1] + 1
        rows.extend(game_rows)
        if result is not None:
            # A game's events go in before its result.
            if rows:
                steps.append(rows)
            rows = []
            steps.append((game_id, result))
            changes[game_id] = None
        written.append(True)
    if rows:
        steps.append(rows)
    return steps, written


def settle(changes: Changes, stored: NextSeq) -> None:
    """A transaction committed: its changes to the next seqs become the stored ones."""
    for game, seq in changes.items():
        if seq is None:
            stored.pop(game, None)
        else:
            stored[game] = seq
    changes.clear()


def next_seqs(snapshot: Snapshot) -> NextSeq:
    """Each live game's next seq in loaded sessions: the one after its last event."""
    return {game.id: len(game.events) + 1 for game in snapshot.games if game.result is None}
