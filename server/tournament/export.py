"""The tournament as a tidy CSV: one row per player per game (or bye), one column per fact.

Tidy so that a spreadsheet's filter and pivot table, or ``pandas.read_csv``, need no
reshaping: every row has the same columns, numbers are plain numbers (no thousands
separators, a dot for decimals), a missing value is an empty cell, and text is UTF-8
without a byte-order mark. Player names are the one free text; server/csv_export.py
writes the file, so a name that a spreadsheet would run as a formula is kept as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from zopa.server.csv_export import Cell
from zopa.server.csv_export import csv_text as write_csv
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


def csv_text(found: Iterable[Line], names: Mapping[str, str]) -> str:
    return write_csv(COLUMNS, (_row(line, names) for line in found))


def _row(line: Line, names: Mapping[str, str]) -> list[Cell]:
    partner_name = None if line.partner is None else names.get(line.partner, line.partner)
    return [
        line.round,
        line.game,
        line.scenario,
        line.player,
        names.get(line.player, line.player),
        line.role,
        None if line.role_index is None else line.role_index + 1,
        line.partner,
        partner_name,
        line.outcome,
        line.reason,
        _number(line.points),
        _number(line.batna),
        _number(line.surplus),
        _number(line.best_surplus),
        _number(line.score),
        _number(line.percentile),
    ]


def _number(value: float | None) -> int | float | None:
    """Whole numbers without a decimal point, others to six places."""
    if value is None:
        return None
    rounded = round(float(value), 6)
    return int(rounded) if rounded.is_integer() else rounded
