"""The HTTP API of docs/protocol.md (the contract's calls and the facilitator's controls).

This is the HTTP edge: the server's exceptions become statuses, headers and error objects
here (``status_of``, ``headers_of``), and nowhere else.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from zopa.server.errors import (
    Busy,
    Conflict,
    Damaged,
    Elsewhere,
    Invalid,
    NotFound,
    ServerError,
    TooLarge,
    TooMany,
    TooSlow,
    Unauthorized,
    Unavailable,
)
from zopa.server.records import Session
from zopa.server.sessions import Sessions
from zopa.server.tournament import views

Handler = Callable[[Request], Awaitable[Response]]


STATUS: dict[type[ServerError], int] = {
    Invalid: 400,
    Unauthorized: 401,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    TooSlow: 408,
    TooMany: 429,
    Busy: 429,
    Damaged: 500,
    Unavailable: 503,
}


def status_of(error: ServerError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 500


def headers_of(error: ServerError) -> dict[str, str]:
    """Headers the HTTP answer carries besides the error object."""
    if isinstance(error, TooMany | Elsewhere):
        return {"Retry-After": str(error.retry_after)}
    if isinstance(error, TooLarge | TooSlow):
        # A body refused while it arrived: the rest is never read, so the connection
        # ends with the answer (server/body_limit.py).
        return {"Connection": "close"}
    return {}


def error_response(error: ServerError) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": error.code, "message": error.message}},
        status_code=status_of(error),
        headers=headers_of(error),
    )


async def read_body(request: Request) -> dict[str, Any]:
    # Its size and time are bounded while it is read (server/body_limit.py).
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise Invalid(f"the body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise Invalid("the body must be a JSON object")
    return body


def bearer(request: Request) -> str:
    """The token of an ``Authorization: Bearer`` header, or ``""``."""
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return given if scheme.lower() == "bearer" else ""


def is_facilitator(request: Request, key: bytes) -> bool:
    # Constant-time, so response timing does not tell how much of a guess was right.
    return secrets.compare_digest(bearer(request).encode(), key)


def require_facilitator(request: Request, key: bytes) -> None:
    if not is_facilitator(request, key):
        raise Unauthorized("this call needs the facilitator key as a Bearer token")


def route(path: str, handler: Handler, method: str = "GET") -> Route:
    """A route whose refusals become the API's error objects."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except ServerError as error:
            return error_response(error)

    return Route(path, endpoint, methods=[method])


