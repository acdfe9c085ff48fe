"""One asyncio task per live game: the only code that reads or changes the game's state.

Socket handlers and facilitator calls put commands on the actor's queue and go back to
their sockets (a player's move reaching an idle actor is taken at once, in the same
way: see ``_take_now``); the actor takes them one at a time, asks ``game_rules`` for the
new state and events, commits the events to storage, and only then hands them to its
players through the hub. Deadlines come from the rules' ``next_deadline``: the actor
sleeps on its queue until then and feeds the timeout in itself. Seats held by bots are
played here too, on a slow tick, so a bot never answers faster than a person could read.

Everyone else sees the game as it is on disk and has been told (``told.py``): the
players' views (``view``), the facilitator's summary (``summary``), whether it is still
``live`` and its result. Presence is part of that picture: the partner is told when a
player leaves or comes back, and a view built after a reload says so too. The timer
for deadlines and bot ticks is ``alarm.py``'s.

The game's state never runs ahead of storage for long: when a record fails (a full
disk, a read-only file), the actor goes back to the last durable state, drops the
events not stored, refuses the moves behind them with ``storage_unavailable`` and stops
taking moves (``_lost``). It then tries storage again after growing pauses and resumes
by itself once a write works (``_wait_out``). The game's clock stands still meanwhile,
as in a facilitator's pause: the log gets a ``pause`` when the first lost move was made
and a ``resume`` when storage came back, so no deadline falls in the outage and none is
invented or lost (docs/protocol.md).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import orjson

from zopa.rules.actions import Action, Pause, Resume, Seat, Timeout
from zopa.rules.errors import ActionRefused
from zopa.rules.events import Event
from zopa.rules.log import Header, dumps
from zopa.rules.negotiation import GameState, apply, next_deadline
from zopa.rules.scoring import result
from zopa.rules.stuck import board
from zopa.server.alarm import Alarm
from zopa.server.board_watch import OfferLines
from zopa.server.errors import Unavailable
from zopa.server.mailbox import Mailbox
from zopa.server.moves import (
    UNAVAILABLE,
    WAKE,
    Command,
    Move,
    PlayerMove,
    Stop,
    SystemMove,
    Wake,
    refusal,
    refuse,
    settle,
)
from zopa.server.seated_bots import bot_moves
from zopa.server.storage import Storage
from zopa.server.told import Audience, Told

log = logging.getLogger("zopa.game")

# Pauses between tries at storage while it fails: doubling from the first to the last.
FIRST_RETRY = 0.5
LAST_RETRY = 5.0


class GameActor:
    def __init__(
        self,
        header: Header,
        state: GameState,
        lines: list[str],
        storage: Storage,
        audience: Audience,
        on_change: Callable[[GameActor], None],
        bot_tick: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.header = header
        self._state = state
        # The events as their stored JSON lines: strings are invisible to the garbage
        # collector, where a game's Event objects made every sweep walk all history.
        self._lines = lines
        # What is on disk and has been told: every view is built from it, never from
        # moves still on their way to storage.
        self._told = Told(header, state, len(lines), audience, clock)
        self._unannounced = 0  # records made and not yet durable
        # Bumped at each return to the durable state: records made before it are void.
        self._epoch = 0
        self._retry = FIRST_RETRY  # the pause before the next try while storage fails
        self._storage = storage
        self._on_change = on_change
        self._clock = clock
        self._queue: Mailbox[Command] = Mailbox()
        self._alarm = Alarm(self._ring, bot_tick, clock)
        self._task: asyncio.Task[None] | None = None
        self._parked = False  # the task waits on an empty queue: a move may be taken now
        self._ids = {"game": header.game, "session": header.extra.get("session")}
        self._offer_lines = OfferLines(header.scenario)  # for the board's flags

    @property
    def game(self) -> str:
        return self.header.game

    # ---- the game as told: for everyone else ------------------------------------------

    @property
    def live(self) -> bool:
        """Not over, as far as the players have been told."""
        return self._told.live

    @property
    def result_json(self) -> str | None:
        """The result as stored, once the players have been told the game is over."""
        return self._told.result_json

    def view(self, role: str) -> dict[str, Any]:
        """What ``role``'s player sees on connecting: durable events, status and presence."""
        return self._told.view(role, self._lines)

    def missed(self, role: str, since: int) -> list[dict[str, Any]]:
        """The event messages after ``since`` for ``role`` coming back, with their statuses."""
        return self._told.missed(role, since, self._lines)

    def summary(self) -> dict[str, Any]:
        """The facilitator's line for this game, from the same durable state as the views,
        with the board's flags for a stuck pair and the mediator's seat (game_rules/stuck.py)."""
        told = self._told
        flags = board(told.state, self._offer_lines.watch(self._lines, told.events), told.at())
        return {**told.summary(), **flags, "mediator": told.state.mediator}

    def told_events(self) -> list[Event]:
        """The events on disk and told, as everyone else sees the game (the mediator)."""
        return self._told.told_events(self._lines)

    @property
    def _outage(self) -> float | None:
        """While storage fails, when the game's clock stopped (the first lost move)."""
        return self._told.stopped_at

    async def presence(self, role: str, connected: bool, grace_ends: float | None) -> None:
        """``role``'s player left (a bot may sit in from ``grace_ends``) or is back.

        The partner is told at once; a player who is back takes their seat back from
        the bot holding it.
        """
        self._told.presence(role, connected, grace_ends)
        index = self.header.scenario.role_ids.index(role)
        if connected and self._playing and self._state.seats[index] != "player":
            await self.system(Seat(role, "player"))

    async def catch_up(self, last_alive: float | None, now: float) -> None:
        """After a restart: honour the deadlines that fell while down, skip the time down.

        Returns once all of it is durable (or storage failed, and the game waits for it),
        so ``live`` and the views are current.
        """
        if not self._told.live:
            # The end was logged but the crash came before its result was stored.
            ended = self._told.result_json
            assert ended is not None
            await self._storage.end_game(self.game, ended)
            self._on_change(self)
            return
        self._downtime(max(last_alive or 0.0, self._state.last_at), now)
        stored: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._storage.record(self.game, [], None, stored.set_result)
        await stored

    # ---- taking moves ------------------------------------------------------------------

    @property
    def _playing(self) -> bool:
        """Not over in the actor's own state, which may be ahead of what was told."""
        return self._state.ending is None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"game {self.game}")

    def submit(self, command: Command) -> None:
        if isinstance(command, PlayerMove) and not self._playing:
            command.reply(refusal("game_over"))
        elif isinstance(command, PlayerMove | SystemMove) and self._outage is not None:
            refuse(command)
        elif self._parked and not self._queue and isinstance(command, PlayerMove):
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
        self._arm()
        self._parked = True

    async def system(self, action: Action) -> str | None:
        """Apply a server action and wait for it; the refusal code, or ``None`` when applied."""
        if not self._playing:
            return "game_over"
        if self._outage is not None:
            return UNAVAILABLE
        move = SystemMove(action)
        self.submit(move)
        return await move.done

    async def stop(self) -> None:
        if self._task is None:
            return
        self.submit(Stop())
        await self._task
        self._task = None

    def _arm(self) -> None:
        if self._playing:  # else the end is on its way to storage: nothing falls due
            self._alarm.arm(self._state)

    def _ring(self) -> None:
        self._queue.put(WAKE)

    async def _run(self) -> None:
        """Take commands until the players have been told the game is over (or ``stop``).

        A game whose end is still on its way to storage is not over yet: if that record
        fails, the game goes back to its durable state and goes on.
        """
        try:
            while self.live:
                if self._outage is not None:
                    if not await self._wait_out():
                        return
                    continue
                self._arm()
                self._parked = True
                try:
                    command = await self._queue.get()
                finally:
                    self._parked = False
                if isinstance(command, Stop):
                    return
                if self._outage is not None:
                    refuse(command)  # storage failed while the actor waited
                    continue
                self._step(command)
        except Exception:
            log.exception("the game actor failed", extra=self._ids)
            raise
        finally:
            self._alarm.cancel()
            self._refuse_waiting()

    def _step(self, command: PlayerMove | SystemMove | Wake) -> None:
        now = self._clock()
        if not self._playing:
            # The end is on its way to storage; a move taken meanwhile is too late.
            refuse(command, "game_over")
            return
        self._time_out(now)
        if isinstance(command, Wake):
            if self._playing:
                self._bots(now)
        else:
            self._handle(command, now)

    def _time_out(self, now: float) -> None:
        """Take each deadline that has passed by ``now`` as a step of its own, as a replay
        of the log does, so that each step's events carry the status right after it."""
        while (deadline := next_deadline(self._state)) is not None and now >= deadline:
            self._apply(Timeout(), now)

    def _downtime(self, since: float, now: float) -> None:
        """A time the game could not run (the server down, or storage failing) left off
        its clock: the deadlines that fell before ``since`` taken when they fell, then a
        ``pause`` at ``since`` and a ``resume`` now, unless the game is already paused (a
        facilitator's pause keeps its own resume). Each is a step and a record of its own,
        as in a replay of the log."""
        self._time_out(since)
        if self._playing and not self._state.paused:
            self._commit(*apply(self._state, Pause(), since))
            self._commit(*apply(self._state, Resume(), now))

    def _handle(self, command: PlayerMove | SystemMove, now: float) -> None:
        if isinstance(command, SystemMove):
            try:
                self._apply(command.action, now, command)
            except ActionRefused as exc:
                settle(command.done, exc.code)
            return
        try:
            if self._state.seats[self.header.scenario.role_ids.index(command.role)] != "player":
                raise ActionRefused(
                    "not_allowed", "a bot holds your seat; reconnect to take it back"
                )
            self._apply(command.action, now, command)
        except ActionRefused as exc:
            log.debug("%s refused: %s", command.role, exc.code, extra=self._ids)
            reply = {"type": "error", "code": exc.code, "message": exc.message}
            if self._unannounced:
                # Behind the events still on their way: the player hears them first.
                self._storage.record(self.game, [], None, lambda ok: command.reply(reply))
            else:
                command.reply(reply)

    def _apply(self, action: Action, now: float, move: Move | None = None) -> None:
        state, events = apply(self._state, action, now)
        self._commit(state, events, move)

    def _commit(self, state: GameState, events: list[Event], move: Move | None = None) -> None:
        """Adopt the state, store the events, and tell the players once they are on disk.

        The actor goes on with its next move meanwhile; storage keeps records in order,
        so announcements come out in the order of the moves. The ``move`` that made
        the events is refused with ``storage_unavailable`` if they are lost; a system
        move's caller also hears once they are announced.
        """
        self._state = state
        if not events:
            if isinstance(move, SystemMove):
                settle(move.done, None)
            return
        lines = [orjson.dumps(e.to_dict()).decode() for e in events]
        self._lines.extend(lines)
        ended = None if state.ending is None else result(state)
        count = len(self._lines)
        self._unannounced += 1
        epoch = self._epoch

        def announce(ok: bool) -> None:
            self._unannounced -= 1
            if not ok:
                if epoch == self._epoch:
                    self._lost(events[0].at)
                if move is not None:
                    refuse(move)
                return
            if epoch != self._epoch:
                # Storage refuses a record that does not follow the stored seqs, so a
                # record made before a failure can never be stored after it.
                log.error("a void record was stored", extra=self._ids)
                return
            self._told.announce(state, count, events, ended)
            if ended is not None:
                log.debug("ended: %s", ended["reason"], extra=self._ids)
            self._on_change(self)
            if isinstance(move, SystemMove):
                settle(move.done, None)
            if ended is not None:
                self._queue.put(WAKE)  # the task has nothing left to do: let it see so

        self._storage.record(
            self.game,
            [(e.seq, line) for e, line in zip(events, lines, strict=True)],
            None if ended is None else dumps(ended),
            announce,
        )

    def _bots(self, now: float) -> None:
        for seat, action in bot_moves(self._state, self._lines, now):
            if not self._playing:
                return
            try:
                self._apply(action, now)
            except ActionRefused as exc:
                log.warning("bot %s refused: %s", seat, exc.message, extra=self._ids)

    def _refuse_waiting(self) -> None:
        while self._queue:
            refuse(self._queue.take(), "game_over")

    # ---- when storage fails ----------------------------------------------------------

    def _lost(self, since: float) -> None:
        """A record failed: back to the durable state, and no moves until storage works.

        Every record made after it fails too (storage refuses what would leave a gap),
        and each tells its own sender; this drops their events and state at once.
        """
        self._epoch += 1
        self._state = self._told.state
        del self._lines[self._told.events :]
        if self._outage is not None:
            return  # a try at resuming failed: still out
        self._retry = FIRST_RETRY
        log.warning("storage failed: the game takes no moves until it works", extra=self._ids)
        # Both players and the facilitators hear that the game stopped.
        self._told.storage(max(since, self._state.last_at))
        self._on_change(self)
        self._alarm.cancel()
        # Refuse what waits in the queue, and let a parked task go round into _wait_out.
        self._queue.put(WAKE)

    async def _wait_out(self) -> bool:
        """Refuse moves, and try storage after growing pauses until the game is stored again.

        ``False`` if told to stop meanwhile. Coming back stores what the outage means for
        the game (``_downtime``: the deadlines that fell before it began, a ``pause``
        when it began and a ``resume`` now), and the seat of a player who came back
        meanwhile; all of it in one commit, as records made in one turn are.
        """
        loop = asyncio.get_running_loop()
        while self._outage is not None:
            self._alarm.after(self._retry)
            command = await self._queue.get()
            if isinstance(command, Stop):
                return False
            if not isinstance(command, Wake):
                refuse(command)
                continue
            if self._alarm.set:
                continue  # the wake-up _lost sent, not the timer's
            self._retry = min(self._retry * 2, LAST_RETRY)
            now = self._clock()
            try:
                await self._storage.heartbeat(now)
            except Unavailable:
                continue
            epoch = self._epoch
            self._downtime(self._outage, now)
            for role, seat in zip(self.header.scenario.role_ids, self._state.seats, strict=True):
                if self._told.connected(role) and seat != "player" and self._playing:
                    self._apply(Seat(role, "player"), now)
            stored: asyncio.Future[bool] = loop.create_future()
            self._storage.record(self.game, [], None, stored.set_result)
            await stored
            # A record that failed went back to the durable state, and so bumped the epoch.
            if self._epoch == epoch:
                log.info("storage works again: the game goes on", extra=self._ids)
                self._told.storage(None)
                self._on_change(self)
        return True
