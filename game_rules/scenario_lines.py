"""Where each key of a scenario's TOML text is written, so a problem can name its line.

``tomllib`` reads values, not positions, and a refusal names its key the way the checks
in ``scenario.py`` do (``roles[1].points.salary[3]``). ``key_lines`` reads the text once
more, only for where things are: table headers (``[[roles]]`` counted as ``roles[0]``,
``roles[1]``, ...), keys (dotted or quoted), the keys of inline tables and the elements
of arrays, across lines, skipping strings and comments. ``line_of`` then gives a key's
line, or the line of the nearest enclosing key or table that is written: a missing
``roles[1].batna`` points at its ``[[roles]]`` header.

It never judges the text: on TOML it cannot follow it stops, and what it found so far
still serves. (A syntax error's line comes from ``tomllib``'s own message.)
"""

from __future__ import annotations

import contextlib
import re

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SYNTAX_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_LAST_PART = re.compile(r"(\[\d+\]|\.[^.\[\]]+)$")


def key_lines(text: str) -> dict[str, int]:
    """Each written key's line (from 1), named as scenario problems name keys."""
    reader = _Reader(text)
    with contextlib.suppress(_Stop):
        reader.document()
    return reader.found


def line_of(key: str, lines: dict[str, int], message: str = "") -> int | None:
    """The line of ``key``, else of its nearest written parent; a syntax error's own line."""
    if key == "(syntax)":
        at = _SYNTAX_LINE.search(message)
        return int(at.group(1)) if at else None
    while key:
        if key in lines:
            return lines[key]
        shorter = _LAST_PART.sub("", key)
        if shorter == key:
            return None
        key = shorter
    return None


class _Stop(Exception):
    """The text is not TOML this reader can follow; keep what was found."""


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.line = 1
        self.found: dict[str, int] = {}
        self.arrays: dict[str, int] = {}  # array-of-tables name -> tables seen so far

    # ---- characters ----

    def peek(self, ahead: int = 0) -> str:
        where = self.at + ahead
        return self.text[where] if where < len(self.text) else ""

    def starts(self, prefix: str) -> bool:
        return self.text.startswith(prefix, self.at)

    def advance(self, count: int = 1) -> None:
        for _ in range(count):
            if self.peek() == "\n":
                self.line += 1
            self.at += 1

    def blank(self, newlines: bool) -> None:
        """Skip spaces and comments, and line ends too when ``newlines``."""
        while self.at < len(self.text):
            char = self.peek()
            if char in " \t\r" or (newlines and char == "\n"):
                self.advance()
            elif char == "#":
                while self.at < len(self.text) and self.peek() != "\n":
                    self.advance()
            else:
                return

    # ---- structure ----

    def document(self) -> None:
        table = ""
        while True:
            self.blank(newlines=True)
            if self.at >= len(self.text):
                return
            if self.peek() == "[":
                table = self.header()
            else:
                self.assignment(table)

    def header(self) -> str:
        line = self.line
        many = self.starts("[[")
        self.advance(2 if many else 1)
        parts = self.key()
        self.advance(2 if many else 1)
        path = ""
        for n, part in enumerate(parts):
            path = f"{path}.{part}" if path else part
            if many and n == len(parts) - 1:
                self.arrays[path] = self.arrays.get(path, 0) + 1
            if path in self.arrays:
                path = f"{path}[{self.arrays[path] - 1}]"
        self.found.setdefault(path, line)
        return path

    def assignment(self, table: str) -> None:
        line = self.line
        path = ".".join([table, *self.key()] if table else self.key())
        self.blank(newlines=False)
        if self.peek() != "=":
            raise _Stop
        self.advance()
        self.blank(newlines=False)
        self.found.setdefault(path, line)
        self.value(path)

    def key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self.blank(newlines=False)
            char = self.peek()
            if char in ('"', "'"):
                start = self.at + 1
                self.string()
                parts.append(self.text[start : self.at - 1])
            else:
                bare = _BARE.match(self.text, self.at)
                if bare is None:
                    raise _Stop
                parts.append(bare.group())
                self.advance(len(bare.group()))
            self.blank(newlines=False)
            if self.peek() != ".":
                return parts
            self.advance()

    def value(self, path: str) -> None:
        char = self.peek()
        if char in ('"', "'"):
            self.string()
        elif char == "[":
            self.array(path)
        elif char == "{":
            self.inline_table(path)
        else:
            while self.at < len(self.text) and self.peek() not in ",]}\n#":
                self.advance()

    def array(self, path: str) -> None:
        self.advance()
        index = 0
        while True:
            self.blank(newlines=True)
            char = self.peek()
            if char == "]":
                self.advance()
                return
            if char == "":
                raise _Stop
            if char == ",":
                index += 1
                self.advance()
                continue
            element = f"{path}[{index}]"
            self.found.setdefault(element, self.line)
            self.value(element)

    def inline_table(self, path: str) -> None:
        self.advance()
        while True:
            self.blank(newlines=False)
            char = self.peek()
            if char == "}":
                self.advance()
                return
            if char == ",":
                self.advance()
                continue
            if char in ("", "\n"):
                raise _Stop
            self.assignment(path)

    def string(self) -> None:
        quote = self.peek()
        if self.starts(quote * 3):
            self.advance(3)
            while self.at < len(self.text) and not self.starts(quote * 3):
                self.advance(2 if quote == '"' and self.peek() == "\\" else 1)
            # A closing delimiter may carry one or two quotes of the content before it.
            while self.peek(3) == quote:
                self.advance()
            self.advance(3)
            return
        self.advance()
        while self.at < len(self.text) and self.peek() not in (quote, "\n"):
            self.advance(2 if quote == '"' and self.peek() == "\\" else 1)
        self.advance()
