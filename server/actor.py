"""One asyncio task per live game: the only code that changes the game's state.

Socket handlers and facilitator calls put commands on the actor's queue and go back to
their sockets; the actor takes them one at a time, asks ``game_rules`` for the new state
and events, commits the events to storage, and only then hands them out. Deadlines come
from the rules' ``next_deadline``: the actor sleeps on its queue until then and feeds
the timeout in itself. Seats held by bots are played here too, on a slow tick, so a bot
never answers faster than a person could read.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from game_rules.actions import Action, parse_action
from game_rules.bots import make_bot, seen_by
from game_rules.errors import ActionRefused
from game_rules.events import Event
from game_rules.log import Header, dumps
from game_rules.negotiation import GameState, advance, apply, next_deadline
from game_rules.scoring import result
from server.storage import Storage
from server.views import ended_message, event_message

log = logging.getLogger("zopa.game")

Reply = Callable[[dict[str, Any]], Awaitable[None]]
Deliver = Callable[[str, dict[str, Any]], Awaitable[None]]  # (role, message)


@dataclass(frozen=True, slots=True)
class PlayerMove:
    role: str
    message: dict[str, Any]
    reply: Reply


def _future() -> asyncio.Future[str | None]:
    return asyncio.get_running_loop().create_future()


@dataclass(frozen=True, slots=True)
class SystemMove:
    action: Action
    # Set once the move is applied (or refused), for callers that wait on it.
    done: asyncio.Future[str | None] = field(default_factory=_future)


@dataclass(frozen=True, slots=True)
class Stop:
    pass


Command = PlayerMove | SystemMove | Stop


class GameActor:
    def __init__(
        self,
        header: Header,
        state: GameState,
        events: list[Event],
        storage: Storage,
        deliver: Deliver,
        on_end: Callable[[GameActor], Awaitable[None]],
        bot_tick: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.header = header
        self.state = state
        self.events = events
        self.result: dict[str, Any] | None = result(state)
        self._storage = storage
        self._deliver = deliver
        self._on_end = on_end
        self._bot_tick = bot_tick
        self._clock = clock
        self._queue: asyncio.Queue[Command] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._ids = {"game": header.game, "session": header.extra.get("session")}

    @property
    def game(self) -> str:
        return self.header.game

    @property
    def live(self) -> bool:
        return self.state.ending is None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"game {self.game}")

    def submit(self, command: Command) -> None:
        self._queue.put_nowait(command)

    async def system(self, action: Action) -> str | None:
        """Apply a server action and wait for it; the refusal code, or ``None`` when applied."""
        move = SystemMove(action)
        if not self.live:
            return "game_over"
        self.submit(move)
        return await move.done

    async def stop(self) -> None:
        if self._task is None:
            return
        self.submit(Stop())
        await self._task
        self._task = None

    def _timeout(self) -> float | None:
        waits = []
        deadline = next_deadline(self.state)
        if deadline is not None:
            waits.append(max(0.0, deadline - self._clock()))
        if any(seat.startswith("bot:") for seat in self.state.seats):
            waits.append(self._bot_tick)
        return min(waits) if waits else None

    async def _run(self) -> None:
        try:
            while self.live:
                try:
                    command: Command | None = await asyncio.wait_for(
                        self._queue.get(), self._timeout()
                    )
                except TimeoutError:
                    command = None
                if isinstance(command, Stop):
                    return
                now = self._clock()
                state, due = advance(self.state, now)
                await self.commit(state, due)
                if command is not None:
                    await self._handle(command, now)
                if command is None and self.live:
                    await self._bots(now)
        except Exception:
            log.exception("the game actor failed", extra=self._ids)
            raise
        finally:
            self._refuse_waiting()

    async def _handle(self, command: PlayerMove | SystemMove, now: float) -> None:
        if isinstance(command, SystemMove):
            try:
                await self._apply(command.action, now)
            except ActionRefused as exc:
                if not command.done.done():
                    command.done.set_result(exc.code)
                return
            if not command.done.done():
                command.done.set_result(None)
            return
        try:
            if self.state.seats[self.header.scenario.role_ids.index(command.role)] != "player":
                raise ActionRefused(
                    "not_allowed", "a bot holds your seat; reconnect to take it back"
                )
            action = parse_action(command.message, command.role)
            await self._apply(action, now)
        except ActionRefused as exc:
            log.info("%s refused: %s", command.role, exc.code, extra=self._ids)
            await command.reply({"type": "error", "code": exc.code, "message": exc.message})

    async def _apply(self, action: Action, now: float) -> None:
        state, events = apply(self.state, action, now)
        await self.commit(state, events)

    async def commit(self, state: GameState, events: list[Event]) -> None:
        """Store the events, adopt the state, then tell the players: never the other way."""
        if not events:
            self.state = state
            return
        await self._storage.append_events(self.game, [(e.seq, dumps(e.to_dict())) for e in events])
        self.state = state
        self.events.extend(events)
        ended = state.ending is not None
        for event in events:
            for role in self.header.scenario.role_ids:
                await self._deliver(role, event_message(self.game, event, role, ended))
        if ended:
            self.result = result(state)
            assert self.result is not None
            await self._storage.end_game(self.game, dumps(self.result))
            message = ended_message(self.game, self.header.scenario, self.result)
            for role in self.header.scenario.role_ids:
                await self._deliver(role, message)
            log.info("ended: %s", self.result["reason"], extra=self._ids)
            await self._on_end(self)

    async def _bots(self, now: float) -> None:
        for role, seat in zip(self.header.scenario.role_ids, self.state.seats, strict=True):
            if not seat.startswith("bot:") or not self.live:
                continue
            bot = make_bot(seat.removeprefix("bot:"))
            action = bot.decide(seen_by(self.state, role, self.events, now))
            if action is None:
                continue
            try:
                await self._apply(action, now)
            except ActionRefused as exc:
                log.warning("bot %s refused: %s", seat, exc.message, extra=self._ids)

    def _refuse_waiting(self) -> None:
        while not self._queue.empty():
            command = self._queue.get_nowait()
            if isinstance(command, SystemMove) and not command.done.done():
                command.done.set_result("game_over")
