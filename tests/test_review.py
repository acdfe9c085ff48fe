"""``zopa replay``: tags and notes under each event, a summary, the unchanged ``--json``
result and the ``--timeline-json`` annotated timeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.factories import HIGH, LOW, MID, played, tiny
from zopa.rules.actions import Chat, Offer, Walkout
from zopa.rules.log import GameLog, replay, write_log
from zopa.rules.notes import make_note
from zopa.rules.review import review, review_json
from zopa.rules.scoring import result
from zopa.server.cli import main


def _game() -> GameLog:
    log = played(
        tiny(first_mover="seller", batnas=(1, 1)),
        Offer("seller", HIGH, final=True),
        Offer("buyer", LOW),
        Chat("seller", "fine, fine"),
        Offer("seller", MID),
        Offer("buyer", {"i0": 1, "i1": 0}),
        Walkout("seller"),
    )
    log = log.with_note(make_note(1, mark="?!", comment="Final already?", author="Ana"))
    return log.with_note(make_note(3, tags=["self-need"], author="CaSiNo"))


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "game.jsonl"
    write_log(_game(), str(path))
    return path


def test_the_timeline_shows_tags_and_notes_under_their_event(
    saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", str(saved)]) == 0
    lines = capsys.readouterr().out.splitlines()
    first = next(n for n, line in enumerate(lines) if "FINAL offer" in line)
    assert "[seller 4 / buyer 0]" in lines[first]
    assert lines[first + 1].strip().startswith("[extreme-opening] seller opens giving buyer 0")
    assert lines[first + 2].strip().startswith("[final-offer]")
    assert lines[first + 3].strip() == '?! "Final already?" (Ana)'
    chat = next(n for n, line in enumerate(lines) if "says: fine, fine" in line)
    assert lines[chat + 1].strip() == "#self-need (CaSiNo)"
    bluff = next(line for line in lines if "[bluff-called]" in line)
    assert "final offer 1 was countered" in bluff


def test_the_summary_gives_result_efficiency_and_what_matters_most(
    saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", str(saved)]) == 0
    out = capsys.readouterr().out
    summary = out[out.index("Result:") :]
    assert summary.startswith("Result: impasse (walkout)")
    assert "efficiency 0%, a missed deal" in summary
    most = summary[summary.index("What matters most:") :].splitlines()
    assert [line.split("]")[0].strip() for line in most[1:4]] == [
        "[missed-deal",
        "[impasse-end",
        "[bluff-called",
    ]
    assert "concession 2 (seller 1, buyer 1)" in summary
    assert "Notes: 2 (marks: ?! 1)" in summary


def test_json_is_still_exactly_the_result_object(
    saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", str(saved), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == result(replay(_game()))


def test_timeline_json_holds_every_event_with_its_tags_notes_and_points(
    saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", str(saved), "--timeline-json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    log = _game()
    assert printed == json.loads(json.dumps(review_json(review(log, replay(log)))))
    assert [step["seq"] for step in printed["timeline"]] == [e.seq for e in log.events]
    first = printed["timeline"][0]
    assert first["points"] == {"seller": 4, "buyer": 0}
    assert [t["tag"] for t in first["tags"]] == ["extreme-opening", "final-offer"]
    assert first["notes"] == [
        {"type": "note", "about": 1, "mark": "?!", "comment": "Final already?", "author": "Ana"}
    ]
    assert first["event"]["final"] is True
    assert printed["result"]["reason"] == "walkout"
    assert printed["summary"]["tags"]["concession"] == 2
    assert printed["summary"]["highlights"][0]["tag"] == "missed-deal"


def test_json_and_timeline_json_exclude_each_other(saved: Path) -> None:
    with pytest.raises(SystemExit):
        main(["replay", str(saved), "--json", "--timeline-json"])