class Api:
    def __init__(self, sessions: Sessions, key: str) -> None:
        self.sessions = sessions
        self._key = key.encode()

    def _facilitator(self, request: Request) -> None:
        require_facilitator(request, self._key)

    def routes(self) -> list[Route]:
        return [
            route("/healthz", self.health, "GET"),
            route("/api/sessions", self.create_session, "POST"),
            route("/api/practice", self.practice, "POST"),
            route("/api/sessions/{code}", self.session, "GET"),
            route("/api/sessions/{code}/players", self.join, "POST"),
            route("/api/sessions/{code}/players/{player}", self.remove, "DELETE"),
            route("/api/sessions/{code}/rounds", self.start_round, "POST"),
            route("/api/sessions/{code}/pause", self.pause, "POST"),
            route("/api/sessions/{code}/resume", self.resume, "POST"),
            route("/api/sessions/{code}/extend", self.extend, "POST"),
            route("/api/sessions/{code}/end-round", self.end_round, "POST"),
            route("/api/sessions/{code}/message", self.message, "POST"),
            route("/api/sessions/{code}/results", self.results, "GET"),
            route("/api/sessions/{code}/schedule", self.schedule, "GET"),
            route("/api/sessions/{code}/standings", self.standings, "GET"),
            route("/api/sessions/{code}/standings/public", self.public_standings, "GET"),
            route("/api/sessions/{code}/export.csv", self.export, "GET"),
            route("/api/me/history", self.history, "GET"),
            route("/api/games/{game}/log", self.log, "GET"),
        ]

    async def health(self, request: Request) -> Response:
        """200 while the server can serve; 503 while storage fails, with why and since when."""
        health = self.sessions.health
        body: dict[str, Any] = {"ok": health.ok, "sessions": self.sessions.registry.count()}
        if not health.ok:
            body["storage"] = health.view()
        return JSONResponse(body, status_code=200 if health.ok else 503)

    async def create_session(self, request: Request) -> Response:
        self._facilitator(request)
        body = await read_body(request)
        session = await self.sessions.open(
            body.get("scenario"),
            body.get("time_limit"),
            body.get("schedule"),
            body.get("variation", True),
            body.get("estimates", False),
            reading=body.get("reading"),
            walkout_window=body.get("walkout_window", 0),
        )
        return JSONResponse({"code": session.code}, status_code=201)

    async def practice(self, request: Request) -> Response:
        body = await read_body(request)
        player, entry = await self.sessions.practice.start(
            body.get("name"),
            body.get("scenario"),
            body.get("strategy", "conceder"),
            body.get("role"),
        )
        return JSONResponse(
            {"player": player.id, "token": player.token, "code": player.session, "game": entry.id},
            status_code=201,
        )

    async def session(self, request: Request) -> Response:
        self._facilitator(request)
        session = await self.sessions.registry.session(request.path_params["code"])
        return JSONResponse(self.sessions.snapshots.snapshot(session))

    async def join(self, request: Request) -> Response:
        body = await read_body(request)
        player = await self.sessions.players.join(request.path_params["code"], body.get("name"))
        # The name as the session knows it: "Sam 2" when a Sam was already there.
        answer = {"player": player.id, "token": player.token, "name": player.name}
        return JSONResponse(answer, status_code=201)

    async def remove(self, request: Request) -> Response:
        self._facilitator(request)
        await self.sessions.players.remove(
            request.path_params["code"], request.path_params["player"]
        )
        return JSONResponse({"removed": request.path_params["player"]})

    async def start_round(self, request: Request) -> Response:
        self._facilitator(request)
        body = await read_body(request)
        number, games = await self.sessions.rounds.start(
            request.path_params["code"], body.get("pairs")
        )
        return JSONResponse(
            {"round": number, "games": [{"game": g.id, "players": g.players} for g in games]},
            status_code=201,
        )

    async def pause(self, request: Request) -> Response:
        self._facilitator(request)
        return JSONResponse(
            {
                "games": await self.sessions.controls.pause(
                    request.path_params["code"], (await read_body(request)).get("game")
                )
            }
        )

    async def resume(self, request: Request) -> Response:
        self._facilitator(request)
        return JSONResponse(
            {
                "games": await self.sessions.controls.resume(
                    request.path_params["code"], (await read_body(request)).get("game")
                )
            }
        )

    async def extend(self, request: Request) -> Response:
        self._facilitator(request)
        body = await read_body(request)
        count = await self.sessions.controls.extend(
            request.path_params["code"], body.get("seconds"), body.get("game")
        )
        return JSONResponse({"games": count})

    async def message(self, request: Request) -> Response:
        self._facilitator(request)
        body = await read_body(request)
        count = await self.sessions.controls.message(
            request.path_params["code"], body.get("game"), body.get("text"), body.get("hint", False)
        )
        return JSONResponse({"games": count})

    async def end_round(self, request: Request) -> Response:
        self._facilitator(request)
        code = request.path_params["code"]
        return JSONResponse({"games": await self.sessions.controls.end_round(code)})

    async def results(self, request: Request) -> Response:
        self._facilitator(request)
        session = await self.sessions.registry.session(request.path_params["code"])
        return JSONResponse(results(self.sessions, session))

    async def schedule(self, request: Request) -> Response:
        self._facilitator(request)
        session = await self.sessions.registry.session(request.path_params["code"])
        return JSONResponse(views.schedule_view(self.sessions.registry, session))

    async def standings(self, request: Request) -> Response:
        self._facilitator(request)
        session = await self.sessions.registry.session(request.path_params["code"])
        return JSONResponse(views.standings(self.sessions.registry, session))

    async def public_standings(self, request: Request) -> Response:
        # Anyone with the join code: the room's projector, without the facilitator key.
        session = await self.sessions.registry.session(request.path_params["code"])
        return JSONResponse(views.standings(self.sessions.registry, session, public=True))

    async def export(self, request: Request) -> Response:
        self._facilitator(request)
        session = await self.sessions.registry.session(request.path_params["code"])
        code = session.code
        return Response(
            views.export_csv(self.sessions.registry, session),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="zopa-{code}.csv"'},
        )

    async def history(self, request: Request) -> Response:
        player = await self.sessions.players.by_token(bearer(request))
        if player is None:
            raise Unauthorized("this call needs a player token as a Bearer token")
        session = await self.sessions.registry.session(player.session)
        return JSONResponse(views.history(self.sessions.registry, session, player))

    async def log(self, request: Request) -> Response:
        self._facilitator(request)
        lines = await self.sessions.archive.game_log(request.path_params["game"])
        return Response("".join(line + "\n" for line in lines), media_type="application/jsonl")


def results(sessions: Sessions, session: Session) -> dict[str, Any]:
    """Every game of the session by round, with its result (``null`` while live)."""
    rounds: list[dict[str, Any]] = [
        {"round": n, "games": []} for n in range(1, len(session.rounds) + 1)
    ]
    for number, entry in sessions.registry.games_of(session):
        item = {"game": entry.id, "players": entry.players, "result": entry.result}
        rounds[number - 1]["games"].append(item)
    return {"rounds": rounds}
