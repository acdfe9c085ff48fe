"""HTTP calls the web client needs beyond the contract's API (docs/web.md).

- ``GET /api/sessions/{code}/analysis`` (facilitator): the session scenario's outcome
  space, for the debrief chart.
- ``GET /api/games/{game}/analysis``: the same for one game. The facilitator may ask at
  any time; a player of that game only once it is over, because the frontier and the
  other side's BATNA say much about the other side's card (private stays private).
- ``GET /api/sessions/{code}/results.csv`` (facilitator): every game's result, one row each.
- ``GET /api/qr?text=...`` (facilitator): a QR code as SVG, so the join address can be
  projected for phones to scan.
- ``GET /api/games/{game}/review`` (facilitator): the annotated timeline of a game, as
  ``zopa replay --timeline-json`` prints it: every event with its tags and notes.
- ``POST /api/games/{game}/notes`` (facilitator): a teacher's note about one event,
  kept in the game's log from then on.
- ``GET /api/sessions/{code}/debrief`` (facilitator): the class debrief of moves
  (``server/debriefs.py``); ``?view=class`` is the projector's, without a point of any card;
  ``&round=N`` one round's.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import segno
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from zopa.rules.analysis import analysis_json, analyze
from zopa.rules.errors import LogError
from zopa.rules.log import read_log, replay
from zopa.rules.review import review, review_json
from zopa.rules.scenario import Scenario
from zopa.server.csv_export import Cell, csv_text
from zopa.server.debriefs import Debriefs
from zopa.server.errors import Conflict, Damaged, Invalid, NotFound, Unauthorized
from zopa.server.http_api import (
    bearer,
    is_facilitator,
    read_body,
    require_facilitator,
    results,
    route,
)
from zopa.server.sessions import Sessions

MAX_QR_TEXT = 512


class WebApi:
    def __init__(self, sessions: Sessions, key: str) -> None:
        self.sessions = sessions
        self._key = key.encode()
        self._debriefs = Debriefs(sessions.registry, sessions.archive)

    def _is_facilitator(self, request: Request) -> bool:
        return is_facilitator(request, self._key)

    def _facilitator(self, request: Request) -> None:
        require_facilitator(request, self._key)

    def routes(self) -> list[Route]:
        return [
            route("/api/games/{game}/review", self.review),
            route("/api/games/{game}/notes", self.add_note, "POST"),
            route("/api/sessions/{code}/analysis", self.session_analysis),
            route("/api/sessions/{code}/results.csv", self.results_csv),
            route("/api/sessions/{code}/debrief", self.class_debrief),
            route("/api/games/{game}/analysis", self.game_analysis),
            route("/api/qr", self.qr),
        ]

    async def session_analysis(self, request: Request) -> Response:
        self._facilitator(request)
        session = await self.sessions.registry.session(request.path_params["code"])
        return JSONResponse(outcome_space(session.scenario))

    async def game_analysis(self, request: Request) -> Response:
        game = request.path_params["game"]
        if not self._is_facilitator(request):
            player = await self.sessions.players.by_token(bearer(request))
            if player is None:
                raise Unauthorized("this call needs your player token")
            entry = await self.sessions.registry.find_game(game)
            if entry is None or player.id not in entry.seats:
                raise NotFound("that is not one of your games", "no_such_game")
            if entry.live:
                raise Conflict("what was possible is shown once the game is over", "game_live")
        entry = await self.sessions.registry.find_game(game)
        if entry is None:
            raise NotFound(f"no game {game!r}", "no_such_game")
        # Each game's own: a tournament's rounds may each be on another scenario.
        return JSONResponse(outcome_space(entry.scenario))

    async def results_csv(self, request: Request) -> Response:
        self._facilitator(request)
        session = await self.sessions.registry.session(request.path_params["code"])
        scenarios = {e.id: e.scenario for _, e in self.sessions.registry.games_of(session)}
        names = {p.id: p.name for p in session.players.values()}
        text = results_csv(session.scenario, results(self.sessions, session), names, scenarios)
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="zopa-{session.code}.csv"'},
        )

    async def class_debrief(self, request: Request) -> Response:
        self._facilitator(request)
        view = request.query_params.get("view", "facilitator")
        if view not in ("facilitator", "class"):
            raise Invalid("'view' must be 'facilitator' or 'class'")
        number = request.query_params.get("round", "all")
        if number != "all" and not (number.isdigit() and 0 < int(number) < 100_000):
            raise Invalid("'round' must be a round number or 'all'")
        session = await self.sessions.registry.session(request.path_params["code"])
        found = await self._debriefs.session(
            session, public=view == "class", round_=None if number == "all" else int(number)
        )
        return JSONResponse(found)

    async def review(self, request: Request) -> Response:
        self._facilitator(request)
        lines = await self.sessions.archive.game_log(request.path_params["game"])
        try:
            log = read_log(lines)
            return JSONResponse(review_json(review(log, replay(log))))
        except LogError as exc:  # only if storage were damaged: say so rather than crash
            raise Damaged(f"the stored log does not replay: {exc}") from exc

    async def add_note(self, request: Request) -> Response:
        self._facilitator(request)
        body = await read_body(request)
        note = await self.sessions.archive.add_note(request.path_params["game"], body)
        return JSONResponse(note, status_code=201)

    async def qr(self, request: Request) -> Response:
        self._facilitator(request)
        text = request.query_params.get("text", "")
        if not text or len(text) > MAX_QR_TEXT:
            raise Invalid(f"'text' must be 1 to {MAX_QR_TEXT} characters")
        return Response(qr_svg(text), media_type="image/svg+xml")


def outcome_space(scenario: Scenario) -> dict[str, Any]:
    """``zopa analyze --json`` plus the roles' labels, which the charts print on their axes."""
    return {
        **analysis_json(analyze(scenario), scenario),
        "labels": {role.id: role.label for role in scenario.roles},
    }


