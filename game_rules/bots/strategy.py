"""The one thing every strategy does: look at what it has seen and choose a move."""

from __future__ import annotations

from typing import Protocol

from game_rules.actions import Action
from game_rules.bots.seen import Seen


class Bot(Protocol):
    @property
    def name(self) -> str: ...

    def decide(self, seen: Seen) -> Action | None:
        """A player action for ``seen.role``, or ``None`` to wait."""
        ...
