"""The websocket endpoint ``/ws``: parse, authenticate, enqueue. Nothing more.

This is the websocket edge: the server's refusals become close codes and ``error``
messages here.

Close codes (docs/protocol.md):
  1001 server shutting down          1003 a binary frame on a JSON socket (or the reverse)
  1009 frame over the size limit     4400 the first message is not a valid hello
  4401 unknown or missing token/key  4403 the player was removed from the session
  4404 unknown session (facilitator) 4408 no hello in time
  4429 over the message rate         4008 the client fell too far behind reading
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from typing import Any, cast

from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from zopa.rules.actions import PLAYER_KINDS, parse_action
from zopa.rules.errors import ActionRefused
from zopa.server.errors import NotFound
from zopa.server.games import Latest
from zopa.server.hub import Connection, FrameSend, Hub
from zopa.server.moves import PlayerMove
from zopa.server.records import Player
from zopa.server.sessions import Sessions
from zopa.server.wire import MSGPACK, BadFrame, decode

log = logging.getLogger("zopa.ws")


class Endpoint:
    def __init__(self, sessions: Sessions, hub: Hub) -> None:
        self.sessions = sessions
        self.hub = hub
        self.settings = sessions.settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI app at ``/ws``.

        Starlette's ``WebSocket`` does the handshake and the close; frames come from
        ``receive`` and go to ``send`` themselves, without its state checks and coroutine
        on top of each (a share of every move's cost, docs/performance.md).
        """
        socket = WebSocket(scope, receive, send)
        binary = MSGPACK in scope.get("subprotocols", [])
        await socket.accept(subprotocol=MSGPACK if binary else None)
        # uvicorn's send is a coroutine function, which the writes rely on (server/eager.py).
        frames = cast(FrameSend, send)
        connection = Connection(socket, frames, binary, self.settings.rate, self.settings.burst)
        connection.start()
        try:
            await self._serve(socket, receive, connection)
        except WebSocketDisconnect:
            pass
        finally:
            await self._gone(connection)

    async def _receive(self, receive: Receive, connection: Connection) -> dict[str, Any] | None:
        """The next message; ``None`` once the socket is closed or being closed."""
        while not connection.closing:
            message = self._read(await receive(), connection)
            if message is not None:
                return message
        return None

    def _read(self, frame: Message, connection: Connection) -> dict[str, Any] | None:
        """The message a frame carries; ``None`` if it was refused (and answered)."""
        if frame["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(frame.get("code", 1000))
        if not connection.allow():
            log.warning("over the message rate", extra={"player": connection.player})
            connection.close(4429, "too many messages")
            return None
        try:
            return decode(frame.get("text"), frame.get("bytes"), connection.binary)
        except BadFrame as exc:
            log.info("bad frame: %s", exc.message, extra={"player": connection.player})
            if exc.close is not None:
                connection.close(exc.close, exc.message[:120])
                return None
            connection.send({"type": "error", "code": "bad_message", "message": exc.message})
            return None

    async def _serve(self, socket: WebSocket, receive: Receive, connection: Connection) -> None:
        try:
            # Not wait_for, which on Python 3.11 can lose a shutdown's cancellation.
            async with asyncio.timeout(self.settings.hello_seconds):
                hello = await self._receive(receive, connection)
        except TimeoutError:
            connection.close(4408, "say hello first")
            return
        if hello is None:
            return
        if hello.get("type") != "hello":
            log.info("first message %r is not a hello", hello.get("type"))
            connection.close(4400, "the first message must be a hello")
            return
        if "key" in hello:
            await self._facilitator(receive, connection, hello)
            return
        player = await self.sessions.players.by_token(hello.get("token"))
        if player is None:
            log.info("hello with an unknown token")
            connection.close(4401, "unknown token")
            return
        since = hello.get("since")
        if since is not None and (isinstance(since, bool) or not isinstance(since, int)):
            connection.close(4400, "'since' must be a whole number")
            return
        connection.player = player.id
        # Behind a proxy these are the player's own address and scheme, as the trusted
        # proxy forwarded them: what a facilitator needs to tell who cannot connect.
        peer = socket.client.host if socket.client is not None else None
        log.debug(
            "player connected",
            extra={"player": player.id, "client": peer, "scheme": socket.url.scheme},
        )
        latest = await self.sessions.games.latest_view(player, since)
        # From here to the attach, no await: no event can slip between the view and
        # the events that follow it.
        self._welcome(connection, player, since, latest)
        if self.hub.attach(connection) == 1:
            await self.sessions.presence.seen(player, connected=True)
        # The player's messages are read here rather than through _receive: a coroutine
        # made and dropped per message is a visible share of a move's cost, and only a
        # bot for the seat needs an await.
        while not connection.closing:
            message = self._read(await receive(), connection)
            if message is None:
                continue
            if message["type"] == "seat_bot":
                await self._seat_bot(connection, player)
            else:
                self._player_message(connection, player, message)

    def _welcome(
        self, connection: Connection, player: Player, since: int | None, latest: Latest | None
    ) -> None:
        """The welcome, then with ``since`` the events missed."""
        if latest is None:
            connection.send({"type": "welcome", "player": player.id, "game": None})
            return
        entry, view, missed = latest
        if since is None:
            connection.send({"type": "welcome", "player": player.id, "game": view})
            return
        view["events"] = []
        view["since"] = since
        connection.send({"type": "welcome", "player": player.id, "game": view})
        for message in missed:
            connection.send(message)
        if "result" in view:
            connection.send(
                {
                    "type": "ended",
                    "game": entry.id,
                    "result": view["result"],
                    "cards": view["cards"],
                }
            )

    async def _seat_bot(self, connection: Connection, player: Player) -> None:
        refused = await self.sessions.presence.seat_bot(player)
        if refused is not None:
            connection.send(_error(refused, "the partner's seat cannot be given to a bot now"))

    def _player_message(
        self, connection: Connection, player: Player, message: dict[str, Any]
    ) -> None:
        kind = message["type"]
        if kind == "ping":
            connection.send({"type": "pong"})
            return
        found = self.sessions.registry.latest_game(player)
        if kind not in PLAYER_KINDS:
            connection.send(_error("bad_message", f"unknown message type {kind!r}"))
            return
        try:
            # Parsed here, once: a malformed message is named as such even from a player
            # without a game, and the actor gets a ready action to check against the game.
            action = parse_action(message, found[1] if found else "?")
        except ActionRefused as exc:
            connection.send(_error(exc.code, exc.message))
            return
        if found is None:
            connection.send(_error("not_in_game", "you are not in a game yet"))
            return
        entry, role = found
        if "game" in message and message["game"] != entry.id:
            connection.send(_error("not_in_game", "that is not your game"))
            return
        if entry.actor is None:
            connection.send(_error("game_over", "the game is over"))
            return
        if kind == "estimate" and not entry.actor.header.extra.get("estimates"):
            connection.send(_error("not_allowed", "this session does not ask for estimates"))
            return
        entry.actor.submit(PlayerMove(role, action, connection.send))

    async def _facilitator(
        self, receive: Receive, connection: Connection, hello: dict[str, Any]
    ) -> None:
        key = hello.get("key")
        if not isinstance(key, str) or not secrets.compare_digest(
            key.encode(), self.settings.facilitator_key.encode()
        ):
            log.warning("facilitator hello with a wrong key")
            connection.close(4401, "wrong facilitator key")
            return
        try:
            session = await self.sessions.registry.session(str(hello.get("session", "")))
        except NotFound:
            connection.close(4404, "no such session")
            return
        self.hub.watch(connection, session.code)
        connection.send(self.sessions.snapshots.snapshot(session))
        while (message := await self._receive(receive, connection)) is not None:
            if message["type"] == "ping":
                connection.send({"type": "pong"})
            else:
                connection.send(_error("bad_message", "facilitators act through the HTTP API"))

    async def _gone(self, connection: Connection) -> None:
        left = self.hub.detach(connection)
        if connection.player is not None and left == 0:
            player = self.sessions.registry.player(connection.player)
            if player is not None:
                with contextlib.suppress(Exception):
                    await self.sessions.presence.seen(player, connected=False)
        await connection.finished(1.0)
        connection.stop()


def _error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}
