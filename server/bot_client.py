"""Bots as real players of a live session (``zopa bots join``).

Each bot joins like a person (``POST /api/sessions/{code}/players``), opens the
websocket, says hello with its token and plays every game it is given, with a strategy
from ``zopa.rules.bots`` or anyone's agent (``agent_loader``, docs/agents.md). It sees
exactly what a person's browser sees: the view of its game (its own card only) and the
events that follow, from which it keeps its own copy of the game (``bot_table.Table``).
The strategy then gets the same ``Seen`` as a bot seated by the server, and decides the
same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgpack
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from zopa.rules.actions import Action, action_fields
from zopa.rules.bots import Bot, Planner
from zopa.rules.bots.negotiator import Wait, tuned
from zopa.rules.bots.seen import Seen
from zopa.rules.errors import RulesError
from zopa.rules.events import event_from_dict
from zopa.server.agent_guard import MOVE_LIMIT, per_game
from zopa.server.agent_loader import AgentError, load_agent
from zopa.server.bot_table import Table
from zopa.server.errors import ServerError
from zopa.server.wire import MSGPACK

log = logging.getLogger("zopa.bots")

# A bot that is not a Planner says nothing of when to ask again: ask it every second,
# as the server does. A Planner is asked again after at most this long all the same,
# so that a clock estimate a little off never leaves it asleep.
_TICK = 1.0
_LONGEST_SLEEP = 5.0
# After sending a move, wait this long for the server's event (or error) before moving again.
_ANSWER_SECONDS = 5.0
_RECONNECT_SECONDS = 1.0
_AFTER_ERROR_SECONDS = 1.0
# Going away (1001, a restart), abnormal closure (1006), server errors and restarts:
# the session is still there, so the bot comes back.
_COME_BACK = (1001, 1006, 1011, 1012, None)

Report = Callable[[str], None]


def message_of(action: Action) -> dict[str, Any]:
    """An action as the websocket takes it."""
    return {"type": action.kind, **action_fields(action)}


def join_player(base: str, code: str, name: str) -> tuple[str, str]:
    """Join a session like a person does; the player id and token."""
    request = urllib.request.Request(
        f"{base}/api/sessions/{code}/players",
        data=json.dumps({"name": name}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = json.loads(answer.read())
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")
        raise BotError(f"joining {code} failed ({error.code}): {detail}") from error
    except urllib.error.URLError as error:
        raise BotError(f"cannot reach {base}: {error.reason}") from error
    return str(body["player"]), str(body["token"])


class BotError(ServerError):
    """A bot cannot join or stay in its session."""


@dataclass
class GameOutcome:
    game: str
    role: str
    result: dict[str, Any]


@dataclass
class BotPlayer:
    """One bot in one session, playing game after game."""

    base: str
    code: str
    name: str
    bot: Bot
    binary: bool = False
    rounds: int | None = None
    report: Report = print
    clock: Callable[[], float] = time.time  # wall-clock seconds; tests pass a virtual one
    outcomes: list[GameOutcome] = field(default_factory=list)
    refused: int = 0
    player: str = ""
    token: str = ""
    table: Table | None = None
    # The game we played before the current one, while its end is still to come: after a
    # reconnect across rounds the server sends the new game's view, then the old one's end.
    earlier: Table | None = None
    _waiting_since: float | None = None  # when our last move was sent, until it is answered

    @property
    def done(self) -> bool:
        return self.rounds is not None and len(self.outcomes) >= self.rounds

    async def join(self) -> None:
        self.player, self.token = await asyncio.to_thread(
            join_player, self.base, self.code, self.name
        )

    async def play(self) -> None:
        """Play until done, coming back whenever the server goes away and returns."""
        while not self.done:
            try:
                await self._session()
            except ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd is not None else None
                if code not in _COME_BACK:
                    raise BotError(
                        f"{self.name}: the server closed the socket ({code})"
                    ) from closed
                self.report(f"{self.name}: disconnected ({code}); reconnecting")
            except (OSError, InvalidHandshake):
                pass  # not listening yet (restarting): try again in a moment
            else:
                continue
            # The server resumes every game from its log when it is back; give it a moment.
            await asyncio.sleep(_RECONNECT_SECONDS)

    async def _session(self) -> None:
        subprotocols = [MSGPACK] if self.binary else None
        async with websockets.connect(
            _ws_url(self.base),
            subprotocols=subprotocols,  # type: ignore[arg-type]
            compression=None,
            max_size=2**22,
        ) as socket:
            await self._send(socket, self._hello())
            while not self.done:
                timeout = self._timeout()
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for loses a
                # cancellation that lands as the frame arrives, and the bot, told to stop,
                # would go on waiting for frames that never come (a hung test showed it).
                try:
                    async with asyncio.timeout(timeout):
                        frame = await socket.recv()
                except TimeoutError:
                    frame = None
                if frame is not None:
                    self._receive(_decode(frame))
                if self.done:
                    return
                await self._move(socket)

    def _hello(self) -> dict[str, Any]:
        """The hello; with a game, where we left off in it (docs/protocol.md)."""
        hello: dict[str, Any] = {"type": "hello", "token": self.token}
        table = self.table
        if table is not None:
            hello["game"] = table.game
            hello["since"] = table.events[-1].seq if table.events else 0
        return hello

    def _receive(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        now = self.clock()
        if kind in ("welcome", "game"):
            view = message.get("game") if kind == "welcome" else message
            table = self.table
            if view and "since" in view and table is not None and view["game"] == table.game:
                # We go on from our own copy: the events we missed follow, then any end.
                self._waiting_since = None
            elif view and "result" in view:
                # Our game ended while we were away: no "ended" message will follow.
                self._finish(view["game"], view.get("result"))
            elif view:
                if table is not None and not table.over and table.game != view["game"]:
                    self.earlier = table
                self.table = Table(view, now)
                self._waiting_since = None
        elif kind == "event":
            table = self.table
            if table is not None and message.get("game") == table.game:
                event = event_from_dict({"seq": message["seq"], **message["event"]})
                table.hear(event, now)
                if event.by == table.role:
                    self._waiting_since = None
        elif kind == "ended":
            self._finish(message.get("game"), message.get("result"))
        elif kind == "error":
            self.refused += 1
            # Think again after a moment, not at once: a move refused now would likely be
            # refused again, and a bot repeating it would soon be over the message rate.
            self._waiting_since = now - _ANSWER_SECONDS + _AFTER_ERROR_SECONDS
            log.warning("%s: refused: %s", self.name, message.get("message"))

    def _finish(self, game: Any, result: Any) -> None:
        for table in (self.table, self.earlier):
            if table is not None and game == table.game and isinstance(result, dict):
                self.outcomes.append(GameOutcome(table.game, table.role, result))
                self.report(_describe(self.name, table.role, result))
                if table is self.table:
                    self.table = None
                else:
                    self.earlier = None
                return

    async def _move(self, socket: ClientConnection) -> None:
        table = self.table
        if table is None or table.over or table.broken:
            return
        now = self.clock()
        if self._waiting_since is not None and now - self._waiting_since < _ANSWER_SECONDS:
            return
        if table.reading:
            # A bot needs no reading time (zopa.rules.reading): ready at once.
            self._waiting_since = now
            await self._send(socket, {"type": "ready"})
            return
        if table.state.reading:
            return  # waiting for the other side to be ready, or the reading to end
        seen = table.seen(now)
        action = _decide(self.bot, seen)
        if action is None:
            return
        self._waiting_since = now
        await self._send(socket, message_of(action))

    def _timeout(self) -> float:
        table = self.table
        if table is None or table.over or table.broken:
            return _LONGEST_SLEEP
        now = self.clock()
        if self._waiting_since is not None:
            return max(0.05, self._waiting_since + _ANSWER_SECONDS - now)
        if not isinstance(self.bot, Planner) or table.state.reading:
            return _TICK
        plan = self.bot.plan(table.seen(now))
        if not isinstance(plan, Wait):
            return 0.0
        wake = plan.until - table.offset
        return min(_LONGEST_SLEEP, max(0.02, wake - now))

    async def _send(self, socket: ClientConnection, message: dict[str, Any]) -> None:
        if self.binary:
            await socket.send(msgpack.packb(message, use_bin_type=True))
        else:
            await socket.send(json.dumps(message))


def _decide(bot: Bot, seen: Seen) -> Action | None:
    try:
        return bot.decide(seen)
    except RulesError:
        log.exception("the strategy failed")
        return None


def _decode(frame: str | bytes) -> dict[str, Any]:
    message: Any = (
        msgpack.unpackb(frame, raw=False) if isinstance(frame, bytes) else json.loads(frame)
    )
    return message if isinstance(message, dict) else {}


def _ws_url(base: str) -> str:
    if base.startswith(("ws://", "wss://")):
        return base.rstrip("/") + ("" if base.rstrip("/").endswith("/ws") else "/ws")
    return "ws" + base.removeprefix("http").rstrip("/") + "/ws"


def _describe(name: str, role: str, result: Mapping[str, Any]) -> str:
    points = result["points"][role]
    batna = result["batna"][role]
    return (
        f"{name} as {role}: {result['outcome']} ({result['reason']}), "
        f"{points} points (BATNA {batna})"
    )


def base_url(url: str) -> str:
    """The server's HTTP address from what a person would type: with or without a scheme."""
    url = url.rstrip("/")
    if url.startswith(("ws://", "wss://")):
        url = "http" + url.removeprefix("ws")
        url = url.removesuffix("/ws")
    if not url.startswith(("http://", "https://")):
        url = "http://" + url
    return url


