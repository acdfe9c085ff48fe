"""``zopa bots``: bot against bot in process (``match``), or bots in a live session (``join``).

``zopa bots match SCENARIO [--repeat N] [--seed S] [--strategies a,b,...] [--json] [--talk]``
plays a round robin and prints, per pairing of strategies (first role, second role),
the agreement rate, mean points of each role and mean efficiency, then each
strategy's record in either role, then how many games a second it played on one core
(CPU time of the process, so that other work on the machine disturbs it little).

``zopa bots join URL CODE --count N --strategy S [--binary] [--rounds K] [--think T]``
joins N bots to a live session as ordinary players and plays every game they get,
until interrupted or until each has played K games.

Both take agents as well as strategy names (``path/to/file.py:Class``, docs/agents.md);
``zopa bots tournament`` and ``zopa bots merge`` are in ``bots_tournament``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from zopa.rules.bots import STRATEGIES
from zopa.rules.bots.tournament import Tournament, round_robin
from zopa.rules.errors import ScenarioError
from zopa.rules.scenario import Points
from zopa.server.agent_guard import MOVE_LIMIT, watchdog
from zopa.server.agent_loader import AgentError, load_agent
from zopa.server.bot_client import BotError, run_bots
from zopa.server.commands import bots_tournament
from zopa.server.scenario_lookup import add_scenario_arguments, resolve_scenario


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "bots", help="negotiating bots: a round robin in process, or bots in a live session"
    )
    bots = parser.add_subparsers(dest="bots_command", required=True, metavar="ACTION")

    match = bots.add_parser(
        "match", help="every strategy against every other, both roles, and a table of results"
    )
    add_scenario_arguments(match)
    match.add_argument("--repeat", type=int, default=10, help="games per pairing (default 10)")
    match.add_argument("--seed", type=int, default=1, help="seed of the series (default 1)")
    match.add_argument(
        "--strategies",
        default=",".join(STRATEGIES),
        help="comma-separated strategies or agents (path.py:Class, module:Class; "
        f"default all: {','.join(STRATEGIES)})",
    )
    match.add_argument("--json", action="store_true", help="print the results as JSON")
    match.add_argument(
        "--same-cards",
        action="store_true",
        help="every game plays the scenario's own cards (default: each game deals its own)",
    )
    match.add_argument(
        "--talk",
        action="store_true",
        help="let the bots say their lines (slower; changes the timing of moves, not their logic)",
    )
    match.set_defaults(run=run_match)

    join = bots.add_parser("join", help="join bots to a live session as real players")
    join.add_argument("url", metavar="URL", help="the server, e.g. http://127.0.0.1:8000")
    join.add_argument("code", metavar="CODE", help="the session's join code")
    join.add_argument("--count", type=int, default=1, help="how many bots (default 1)")
    join.add_argument(
        "--strategy",
        default="conceder",
        help=f"one of {', '.join(STRATEGIES)}, or an agent path.py:Class (default conceder)",
    )
    join.add_argument("--binary", action="store_true", help="speak MessagePack, not JSON")
    join.add_argument("--rounds", type=int, default=None, help="leave after this many games each")
    join.add_argument(
        "--think", type=float, default=None, help="seconds a bot pauses before answering"
    )
    join.add_argument(
        "--move-limit",
        type=float,
        default=MOVE_LIMIT,
        help=f"seconds an agent may take for a move, or walk out (default {MOVE_LIMIT:g})",
    )
    join.set_defaults(run=run_join)
    bots_tournament.add_parsers(bots)


def run_match(args: argparse.Namespace) -> int:
    try:
        scenario = resolve_scenario(args.scenario, args.db)
    except (ScenarioError, KeyError) as exc:
        return _fail("match", exc)
    names = [n.strip() for n in args.strategies.split(",") if n.strip()]
    if not names:
        return _fail("match", f"no strategy '(none given)'; there are: {', '.join(STRATEGIES)}")
    if args.repeat < 1:
        return _fail("match", "--repeat must be 1 or more")
    try:
        strategies = bots_tournament.match_agents(names, args.talk)
    except AgentError as exc:
        return _fail("match", exc)
    # CPU time of this process: the rate of one core, however busy the rest of the machine.
    started = time.process_time()
    tournament = round_robin(scenario, strategies, args.repeat, args.seed, args.same_cards)
    seconds = max(time.process_time() - started, 1e-9)
    rate = tournament.games / seconds
    if args.json:
        out = tournament.to_json()
        out["talk"] = bool(args.talk)
        out["seconds"] = round(seconds, 6)
        out["games_per_second"] = round(rate, 1)
        print(json.dumps(out))
    else:
        print(table(tournament))
        print(
            f"{tournament.games} games in {seconds:.2f} s of CPU: {rate:,.0f} games/s on one core"
        )
    faulty = bots_tournament.faults(strategies)
    if faulty:
        print(faulty, file=sys.stderr)
    return 0 if tournament.refused == 0 and not faulty else 1


def table(tournament: Tournament) -> str:
    """The round robin for a person reading a terminal."""
    scenario = tournament.scenario
    first, second = scenario.role_ids
    width = max(len(first), len(second), *(len(n) for n in tournament.strategies), 8)
    lines = [
        f"{scenario.id}: {scenario.title} - {len(tournament.strategies)} strategies, "
        f"{tournament.repeat} games per pairing, seed {tournament.seed}, "
        + (
            "the scenario's own cards in every game"
            if tournament.same_cards
            else "cards dealt per game"
        ),
        "",
        f"{first:<{width}}  {second:<{width}}  {'agree':>6}  "
        f"{first + ' pts':>12}  {second + ' pts':>12}  {'efficiency':>10}",
    ]
    for p in tournament.pairings:
        a, b = p.strategies
        lines.append(
            f"{a:<{width}}  {b:<{width}}  {p.agreement_rate:>6.0%}  "
            f"{_num(p.points[0]):>12}  {_num(p.points[1]):>12}  {_eff(p.efficiency):>10}"
        )
    lines += [
        "",
        "by strategy, in either role (surplus = points over its BATNA):",
        f"{'strategy':<{width}}  {'games':>6}  {'agree':>6}  {'surplus':>10}  {'efficiency':>10}",
    ]
    for s in tournament.standings():
        lines.append(
            f"{s.strategy:<{width}}  {s.games:>6}  {s.agreement_rate:>6.0%}  "
            f"{_num(s.surplus):>10}  {_eff(s.efficiency):>10}"
        )
    lines += [
        "",
        "efficiency: joint gain over both BATNAs / the most joint gain possible; an impasse"
        " is 0 where a deal good for both existed, '-' where none did (a correct walkaway)",
    ]
    targets = tournament.targets()
    if targets:
        lines += ["", "targets (docs/bots.md):"]
        lines += [f"  {t.name:<44} {t}" for t in targets]
    if tournament.refused:
        lines.append(f"WARNING: the rules refused {tournament.refused} bot actions")
    return "\n".join(lines)


def _num(value: Points) -> str:
    return f"{value:,.1f}"


def _eff(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def run_join(args: argparse.Namespace) -> int:
    try:
        load_agent(args.strategy)
    except AgentError as exc:
        return _fail("join", exc)
    if args.count < 1:
        return _fail("join", "--count must be 1 or more")
    if args.rounds is not None and args.rounds < 1:
        return _fail("join", "--rounds must be 1 or more")
    if not args.move_limit > 0:
        return _fail("join", "--move-limit must be above 0")
    try:
        # The watchdog stops an agent's call that never returns (agent_guard).
        with watchdog(args.move_limit):
            asyncio.run(
                run_bots(
                    args.url,
                    args.code,
                    args.count,
                    args.strategy,
                    binary=args.binary,
                    rounds=args.rounds,
                    think=args.think,
                    report=lambda line: print(line, flush=True),
                    move_limit=args.move_limit,
                )
            )
    except BotError as exc:
        return _fail("join", exc)
    except KeyboardInterrupt:
        print("stopped", flush=True)
    return 0


def _fail(command: str, problem: object) -> int:
    text = problem.args[0] if isinstance(problem, KeyError) and problem.args else problem
    print(f"zopa bots {command}: {text}", file=sys.stderr)
    return 2
