"""The mediator's seat: the facilitator joins one live game as a third party.

The facilitator's socket says ``{"type": "hello", "key": ..., "session": ...,
"mediate": "<game id>", "name": "Dr Lee"}``. The mediator sees what both players see
of the game and nothing more: the public scenario, the events with every claim and
estimate sealed (``visible_to`` for a role that is neither side), the status; never a
card or a brief until the game is over, when ``ended`` brings the cards as it does to
the players. The mediator says ``chat`` and ``suggest``; the game's log takes them as
the mediator's ``message`` and ``mediator_suggest`` (game_rules/intervention.py), and
the seat is taken on connecting and left on leaving (``mediator`` events). There is
one seat per game; a newer mediator socket takes it over from an older one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from zopa.rules.actions import MAX_NAME, Mediate, parse_action
from zopa.rules.errors import ActionRefused
from zopa.rules.events import visible_to
from zopa.rules.log import GameLog, replay
from zopa.rules.negotiation import partial_terms
from zopa.rules.status import status
from zopa.server.actor import GameActor
from zopa.server.hub import Connection
from zopa.server.moves import UNAVAILABLE
from zopa.server.records import Session
from zopa.server.registry import Registry
from zopa.server.views import ended_message, missed_messages

log = logging.getLogger("zopa.mediator")

# Not a role of any game: every claim and estimate stays sealed from it until the end.
MEDIATOR = "mediator"

REFUSALS = {
    "not_allowed": "the mediator's seat is not yours now",
    "game_over": "the game is over",
    UNAVAILABLE: "storage is failing: the game takes no changes until it works",
}


@dataclass(slots=True)
class _Watch:
    connection: Connection
    actor: GameActor
    name: str
    sent: int  # the seq of the last event sent
    ended: bool = False


class Mediators:
    def __init__(self, registry: Registry, clock: Callable[[], float]) -> None:
        self._registry = registry
        self._clock = clock
        self._watching: dict[str, list[_Watch]] = {}  # session code -> mediators' sockets
        self._seated: dict[str, _Watch] = {}  # game id -> the socket holding its seat

    def watching(self, code: str) -> bool:
        """Some mediator's socket is open on a game of session ``code``."""
        return bool(self._watching.get(code))

    def changed(self, code: str) -> None:
        """Something in session ``code`` changed: each mediator there hears what is new."""
        for watch in list(self._watching.get(code, ())):
            self._catch_up(watch)

    async def serve(
        self,
        connection: Connection,
        session: Session,
        hello: dict[str, Any],
        receive: Callable[[], Awaitable[dict[str, Any] | None]],
    ) -> None:
        game, name = hello.get("mediate"), hello.get("name", "Facilitator")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
            connection.close(4400, f"'name' must be words, at most {MAX_NAME} characters")
            return
        entry = self._registry.game(game) if isinstance(game, str) else None
        mine = {e.id for _, e in self._registry.games_of(session)}
        if entry is None or entry.id not in mine:
            connection.close(4404, "no such game in this session")
            return
        actor = entry.actor
        if actor is None:
            connection.send(_error("game_over", REFUSALS["game_over"]))
            connection.close(1000, "the game is over")
            return
        events = actor.told_events()
        watch = _Watch(connection, actor, name.strip(), events[-1].seq if events else 0)
        connection.send(_view(actor, events, self._clock()))
        self._watching.setdefault(session.code, []).append(watch)
        try:
            refused = await self._seat(watch, entry.id)
            if refused is not None:
                connection.send(_error(refused, REFUSALS.get(refused, refused)))
                connection.close(1011 if refused == UNAVAILABLE else 1000, "no seat")
                return
            log.info("mediator seated", extra={"game": entry.id, "session": session.code})
            while (message := await receive()) is not None:
                await self._said(watch, message)
        finally:
            self._watching[session.code].remove(watch)
            # Leaving the page leaves the seat, unless a newer socket has taken it over:
            # the players see the mediator go.
            if self._seated.get(entry.id) is watch:
                del self._seated[entry.id]
                if actor.live:
                    await actor.system(Mediate(watch.name, False))

    async def _seat(self, watch: _Watch, game: str) -> str | None:
        """Take the game's mediator seat for ``watch``; the refusal code, or ``None``.

        The seat is the facilitator's, whoever's socket holds it: a newer socket (a
        reconnect, another tab) takes it over and the older one is closed with 4409. A
        seat held by nobody here (the server restarted) is left first, in the log.
        """
        actor = watch.actor
        owner = self._seated.get(game)
        self._seated[game] = watch
        if owner is not None:
            owner.connection.close(4409, "replaced by a newer mediator socket")
            if owner.name == watch.name:
                return None
            left = await actor.system(Mediate(owner.name, False))
        else:
            held = actor.summary()["mediator"]
            left = None if held is None else await actor.system(Mediate(held, False))
        refused = left or await actor.system(Mediate(watch.name, True))
        if refused is not None and self._seated.get(game) is watch:
            del self._seated[game]
        return refused

    async def _said(self, watch: _Watch, message: dict[str, Any]) -> None:
        connection, kind = watch.connection, message.get("type")
        if kind == "ping":
            connection.send({"type": "pong"})
            return
        wire = {"chat": "message", "suggest": "mediator_suggest"}.get(str(kind))
        try:
            if wire is None:
                raise ActionRefused("bad_message", "a mediator may send chat or suggest")
            # Only the fields a mediator may set: never a hint, never another sender.
            fields = {"from": MEDIATOR, "text": message.get("text")}
            if wire == "mediator_suggest":
                fields = {"terms": message.get("terms")}
            action = parse_action({"type": wire, **fields}, None)
            if wire == "mediator_suggest":
                partial_terms(watch.actor.header.scenario, message["terms"])
        except ActionRefused as exc:
            connection.send(_error(exc.code, exc.message))
            return
        refused = await watch.actor.system(action)
        if refused is not None:
            connection.send(_error(refused, REFUSALS.get(refused, refused)))

    def _catch_up(self, watch: _Watch) -> None:
        if watch.ended:
            return
        actor = watch.actor
        events = actor.told_events()
        ended = not actor.live
        if events and events[-1].seq > watch.sent:
            for message in missed_messages(actor.header, events, MEDIATOR, ended, watch.sent):
                watch.connection.send(message)
            watch.sent = events[-1].seq
        if ended and actor.result_json is not None:
            watch.ended = True
            result = orjson.loads(actor.result_json)
            watch.connection.send(ended_message(actor.game, actor.header.scenario, result))


def _view(actor: GameActor, events: list[Any], now: float) -> dict[str, Any]:
    """The mediator's first picture of the game: as both players see it, no card."""
    header = actor.header
    state = replay(GameLog(header, tuple(events)))
    return {
        "type": "mediator",
        "game": header.game,
        "session": header.extra.get("session"),
        "players": {role: p.get("name") for role, p in header.players.items()},
        "scenario": header.scenario.public(),
        "status": status(state, now),
        "events": [visible_to(e, MEDIATOR, False).to_dict() for e in events],
    }


def _error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}
