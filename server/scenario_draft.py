"""The scenario editor's draft analysis: ``POST /api/scenarios/draft`` (docs/scenarios.md).

The editor sends its draft on every keystroke, so this is the editor's redraw time:

- a draft is read and checked once (``check_data``/``check_text`` give the scenario and
  every problem from one reading; checking a variation deals up to 200 draws, so
  reading twice doubled the work);
- answers are kept by the draft's bytes, already encoded: typing a value and taking it
  back, an undo, the same draft sent again find the answer without reading anything.
  Nothing in an answer depends on anything but the draft, so a kept answer is never
  stale.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

import orjson

from zopa.rules.analysis import analyze
from zopa.rules.deal import deal, has_zone, joint_surplus
from zopa.rules.lessons import lessons, lessons_json
from zopa.rules.scenario import Scenario, check_data, check_text
from zopa.rules.scenario_toml import scenario_toml
from zopa.server.errors import Invalid
from zopa.server.scenario_library import problem_list
from zopa.server.web_api import outcome_space

# Answers are about 2 KB at 8 issues x 5 options; a few dozen cover a typing session's
# back and forth.
KEPT_ANSWERS = 64
# The games whose cards the editor shows beside a draft with a [variation].
DEALT_SEEDS = (1, 2, 3)


class DraftAnalyses:
    """Draft answers, encoded, the newest ``KEPT_ANSWERS`` kept by the request's bytes."""

    def __init__(self, kept: int = KEPT_ANSWERS) -> None:
        self._kept = kept
        self._answers: OrderedDict[bytes, bytes] = OrderedDict()
        self.hits = 0

    def answer(self, raw: bytes) -> bytes:
        """The JSON answer to a draft request's body (``Invalid`` for a body of no draft)."""
        digest = hashlib.blake2b(raw, digest_size=16).digest()
        found = self._answers.get(digest)
        if found is not None:
            self.hits += 1
            self._answers.move_to_end(digest)
            return found
        found = orjson.dumps(draft_answer(json_body(raw)))
        self._answers[digest] = found
        if len(self._answers) > self._kept:
            self._answers.popitem(last=False)
        return found


def draft_answer(body: dict[str, Any]) -> dict[str, Any]:
    """What the editor shows for a draft: its problems, or its outcome space and lessons."""
    text = body.get("toml")
    data = body.get("scenario")
    if isinstance(text, str):
        scenario, problems = check_text(text, "draft")
    elif isinstance(data, dict):
        scenario, problems = check_data(data, "draft")
    else:
        raise Invalid('send {"scenario": {...}} or {"toml": "..."}')
    if problems or scenario is None:
        return {"problems": problem_list(problems, text if isinstance(text, str) else None)}
    found: dict[str, Any] = {
        "problems": [],
        "analysis": outcome_space(scenario),
        "lessons": lessons_json(lessons(scenario, analyze(scenario)), scenario),
    }
    if scenario.variation is not None:
        found["deals"] = deals(scenario)
    # The file itself only when it is wanted (a TOML opened, Save, Export): on every
    # keystroke it would be most of the answer.
    if isinstance(text, str) or body.get("export") is True:
        found["scenario"] = scenario.to_dict()
        found["toml"] = scenario_toml(scenario)
    return found


def deals(scenario: Scenario) -> list[dict[str, Any]]:
    """The cards the first games deal (as ``zopa cards``): what the variation does."""
    found = []
    for seed in DEALT_SEEDS:
        game = deal(scenario, seed)
        found.append(
            {
                "seed": seed,
                "cards": {role.id: game.card(role.id) for role in game.roles},
                "zopa": has_zone(game),
                "surplus": joint_surplus(game),
            }
        )
    return found


def json_body(raw: bytes) -> dict[str, Any]:
    """A request's JSON object, or ``Invalid`` naming what is wrong with it."""
    try:
        body = orjson.loads(raw or b"{}")
    except orjson.JSONDecodeError as exc:
        raise Invalid(f"the body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise Invalid("the body must be a JSON object")
    return body
