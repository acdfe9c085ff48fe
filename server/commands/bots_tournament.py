"""``zopa bots tournament`` and ``zopa bots merge``: anyone's agents, every pair, on J processes.

``zopa bots tournament --agents A,B,... --scenarios S1,S2,... [--repeat N] [--seed S]
[--jobs J] [--shard K/M] [--self-play] [--same-cards] [--talk] [--move-limit SECONDS]
[--logs] --out DIR`` plays the tournament (``zopa.server.agent_tournament``), writes
``DIR/games.csv`` and ``DIR/results.json`` (``agent_results``), and prints the
standings. ``zopa bots merge DIR... --out DIR`` joins the slices of one tournament.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from zopa.rules.bots.negotiator import tuned
from zopa.rules.bots.strategy import Bot
from zopa.rules.errors import ScenarioError
from zopa.rules.library import resolve
from zopa.server.agent_guard import MOVE_LIMIT, PerGame, per_game
from zopa.server.agent_loader import AgentError
from zopa.server.agent_results import merge, write
from zopa.server.agent_tournament import Settings, load_entrants, run, schedule, shard


def add_parsers(bots: Any) -> None:
    """The two actions, under ``zopa bots``."""
    tournament = bots.add_parser(
        "tournament",
        help="anyone's agents: every pair, both roles, every scenario, on several processes",
    )
    tournament.add_argument(
        "--agents",
        required=True,
        help="comma-separated: built-in strategy names, path/to/file.py:Class, module:Class",
    )
    tournament.add_argument(
        "--scenarios", required=True, help="comma-separated built-in ids or .toml paths"
    )
    tournament.add_argument("--repeat", type=int, default=10, help="games per pairing (default 10)")
    tournament.add_argument("--seed", type=int, default=1, help="seed of the series (default 1)")
    tournament.add_argument(
        "--jobs", type=int, default=1, help="processes to play on (default 1; 0: one per core)"
    )
    tournament.add_argument(
        "--shard", default=None, metavar="K/M", help="play only slice K of M (e.g. a Slurm array)"
    )
    tournament.add_argument("--self-play", action="store_true", help="each agent plays itself too")
    tournament.add_argument(
        "--same-cards", action="store_true", help="the scenario's own cards in every game"
    )
    tournament.add_argument("--talk", action="store_true", help="let built-in strategies talk")
    tournament.add_argument(
        "--move-limit",
        type=float,
        default=MOVE_LIMIT,
        help=f"seconds an agent may take for one call, or forfeit (default {MOVE_LIMIT:g})",
    )
    tournament.add_argument(
        "--logs", action="store_true", help="also write each game's log and tags to DIR/logs/"
    )
    tournament.add_argument("--out", required=True, type=Path, help="the folder for the results")
    tournament.set_defaults(run=run_tournament)

    joined = bots.add_parser("merge", help="join the slices (--shard) of one tournament")
    joined.add_argument("folders", nargs="+", type=Path, metavar="DIR", help="the slices' folders")
    joined.add_argument("--out", required=True, type=Path, help="the folder for the whole")
    joined.set_defaults(run=run_merge)


def run_tournament(args: argparse.Namespace) -> int:
    agents = tuple(a.strip() for a in args.agents.split(",") if a.strip())
    scenarios = tuple(s.strip() for s in args.scenarios.split(",") if s.strip())
    if not agents or not scenarios:
        return _fail("tournament", "give at least one agent (--agents) and one scenario")
    if args.repeat < 1:
        return _fail("tournament", "--repeat must be 1 or more")
    if not args.move_limit > 0:
        return _fail("tournament", "--move-limit must be above 0")
    if len(agents) < 2 and not args.self_play:
        return _fail("tournament", "one agent plays only itself: add --self-play")
    try:
        part = _shard(args.shard)
    except ValueError as exc:
        return _fail("tournament", exc)
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    settings = Settings(
        agents,
        scenarios,
        args.repeat,
        args.seed,
        args.self_play,
        args.same_cards,
        args.talk,
        args.move_limit,
    )
    try:
        for scenario in scenarios:
            resolve(scenario)
        entrants = load_entrants(agents)
    except (ScenarioError, KeyError, AgentError) as exc:
        return _fail("tournament", exc)
    games = schedule(settings)
    if part is not None:
        games = shard(games, *part)
    logs = args.out / "logs" if args.logs else None
    if logs is not None:
        logs.mkdir(parents=True, exist_ok=True)
    bar = Bar(sys.stderr) if sys.stderr.isatty() else None
    started = time.perf_counter()
    try:
        rows = run(settings, games, jobs, logs, bar.show if bar else None)
    finally:
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - started
    summary = write(
        args.out,
        [r.cells() for r in rows],
        settings.to_json(),
        [{"name": e.name, "reference": e.reference} for e in entrants],
        part,
        {
            "jobs": jobs,
            "seconds": round(seconds, 3),
            "games_per_second": _rate(len(games), seconds),
        },
    )
    print(standings_table(summary))
    print(
        f"{len(games)} games on {jobs} process{'es' if jobs > 1 else ''} in {seconds:.2f} s: "
        f"{_rate(len(games), seconds):,.0f} games/s (wall clock); results in {args.out}"
    )
    return 0


def run_merge(args: argparse.Namespace) -> int:
    try:
        first, cells = merge(args.folders)
    except AgentError as exc:
        return _fail("merge", exc)
    summary = write(
        args.out,
        cells,
        first["settings"],
        first["agents"],
        None,
        {"merged": [str(f) for f in args.folders]},
    )
    print(standings_table(summary))
    print(f"{summary['games']} games from {len(args.folders)} folders; results in {args.out}")
    return 0


def standings_table(summary: dict[str, Any]) -> str:
    """The standings for a person reading a terminal."""
    settings = summary["settings"]
    standings = summary["standings"]
    width = max(8, *(len(s["agent"]) for s in standings))
    shard = summary.get("shard")
    lines = [
        f"{', '.join(settings['scenarios'])}: {len(standings)} agents, "
        f"{settings['repeat']} games per pairing and scenario, seed {settings['seed']}, "
        + ("the scenarios' own cards" if settings["same_cards"] else "cards dealt per game")
        + (f", slice {shard[0]} of {shard[1]}" if shard else ""),
        "",
        f"{'agent':<{width}}  {'games':>6}  {'agree':>6}  {'utility':>7}  {'surplus':>9}  "
        f"{'efficiency':>10}  {'forfeits':>8}  {'refused':>7}",
    ]
    for s in standings:
        lines.append(
            f"{s['agent']:<{width}}  {s['games']:>6}  {s['agreement_rate']:>6.0%}  "
            f"{_opt(s['utility']):>7}  {s['surplus']:>9,.1f}  {_opt(s['efficiency']):>10}  "
            f"{s['forfeits']:>8}  {s['refused']:>7}"
        )
    lines += [
        "",
        "utility: its points from 0 (its worst terms) to 1 (its best), mean over its games;"
        " surplus: points over its BATNA",
    ]
    return "\n".join(lines)


class Bar:
    """A progress bar on a terminal, redrawn at most ten times a second."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.started = time.perf_counter()
        self.drawn = 0.0

    def show(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if done < total and now - self.drawn < 0.1:
            return
        self.drawn = now
        share = done / total if total else 1.0
        filled = int(30 * share)
        rate = done / (now - self.started) if now > self.started else 0.0
        self.out.write(
            f"\r[{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,} games  {rate:,.0f}/s "
        )
        self.out.flush()

    def close(self) -> None:
        self.out.write("\n")
        self.out.flush()


def _shard(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    k, slash, m = text.partition("/")
    if slash and k.isdigit() and m.isdigit() and 1 <= int(k) <= int(m):
        return int(k), int(m)
    raise ValueError(f"--shard {text!r}: give K/M with 1 <= K <= M, e.g. 3/10")


def _rate(games: int, seconds: float) -> float:
    return round(games / seconds, 1) if seconds > 0 else 0.0


def _opt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _fail(command: str, problem: object) -> int:
    text = problem.args[0] if isinstance(problem, KeyError) and problem.args else problem
    print(f"zopa bots {command}: {text}", file=sys.stderr)
    return 2


def match_agents(references: list[str], talk: bool) -> dict[str, Bot]:
    """``zopa bots match``'s strategies: built-ins as they are (silent unless ``talk``),
    other agents one per game, guarded (``PerGame``)."""
    agents: dict[str, Bot] = {}
    for entrant in load_entrants(list(dict.fromkeys(references))):
        if entrant.builtin:
            bot = entrant.make()
            # Lines change when moves are made (a line, then the move a tick later), never which.
            agents[entrant.name] = bot if talk else tuned(bot, talk=0.0)
        else:
            agents[entrant.name] = per_game(entrant.name, entrant.make)
    return agents


def faults(agents: dict[str, Bot]) -> str:
    """What went wrong with the agents that are not built in: '' if nothing."""
    lines = []
    for name, agent in agents.items():
        if isinstance(agent, PerGame) and (agent.faults or agent.refused):
            first = f" (first: {agent.faults[0]})" if agent.faults else ""
            lines.append(
                f"WARNING: agent {name} forfeited {len(agent.faults)} games{first}, "
                f"and {agent.refused} of its moves were no moves a player could send"
            )
    return "\n".join(lines)
