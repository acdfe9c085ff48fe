"""Human annotations: a teacher's mark and comment, or a dataset's labels, on one event.

A note points at an event by its ``seq`` and lives in the game log beside the events
(``{"type": "note", "about": 3, ...}``, with no ``seq`` of its own), so a log carries
its commentary wherever it goes. Notes are never replayed: they cannot change the
state or the result of a game, only what a reader sees next to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from zopa.rules.errors import LogError

# As in chess annotation: good, mistake, brilliant, blunder, interesting, dubious.
MARKS = ("!", "?", "!!", "??", "!?", "?!")
MARK_MEANINGS = {
    "!": "good move",
    "?": "mistake",
    "!!": "excellent move",
    "??": "serious mistake",
    "!?": "interesting move",
    "?!": "dubious move",
}
MAX_COMMENT = 4000
MAX_TAG = 64
_FIELDS = ("type", "about", "mark", "comment", "author", "tags")


@dataclass(frozen=True, slots=True)
class Note:
    about: int  # the seq of the event the note is about
    mark: str | None = None
    comment: str | None = None
    author: str | None = None
    # Labels such as a dataset's strategy annotations ("self-need", "small-talk").
    tags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {"type": "note", "about": self.about}
        if self.mark is not None:
            record["mark"] = self.mark
        if self.comment is not None:
            record["comment"] = self.comment
        if self.tags:
            record["tags"] = list(self.tags)
        if self.author is not None:
            record["author"] = self.author
        return record


def make_note(
    about: int,
    *,
    mark: str | None = None,
    comment: str | None = None,
    author: str | None = None,
    tags: Iterable[str] = (),
) -> Note:
    """A checked note; ``LogError`` says what is wrong with it."""
    if isinstance(about, bool) or not isinstance(about, int) or about < 1:
        raise LogError(f"a note's 'about' must be an event seq, 1 or more (found {about!r})")
    if mark is not None and mark not in MARKS:
        raise LogError(f"a note's 'mark' must be one of {' '.join(MARKS)} (found {mark!r})")
    if comment is not None:
        if not isinstance(comment, str) or not comment.strip():
            raise LogError("a note's 'comment' must be non-empty text")
        if len(comment) > MAX_COMMENT:
            raise LogError(f"a note's 'comment' is over {MAX_COMMENT} characters")
    if author is not None and (not isinstance(author, str) or not author.strip()):
        raise LogError("a note's 'author' must be non-empty text")
    labels = tuple(tags)
    for tag in labels:
        if not isinstance(tag, str) or not tag.strip() or len(tag) > MAX_TAG:
            raise LogError(f"a note's tags must be non-empty text of at most {MAX_TAG} characters")
    if mark is None and comment is None and not labels:
        raise LogError("a note needs a mark, a comment or tags")
    return Note(about, mark, comment, author, labels)


def parse_note(raw: Mapping[str, Any]) -> Note:
    """Read a note line's object; ``LogError`` (without a line) for a malformed one."""
    if "seq" in raw:
        raise LogError("a note has no 'seq': it is about an event, not one itself")
    unknown = sorted(k for k in raw if k not in _FIELDS)
    if unknown:
        raise LogError(f"a note has no field {unknown[0]!r}; its fields are {list(_FIELDS)}")
    if "about" not in raw:
        raise LogError("a note needs 'about', the seq of its event")
    tags = raw.get("tags", [])
    if not isinstance(tags, list):
        raise LogError("a note's 'tags' must be a list of text")
    return make_note(
        raw["about"],
        mark=raw.get("mark"),
        comment=raw.get("comment"),
        author=raw.get("author"),
        tags=tags,
    )


def notes_by_event(notes: Iterable[Note]) -> dict[int, list[Note]]:
    """Notes grouped by the seq they are about, each group in log order."""
    grouped: dict[int, list[Note]] = {}
    for note in notes:
        grouped.setdefault(note.about, []).append(note)
    return grouped
