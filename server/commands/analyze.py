"""``zopa analyze SCENARIO [--json]``: the outcome-space analysis of a scenario."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from zopa.rules.analysis import Analysis, FrontierPoint, analysis_json, analyze
from zopa.rules.deal import deal
from zopa.rules.errors import ScenarioError
from zopa.rules.scenario import Scenario
from zopa.rules.timeline import num
from zopa.server.scenario_lookup import add_scenario_arguments, resolve_scenario

# Beyond this many frontier points the summary shows both ends; --json has them all.
_SHOWN = 40


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "analyze",
        help="the outcome space of a scenario: Pareto frontier, zone of agreement, Nash point",
    )
    add_scenario_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the analysis as JSON")
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="the cards a game with this seed is dealt (default: the roles' own cards)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        scenario = resolve_scenario(args.scenario, args.db)
    except ScenarioError as exc:
        print(f"zopa analyze: {exc}", file=sys.stderr)
        return 2
    except KeyError as exc:
        print(f"zopa analyze: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    scenario = deal(scenario, args.seed)
    analysis = analyze(scenario)
    if args.json:
        print(json.dumps(analysis_json(analysis, scenario)))
    else:
        print(summary(analysis, scenario))
    return 0


def summary(analysis: Analysis, scenario: Scenario) -> str:
    """The analysis for a person reading a terminal."""
    r1, r2 = scenario.role_ids
    b1, b2 = analysis.batna
    lines = [
        f"{scenario.id}: {scenario.title}",
        f"roles: {r1} / {r2}",
        f"issues: {len(scenario.issues)}, outcomes: {analysis.outcomes:,}",
        f"BATNA: {r1} {num(b1)}, {r2} {num(b2)}",
        f"max joint points: {num(analysis.max_joint)}",
    ]
    if analysis.zopa and analysis.ideal is not None:
        i1, i2 = analysis.ideal
        lines.append(
            f"zone of agreement: yes (best for {r1} inside it: {num(i1)}, for {r2}: {num(i2)})"
        )
    else:
        lines.append("zone of agreement: none (no outcome gives both sides their BATNA)")
    lines += _solution("Nash", analysis.nash, scenario)
    lines += _solution("Kalai-Smorodinsky", analysis.kalai_smorodinsky, scenario)
    lines.append(
        f"Pareto frontier: {len(analysis.frontier)} points ({r1}, {r2}); "
        "* = inside the zone of agreement"
    )
    lines += _frontier_listing(analysis)
    return "\n".join(lines)


def _solution(name: str, point: FrontierPoint | None, scenario: Scenario) -> list[str]:
    if point is None:
        return [f"{name}: none"]
    r1, r2 = scenario.role_ids
    p1, p2 = point.points
    lines = [f"{name}: {r1} {num(p1)}, {r2} {num(p2)}, joint {num(p1 + p2)}"]
    for issue in scenario.issues:
        lines.append(f"    {issue.label}: {issue.options[point.terms[issue.id]]}")
    return lines


def _frontier_listing(analysis: Analysis) -> list[str]:
    b1, b2 = analysis.batna
    cells = []
    for f in analysis.frontier:
        p1, p2 = f.points
        mark = "*" if p1 >= b1 and p2 >= b2 else ""
        cells.append(f"({num(p1)}, {num(p2)}){mark}")
    if len(cells) > _SHOWN:
        hidden = len(cells) - _SHOWN
        half = _SHOWN // 2
        cells = [*cells[:half], f"... {hidden} more (see --json) ...", *cells[-half:]]
    lines: list[str] = []
    line = " "
    for cell in cells:
        if len(line) + 1 + len(cell) > 88:
            lines.append(line)
            line = " "
        line += " " + cell
    lines.append(line)
    return lines