def qr_svg(text: str) -> bytes:
    code = segno.make(text, error="m")
    out = io.BytesIO()
    # Module-sized units and no fixed size: the page scales it to fit the projector.
    code.save(out, kind="svg", scale=1, border=4, xmldecl=False, omitsize=True, title=text)
    return out.getvalue()


CSV_FIELDS = (
    "round",
    "game",
    "outcome",
    "reason",
    "joint",
    "efficiency",
    "pareto_optimal",
    "value_left",
    "missed_deal",
    "verdict",
)


def results_csv(
    scenario: Scenario,
    results: dict[str, Any],
    names: dict[str, str],
    game_scenarios: Mapping[str, Scenario] | None = None,
) -> str:
    """One row per game: who played which role, the result, and each side's points.

    ``game_scenarios`` gives each game's scenario when a tournament's rounds differ; the
    role columns are then named ``role1_``/``role2_`` unless every game's roles agree.
    """
    games = dict(game_scenarios or {})
    used = {s.role_ids for s in games.values()} | {scenario.role_ids}
    names_of_roles = scenario.role_ids if len(used) == 1 else ("role1", "role2")
    per_role = [
        f"{r}_{what}"
        for r in names_of_roles
        for what in ("player", "points", "batna", "trap", "gain_share")
    ]
    rows: list[list[Cell]] = []
    for round_ in results["rounds"]:
        for game in round_["games"]:
            result = game["result"]
            players = game["players"]
            if result is None:
                rows.append([round_["round"], game["game"], "live"])
                continue
            row: list[Any] = [round_["round"], game["game"]]
            # .get: a result stored before the verdict and shares were added has neither.
            row += [result.get(field) for field in CSV_FIELDS[2:]]
            own = games.get(game["game"], scenario)
            for role in own.role_ids:
                player = players.get(role)
                row.append("bot" if player is None else names.get(player, player))
                row += [result["points"][role], result["batna"][role]]
                row.append(result["agreement_trap"][role])
                share = result.get("gain_share")
                row.append("" if share is None else share[role])
            row.append(_terms_text(own, result["terms"]))
            # Why the side that walked out did, in its words (when it said).
            row.append((result.get("walkout") or {}).get("reason", ""))
            rows.append(row)
    return csv_text([*CSV_FIELDS, *per_role, "terms", "walkout_reason"], rows)


def _terms_text(scenario: Scenario, terms: dict[str, int] | None) -> str:
    if terms is None:
        return ""
    return "; ".join(f"{i.label}: {i.options[terms[i.id]]}" for i in scenario.issues)
