"""Every CaSiNo dialogue and every Deal or No Deal test/val line, imported with
``zopa import``, replays to exactly the points the dataset itself recorded.

Reads the datasets from ``../shared/datasets`` beside the repository (or
``$ZOPA_DATASETS``) and never copies them. ``pytest -s`` shows the counts. The
expected points are worked out here from the raw records, independently of the
importers.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from zopa.rules.annotate import annotate
from zopa.rules.log import read_log_file, replay
from zopa.rules.scoring import result
from zopa.server.cli import main

DATASETS = Path(
    os.environ.get(
        "ZOPA_DATASETS", Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
    )
)
CASINO = DATASETS / "casino"
DOND = DATASETS / "dealornodeal"
CASINO_SPLITS = ("train", "valid", "test")  # together the 1,030 dialogues of casino.json
DOND_FILES = ("test.txt", "val.txt")
UNIT_POINTS = {"High": 5, "Medium": 4, "Low": 3}

pytestmark = pytest.mark.skipif(
    not DATASETS.is_dir(),
    reason=f"{DATASETS} is absent: these checks need the CaSiNo and Deal or No Deal datasets",
)


def _points(log_path: Path) -> dict[str, Any]:
    log = read_log_file(str(log_path))
    outcome = result(replay(log))
    assert outcome is not None, f"{log_path} is not a finished game"
    annotate(log)  # every real game must annotate without fault
    return dict(outcome["points"])


def _imported(kind: str, source: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["import", kind, str(source), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    return captured.err


def test_every_casino_dialogue_replays_to_its_recorded_points(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    counts: Counter[str] = Counter()
    skipped: list[str] = []
    for split in CASINO_SPLITS:
        source = CASINO / f"data_split_casino_{split}.json"
        errors = _imported("casino", source, tmp_path, capsys)
        skipped += errors.splitlines()
        for record in json.loads(source.read_text(encoding="utf-8")):
            path = tmp_path / f"{record['dialogue_id']}.jsonl"
            if not path.exists():
                counts["skipped"] += 1
                continue
            recorded = {
                role: info["outcomes"]["points_scored"]
                for role, info in record["participant_info"].items()
            }
            counts["matched" if _points(path) == recorded else "mismatched"] += 1
    with capsys.disabled():
        print(
            f"\nCaSiNo: {sum(counts.values())} dialogues, {counts['matched']} match the "
            f"recorded points_scored of both participants, {counts['mismatched']} do not, "
            f"{counts['skipped']} skipped" + "".join(f"\n  {line}" for line in skipped)
        )
    assert counts == Counter(matched=1030)


# -- Deal or No Deal -----------------------------------------------------------------

_LINE = re.compile(
    r"<input> (.*) </input> <dialogue> (.*) </dialogue> <output> (.*) </output> "
    r"<partner_input> (.*) </partner_input>"
)
_RAW = re.compile(
    r"^((?:\d+ ){6})(.*?)(?:YOU|THEM): <selection> (.*?) <eos> reward=(\S+(?: agreement)?) "
    r"(\S+) ((?:\d+ ?){6})$"
)


def _rule_points(line: str) -> tuple[int, int]:
    """The dataset's rule: agreed selections score each side its share; anything else 0."""
    match = _LINE.match(line)
    assert match is not None
    mine = [int(n) for n in match[1].split()]
    theirs = [int(n) for n in match[4].split()]
    output = match[3].split()
    if not output[0].startswith("item"):
        return 0, 0
    taken = [int(token.split("=")[1]) for token in output]
    return (
        sum(n * v for n, v in zip(taken[:3], mine[1::2], strict=True)),
        sum(n * v for n, v in zip(taken[3:], theirs[1::2], strict=True)),
    )


