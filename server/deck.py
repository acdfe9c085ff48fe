"""Cards dealt ahead of a large round, while the class joins or the round before it runs.

Every game deals its own cards (``zopa.rules.deal``), a fraction of a millisecond to a
millisecond or two a game: a round of hundreds of games would spend most of its start
dealing (docs/performance.md). So for a session of ``AHEAD_FROM`` players or more, the
games of its next round are dealt ahead, one deal per turn of the event loop, in idle
time; the round then takes them from here. Each is dealt from a seed of its own drawn
when it is dealt, exactly as a game dealt at the round's start, and its log header holds
the seed and the cards as always: a game replays the same whether its cards were dealt
ahead or not. Smaller sessions deal at the start (a few milliseconds); so does a round
that finds fewer cards here than games, for the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets

from zopa.rules.deal import deal
from zopa.rules.scenario import Scenario

# Sessions with fewer players deal their rounds at the start.
AHEAD_FROM = 100


class _Pile:
    """One session's cards dealt ahead, all for one scenario."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.dealt: list[tuple[int, Scenario]] = []  # (seed, the scenario as dealt)
        self.wanted = 0
        self.task: asyncio.Task[None] | None = None


class Deck:
    def __init__(self) -> None:
        self._piles: dict[str, _Pile] = {}

    def prepare(self, code: str, scenario: Scenario, games: int) -> None:
        """Have ``games`` games' cards of ``scenario`` dealt ahead for session ``code``."""
        if 2 * games < AHEAD_FROM:
            return
        pile = self._piles.get(code)
        if pile is None or not _same(pile.scenario, scenario):
            self.drop(code)
            pile = self._piles[code] = _Pile(scenario)
        pile.wanted = games
        if pile.task is None and len(pile.dealt) < games:
            pile.task = asyncio.create_task(self._deal(pile), name=f"deal ahead {code}")

    async def _deal(self, pile: _Pile) -> None:
        try:
            while len(pile.dealt) < pile.wanted:
                await asyncio.sleep(0)  # one deal per turn: the games in play go first
                seed = secrets.randbits(32)
                pile.dealt.append((seed, deal(pile.scenario, seed)))
        finally:
            pile.task = None

    def take(self, code: str, scenario: Scenario, games: int) -> list[tuple[int, Scenario]]:
        """Up to ``games`` games' seeds and cards dealt ahead for ``scenario``; the rest of
        the round deals its own."""
        pile = self._piles.get(code)
        if pile is None or not _same(pile.scenario, scenario):
            return []
        taken, pile.dealt = pile.dealt[:games], pile.dealt[games:]
        return taken

    def count(self, code: str) -> int:
        """How many games' cards wait for session ``code``."""
        pile = self._piles.get(code)
        return 0 if pile is None else len(pile.dealt)

    async def settled(self, code: str) -> None:
        """Returns once the session's cards being dealt ahead are all dealt."""
        pile = self._piles.get(code)
        if pile is not None and pile.task is not None:
            await asyncio.shield(pile.task)

    def drop(self, code: str) -> None:
        """Let go of a session's cards dealt ahead (its scenario changed, or it is gone)."""
        pile = self._piles.pop(code, None)
        if pile is not None and pile.task is not None:
            pile.task.cancel()

    async def shutdown(self) -> None:
        tasks = [p.task for p in self._piles.values() if p.task is not None]
        self._piles.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _same(dealt_from: Scenario, scenario: Scenario) -> bool:
    # A tournament's library may give an equal scenario rather than the same object.
    return dealt_from is scenario or dealt_from == scenario
