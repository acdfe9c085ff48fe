"""A bot tournament on a live server: the sample standings of docs/tournaments.md.

Run: ``python bench/live_tournament.py [--players 11] [--pairing swiss|round_robin]
[--odd bot|bye] [--seconds 20] [--scenarios new-hire,supplier,guitar,food-truck]``.

Starts ``zopa serve`` on a fresh database, opens a tournament with one round per
scenario, joins the bots as ordinary players over the websocket protocol (``zopa bots
join``'s client, one strategy per player in turn), starts each round once the last
has ended, and prints the server's own standings (``GET .../standings``) as Markdown.
Games are short (``--seconds``) so the whole run takes a minute or two.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Run as a script from anywhere: make the project importable without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.live import Server
from zopa.rules.bots import STRATEGIES
from zopa.server.bot_client import run_bots

POLL = 0.2  # seconds between looks at the schedule while a round is played


async def wait_for(check: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError("the tournament stopped making progress")
        await asyncio.sleep(POLL)


async def tournament(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    scenarios = args.scenarios.split(",")
    schedule = {
        "rounds": [{"scenario": s, "time_limit": args.seconds} for s in scenarios],
        "pairing": args.pairing,
        "odd": args.odd,
    }
    code = (await server.acall("POST", "/api/sessions", {"schedule": schedule}))["code"]
    strategies = list(STRATEGIES)
    counts = {s: 0 for s in strategies}
    for i in range(args.players):
        counts[strategies[i % len(strategies)]] += 1
    bots = [
        asyncio.create_task(run_bots(server.url, code, n, s, think=0.05, report=lambda line: None))
        for s, n in counts.items()
        if n
    ]

    async def everyone_joined() -> bool:
        snapshot = await server.acall("GET", f"/api/sessions/{code}")
        return bool(len(snapshot["players"]) == args.players)

    await wait_for(everyone_joined, 30)
    for number in range(1, len(scenarios) + 1):
        await server.acall("POST", f"/api/sessions/{code}/rounds")

        async def done(number: int = number) -> bool:
            plan = await server.acall("GET", f"/api/sessions/{code}/schedule")
            return bool(plan["rounds"][number - 1]["status"] == "done")

        await wait_for(done, args.seconds * 3 + 30)
    standings: dict[str, Any] = await server.acall("GET", f"/api/sessions/{code}/standings")
    for task in bots:
        task.cancel()
    await asyncio.gather(*bots, return_exceptions=True)
    return standings


def print_tables(table: dict[str, Any], args: argparse.Namespace) -> None:
    names = {row["player"]: row["name"] for row in table["standings"]}
    print(
        f"{args.players} bots on a live server, {table['rounds']} rounds ({args.scenarios}), "
        f"{args.pairing} pairing, odd={args.odd}, {args.seconds} s games\n"
    )
    print("| rank | player | games | byes | score | percentile |")
    print("|---:|---|---:|---:|---:|---:|")
    for row in table["standings"]:
        print(
            f"| {row['rank']} | {row['name']} | {row['games']} | {row['byes']} "
            f"| {row['score']:.3f} | {row['percentile']:.1f} |"
        )
    print("\n| rank | round | scenario | pair (1st role & 2nd role) | outcome | joint gain |")
    print("|---:|---:|---|---|---|---:|")
    for pair in table["pairs"][:8]:
        pair_names = " & ".join(
            "bot" if p is None else names.get(p, p) for p in pair["players"].values()
        )
        print(
            f"| {pair['rank']} | {pair['round']} | {pair['scenario']} | {pair_names} "
            f"| {pair['outcome']} | {pair['joint_score']:.0%} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=11)
    parser.add_argument("--pairing", choices=("swiss", "round_robin"), default="swiss")
    parser.add_argument("--odd", choices=("bot", "bye"), default="bye")
    parser.add_argument("--seconds", type=int, default=20, help="each game's time limit")
    parser.add_argument("--scenarios", default="new-hire,supplier,guitar,food-truck")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = Server(Path(folder) / "zopa.db")
        server.start()
        try:
            table = asyncio.run(tournament(server, args))
        finally:
            server.stop()
    print_tables(table, args)


if __name__ == "__main__":
    main()
