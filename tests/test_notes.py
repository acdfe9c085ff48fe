"""Human annotations: kept through reading and writing, refused when malformed, and
never able to change how a game replays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.factories import header_for, tiny
from zopa.rules.actions import Accept, Offer
from zopa.rules.errors import LogError
from zopa.rules.log import GameLog, log_lines, read_log, read_log_file, replay
from zopa.rules.negotiation import apply, start
from zopa.rules.notes import MARKS, Note, make_note, notes_by_event
from zopa.rules.scoring import result
from zopa.server.cli import main

T0 = 1000.0


def _game() -> GameLog:
    scenario = tiny(first_mover="seller")
    state = start(scenario, 1, T0)
    state, events = apply(state, Offer("seller", {"i0": 2, "i1": 2}), T0 + 5)
    state, more = apply(state, Accept("buyer", 1), T0 + 6)
    return GameLog(header_for(scenario, seed=1), tuple(events + more))


def test_notes_survive_writing_and_reading_byte_for_byte() -> None:
    log = _game().with_note(make_note(1, mark="?!", comment="Opens at the top.", author="Ana"))
    log = log.with_note(make_note(2, mark="??"))
    log = log.with_note(make_note(1, tags=["self-need", "small-talk"], author="CaSiNo"))
    lines = log_lines(log)
    assert json.loads(lines[-3]) == {
        "type": "note",
        "about": 1,
        "mark": "?!",
        "comment": "Opens at the top.",
        "author": "Ana",
    }
    again = read_log(lines)
    assert again.notes == log.notes
    assert log_lines(again) == lines
    assert [n.mark for n in notes_by_event(again.notes)[1]] == ["?!", None]


def test_notes_never_change_the_replay_or_the_result() -> None:
    plain = _game()
    noted = plain.with_note(make_note(1, mark="!!", comment="Brilliant."))
    assert replay(read_log(log_lines(noted))) == replay(plain)
    assert result(replay(noted)) == result(replay(plain))


def test_a_note_may_stand_anywhere_after_the_header() -> None:
    lines = log_lines(_game())
    note = json.dumps({"type": "note", "about": 2, "mark": "!"})
    log = read_log([lines[0], lines[1], note, *lines[2:]])
    assert log.notes == (Note(2, mark="!"),)
    assert [e.seq for e in log.events] == [1, 2, 3]
    replay(log)


@pytest.mark.parametrize(
    ("note", "fragment"),
    [
        ({"type": "note", "about": 9, "mark": "!"}, "the log has events 1 to 3"),
        ({"type": "note", "about": 0, "mark": "!"}, "1 or more"),
        ({"type": "note", "mark": "!"}, "needs 'about'"),
        ({"type": "note", "about": 1, "mark": "!!!"}, "must be one of"),
        ({"type": "note", "about": 1}, "a mark, a comment or tags"),
        ({"type": "note", "about": 1, "comment": "  "}, "non-empty"),
        ({"type": "note", "about": 1, "tags": "x"}, "list of text"),
        ({"type": "note", "about": 1, "mark": "!", "seq": 4}, "has no 'seq'"),
        ({"type": "note", "about": 1, "mark": "!", "colour": "red"}, "no field 'colour'"),
    ],
)
def test_malformed_notes_are_refused_naming_the_line(
    note: dict[str, object], fragment: str
) -> None:
    lines = [*log_lines(_game()), json.dumps(note)]
    with pytest.raises(LogError) as info:
        read_log(lines)
    assert info.value.line == 5
    assert fragment in str(info.value)


def test_notes_do_not_excuse_invalid_game_events() -> None:
    lines = log_lines(_game().with_note(make_note(3, comment="Deal.")))
    broken = json.loads(lines[2])
    broken["offer"] = 7
    with pytest.raises(LogError, match="not legal"):
        replay(read_log([lines[0], lines[1], json.dumps(broken), *lines[3:]]))


def test_with_note_refuses_a_note_about_no_event() -> None:
    with pytest.raises(LogError, match="events 1 to 3"):
        _game().with_note(make_note(4, mark="?"))
    assert len(MARKS) == 6


def test_zopa_annotate_appends_a_note_that_replay_keeps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "game.jsonl"
    original = "\n".join(log_lines(_game()))  # no final newline: the note must not glue on
    path.write_text(original)
    args = ["annotate", str(path), "--seq", "1", "--mark", "?!", "--comment", "Too high."]
    assert main([*args, "--author", "Ana", "--tag", "anchor"]) == 0
    assert path.read_text().startswith(original + "\n")
    log = read_log_file(str(path))
    assert log.notes == (Note(1, "?!", "Too high.", "Ana", ("anchor",)),)
    assert main(["annotate", str(path), "--seq", "9", "--mark", "!"]) == 2
    assert "events 1 to 3" in capsys.readouterr().err
    assert main(["annotate", str(path), "--seq", "1"]) == 2
    assert "a mark, a comment or tags" in capsys.readouterr().err
    path.write_text(original.replace('"offer":1', '"offer":5'))
    assert main(["annotate", str(path), "--seq", "1", "--mark", "!"]) == 1
    assert "invalid log" in capsys.readouterr().err
