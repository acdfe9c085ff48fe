"""A game whose records fail goes back to what is stored, refuses moves, and resumes.

In process, on each backend (a real SQLite file, a real PostgreSQL): ``Failing`` makes a
game's records fail as a full disk would (later, on the loop, in order with the records
before them), while the records made behind a failed one still reach the real storage,
which must refuse them rather than store a gap. The faults themselves, for real, are in
test_storage_faults.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from tests.backends import database_fixture  # noqa: F401
from zopa.rules.actions import Chat, Offer
from zopa.rules.library import builtin
from zopa.rules.log import GameLog, Header, read_log, replay
from zopa.rules.negotiation import seconds_left, start
from zopa.server.actor import GameActor
from zopa.server.errors import Unavailable
from zopa.server.moves import PlayerMove
from zopa.server.storage import GameRow, SessionRow, Storage
from zopa.server.storage_open import storage_for
from zopa.server.wire import Prepared


class Failing:
    """The real storage, except that while ``failing`` a record fails and writes nothing."""

    def __init__(self, real: Storage) -> None:
        self.real = real
        self.health = real.health
        self.failing = False

    def record(
        self, game: str, events: list[tuple[int, str]], result: str | None, then: Any
    ) -> None:
        if self.failing:
            self.real.record(game, [], None, lambda ok: then(False))
        else:
            self.real.record(game, events, result, then)

    async def heartbeat(self, now: float) -> None:
        if self.failing:
            raise Unavailable("storage is failing: database or disk is full")
        await self.real.heartbeat(now)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class Players:
    """The hub's part: every message each player is sent, decoded."""

    def __init__(self) -> None:
        self.heard: dict[str, list[dict[str, Any]]] = {"seller": [], "buyer": []}
        self.changed = asyncio.Event()

    def to_player(self, player: str, message: dict[str, Any] | Prepared) -> None:
        decoded = orjson.loads(message.encoded(False)) if isinstance(message, Prepared) else message
        self.heard[player].append(decoded)
        self.changed.set()

    async def until(self, player: str, wanted: Callable[[dict[str, Any]], bool]) -> None:
        async with asyncio.timeout(10):
            while not any(wanted(m) for m in self.heard[player]):
                self.changed.clear()
                await self.changed.wait()

    def events(self, player: str) -> list[dict[str, Any]]:
        return [m for m in self.heard[player] if m["type"] == "event"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_moves_behind_a_failed_record_are_refused_and_the_game_resumes_with_no_gap(
    database: str,
) -> None:
    real = storage_for(database, 0.0)
    await real.open()
    storage = Failing(real)
    scenario = builtin("guitar")
    clock = Clock()
    header = Header("G", scenario, {r: {"id": r} for r in scenario.role_ids}, 1, clock.now, {})
    await real.add_session(SessionRow("S", "guitar", None, clock.now))
    await real.add_games([GameRow("G", "S", 1, orjson.dumps(header.to_dict()).decode())])
    state = start(scenario, 1, clock.now)
    players = Players()
    actor = GameActor(header, state, [], storage, players, lambda _: None, clock=clock)
    actor.start()
    await asyncio.sleep(0)
    replies: dict[str, list[dict[str, Any]]] = {"first": [], "second": [], "third": []}

    def move(name: str, role: str, text: str) -> None:
        actor.submit(PlayerMove(role, Chat(role, text), replies[name].append))

    clock.now += 10
    move("first", "seller", "stored")
    await players.until("buyer", lambda m: m["type"] == "event")
    left_before = seconds_left(state, clock.now)

    # The first record fails; the two made behind it, in the same turn, reach storage.
    clock.now += 5
    storage.failing = True
    move("second", "seller", "lost")
    storage.failing = False
    move("third", "buyer", "behind the lost one")
    await players.until("buyer", lambda m: m["type"] == "storage")
    # Every sender is told; nobody hears of a move that was not stored.
    for name in ("second", "third"):
        async with asyncio.timeout(5):
            while not replies[name]:
                await asyncio.sleep(0.01)
        assert replies[name] == [
            {"type": "error", "code": "storage_unavailable", "message": replies[name][0]["message"]}
        ]
    assert actor.view("buyer")["storage_available"] is False
    assert actor.summary()["storage_available"] is False
    # While out, moves are refused at once and nothing is applied.
    storage.failing = True
    refused: list[dict[str, Any]] = []
    actor.submit(PlayerMove("seller", Offer("seller", {"price": 3}), refused.append))
    assert refused[0]["code"] == "storage_unavailable"
    clock.now += 30  # the outage lasts; the clock must not run meanwhile

    storage.failing = False
    await players.until("seller", lambda m: m["type"] == "storage" and m["available"])
    move("first", "buyer", "after")
    await players.until("seller", lambda m: m["type"] == "event" and m["seq"] == 4)
    await actor.stop()

    lines = await real.game_lines("G")
    await real.close()
    assert lines is not None
    log = read_log(lines)
    stored = [(e.seq, e.type) for e in log.events]
    assert stored == [(1, "chat"), (2, "pause"), (3, "resume"), (4, "chat")]
    for role in ("seller", "buyer"):
        heard = [(m["seq"], m["event"]["type"]) for m in players.events(role)]
        assert heard == stored
    # Paused when the lost move was made, resumed when storage came back: no time ran.
    pause, resume = log.events[1], log.events[2]
    assert pause.at == 1015.0 and resume.at == 1045.0
    after = replay(GameLog(log.header, log.events))
    assert seconds_left(after, 1045.0) == pytest.approx(left_before - 5)