async def run_bots(
    url: str,
    code: str,
    count: int,
    strategy: str,
    binary: bool = False,
    rounds: int | None = None,
    think: float | None = None,
    report: Report = print,
    clock: Callable[[], float] = time.time,
    move_limit: float = MOVE_LIMIT,
) -> list[BotPlayer]:
    """Join ``count`` bots and play until each has finished ``rounds`` games (or forever).

    ``strategy`` is a built-in strategy's name or an agent's reference (``path.py:Class``,
    ``module:Class``): such an agent plays each game afresh and guarded, and walks out
    of a game in which it raises or overruns ``move_limit`` (``agent_guard.PerGame``).
    """
    try:
        entrant = load_agent(strategy)
    except AgentError as exc:
        raise BotError(exc.message) from exc
    base = base_url(url)
    players = []
    for n in range(count):
        name = f"{entrant.name} bot {n + 1}"[:40]
        bot: Bot = tuned(entrant.make(), think=think)
        if not entrant.builtin:

            def make(make: Callable[[], Bot] = entrant.make) -> Bot:
                return tuned(make(), think=think)

            def fault(reason: str, name: str = name) -> None:
                report(f"{name}: forfeited ({reason}); walking out")

            bot = per_game(entrant.name, make, move_limit, fault)
        players.append(BotPlayer(base, code, name, bot, binary, rounds, report, clock))
    # Joining errors (no such session, no server) are the command's; once joined, a bot
    # that cannot go on (removed by the facilitator) stops alone.
    await asyncio.gather(*(p.join() for p in players))

    async def play(player: BotPlayer) -> None:
        try:
            await player.play()
        except BotError as exc:
            report(str(exc))

    tasks = [asyncio.create_task(play(p), name=p.name) for p in players]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
    return players