def _raw_rewards() -> dict[tuple[str, str, str], int]:
    """data.txt's recorded reward per (input, dialogue, partner input): each line holds one
    side's selection and ``reward=N agree``; a reward counts only when it says agree."""
    rewards: dict[tuple[str, str, str], int] = {}
    path = DOND / "data.txt"
    if not path.exists():
        return rewards
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _RAW.match(line.strip())
        if match is None:
            continue
        reward, verdict = match[4], match[5]
        score = int(reward) if verdict == "agree" and reward.isdigit() else 0
        rewards[(match[1].strip(), match[2].strip(), match[6].strip())] = score
    return rewards


def _swap(dialogue: str) -> str:
    return " ".join({"YOU:": "THEM:", "THEM:": "YOU:"}.get(w, w) for w in dialogue.split(" "))


def test_every_dond_line_replays_to_the_datasets_rewards(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = _raw_rewards()
    report: list[str] = []
    for name in DOND_FILES:
        source = DOND / name
        out = tmp_path / name
        errors = _imported("dealornodeal", source, out, capsys)
        counts: Counter[str] = Counter()
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            path = out / f"L{number}.jsonl"
            if not path.exists():
                counts["skipped"] += 1
                continue
            points = _points(path)
            got = (points["you"], points["them"])
            counts["matched" if got == _rule_points(line) else "mismatched"] += 1
            match = _LINE.match(line)
            assert match is not None
            dialogue = match[2].rsplit(" <eos> ", 1)[0] + " <eos>"
            for side, key in (
                (0, (match[1], dialogue, match[4])),
                (1, (match[4], _swap(dialogue), match[1])),
            ):
                if key not in raw:
                    counts["not in data.txt"] += 1
                else:
                    counts["data.txt agrees" if raw[key] == got[side] else "data.txt differs"] += 1
        total = sum(counts[k] for k in ("matched", "mismatched", "skipped"))
        report.append(
            f"Deal or No Deal {name}: {total} lines, {counts['matched']} match the "
            f"dataset's rewards for both sides, {counts['mismatched']} do not, "
            f"{counts['skipped']} skipped; data.txt's recorded reward agrees for "
            f"{counts['data.txt agrees']} sides, differs for {counts['data.txt differs']}, "
            f"{counts['not in data.txt']} sides not in data.txt"
            + "".join(f"\n  {e}" for e in errors.splitlines())
        )
        assert counts["mismatched"] == counts["skipped"] == counts["data.txt differs"] == 0
        assert counts["matched"] == total
    with capsys.disabled():
        print("\n" + "\n".join(report))


def test_impasse_stages_of_the_datasets_see_their_talk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The imported games bargained in chat without formal offers (Deal or No Deal has
    # none at all): the stage must say so, not "nothing was exchanged"
    # (docs/annotations.md, Impasse stages).
    found: dict[str, Counter[str]] = {}
    sources = {
        "casino": [CASINO / f"data_split_casino_{split}.json" for split in CASINO_SPLITS],
        "dealornodeal": [DOND / name for name in DOND_FILES],
    }
    for kind, files in sources.items():
        for source in files:
            # Each file into its own folder: Deal or No Deal names its logs by line.
            assert "skipped" not in _imported(kind, source, tmp_path / kind / source.stem, capsys)
        stages = found.setdefault(kind, Counter())
        for path in sorted((tmp_path / kind).glob("*/*.jsonl")):
            for tag in annotate(read_log_file(str(path))):
                if tag.tag.startswith("impasse-"):
                    stages[f"{tag.tag} {tag.data['cause']}"] += 1
                    chat, _ = tag.data.get("talk", (0, 0))
                    if tag.data["cause"] == "no-exchange":
                        assert f"{chat} chat lines" in tag.text
    with capsys.disabled():
        for kind, stages in found.items():
            print(f"\n{kind} impasse stages: {dict(sorted(stages.items()))}")
    for kind, stages in found.items():
        talked = stages["impasse-middle talk-without-offers"]
        assert talked > stages["impasse-start no-exchange"], kind
