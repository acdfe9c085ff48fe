"""The websocket endpoint ``/ws``: parse, authenticate, enqueue. Nothing more.

This is the websocket edge: the server's refusals become close codes and ``error``
messages here.

Close codes (docs/protocol.md):
  1001 server shutting down          1003 a binary frame on a JSON socket (or the reverse)
  1009 frame over the size limit     4400 the first message is not a valid hello
  4401 unknown or missing token/key  4403 the player was removed from the session
  4404 unknown session (facilitator) 4408 no hello in time
  4409 replaced by the player's newer socket (connection_caps.py)
  4429 over the message rate, or too many failed hellos from the address (rate_limits.py)
  4503 the session is served by another worker now: connect again (PostgreSQL, several
       workers; docs/deploy.md)
  4008 the client fell too far behind reading

Before the handshake, an address over its cap of sockets is answered 429 (HTTP), and
``/ws?session=CODE`` for a session another live worker serves 503 with Retry-After: the
code in the URL is what a proxy routes by. Without it, one worker serves every session.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import urllib.parse
from typing import Any, cast

from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from zopa.rules.actions import PLAYER_KINDS, parse_action
from zopa.rules.errors import ActionRefused
from zopa.server.connection_caps import ConnectionCaps
from zopa.server.errors import Elsewhere, NotFound, TooMany
from zopa.server.http_api import error_response
from zopa.server.hub import Connection, FrameSend, Hub
from zopa.server.moves import PlayerMove
from zopa.server.rate_limits import KEY, TOKEN, RateLimits
from zopa.server.records import Player
from zopa.server.scope import client_address
from zopa.server.sessions import Sessions
from zopa.server.welcome import welcome
from zopa.server.wire import MSGPACK, BadFrame, decode

log = logging.getLogger("zopa.ws")


class Endpoint:
    def __init__(
        self, sessions: Sessions, hub: Hub, limits: RateLimits, caps: ConnectionCaps
    ) -> None:
        self.sessions = sessions
        self.hub = hub
        self.settings = sessions.settings
        self.limits = limits
        self.caps = caps
        self.refusals = limits.refusals

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI app at ``/ws``.

        Starlette's ``WebSocket`` does the handshake and the close; frames come from
        ``receive`` and go to ``send`` themselves, without its state checks and coroutine
        on top of each (a share of every move's cost, docs/performance.md).
        """
        socket = WebSocket(scope, receive, send)
        address = client_address(scope)
        counts = self.caps.clients
        if counts is not None and not counts.take(address):
            self.refusals.note("refused a websocket over its address's cap", address)
            # Refused before the handshake: an HTTP answer, made at the HTTP edge.
            busy = TooMany("too many sockets from here", 10, "too_many_connections")
            await socket.send_denial_response(error_response(busy))
            return
        try:
            elsewhere = await self._elsewhere(scope)
            if elsewhere is not None:
                await socket.send_denial_response(error_response(elsewhere))
                return
            await self._open(socket, scope, receive, send)
        finally:
            if counts is not None:
                counts.give(address)

    async def _elsewhere(self, scope: Scope) -> Elsewhere | None:
        """The refusal for ``?session=CODE`` of a session another worker serves, if so.

        Asking loads the session here when no live worker holds it (the first use, or a
        takeover from a worker that died). An unknown code is left for the hello to refuse.
        """
        code = _session_param(scope.get("query_string", b""))
        if not code:
            return None
        try:
            await self.sessions.registry.session(code)
        except Elsewhere as refused:
            return refused
        except NotFound:
            pass
        return None

    async def _open(self, socket: WebSocket, scope: Scope, receive: Receive, send: Send) -> None:
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
            self._refused(connection, "closed a socket over the message rate")
            connection.close(4429, "too many messages")
            return None
        try:
            return decode(frame.get("text"), frame.get("bytes"), connection.binary)
        except BadFrame as exc:
            self._refused(connection, "bad frame", detail=exc.message)
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
            self._refused(connection, "first message is not a hello")
            connection.close(4400, "the first message must be a hello")
            return
        address = client_address(socket.scope)
        try:
            self.limits.guard(KEY if "key" in hello else TOKEN, address)
        except TooMany as refused:
            connection.close(4429, refused.message[:120])
            return
        if "key" in hello:
            await self._facilitator(receive, connection, hello)
            return
        try:
            player = await self.sessions.players.by_token(hello.get("token"))
        except Elsewhere:
            connection.close(4503, "the session is served elsewhere: connect again")
            return
        if player is None:
            self.limits.failed(TOKEN, address, "hello with an unknown token")
            connection.close(4401, "unknown token")
            return
        since = hello.get("since")
        if since is not None and (isinstance(since, bool) or not isinstance(since, int)):
            connection.close(4400, "'since' must be a whole number")
            return
        counted_in = hello.get("game")
        if counted_in is not None and not isinstance(counted_in, str):
            connection.close(4400, "'game' must be a game id")
            return
        connection.player = player.id
        # Behind a proxy these are the player's own address and scheme, as the trusted
        # proxy forwarded them: what a facilitator needs to tell who cannot connect.
        peer = socket.client.host if socket.client is not None else None
        log.debug(
            "player connected",
            extra={"player": player.id, "client": peer, "scheme": socket.url.scheme},
        )
        # A since from another game than the latest counts for nothing (welcome.py).
        mine = counted_in is None or counted_in == player.game
        latest = await self.sessions.games.latest_view(player, since if mine else None)
        # From here to the attach, no await: no event can slip between the view and
        # the events that follow it.
        earlier = None if counted_in is None else self.sessions.registry.game(counted_in)
        for told in welcome(player.id, latest, since, counted_in, earlier):
            connection.send(told)
        for older in self.caps.players.add(player.id, connection):
            cast(Connection, older).close(4409, "replaced by a newer connection")
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
            address = client_address(connection.socket.scope)
            self.limits.failed(KEY, address, "facilitator hello with a wrong key")
            connection.close(4401, "wrong facilitator key")
            return
        try:
            session = await self.sessions.registry.session(str(hello.get("session", "")))
        except NotFound:
            connection.close(4404, "no such session")
            return
        except Elsewhere:
            connection.close(4503, "the session is served elsewhere: connect again")
            return
        if "mediate" in hello:
            await self.sessions.mediators.serve(
                connection, session, hello, lambda: self._receive(receive, connection)
            )
            return
        self.hub.watch(connection, session.code)
        connection.send(self.sessions.snapshots.snapshot(session))
        while (message := await self._receive(receive, connection)) is not None:
            if message["type"] == "ping":
                connection.send({"type": "pong"})
            else:
                connection.send(_error("bad_message", "facilitators act through the HTTP API"))

    def _refused(self, connection: Connection, what: str, detail: str = "") -> None:
        """A refusal on a socket, logged as a count (refusal_log.py), in one line."""
        address = client_address(connection.socket.scope)
        extra = {"player": connection.player} if connection.player else {}
        self.refusals.note(what, address, logging.INFO, detail, **extra)

    async def _gone(self, connection: Connection) -> None:
        if connection.player is not None:
            self.caps.players.remove(connection.player, connection)
        left = self.hub.detach(connection)
        if connection.player is not None and left == 0:
            player = self.sessions.registry.player(connection.player)
            if player is not None:
                with contextlib.suppress(Exception):
                    await self.sessions.presence.seen(player, connected=False)
        await connection.finished(1.0)
        connection.stop()


def _session_param(query: bytes) -> str:
    """``session`` of the URL's query string (``/ws?session=CODE``), or ``""``."""
    for part in query.split(b"&"):
        name, _, value = part.partition(b"=")
        if name == b"session":
            return urllib.parse.unquote(value.decode("latin-1"))[:64]
    return ""


def _error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}
