"""``zopa annotate LOG --seq N [--mark M] [--comment TEXT] [--tag T]... [--author NAME]``.

Appends one note line to a game log. Appending, rather than rewriting the file, leaves
every byte of the game itself untouched, and the log is checked first so a note is
never added to a log that does not replay.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from zopa.rules.errors import LogError
from zopa.rules.log import dumps, read_log_file, replay
from zopa.rules.notes import MARK_MEANINGS, MARKS, make_note


def add_parser(sub: Any) -> None:
    marks = ", ".join(f"{m} {meaning}" for m, meaning in MARK_MEANINGS.items())
    parser: argparse.ArgumentParser = sub.add_parser(
        "annotate", help="add a comment, a mark or tags about one event of a game log"
    )
    parser.add_argument("log", metavar="LOG", help="a zopa-log/1 file (JSON Lines)")
    parser.add_argument("--seq", type=int, required=True, help="the event the note is about")
    parser.add_argument("--mark", choices=MARKS, help=f"a chess-style mark: {marks}")
    parser.add_argument("--comment", help="the comment text")
    parser.add_argument("--tag", action="append", default=[], help="a label (repeatable)")
    parser.add_argument("--author", help="who is annotating")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        log = read_log_file(args.log)
        replay(log)
    except LogError as exc:
        print(f"zopa annotate: {args.log}: invalid log: {exc}", file=sys.stderr)
        return 1
    try:
        note = make_note(
            args.seq, mark=args.mark, comment=args.comment, author=args.author, tags=args.tag
        )
        log.with_note(note)
    except LogError as exc:
        print(f"zopa annotate: {exc}", file=sys.stderr)
        return 2
    with open(args.log, "rb+") as handle:
        # A log whose last line lacks its newline must not have the note glued onto it.
        handle.seek(0, 2)
        missing_newline = handle.tell() > 0 and _last_byte(handle) != b"\n"
        handle.write(((b"\n" if missing_newline else b"") + dumps(note.to_dict()).encode()) + b"\n")
    print(f"note added about event {note.about} of {args.log}")
    return 0


def _last_byte(handle: Any) -> bytes:
    handle.seek(-1, 2)
    last: bytes = handle.read(1)
    return last
