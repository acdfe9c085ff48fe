"""HTTP calls of the scenario library and the scenario editor (docs/scenarios.md).

- ``GET /api/scenarios``: every scenario that may be played, built-ins first, then the
  server's own (``builtin`` false), with the bots' strategies. Public: the player's
  practice page lists them too; nothing private (no cards, no briefs) is in it.
- ``POST /api/scenarios`` (facilitator): a scenario's TOML, as the body with
  ``Content-Type: application/toml`` or as JSON ``{"toml": "..."}``. 201 ``{"id",
  "hash", "new"}``; 400 ``invalid_scenario`` with ``problems``, every problem with its
  key and line; 409 ``scenario_exists`` when the id is another content's.
- ``GET /api/scenarios/{id}`` (facilitator): the whole scenario (``scenario``, cards
  included), its TOML (the author's own text for a library scenario) and hash.
- ``POST /api/scenarios/draft`` (facilitator): the editor's draft, JSON ``{"scenario":
  {...}}`` in the shape of the TOML file, or ``{"toml": "..."}``. 200 always (a draft
  is allowed to be unfinished): ``problems`` (keys; and lines for TOML), and once there
  are none ``analysis`` (as ``zopa analyze --json``, with the roles' labels) and
  ``lessons`` (``zopa.rules.lessons``); with ``"export": true`` or a TOML draft also
  ``scenario`` (as read) and ``toml`` (the file, as ``zopa`` writes it).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from zopa.rules.bots import STRATEGIES
from zopa.rules.scenario_toml import scenario_toml
from zopa.server.errors import Invalid, ServerError, TooLarge
from zopa.server.http_api import error_response, require_facilitator
from zopa.server.scenario_draft import DraftAnalyses, json_body
from zopa.server.scenario_library import (
    MAX_SCENARIO_BYTES,
    InvalidScenario,
    ScenarioLibrary,
    summary,
)
from zopa.server.storage import Storage

TOML_TYPES = ("application/toml", "text/toml", "text/x-toml", "text/plain")


class ScenarioApi:
    def __init__(self, library: ScenarioLibrary, storage: Storage, key: str) -> None:
        self.library = library
        self._storage = storage
        self._key = key.encode()
        self.drafts = DraftAnalyses()

    def routes(self) -> list[Route]:
        return [
            _route("/api/scenarios", self.listing, "GET"),
            _route("/api/scenarios", self.add, "POST"),
            _route("/api/scenarios/draft", self.draft, "POST"),
            _route("/api/scenarios/{id}", self.one, "GET"),
        ]

    async def listing(self, request: Request) -> Response:
        await self.library.refresh(self._storage)
        scenarios = [summary(entry) for entry in self.library.entries()]
        return JSONResponse({"scenarios": scenarios, "strategies": list(STRATEGIES)})

    async def add(self, request: Request) -> Response:
        require_facilitator(request, self._key)
        text = await scenario_text(request)
        entry, new = await self.library.add(text, self._storage)
        return JSONResponse(
            {"id": entry.scenario.id, "hash": entry.hash, "new": new}, status_code=201
        )

    async def one(self, request: Request) -> Response:
        require_facilitator(request, self._key)
        scenario_id = request.path_params["id"]
        await self.library.read_through((scenario_id,), self._storage)
        entry = self.library.entry(scenario_id)
        scenario = entry.scenario
        return JSONResponse(
            {
                "id": scenario.id,
                "hash": entry.hash,
                "builtin": entry.builtin,
                "scenario": scenario.to_dict(),
                "toml": entry.toml if entry.toml is not None else scenario_toml(scenario),
            }
        )

    async def draft(self, request: Request) -> Response:
        require_facilitator(request, self._key)
        answer = self.drafts.answer(await _body(request))
        return Response(answer, media_type="application/json")


async def scenario_text(request: Request) -> str:
    """The TOML text of an upload: the body itself, or the ``toml`` of a JSON body."""
    raw = await _body(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in TOML_TYPES:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid("the scenario must be UTF-8 text") from None
    text = json_body(raw).get("toml")
    if not isinstance(text, str):
        raise Invalid(
            'send the TOML as the body with Content-Type: application/toml, or {"toml": "..."}',
        )
    return text


async def _body(request: Request) -> bytes:
    # Scenarios are bigger than other requests: their own limit, read no further than it.
    size = 0
    chunks = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_SCENARIO_BYTES:
            raise TooLarge(f"a scenario is at most {MAX_SCENARIO_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _route(path: str, handler: Any, method: str) -> Route:
    async def endpoint(request: Request) -> Response:
        try:
            response: Response = await handler(request)
            return response
        except InvalidScenario as invalid:
            return JSONResponse(
                {
                    "error": {
                        "code": invalid.code,
                        "message": invalid.message,
                        "problems": invalid.problems,
                    }
                },
                status_code=400,
            )
        except ServerError as refused:
            return error_response(refused)

    return Route(path, endpoint, methods=[method])
