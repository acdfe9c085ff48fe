"""Stored game logs: read back whole, and annotated with a teacher's notes."""

from __future__ import annotations

from typing import Any

from zopa.rules.errors import LogError
from zopa.rules.log import dumps, read_log
from zopa.rules.notes import parse_note
from zopa.server.errors import Invalid, NotFound
from zopa.server.storage import Storage


class Archive:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def game_log(self, game_id: str) -> list[str]:
        lines = await self._storage.game_lines(game_id)
        if lines is None:
            raise NotFound(f"no game {game_id!r}", "no_such_game")
        return lines

    async def add_note(self, game_id: str, raw: Any) -> dict[str, Any]:
        """A teacher's note about one event of a game, stored with its log."""
        lines = await self.game_log(game_id)
        if not isinstance(raw, dict):
            raise Invalid("a note is a JSON object")
        try:
            note = parse_note({"type": "note", **raw})
        except LogError as exc:
            raise Invalid(str(exc)) from None
        events = len(read_log(lines).events)
        if note.about > events:
            raise Invalid(f"the game has {events} events; no event {note.about}")
        record = note.to_dict()
        await self._storage.add_note(game_id, dumps(record))
        return record
