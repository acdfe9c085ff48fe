"""The class debrief of a session (``GET /api/sessions/{code}/debrief``): every ended
game's moves read from its stored log by ``zopa.rules.class_debrief``, and every game
still in play only named.

A game counts as ended once its result is kept (``GameEntry.packed_result``): until then
its log is not read at all, so neither the facilitator's view nor the projector's can
show anything of a game in play. An ended game's moves never change (a teacher's note
adds no tag), so each is read once and kept.
"""

from __future__ import annotations

from typing import Any

from zopa.rules.class_debrief import PairMoves, debrief_json, live_pair, pair_moves
from zopa.rules.errors import LogError
from zopa.rules.log import read_log
from zopa.server.archive import Archive
from zopa.server.errors import Damaged
from zopa.server.records import GameEntry, Session
from zopa.server.registry import Registry

# Ended games whose moves are kept; a workshop's few hundred fit many times over.
MOST_KEPT = 4096


class Debriefs:
    def __init__(self, registry: Registry, archive: Archive) -> None:
        self._registry = registry
        self._archive = archive
        self._ended: dict[str, PairMoves] = {}

    async def session(
        self, session: Session, *, public: bool, round_: int | None = None
    ) -> dict[str, Any]:
        """Every game of the session, or of one round."""
        names = {p.id: p.name for p in session.players.values()}
        pairs: list[PairMoves] = []
        for number, entry in self._registry.games_of(session):
            if round_ is not None and number != round_:
                continue
            if entry.quarantined is not None:
                continue  # its rows do not read back; the board says so
            if entry.packed_result is None:
                roles = entry.base.role_ids
                pairs.append(
                    live_pair(
                        entry.id,
                        number,
                        roles,
                        {role.id: role.label for role in entry.base.roles},
                        {
                            r: "bot" if p is None else names.get(p, p)
                            for r, p in entry.players.items()
                        },
                    )
                )
                continue
            pairs.append(await self._pair(entry))
        return debrief_json(pairs, public=public)

    async def _pair(self, entry: GameEntry) -> PairMoves:
        kept = self._ended.get(entry.id)
        if kept is not None:
            return kept
        lines = await self._archive.game_log(entry.id)
        try:
            found = pair_moves(read_log(lines))
        except LogError as exc:  # only if storage were damaged: say so rather than crash
            raise Damaged(f"the stored log of {entry.id} does not read: {exc}") from exc
        if len(self._ended) >= MOST_KEPT:
            self._ended.clear()
        self._ended[entry.id] = found
        return found
