"""A tournament's results on disk: a tidy CSV (one row per game side) and a JSON summary.

``DIR/games.csv`` has the columns of ``COLUMNS``; ``DIR/results.json`` the settings,
which slice of the games it holds (``shard``), each agent's standing and each pairing's
record, all worked out from the CSV's own text, so that slices merged (``merge``) give
byte for byte the files of the whole tournament run at once. Only ``run`` (how it was
run: processes, seconds) differs. docs/agents.md describes every column and key.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from zopa.rules.scenario import Points
from zopa.server.agent_loader import AgentError

FORMAT = "zopa-agent-tournament/1"
CSV_NAME = "games.csv"
JSON_NAME = "results.json"
COLUMNS = (
    "game",
    "scenario",
    "repetition",
    "seed",
    "role",
    "agent",
    "partner",
    "outcome",
    "reason",
    "points",
    "batna",
    "surplus",
    "utility",
    "efficiency",
    "refused",
    "terms",
)


class Row(NamedTuple):
    """One side of one game. A NamedTuple: the processes of a tournament send every row
    to the first, and a tuple pickles at a fraction of a dataclass's cost."""

    game: int
    scenario: str
    repetition: int
    seed: int
    role: str
    agent: str
    partner: str
    outcome: str  # "agreement", "impasse" or "forfeit" (this side broke the rules of agents)
    reason: str  # the game's ending reason, or why this side forfeited
    points: Points
    batna: Points
    surplus: Points  # points - BATNA
    utility: float | None  # points on its card from 0 (its worst terms) to 1 (its best)
    efficiency: float | None  # the game's (zopa.rules.scoring.gain); None: no gain possible
    refused: int  # its moves refused (by the rules, or as no move a player could send)
    terms: dict[str, int] | None

    def refusing(self, more: int) -> Row:
        return self._replace(refused=self.refused + more) if more else self

    def cells(self) -> dict[str, str]:
        return {
            "game": str(self.game),
            "scenario": self.scenario,
            "repetition": str(self.repetition),
            "seed": str(self.seed),
            "role": self.role,
            "agent": self.agent,
            "partner": self.partner,
            "outcome": self.outcome,
            "reason": self.reason,
            "points": _num(self.points),
            "batna": _num(self.batna),
            "surplus": _num(self.surplus),
            "utility": "" if self.utility is None else _num(self.utility),
            "efficiency": "" if self.efficiency is None else _num(self.efficiency),
            "refused": str(self.refused),
            "terms": ""
            if self.terms is None
            else json.dumps(self.terms, separators=(",", ":"), sort_keys=True),
        }


Cells = dict[str, str]


def _num(value: Points) -> str:
    return repr(value) if isinstance(value, float) and not value.is_integer() else str(int(value))


