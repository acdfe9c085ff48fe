"""``zopa replay LOG [--json | --timeline-json]``: re-run a game log through the rules and
tell it, move by move, with the annotator's tags and people's notes on each event."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from zopa.rules.errors import LogError
from zopa.rules.log import read_log_file, replay
from zopa.rules.notes import Note
from zopa.rules.review import Review, review, review_json
from zopa.rules.scoring import gain_text, result
from zopa.rules.timeline import num

_INDENT = " " * 28  # lines about an event start under its description


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "replay",
        help="re-run a game log through the rules; print its annotated timeline and result",
    )
    parser.add_argument("log", metavar="LOG", help="a zopa-log/1 file (JSON Lines)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print only the result object")
    output.add_argument(
        "--timeline-json",
        action="store_true",
        help="print the whole annotated timeline, result and summary as JSON",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        log = read_log_file(args.log)
        state = replay(log)
    except LogError as exc:
        print(f"zopa replay: {args.log}: invalid log: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result(state), ensure_ascii=False))
        return 0
    game = review(log, state)
    if args.timeline_json:
        print(json.dumps(review_json(game), ensure_ascii=False))
        return 0
    print("\n".join(_told(game)))
    return 0


def _told(game: Review) -> list[str]:
    header = game.log.header
    scenario = header.scenario
    first, second = scenario.role_ids
    lines = [f"{scenario.title} ({scenario.id}) — game {header.game}"]
    for role in scenario.role_ids:
        player = header.players[role]
        lines.append(f"  {role}: {player.get('name', player.get('id', '?'))}")
    source = header.extra.get("source")
    if isinstance(source, dict):
        shown = ", ".join(f"{k} {v}" for k, v in source.items() if not isinstance(v, dict | list))
        lines.append(f"  source: {shown}")
    lines.append("")
    for step in game.steps:
        entry = step.entry
        minutes, seconds = divmod(int(entry.seconds), 60)
        points = ""
        if entry.points is not None:
            points = (
                f"   [{first} {num(entry.points[first])} / {second} {num(entry.points[second])}]"
            )
        lines.append(
            f"{entry.seq:>4}  {minutes:02d}:{seconds:02d}  {entry.who:<14} {entry.what}{points}"
        )
        lines += [f"{_INDENT}[{tag.tag}] {tag.text}" for tag in step.tags]
        lines += [f"{_INDENT}{_note(note)}" for note in step.notes]
    lines.append("")
    return lines + _summary(game)


def _note(note: Note) -> str:
    parts = [note.mark] if note.mark else []
    if note.comment:
        parts.append(json.dumps(note.comment, ensure_ascii=False))
    if note.tags:
        parts.append(" ".join(f"#{t}" for t in note.tags))
    if note.author:
        parts.append(f"({note.author})")
    return " ".join(parts)


def _summary(game: Review) -> list[str]:
    outcome = game.result
    scenario = game.log.header.scenario
    if outcome is None:
        lines = ["The game is still live."]
    else:
        lines = [f"Result: {outcome['outcome']} ({outcome['reason']})"]
        for role in scenario.role_ids:
            lines.append(
                f"  {role}: {num(outcome['points'][role])} points "
                f"(BATNA {num(outcome['batna'][role])}, surplus {num(outcome['surplus'][role])})"
            )
        joint = f"  joint {num(outcome['joint'])} of at most {num(outcome['max_joint'])}"
        joint += f" ({gain_text(outcome['efficiency'], outcome['verdict'])})"
        lines.append(joint)
    highlights = game.highlights
    if highlights:
        lines += ["", "What matters most:"]
        lines += [f"  [{t.tag}] {t.text}" for t in highlights]
    if game.tags:
        by_side: dict[str, Counter[str]] = {}
        for tag in game.tags:
            by_side.setdefault(tag.tag, Counter())[str(tag.data.get("by", ""))] += 1
        cells = []
        for name, count in game.counts.items():
            sides = ", ".join(f"{role} {n}" for role, n in by_side[name].items() if role)
            cells.append(f"{name} {count}" + (f" ({sides})" if sides else ""))
        lines += ["", "Tags: " + "; ".join(cells)]
    if game.log.notes:
        marks = Counter(n.mark for n in game.log.notes if n.mark)
        shown = ", ".join(f"{m} {n}" for m, n in marks.items())
        lines.append(f"Notes: {len(game.log.notes)}" + (f" (marks: {shown})" if shown else ""))
    return lines
