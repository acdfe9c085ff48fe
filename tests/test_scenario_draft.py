"""The editor's draft analysis: one reading of a draft, answers kept by the draft's bytes,
and the same answer as the analysis itself, problems with their keys and lines."""

from __future__ import annotations

import copy

import orjson

from tests.live import Server
from tests.test_scenario import GOOD
from zopa.rules.analysis import analysis_json, analyze
from zopa.rules.library import builtin
from zopa.rules.scenario import check_data, check_text, read_scenario
from zopa.server.scenario_draft import DraftAnalyses


def test_one_reading_gives_the_scenario_or_every_problem() -> None:
    scenario, problems = check_text(GOOD, "draft")
    assert problems == [] and scenario == read_scenario(GOOD, "draft")
    broken = GOOD.replace('turns = "alternating"', 'turns = "sometimes"')
    assert broken != GOOD
    scenario, problems = check_text(broken, "draft")
    assert scenario is None
    assert [p.key for p in problems] == ["protocol.turns"]
    data = builtin("new-hire").to_dict()
    data["roles"][1]["points"]["salary"] = [1, 2]
    scenario, problems = check_data(data, "draft")
    assert scenario is None and [p.key for p in problems] == ["roles[1].points.salary"]


def test_a_draft_is_answered_once_and_its_answer_kept_by_its_bytes() -> None:
    drafts = DraftAnalyses(kept=2)
    scenario = builtin("new-hire")
    data = scenario.to_dict()
    raw = orjson.dumps({"scenario": data})
    first = orjson.loads(drafts.answer(raw))
    assert first["problems"] == []
    expected = analysis_json(analyze(scenario), scenario)
    assert {k: first["analysis"][k] for k in expected} == orjson.loads(orjson.dumps(expected))
    assert drafts.hits == 0
    assert drafts.answer(raw) == orjson.dumps(first) and drafts.hits == 1

    # Two other drafts push the first out: it is analysed again, to the same answer.
    for salary in (6001, 6002):
        other = copy.deepcopy(data)
        other["roles"][0]["points"]["salary"][4] = salary
        changed = orjson.loads(drafts.answer(orjson.dumps({"scenario": other})))
        assert changed["analysis"]["frontier"] != first["analysis"]["frontier"]
    assert orjson.loads(drafts.answer(raw)) == first and drafts.hits == 1


def test_the_endpoint_answers_a_draft_and_a_toml_draft_with_lines(server: Server) -> None:
    status, answer = server.call("POST", "/api/scenarios/draft", {"toml": GOOD})
    assert status == 200 and answer["problems"] == []
    assert answer["scenario"]["id"] == "lemonade" and answer["toml"].startswith("format")
    status, again = server.call("POST", "/api/scenarios/draft", {"toml": GOOD})
    assert again == answer
    broken = GOOD.replace('turns = "alternating"', 'turns = "sometimes"')
    status, answer = server.call("POST", "/api/scenarios/draft", {"toml": broken})
    assert status == 200 and "analysis" not in answer
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "sometimes" in text)
    assert answer["problems"] == [
        {
            "key": "protocol.turns",
            "line": line,
            "expected": '"alternating" or "free" (found \'sometimes\')',
            "message": f'line {line}: protocol.turns: "alternating" or "free"'
            " (found 'sometimes')",
        }
    ]
    status, answer = server.call("POST", "/api/scenarios/draft", {"nothing": 1})
    assert status == 400 and answer["error"]["code"] == "bad_request"


def test_a_variation_checked_once_is_judged_alike_whatever_the_texts() -> None:
    data = builtin("guitar").to_dict()
    data["variation"]["surplus"] = {"min": 401}
    for title, source in (("Guitar", "one.toml"), ("Another title", "two.toml")):
        data["title"] = title
        scenario, problems = check_data(data, source)
        assert scenario is None
        assert [str(p) for p in problems] == [
            f"{source}: variation.surplus: the roles' own cards to have a joint surplus "
            "from 401 to inf (found 400)"
        ]
    data["variation"]["surplus"] = {"min": 400, "max": 400}
    assert check_data(data, "three.toml")[1] == []
