"""The HTTP API of CONTRACT.md, plus the facilitator's controls (docs/protocol.md)."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from zopa.rules.bots import STRATEGIES
from zopa.rules.library import builtin_scenarios
from zopa.server.errors import Refused
from zopa.server.sessions import Sessions

Handler = Callable[[Request], Awaitable[Response]]


def error_response(refused: Refused) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": refused.code, "message": refused.message}},
        status_code=refused.status,
        headers=refused.headers(),
    )


async def read_body(request: Request) -> dict[str, Any]:
    # Its size and time are bounded while it is read (server/body_limit.py).
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise Refused(400, "bad_request", f"the body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise Refused(400, "bad_request", "the body must be a JSON object")
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
        raise Refused(401, "unauthorized", "this call needs the facilitator key as a Bearer token")


def route(path: str, handler: Handler, method: str = "GET") -> Route:
    """A route whose refusals become the API's error objects."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except Refused as refused:
            return error_response(refused)

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
            route("/api/scenarios", self.scenarios, "GET"),
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
            route("/api/sessions/{code}/results", self.results, "GET"),
            route("/api/sessions/{code}/schedule", self.schedule, "GET"),
            route("/api/sessions/{code}/standings", self.standings, "GET"),
            route("/api/sessions/{code}/standings/public", self.public_standings, "GET"),
            route("/api/sessions/{code}/export.csv", self.export, "GET"),
            route("/api/me/history", self.history, "GET"),
            route("/api/games/{game}/log", self.log, "GET"),
        ]

    async def health(self, request: Request) -> Response:
        return JSONResponse({"ok": True, "sessions": len(self.sessions.sessions)})

    async def scenarios(self, request: Request) -> Response:
        """The library and the bots' strategies, for session creation and solo practice."""
        scenarios = [
            {
                "id": s.id,
                "title": s.title,
                "description": s.description,
                "issues": len(s.issues),
                "roles": [{"id": r.id, "label": r.label} for r in s.roles],
            }
            for s in builtin_scenarios()
        ]
        return JSONResponse({"scenarios": scenarios, "strategies": list(STRATEGIES)})

    async def create_session(self, request: Request) -> Response:
        self._facilitator(request)
        body = await read_body(request)
        session = await self.sessions.create_session(
            body.get("scenario"), body.get("time_limit"), body.get("schedule")
        )
        return JSONResponse({"code": session.code}, status_code=201)

    async def practice(self, request: Request) -> Response:
        body = await read_body(request)
        player, entry = await self.sessions.practice(
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
        return JSONResponse(self.sessions.snapshot(request.path_params["code"]))

    async def join(self, request: Request) -> Response:
        body = await read_body(request)
        player = await self.sessions.join(request.path_params["code"], body.get("name"))
        return JSONResponse({"player": player.id, "token": player.token}, status_code=201)

    async def remove(self, request: Request) -> Response:
        self._facilitator(request)
        await self.sessions.remove_player(
            request.path_params["code"], request.path_params["player"]
        )
        return JSONResponse({"removed": request.path_params["player"]})

    async def start_round(self, request: Request) -> Response:
        self._facilitator(request)
        body = await read_body(request)
        number, games = await self.sessions.start_round(
            request.path_params["code"], body.get("pairs")
        )
        return JSONResponse(
            {"round": number, "games": [{"game": g.id, "players": g.players} for g in games]},
            status_code=201,
        )

    async def pause(self, request: Request) -> Response:
        self._facilitator(request)
        return JSONResponse({"games": await self.sessions.pause(request.path_params["code"])})

    async def resume(self, request: Request) -> Response:
        self._facilitator(request)
        return JSONResponse({"games": await self.sessions.resume(request.path_params["code"])})

    async def extend(self, request: Request) -> Response:
        self._facilitator(request)
        body = await read_body(request)
        count = await self.sessions.extend(
            request.path_params["code"], body.get("seconds"), body.get("game")
        )
        return JSONResponse({"games": count})

    async def end_round(self, request: Request) -> Response:
        self._facilitator(request)
        return JSONResponse({"games": await self.sessions.end_round(request.path_params["code"])})

    async def results(self, request: Request) -> Response:
        self._facilitator(request)
        return JSONResponse(self.sessions.results(request.path_params["code"]))

    async def schedule(self, request: Request) -> Response:
        self._facilitator(request)
        return JSONResponse(self.sessions.schedule_view(request.path_params["code"]))

    async def standings(self, request: Request) -> Response:
        self._facilitator(request)
        return JSONResponse(self.sessions.standings(request.path_params["code"]))

    async def public_standings(self, request: Request) -> Response:
        # Anyone with the join code: the room's projector, without the facilitator key.
        return JSONResponse(self.sessions.standings(request.path_params["code"], public=True))

    async def export(self, request: Request) -> Response:
        self._facilitator(request)
        code = self.sessions.session(request.path_params["code"]).code
        return Response(
            self.sessions.export_csv(code),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="zopa-{code}.csv"'},
        )

    async def history(self, request: Request) -> Response:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        player = self.sessions.player_by_token(given) if scheme.lower() == "bearer" else None
        if player is None:
            raise Refused(401, "unauthorized", "this call needs a player token as a Bearer token")
        return JSONResponse(self.sessions.history(player))

    async def log(self, request: Request) -> Response:
        self._facilitator(request)
        lines = await self.sessions.game_log(request.path_params["game"])
        return Response("".join(line + "\n" for line in lines), media_type="application/jsonl")
