"""The bots beside people: on the cards of the CaSiNo and Deal or No Deal games zopa imports.

Run: ``python bench/bot_people.py --dataset casino|dealornodeal [--limit N] [--seed S]
[--strategies a,b]``. Reads the dataset from ``../shared/datasets`` beside the
repository (or ``$ZOPA_DATASETS``; never copied), imports each game as ``zopa import``
does (``zopa.rules.importers``), and prints the people's recorded agreement rate,
offers per game and efficiency (``zopa.rules.scoring``, as every result), then, on the
same cards, each strategy playing itself and every pairing of the strategies. The bots
play a 10-minute game (free turns, closing as the dataset's game closes: CaSiNo by
accepting an offer, Deal or No Deal by matching claims), silent.

People's offers: in CaSiNo the Submit-Deal moves; Deal or No Deal's people made their
offers in words, so the utterances are counted instead (marked so).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zopa.rules.bots import STRATEGIES, Bot
from zopa.rules.bots.match import play_match
from zopa.rules.bots.negotiator import tuned
from zopa.rules.bots.variety import game_seed
from zopa.rules.errors import RecordError
from zopa.rules.importers.casino import casino_log
from zopa.rules.importers.dealornodeal import dond_log
from zopa.rules.log import GameLog, replay
from zopa.rules.negotiation import GameState
from zopa.rules.scenario import Scenario, parse_scenario
from zopa.rules.scoring import tally

ROOT = Path(__file__).resolve().parent.parent
DATASETS = Path(os.environ.get("ZOPA_DATASETS", ROOT.parent / "shared" / "datasets"))
CASINO_SPLITS = ("train", "valid", "test")
DOND_FILES = ("test.txt", "val.txt")
TIME_LIMIT = 600


@dataclass
class Figures:
    """Agreement rate, moves per game and mean efficiency of some games."""

    games: int = 0
    agreements: int = 0
    moves: int = 0
    efficiencies: list[float] = field(default_factory=list)

    def add(self, state: GameState, moves: int) -> None:
        scored = tally(state)
        assert scored is not None, "a finished game"
        self.games += 1
        self.agreements += scored.agreement
        self.moves += moves
        if scored.efficiency is not None:
            self.efficiencies.append(scored.efficiency)

    def row(self, name: str) -> str:
        games = max(self.games, 1)
        eff = self.efficiencies
        shown = f"{sum(eff) / len(eff):.2f}" if eff else "-"
        return (
            f"{name:<32} {self.games:>6} {self.agreements / games:>6.0%}"
            f" {self.moves / games:>7.1f} {shown:>10}"
        )


def logs(dataset: str) -> Iterator[GameLog]:
    """Every game of the dataset that imports (the importers' own refusals skipped)."""
    if dataset == "casino":
        for split in CASINO_SPLITS:
            path = DATASETS / "casino" / f"data_split_casino_{split}.json"
            for record in json.loads(path.read_text(encoding="utf-8")):
                try:
                    yield casino_log(record)
                except RecordError:
                    continue
    else:
        for name in DOND_FILES:
            path = DATASETS / "dealornodeal" / name
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    yield dond_log(line, number, name)
                except RecordError:
                    continue


def for_bots(scenario: Scenario) -> Scenario:
    """The game's cards, with a time limit bots (and people in zopa) would play."""
    data = scenario.to_dict()
    data["protocol"] = {**data["protocol"], "time_limit": TIME_LIMIT, "first_mover": "random"}
    return parse_scenario(data, scenario.id)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dataset", choices=("casino", "dealornodeal"), required=True)
    parser.add_argument("--limit", type=int, default=0, help="the first N games only (0: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    args = parser.parse_args()
    if not DATASETS.is_dir():
        print(f"{DATASETS} is absent: this needs the CaSiNo and Deal or No Deal datasets")
        return 2
    names = [n for n in args.strategies.split(",") if n]
    bots: dict[str, Bot] = {n: tuned(STRATEGIES[n], talk=0.0) for n in names}
    words = args.dataset == "dealornodeal"
    people = Figures()
    selves = {n: Figures() for n in names}
    mixed = Figures()
    n = 0
    for count, log in enumerate(logs(args.dataset)):
        if args.limit and count >= args.limit:
            break
        kind = "chat" if words else "offer"
        people.add(replay(log), sum(e.type == kind for e in log.events))
        scenario = for_bots(log.header.scenario)
        first, second = scenario.role_ids
        for a in names:
            for b in names:
                match = play_match(
                    scenario, {first: bots[a], second: bots[b]}, game_seed(args.seed, n)
                )
                n += 1
                offers = sum(e.type == "offer" for e in match.events)
                mixed.add(match.state, offers)
                if a == b:
                    selves[a].add(match.state, offers)
    print(f"{args.dataset}: {people.games} games, seed {args.seed}")
    print(f"{'':<32} {'games':>6} {'agree':>6} {'offers':>7} {'efficiency':>10}")
    print(people.row("people (utterances)" if words else "people"))
    for name, figures in selves.items():
        print(figures.row(f"{name} with itself"))
    print(mixed.row(f"every pairing ({len(names)}x{len(names)})"))
    if words:
        print("(people's offers were made in words: their column counts utterances)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
