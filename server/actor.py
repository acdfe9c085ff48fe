"""One asyncio task per live game: the only code that changes the game's state.

Socket handlers and facilitator calls put commands on the actor's queue and go back to
their sockets (a player's move reaching an idle actor is taken at once, in the same
way: see ``_take_now``); the actor takes them one at a time, asks ``game_rules`` for the new state
and events, commits the events to storage, and only then hands them out. Deadlines come
from the rules' ``next_deadline``: the actor sleeps on its queue until then and feeds
the timeout in itself. Seats held by bots are played here too, on a slow tick, so a bot
never answers faster than a person could read.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from zopa.rules.actions import Action, Timeout
from zopa.rules.bots import make_bot, seen_by
from zopa.rules.errors import ActionRefused
from zopa.rules.events import Event, event_from_dict
from zopa.rules.log import Header, dumps
from zopa.rules.negotiation import GameState, apply, next_deadline
from zopa.rules.record import record
from zopa.rules.scoring import result
from zopa.rules.status import status
from zopa.server.mailbox import Mailbox
from zopa.server.storage import Storage
from zopa.server.views import ended_message, event_message, sealed, status_change
from zopa.server.wire import Prepared

log = logging.getLogger("zopa.game")

Reply = Callable[[dict[str, Any]], None]  # must not block
Deliver = Callable[[str, Prepared], None]  # (role, message); must not block


@record
class PlayerMove:
    role: str
    action: Action  # parsed by the socket handler, for this role
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


@dataclass(frozen=True, slots=True)
class Wake:
    """Put on the queue by the actor's timer: a deadline may have passed, or a bot may move."""


WAKE = Wake()
Command = PlayerMove | SystemMove | Stop | Wake


