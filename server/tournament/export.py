"""The tournament as a tidy CSV: one row per player per game (or bye), one column per fact.

Tidy so that a spreadsheet's filter and pivot table, or ``pandas.read_csv``, need no
reshaping: every row has the same columns, numbers are plain numbers (no thousands
separators, a dot for decimals), a missing value is an empty cell, and text is UTF-8
without a byte-order mark. Player names are the one free text, so a name that a
spreadsheet would run as a formula (starting with ``= + - @``) is written with a
leading apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from zopa.server.tournament.standings import Line

COLUMNS = (
    "round",
    "game",
    "scenario",
    "player",
    "name",
    "role",
    "role_number",
    "partner",
    "partner_name",
    "outcome",
    "reason",
    "points",
    "batna",
    "surplus",
    "best_surplus",
    "score",
    "percentile",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(found: Iterable[Line], names: Mapping[str, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for line in found:
        partner_name = "" if line.partner is None else names.get(line.partner, line.partner)
        writer.writerow(
            [
                line.round,
                line.game or "",
                line.scenario,
                line.player,
                _text(names.get(line.player, line.player)),
                line.role or "",
                "" if line.role_index is None else line.role_index + 1,
                line.partner or "",
                _text(partner_name),
                line.outcome,
                line.reason or "",
                _number(line.points),
                _number(line.batna),
                _number(line.surplus),
                _number(line.best_surplus),
                _number(line.score),
                _number(line.percentile),
            ]
        )
    return out.getvalue()


def _number(value: float | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0")


def _text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value
