"""A whole tournament of bots, in process: the sample standings of docs/tournaments.md.

Run: ``python bench/bot_tournament.py [--players 11] [--pairing swiss|round_robin]
[--odd bot|bye] [--seed 1] [--scenarios new-hire,supplier,guitar,food-truck]``.

Each player is one of the built-in bot strategies. Rounds are paired by the server's own
pairing (``zopa.server.pairing``, in the tournament's order of its rules), every game is played by
``zopa.rules.bots.match.play_match`` on a simulated clock with a three-minute limit,
scored by ``zopa.rules.scoring``, and ranked by ``zopa.server.tournament.standings``: the
same code a live tournament uses, without the sockets. Prints the standings and the
best pairs by joint gain as Markdown tables.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
from pathlib import Path

# Run as a script from anywhere: make the project importable without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zopa.rules.bots import STRATEGIES, make_bot
from zopa.rules.bots.match import play_match
from zopa.rules.library import builtin
from zopa.rules.scenario import Scenario
from zopa.rules.scoring import result
from zopa.server.pairing import EMPTY, Record, pair_round
from zopa.server.tournament.report import scores
from zopa.server.tournament.schedule import Odd, Pairing
from zopa.server.tournament.standings import BOT, Played, lines, pair_gains, standings

TIME_LIMIT = 180
HOUSE_BOT = "conceder"  # who partners the odd player out with odd=bot


def short(scenario: Scenario) -> Scenario:
    protocol = dataclasses.replace(scenario.protocol, time_limit=TIME_LIMIT)
    return dataclasses.replace(scenario, protocol=protocol)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=11)
    parser.add_argument("--pairing", choices=("swiss", "round_robin"), default="swiss")
    parser.add_argument("--odd", choices=("bot", "bye"), default="bye")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenarios", default="new-hire,supplier,guitar,food-truck")
    args = parser.parse_args()
    pairing: Pairing = args.pairing
    odd: Odd = args.odd
    strategies = sorted(STRATEGIES)
    players = [f"{strategies[i % len(strategies)]}-{i + 1}" for i in range(args.players)]
    plan = [short(builtin(s)) for s in args.scenarios.split(",")]
    rng = random.Random(args.seed)
    played: list[Played] = []
    byes: dict[int, list[str]] = {}
    so_far: dict[str, Record] = dict.fromkeys(players, EMPTY)
    for number, scenario in enumerate(plan, start=1):
        standing = scores(played, byes, players)
        so_far = {p: dataclasses.replace(r, score=standing[p]) for p, r in so_far.items()}
        round_pairing = pair_round(
            players, so_far, system=pairing, odd=odd, index=number - 1, seed=rng.getrandbits(32)
        )
        if round_pairing.bye is not None:
            byes[number] = [round_pairing.bye]
            so_far[round_pairing.bye] = so_far[round_pairing.bye].after_bye()
        for number_in_round, table in enumerate(round_pairing.tables, start=1):
            seats = table.seats
            roles = scenario.role_ids
            bots = {
                role: make_bot(HOUSE_BOT if p is None else p.rsplit("-", 1)[0])
                for role, p in zip(roles, seats, strict=True)
            }
            match = play_match(scenario, bots, seed=rng.getrandbits(32))
            for index, p in enumerate(seats):
                if p is not None:
                    so_far[p] = so_far[p].after(index, seats[1 - index])
            game = f"r{number}t{number_in_round}"
            played.append(
                Played(
                    number,
                    game,
                    scenario,
                    dict(zip(roles, seats, strict=True)),
                    result(match.state),
                )
            )
    print_tables(players, played, byes, args)


def print_tables(
    players: list[str], played: list[Played], byes: dict[int, list[str]], args: argparse.Namespace
) -> None:
    found = lines(played, byes)
    print(
        f"{len(players)} bots, {len(set(g.round for g in played))} rounds "
        f"({args.scenarios}), {args.pairing} pairing, odd={args.odd}, seed {args.seed}\n"
    )
    print("| rank | player | games | byes | roles 1st/2nd | score | percentile |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for row in standings(found, players):
        first = sum(1 for line in found if line.player == row.player and line.role_index == 0)
        second = sum(1 for line in found if line.player == row.player and line.role_index == 1)
        print(
            f"| {row.rank} | {row.player} | {row.games} | {row.byes} | {first}/{second} "
            f"| {row.score:.3f} | {row.percentile:.1f} |"
        )
    print("\n| rank | round | scenario | pair (1st role & 2nd role) | outcome | joint gain |")
    print("|---:|---:|---|---|---|---:|")
    for pair in pair_gains(played)[:8]:
        names = " & ".join(BOT if p is None else p for p in pair.players.values())
        print(
            f"| {pair.rank} | {pair.round} | {pair.scenario} | {names} | {pair.outcome} "
            f"| {pair.joint_score:.0%} |"
        )


if __name__ == "__main__":
    main()