class GameActor:
    def __init__(
        self,
        header: Header,
        state: GameState,
        lines: list[str],
        storage: Storage,
        deliver: Deliver,
        on_end: Callable[[GameActor], None],
        bot_tick: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.header = header
        self.state = state
        # The events as their stored JSON lines: strings are invisible to the garbage
        # collector, where a game's Event objects made every sweep walk all history.
        self.lines = lines
        self.result: dict[str, Any] | None = result(state)
        # What is on disk and has been told: a reconnecting player's view is built from
        # this, never from moves still on their way to storage.
        self.durable_state = state
        self.durable = len(lines)
        # The status as the players last had it, whole: the next step is sent as a change.
        self._told = status(state, state.last_at)
        self._unannounced = 0  # records made and not yet durable
        self._storage = storage
        self._deliver = deliver
        self._on_end = on_end
        self._bot_tick = bot_tick
        self._clock = clock
        self._queue: Mailbox[Command] = Mailbox()
        self._task: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_for: float | None = None  # the deadline the timer was set for
        self._parked = False  # the task waits on an empty queue: a move may be taken now
        self._seats: tuple[str, ...] | None = None
        self._bots_seated = False
        self._ids = {"game": header.game, "session": header.extra.get("session")}

    @property
    def game(self) -> str:
        return self.header.game

    def events(self) -> list[Event]:
        """The game's events, decoded: for bots, not for the hot path."""
        return [event_from_dict(orjson.loads(line)) for line in self.lines]

    def durable_events(self) -> list[Event]:
        """The events already on disk and told to the players: for views."""
        return [event_from_dict(orjson.loads(line)) for line in self.lines[: self.durable]]

    @property
    def durable_result(self) -> dict[str, Any] | None:
        return self.result if self.durable_state.ending is not None else None

    @property
    def live(self) -> bool:
        return self.state.ending is None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"game {self.game}")

    def submit(self, command: Command) -> None:
        if self._parked and not self._queue and isinstance(command, PlayerMove):
            self._take_now(command)
        else:
            self._queue.put(command)

    def _take_now(self, move: PlayerMove) -> None:
        """Take a player's move in the caller's turn, as the parked actor would next.

        The actor is waiting with nothing queued, so no other command can come first and
        the move runs to the end without awaiting, exactly as in the actor's task; only
        the hand-over is skipped: a wake-up and a task switch for every move, a visible
        share of the server's time per move under load (docs/performance.md).
        """
        self._parked = False
        try:
            self._step(move)
        except Exception:
            log.exception("the game actor failed", extra=self._ids)
            self._queue.put(Stop())
            return
        if not self.live:
            self._queue.put(Stop())  # the task, still parked, has nothing left to do
            return
        self._arm()
        self._parked = True

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

    def _arm(self) -> None:
        """Keep one timer for the next deadline or bot tick, rearmed only when that changes.

        A timer that feeds the queue, rather than ``wait_for`` on it, spares a task and a
        timeout handle per message, which was most of an actor's cost under load. With a
        bot seated the timer ticks every ``bot_tick``, so deadlines still fall on time
        to within one tick.
        """
        deadline = next_deadline(self.state)
        if self.state.seats is not self._seats:
            # States share their seats until a seat changes hands: looked at once then.
            self._seats = self.state.seats
            self._bots_seated = any(seat.startswith("bot:") for seat in self._seats)
        bots = self._bots_seated
        if self._timer is not None and (bots or self._timer_for == deadline):
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_for = deadline
        waits = [] if deadline is None else [max(0.0, deadline - self._clock())]
        if bots:
            waits.append(self._bot_tick)
        if waits:
            self._timer = asyncio.get_running_loop().call_later(min(waits), self._ring)

    def _ring(self) -> None:
        self._timer = None
        self._queue.put(WAKE)

    async def _run(self) -> None:
        try:
            while self.live:
                self._arm()
                self._parked = True
                try:
                    command = await self._queue.get()
                finally:
                    self._parked = False
                if isinstance(command, Stop):
                    return
                self._step(command)
        except Exception:
            log.exception("the game actor failed", extra=self._ids)
            raise
        finally:
            if self._timer is not None:
                self._timer.cancel()
            self._refuse_waiting()

    def _step(self, command: PlayerMove | SystemMove | Wake) -> None:
        now = self._clock()
        # Each deadline that has passed is a step of its own, as in a replay of the log,
        # so that each step's events carry the status right after that step.
        while (deadline := next_deadline(self.state)) is not None and now >= deadline:
            self._apply(Timeout(), now)
        if isinstance(command, Wake):
            if self.live:
                self._bots(now)
        else:
            self._handle(command, now)

    def _handle(self, command: PlayerMove | SystemMove, now: float) -> None:
        if isinstance(command, SystemMove):
            done = command.done
            try:
                self._apply(command.action, now, lambda: _settle(done))
            except ActionRefused as exc:
                if not done.done():
                    done.set_result(exc.code)
            return
        try:
            if self.state.seats[self.header.scenario.role_ids.index(command.role)] != "player":
                raise ActionRefused(
                    "not_allowed", "a bot holds your seat; reconnect to take it back"
                )
            self._apply(command.action, now)
        except ActionRefused as exc:
            log.info("%s refused: %s", command.role, exc.code, extra=self._ids)
            reply = {"type": "error", "code": exc.code, "message": exc.message}
            if self._unannounced:
                # Behind the events still on their way: the player hears them first.
                self._storage.record(self.game, [], None, lambda ok: command.reply(reply))
            else:
                command.reply(reply)

    def _apply(self, action: Action, now: float, then: Callable[[], object] | None = None) -> None:
        state, events = apply(self.state, action, now)
        self.commit(state, events, then)

    def commit(
        self, state: GameState, events: list[Event], then: Callable[[], object] | None = None
    ) -> None:
        """Adopt the state, store the events, and tell the players once they are on disk.

        The actor goes on with its next move meanwhile; storage keeps records in order,
        so announcements come out in the order of the moves.
        """
        self.state = state
        if not events:
            if then is not None:
                then()
            return
        lines = [orjson.dumps(e.to_dict()).decode() for e in events]
        self.lines.extend(lines)
        ended = state.ending is not None
        if ended:
            self.result = result(state)
        count = len(self.lines)
        self._unannounced += 1

        def announce(ok: bool) -> None:
            self._unannounced -= 1
            if not ok:
                log.error("events not stored; not announced", extra=self._ids)
                return
            self.durable_state, self.durable = state, count
            self._announce(events, state)
            if then is not None:
                then()

        self._storage.record(
            self.game,
            [(e.seq, line) for e, line in zip(events, lines, strict=True)],
            dumps(self.result) if ended and self.result is not None else None,
            announce,
        )

    def _announce(self, events: list[Event], state: GameState) -> None:
        ended = state.ending is not None
        roles = self.header.scenario.role_ids
        # The events of one commit are one step's, all at one time: one status serves,
        # sent as what it changes in the one the players hold (views.status_change).
        public = status(state, events[-1].at)
        change = status_change(self._told, public)
        self._told = public
        for event in events:
            if sealed(event, ended):
                for role in roles:
                    own = event_message(self.game, event, role, ended, change)
                    self._deliver(role, Prepared(own))
            else:
                # Both players see the same event: encode it once for both.
                shared = Prepared(event_message(self.game, event, roles[0], ended, change))
                for role in roles:
                    self._deliver(role, shared)
        if ended:
            assert self.result is not None
            message = Prepared(ended_message(self.game, self.header.scenario, self.result))
            for role in roles:
                self._deliver(role, message)
            log.info("ended: %s", self.result["reason"], extra=self._ids)
            self._on_end(self)

    def _bots(self, now: float) -> None:
        for role, seat in zip(self.header.scenario.role_ids, self.state.seats, strict=True):
            if not seat.startswith("bot:") or not self.live:
                continue
            bot = make_bot(seat.removeprefix("bot:"))
            action = bot.decide(seen_by(self.state, role, self.events(), now))
            if action is None:
                continue
            try:
                self._apply(action, now)
            except ActionRefused as exc:
                log.warning("bot %s refused: %s", seat, exc.message, extra=self._ids)

    def _refuse_waiting(self) -> None:
        while self._queue:
            command = self._queue.take()
            if isinstance(command, SystemMove) and not command.done.done():
                command.done.set_result("game_over")


def _settle(done: asyncio.Future[str | None]) -> None:
    if not done.done():
        done.set_result(None)
