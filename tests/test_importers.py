"""The CaSiNo and Deal or No Deal importers on small hand-made records, and
``zopa import`` on small files: the mapping, the points, idempotence, and malformed
records reported and skipped. (The real datasets are checked in test_datasets.py.)"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from zopa.rules.errors import RecordError
from zopa.rules.importers.casino import casino_log
from zopa.rules.importers.dealornodeal import dond_log
from zopa.rules.log import read_log_file, replay
from zopa.rules.scoring import result
from zopa.server.cli import main


def chat(by: str, text: str) -> dict[str, Any]:
    return {"text": text, "task_data": {}, "id": by}


def submit(by: str, mine: tuple[int, int, int]) -> dict[str, Any]:
    items = ("Food", "Water", "Firewood")
    return {
        "text": "Submit-Deal",
        "task_data": {
            "issue2youget": {i: str(n) for i, n in zip(items, mine, strict=True)},
            "issue2theyget": {i: str(3 - n) for i, n in zip(items, mine, strict=True)},
        },
        "id": by,
    }


def answer(by: str, what: str) -> dict[str, Any]:
    data = {"Accept-Deal": "accept_deal", "Reject-Deal": "reject_deal", "Walk-Away": "walk_away"}
    return {"text": what, "task_data": {"data": data[what]}, "id": by}


def participant(high: str, medium: str, low: str, points: int) -> dict[str, Any]:
    return {
        "value2issue": {"High": high, "Medium": medium, "Low": low},
        "value2reason": {"High": "we are many", "Medium": "cold nights", "Low": "a lake nearby"},
        "outcomes": {"points_scored": points, "satisfaction": "Undecided"},
    }


def dialogue(**changes: Any) -> dict[str, Any]:
    """Agent 1 values water most, agent 2 food; they trade and agree.

    Agent 2's final deal gives agent 1 (food 1, water 3, firewood 1) = 4 + 15 + 3 = 22
    and agent 2 (food 2, water 0, firewood 2) = 10 + 0 + 8 = 18.
    """
    record = {
        "dialogue_id": 7,
        "chat_logs": [
            chat("mturk_agent_1", "Hi! Water matters most to me."),
            chat("mturk_agent_2", "I mostly need food."),
            submit("mturk_agent_1", (1, 3, 3)),
            answer("mturk_agent_2", "Reject-Deal"),
            chat("mturk_agent_2", "Firewood too, please."),
            submit("mturk_agent_2", (2, 0, 2)),
            answer("mturk_agent_1", "Accept-Deal"),
        ],
        "participant_info": {
            "mturk_agent_1": participant("Water", "Food", "Firewood", 22),
            "mturk_agent_2": participant("Food", "Firewood", "Water", 18),
        },
        "annotations": [
            ["Hi! Water matters most to me.", "small-talk,self-need"],
            # "I mostly need food." was left unannotated, as happens in the dataset.
            ["Firewood too, please.", "self-need,,"],
        ],
    }
    record.update(changes)
    return record


def test_a_casino_dialogue_becomes_a_game_with_the_recorded_points() -> None:
    log = casino_log(dialogue())
    assert [e.type for e in log.events] == [
        "chat", "chat", "offer", "reject", "chat", "offer", "accept", "end",
    ]  # fmt: skip
    scenario = log.header.scenario
    assert scenario.role_ids == ("mturk_agent_1", "mturk_agent_2")
    assert scenario.issue_ids == ("food", "water", "firewood")
    assert scenario.protocol.turns == "free"
    assert [r.batna for r in scenario.roles] == [5, 5]
    assert scenario.role("mturk_agent_1").points[1] == (0, 5, 10, 15)  # water, high
    assert scenario.role("mturk_agent_2").points[0] == (15, 10, 5, 0)  # food, high
    assert log.events[5].data["terms"] == {"food": 1, "water": 3, "firewood": 1}
    assert log.events[6].data == {"offer": 6}
    outcome = result(replay(log))
    assert outcome is not None
    assert outcome["points"] == {"mturk_agent_1": 22, "mturk_agent_2": 18}
    assert log.header.extra["source"]["points_scored"] == outcome["points"]
    assert [e.at for e in log.events] == [1, 2, 3, 4, 5, 6, 7, 7]


def test_strategy_annotations_become_notes_on_their_chat_events() -> None:
    log = casino_log(dialogue())
    assert [(n.about, n.tags, n.author) for n in log.notes] == [
        (1, ("small-talk", "self-need"), "CaSiNo"),
        (5, ("self-need",), "CaSiNo"),
    ]
    unmatched = dialogue(annotations=[["Never said.", "small-talk"]])
    assert casino_log(unmatched).header.extra["source"]["unmatched_annotations"] == 1


def test_a_walk_away_is_an_impasse_at_five_points_each() -> None:
    record = dialogue()
    record["chat_logs"] = [*record["chat_logs"][:3], answer("mturk_agent_2", "Walk-Away")]
    outcome = result(replay(casino_log(record)))
    assert outcome is not None
    assert outcome["reason"] == "walkout"
    assert outcome["points"] == {"mturk_agent_1": 5, "mturk_agent_2": 5}


def _broken(path: str, value: Any) -> dict[str, Any]:
    record = copy.deepcopy(dialogue())
    *keys, last = path.split(".")
    target: Any = record
    for key in keys:
        target = target[int(key)] if key.isdigit() else target[key]
    target[int(last) if last.isdigit() else last] = value
    return record


@pytest.mark.parametrize(
    ("record", "fragment"),
    [
        ({"chat_logs": []}, "no 'dialogue_id'"),
        (dialogue(dialogue_id="../x"), "'dialogue_id' must be"),
        (dialogue(chat_logs="hello"), "'chat_logs' must be a list"),
        (_broken("chat_logs.0.id", "mturk_agent_3"), "turn 1: 'id' must be one of"),
        (_broken("chat_logs.2.task_data.issue2youget.Food", "2"), "Food splits 2 + 2"),
        (_broken("chat_logs.2.task_data.issue2youget.Water", "many"), "a count from 0 to 3"),
        (_broken("chat_logs.0.text", "Accept-Deal"), "turn 1 (Accept-Deal): there is no deal"),
        (_broken("chat_logs.3.text", "Accept-Deal"), "turn 5 (chat) is not a legal move here"),
        (_broken("chat_logs.6.id", "mturk_agent_2"), "offer 6 is your own"),
        (_broken("chat_logs.6.text", "Thanks!"), "ends without an accepted deal"),
        (_broken("chat_logs.1.text", "   "), "turn 2 (chat) is not a legal move here: chat"),
        (
            _broken("participant_info.mturk_agent_1.value2issue.Low", "Food"),
            "'value2issue' must give",
        ),
        (dialogue(annotations=[["Hi", 3]]), "'annotations' must be a list"),
    ],
)
def test_malformed_casino_records_are_refused_saying_why(
    record: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(RecordError) as info:
        casino_log(record)
    assert fragment in str(info.value)


# -- Deal or No Deal -----------------------------------------------------------------

AGREED = (
    "<input> 1 4 4 1 1 2 </input> <dialogue> THEM: i would like 4 hats and you can have "
    "the rest . <eos> YOU: deal <eos> THEM: <selection> </dialogue> <output> item0=1 item1=0 "
    "item2=1 item0=0 item1=4 item2=0 </output> <partner_input> 1 0 4 2 1 2 </partner_input>"
)


def with_output(output: str) -> str:
    start = AGREED.index("<output>")
    end = AGREED.index("</output>")
    return AGREED[:start] + f"<output> {output} " + AGREED[end:]


def test_a_dond_line_becomes_a_claims_game_where_matching_selections_agree() -> None:
    log = dond_log(AGREED, 3, "test.txt")
    assert log.header.game == "dealornodeal-test-L3"
    assert log.header.extra["source"] == {
        "dataset": "dealornodeal",
        "file": "test.txt",
        "line": 3,
        "output": "selections",
    }
    scenario = log.header.scenario
    assert scenario.protocol.closing == "claims" and scenario.role_ids == ("you", "them")
    assert [(e.type, e.by) for e in log.events] == [
        ("chat", "them"),
        ("chat", "you"),
        ("claim", "them"),  # them wrote <selection>, so it selected first
        ("claim", "you"),
        ("end", None),
    ]
    assert log.events[3].data["terms"] == {"book": 1, "hat": 0, "ball": 1}
    outcome = result(replay(log))
    assert outcome is not None
    # you: 1 book x 4 + 1 ball x 2; them: 4 hats x 2.
    assert outcome["reason"] == "claims_matched"
    assert outcome["points"] == {"you": 6, "them": 8}


@pytest.mark.parametrize(
    ("output", "reason", "ending"),
    [
        ("<disagree> " * 6, "claims_mismatch", "claim"),
        ("<no_agreement> " * 6, "claims_mismatch", "claim"),
        ("<disconnect> " * 6, "aborted", "abort"),
        ("item0=1 item1=0 item2=1 item0=0 item1=3 item2=0", "claims_mismatch", "claim"),
    ],
)
def test_everything_but_matching_selections_is_an_impasse_worth_zero(
    output: str, reason: str, ending: str
) -> None:
    log = dond_log(with_output(output.strip()), 1, "val.txt")
    assert log.events[-2].type == ending
    outcome = result(replay(log))
    assert outcome is not None
    assert outcome["outcome"] == "impasse" and outcome["reason"] == reason
    assert outcome["points"] == {"you": 0, "them": 0}


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("hello", "expected <input>"),
        (AGREED.replace("<input> 1 4 4", "<input> 1 4 x"), "<input> must be 6 whole numbers"),
        (AGREED.replace("<partner_input> 1 0 4", "<partner_input> 2 0 4"), "counts"),
        (AGREED.replace("<input> 1 4", "<input> 0 4"), "count of at least 1"),
        (AGREED.replace("THEM: <selection>", "THEM: bye"), "must end with"),
        (AGREED.replace("YOU: deal", "ME: deal"), "utterance 2 must be"),
        (with_output("item0=1 item1=0"), "must hold 6"),
        (with_output("item0=1 item1=0 item2=1 item0=0 item1=4 item3=0"), "item0=N"),
        (with_output("item0=2 item1=0 item2=1 item0=0 item1=4 item2=0"), "selected 2 books"),
        (with_output("<disagree> <disagree>"), "must hold 6"),
    ],
)
def test_malformed_dond_lines_are_refused_saying_why(line: str, fragment: str) -> None:
    with pytest.raises(RecordError) as info:
        dond_log(line, 1, "test.txt")
    assert fragment in str(info.value)


# -- zopa import ---------------------------------------------------------------------


def test_zopa_import_casino_writes_one_log_per_dialogue_and_skips_bad_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [dialogue(), dialogue(dialogue_id=8, chat_logs=[]), dialogue(dialogue_id=9)]
    source = tmp_path / "casino.json"
    source.write_text(json.dumps(records))
    out = tmp_path / "logs"
    assert main(["import", "casino", str(source), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == ["7.jsonl", "9.jsonl"]
    assert "dialogue 8: skipped: the dialogue ends without" in captured.err
    assert "2 games written" in captured.out and "1 record skipped" in captured.out
    outcome = result(replay(read_log_file(str(out / "7.jsonl"))))
    assert outcome is not None and outcome["points"]["mturk_agent_1"] == 22
    # Idempotent: a second run writes the very same bytes.
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert main(["import", "casino", str(source), "--out", str(out)]) == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_zopa_import_dealornodeal_names_logs_by_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "test.txt"
    source.write_text("\n".join([AGREED, "garbage", "", with_output("<disagree> " * 6)]) + "\n")
    out = tmp_path / "logs"
    assert main(["import", "dealornodeal", str(source), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == ["L1.jsonl", "L4.jsonl"]
    assert "line 2: skipped" in captured.err
    assert "2 games written" in captured.out
    for name in ("L1.jsonl", "L4.jsonl"):
        replay(read_log_file(str(out / name)))


def test_a_second_dond_file_into_the_same_folder_replaces_no_game(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "logs"
    test, val = tmp_path / "test.txt", tmp_path / "val.txt"
    test.write_text(AGREED + "\n")
    val.write_text(with_output("<disagree> " * 6) + "\n")
    assert main(["import", "dealornodeal", str(test), "--out", str(out)]) == 0
    kept = (out / "L1.jsonl").read_bytes()
    # The same file again writes the same game: no loss, nothing refused.
    assert main(["import", "dealornodeal", str(test), "--out", str(out)]) == 0
    assert "1 games written" in capsys.readouterr().out
    assert main(["import", "dealornodeal", str(val), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "holds another game already" in captured.err
    assert "0 games written" in captured.out
    assert (out / "L1.jsonl").read_bytes() == kept


def test_zopa_import_refuses_a_file_it_cannot_read_at_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "casino.json"
    source.write_text("{not json")
    assert main(["import", "casino", str(source), "--out", str(tmp_path / "o")]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    source.write_text("{}")
    assert main(["import", "casino", str(source), "--out", str(tmp_path / "o")]) == 2
    missing = str(tmp_path / "missing.json")
    assert main(["import", "casino", missing, "--out", str(tmp_path / "x")]) == 2
    assert "cannot read or write (No such file or directory)" in capsys.readouterr().err
