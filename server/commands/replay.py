"""``zopa replay LOG [--json]``: re-run a game log through the rules and tell it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from game_rules.errors import LogError
from game_rules.log import read_log_file, replay
from game_rules.scoring import result
from game_rules.timeline import timeline


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "replay", help="re-run a game log through the rules; print its timeline and result"
    )
    parser.add_argument("log", metavar="LOG", help="a zopa-log/1 file (JSON Lines)")
    parser.add_argument("--json", action="store_true", help="print only the result object")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        log = read_log_file(args.log)
        state = replay(log)
    except LogError as exc:
        print(f"zopa replay: {args.log}: invalid log: {exc}", file=sys.stderr)
        return 1
    outcome = result(state)
    if args.json:
        print(json.dumps(outcome, ensure_ascii=False))
        return 0
    scenario = log.header.scenario
    first, second = scenario.role_ids
    print(f"{scenario.title} ({scenario.id}) — game {log.header.game}")
    for role in scenario.role_ids:
        player = log.header.players[role]
        print(f"  {role}: {player.get('name', player.get('id', '?'))}")
    print()
    for entry in timeline(scenario, log.header.started_at, log.events):
        minutes, seconds = divmod(int(entry.seconds), 60)
        points = ""
        if entry.points is not None:
            points = f"   [{first} {entry.points[first]} / {second} {entry.points[second]}]"
        print(f"{entry.seq:>4}  {minutes:02d}:{seconds:02d}  {entry.who:<14} {entry.what}{points}")
    print()
    if outcome is None:
        print("The game is still live.")
        return 0
    print(f"Result: {outcome['outcome']} ({outcome['reason']})")
    for role in scenario.role_ids:
        print(
            f"  {role}: {outcome['points'][role]} points (BATNA {outcome['batna'][role]}, "
            f"surplus {outcome['surplus'][role]})"
        )
    print(f"  joint {outcome['joint']} of at most {outcome['max_joint']}", end="")
    if outcome["efficiency"] is not None:
        print(f" (efficiency {outcome['efficiency']:.0%})", end="")
    print()
    return 0
