"""``zopa cards SCENARIO [--games N] [--from SEED] [--role ROLE] [--json]``: cards as dealt.

Every game deals its own cards from its seed (``zopa.rules.deal``); this prints the ones
games with seeds ``SEED``, ``SEED + 1``, ... would be dealt, one line per game, so an
instructor can see what a scenario's ``[variation]`` does before running it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from zopa.rules.brief import number_text
from zopa.rules.deal import deal
from zopa.rules.errors import ScenarioError
from zopa.rules.scenario import Scenario
from zopa.server.scenario_lookup import add_scenario_arguments, resolve_scenario


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "cards", help="the cards a scenario deals, game by game (BATNA and points)"
    )
    add_scenario_arguments(parser)
    parser.add_argument("--games", type=int, default=10, help="how many games (default 10)")
    parser.add_argument(
        "--from", dest="first", type=int, default=1, metavar="SEED", help="the first seed"
    )
    parser.add_argument("--role", help="one role's cards (default: both roles)")
    parser.add_argument("--json", action="store_true", help="print the cards as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        scenario = resolve_scenario(args.scenario, args.db)
    except (ScenarioError, KeyError) as exc:
        problem = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"zopa cards: {problem}", file=sys.stderr)
        return 2
    roles = scenario.role_ids if args.role is None else (args.role,)
    if args.role is not None and args.role not in scenario.role_ids:
        print(f"zopa cards: --role must be one of {', '.join(scenario.role_ids)}", file=sys.stderr)
        return 2
    if args.games < 1:
        print("zopa cards: --games must be 1 or more", file=sys.stderr)
        return 2
    seeds = range(args.first, args.first + args.games)
    dealt = [(seed, deal(scenario, seed)) for seed in seeds]
    if args.json:
        print(
            json.dumps(
                {
                    "scenario": scenario.id,
                    "games": [
                        {"seed": seed, "cards": {r: game.card(r) for r in roles}}
                        for seed, game in dealt
                    ],
                }
            )
        )
        return 0
    for role in roles:
        print(
            f"{scenario.id}, {role}: the cards of {len(dealt)} games (seeds {seeds[0]}-{seeds[-1]})"
        )
        lines = [card_line(game, role) for _, game in dealt]
        for seed, line in zip(seeds, lines, strict=True):
            print(f"  seed {seed:>4}  {line}")
        print(f"  {len(set(lines))} different cards in {len(lines)} games")
    return 0


def card_line(scenario: Scenario, role_id: str) -> str:
    """A card on one line: the BATNA, then each issue's points from its first option on."""
    role = scenario.role(role_id)
    issues = " | ".join(
        f"{issue.id} " + " ".join(number_text(v) for v in row)
        for issue, row in zip(scenario.issues, role.points, strict=True)
    )
    return f"BATNA {number_text(role.batna):>6} | {issues}"