def csv_text(rows: Iterable[Cells]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def read_cells(folder: Path) -> list[Cells]:
    path = folder / CSV_NAME
    try:
        with path.open(newline="") as handle:
            reader = csv.DictReader(handle)
            if tuple(reader.fieldnames or ()) != COLUMNS:
                raise AgentError(f"{path}: not the games of a zopa tournament (columns differ)")
            return list(reader)
    except OSError as exc:
        raise AgentError(f"{path}: cannot read it ({exc.strerror})") from exc


def read_summary(folder: Path) -> dict[str, Any]:
    path = folder / JSON_NAME
    try:
        summary: Any = json.loads(path.read_text())
    except OSError as exc:
        raise AgentError(f"{path}: cannot read it ({exc.strerror})") from exc
    except ValueError as exc:
        raise AgentError(f"{path}: not JSON ({exc})") from exc
    if not isinstance(summary, dict) or summary.get("format") != FORMAT:
        raise AgentError(f"{path}: not the results of a zopa tournament ({FORMAT})")
    return summary


def write(
    folder: Path,
    cells: Sequence[Cells],
    settings: dict[str, Any],
    agents: list[dict[str, str]],
    shard: tuple[int, int] | None,
    run: dict[str, Any],
) -> dict[str, Any]:
    """Write both files; the summary written."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CSV_NAME).write_text(csv_text(cells))
    summary = {
        "format": FORMAT,
        "settings": settings,
        "agents": agents,
        "shard": None if shard is None else list(shard),
        **summarize(cells, [a["name"] for a in agents]),
        "run": run,
    }
    (folder / JSON_NAME).write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def summarize(cells: Sequence[Cells], agents: Sequence[str]) -> dict[str, Any]:
    """Counts, standings (best mean utility first) and every pairing's record."""
    by_agent = {a: _Record() for a in agents}
    by_pair: dict[tuple[str, str], _Record] = {}
    by_scenario: dict[tuple[str, str], _Record] = {}
    games: set[str] = set()
    for c in cells:
        games.add(c["game"])
        by_agent.setdefault(c["agent"], _Record()).add(c)
        by_pair.setdefault((c["agent"], c["partner"]), _Record()).add(c)
        by_scenario.setdefault((c["scenario"], c["agent"]), _Record()).add(c)
    standings = [{"agent": a, **r.to_json()} for a, r in by_agent.items()]
    standings.sort(key=lambda s: (-(s["utility"] if s["utility"] is not None else -1), s["agent"]))
    return {
        "games": len(games),
        "forfeits": sum(c["outcome"] == "forfeit" for c in cells),
        "refused": sum(int(c["refused"]) for c in cells),
        "standings": standings,
        "scenarios": [
            {"scenario": s, "agent": a, **r.to_json()} for (s, a), r in sorted(by_scenario.items())
        ],
        "pairings": [
            {"agent": a, "partner": p, **r.to_json()} for (a, p), r in sorted(by_pair.items())
        ],
    }


class _Record:
    __slots__ = (
        "agreements",
        "efficiency",
        "forfeits",
        "points",
        "refused",
        "scored",
        "sides",
        "surplus",
        "utility",
        "valued",
    )

    def __init__(self) -> None:
        self.sides = self.agreements = self.forfeits = self.refused = 0
        self.scored = self.valued = 0
        self.points = self.surplus = self.efficiency = self.utility = 0.0

    def add(self, c: Cells) -> None:
        self.sides += 1
        self.agreements += c["outcome"] == "agreement"
        self.forfeits += c["outcome"] == "forfeit"
        self.refused += int(c["refused"])
        self.points += float(c["points"])
        self.surplus += float(c["surplus"])
        if c["efficiency"]:
            self.efficiency += float(c["efficiency"])
            self.scored += 1
        if c["utility"]:
            self.utility += float(c["utility"])
            self.valued += 1

    def to_json(self) -> dict[str, Any]:
        n = self.sides or 1
        return {
            "games": self.sides,
            "agreement_rate": round(self.agreements / n, 6),
            "points": round(self.points / n, 6),
            "surplus": round(self.surplus / n, 6),
            "utility": round(self.utility / self.valued, 6) if self.valued else None,
            "efficiency": round(self.efficiency / self.scored, 6) if self.scored else None,
            "forfeits": self.forfeits,
            "refused": self.refused,
        }


def merge(folders: Sequence[Path]) -> tuple[dict[str, Any], list[Cells]]:
    """The slices' settings (the same in each) and their rows in game order.

    Every slice of one tournament must be there once: merging is for putting the
    slices of one run back together, and a missing or doubled slice would give
    standings of a tournament nobody planned.
    """
    if not folders:
        raise AgentError("merge: name the folders of the slices to merge")
    summaries = [(f, read_summary(f)) for f in folders]
    first_folder, first = summaries[0]
    for folder, summary in summaries[1:]:
        if summary["settings"] != first["settings"] or summary["agents"] != first["agents"]:
            raise AgentError(
                f"{folder} holds another tournament than {first_folder} "
                "(its agents, scenarios or settings differ)"
            )
    shards = [s["shard"] for _, s in summaries]
    if any(s is None for s in shards):
        if len(folders) > 1:
            raise AgentError("merge: a whole tournament cannot be merged with others")
    else:
        counts = {m for _, m in shards}
        if len(counts) != 1:
            raise AgentError(f"merge: slices of different cuts ({sorted(counts)} slices)")
        m = counts.pop()
        have = sorted(k for k, _ in shards)
        missing = sorted(set(range(1, m + 1)) - set(have))
        doubled = sorted({k for k in have if have.count(k) > 1})
        if missing or doubled:
            raise AgentError(
                "merge: "
                + "; ".join(
                    ([f"slice(s) {', '.join(map(str, missing))} of {m} missing"] if missing else [])
                    + ([f"slice(s) {', '.join(map(str, doubled))} twice"] if doubled else [])
                )
            )
    cells = [c for f in folders for c in read_cells(f)]
    cells.sort(key=lambda c: int(c["game"]))  # stable: a game's two sides keep role order
    return first, cells
