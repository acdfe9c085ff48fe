"""NegMAS's standard negotiators beside zopa's bots, on the same cards (issue 23).

Run: ``python bench/bot_negmas.py [--repeat N] [--seed S] [--steps 30,100]
[--scenarios a,b]`` with a Python that has NegMAS, a bench-only dependency, never the
project's: ``python3 -m venv /tmp/negmas-venv && /tmp/negmas-venv/bin/pip install
negmas``, then ``/tmp/negmas-venv/bin/python bench/bot_negmas.py`` from the checkout
(zopa's rules need nothing beyond the standard library).

For each built-in scenario with a zone of agreement it deals the cards of ``zopa bots
match SCENARIO --seed S --repeat N`` (game ``n`` of the round robin gets
``deal(scenario, cards_seed(game_seed(S, n)))``), and on them:

- zopa's side: the round robin of ``zopa bots match`` (``round_robin``, silent);
- NegMAS's side: the same outcome space (one issue per issue, its options as
  ``0..k-1``), each role's utility the linear additive sum of its card's points, its
  reserved value the card's BATNA, played with NegMAS's SAO mechanism (alternating
  offers) by its standard negotiators, every ordered pairing and self-play, ``N`` games
  each, for each number of rounds in ``--steps``; who opens is drawn from the game's seed.
  Six NegMAS negotiators make 36 pairings, as zopa's six strategies do, so game ``n``
  of either side plays the same cards.

Efficiency is zopa's (``zopa.rules.scoring.gain``): the joint gain over both BATNAs
divided by the most joint gain possible, an impasse 0 where a deal good for both existed.
It prints, per scenario, the agreement rate and mean efficiency (mean over pairings) of
each side, the lowest self-play rate, NegMAS's agreement per pairing, and whether zopa's
bots beat NegMAS on each. Exits 2 if NegMAS cannot be imported.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zopa.rules.bots import STRATEGIES, Bot
from zopa.rules.bots.negotiator import tuned
from zopa.rules.bots.tournament import TIME_BASED, Tournament, cards_seed, round_robin
from zopa.rules.bots.variety import game_seed
from zopa.rules.deal import deal
from zopa.rules.library import builtin, builtin_scenarios
from zopa.rules.scenario import Points, Scenario
from zopa.rules.scoring import gain

# NegMAS's standard time-based and tit-for-tat negotiators (negmas.sao), by the names
# they print under: AspirationNegotiator is the default of NegMAS's own command line
# (negmas.scripts.app DEFAULT_NEGOTIATOR) and TimeBasedConcedingNegotiator the class its
# documentation calls the main entry point of time-based negotiators; both are
# built with their defaults (a Boulware curve).
NEGOTIATORS = (
    ("aspiration", "AspirationNegotiator"),
    ("time-based", "TimeBasedConcedingNegotiator"),
    ("boulware-tb", "BoulwareTBNegotiator"),
    ("linear-tb", "LinearTBNegotiator"),
    ("conceder-tb", "ConcederTBNegotiator"),
    ("naive-tft", "NaiveTitForTatNegotiator"),
)

Outcome = tuple[int, ...]


# The conversion, pure and without NegMAS (the test runs it without it).


def issue_options(scenario: Scenario) -> list[tuple[str, list[int]]]:
    """Each issue's id and its options as NegMAS values: the option indices ``0..k-1``."""
    return [(issue.id, list(range(len(issue.options)))) for issue in scenario.issues]


def utility_values(scenario: Scenario, role_id: str) -> dict[str, dict[int, float]]:
    """A role's card as a linear additive utility: per issue, the points of each option.

    Weights are all 1, so an outcome's utility is the role's points for those terms."""
    table = scenario.role(role_id).points
    return {
        issue.id: {k: float(p) for k, p in enumerate(table[n])}
        for n, issue in enumerate(scenario.issues)
    }


def terms_of(scenario: Scenario, outcome: Outcome) -> dict[str, int]:
    """A NegMAS outcome (option indices in issue order) as zopa's terms."""
    return dict(zip(scenario.issue_ids, outcome, strict=True))


def efficiency(scenario: Scenario, outcome: Outcome | None) -> float | None:
    """zopa's efficiency of an outcome (``None``: no agreement) on the dealt cards."""
    first, second = scenario.role_ids
    if outcome is None:
        b1, b2 = (role.batna for role in scenario.roles)
        return gain(scenario, (b1, b2), False).efficiency
    terms = terms_of(scenario, outcome)
    points: tuple[Points, Points] = (
        scenario.points(first, terms),
        scenario.points(second, terms),
    )
    return gain(scenario, points, True).efficiency


def dealt_games(scenario: Scenario, seed: int, games: int) -> list[tuple[int, Scenario]]:
    """Game ``n``'s seed and cards for ``n < games``, as ``round_robin`` deals them."""
    found = []
    for n in range(games):
        game = game_seed(seed, n)
        found.append((game, deal(scenario, cards_seed(game))))
    return found


@dataclass(frozen=True, slots=True)
class Side:
    """One side's figures on a scenario: per ordered pairing, its games' outcomes."""

    label: str
    names: tuple[str, ...]  # its negotiators, in the order they played
    rates: dict[tuple[str, str], float]  # agreement rate per pairing
    efficiencies: dict[tuple[str, str], float | None]  # mean efficiency per pairing

    def agreement(self, names: Sequence[str] | None = None) -> float:
        """Mean agreement rate over the pairings among ``names`` (all: ``None``)."""
        return fmean(r for p, r in self.rates.items() if _among(p, names))

    def efficiency(self, names: Sequence[str] | None = None) -> float | None:
        scored = [e for p, e in self.efficiencies.items() if e is not None and _among(p, names)]
        return fmean(scored) if scored else None

    def weakest_self_play(self, names: Sequence[str] | None = None) -> tuple[str, float]:
        own = [(a, r) for (a, b), r in self.rates.items() if a == b and _among((a, b), names)]
        return min(own, key=lambda found: found[1])


def _among(pairing: tuple[str, str], names: Sequence[str] | None) -> bool:
    return names is None or (pairing[0] in names and pairing[1] in names)


def zopa_side(tournament: Tournament) -> Side:
    return Side(
        "zopa",
        tournament.strategies,
        {p.strategies: p.agreement_rate for p in tournament.pairings},
        {p.strategies: p.efficiency for p in tournament.pairings},
    )


# NegMAS's side.


NO_NEGMAS = """bench/bot_negmas.py needs NegMAS, which zopa does not depend on. Install it
apart from the project's environment, and run this with that Python:
  python3 -m venv /tmp/negmas-venv && /tmp/negmas-venv/bin/pip install negmas
  /tmp/negmas-venv/bin/python bench/bot_negmas.py   (from the checkout)"""


def load_negmas() -> Any:
    """The ``negmas`` module, or ``None`` if it cannot be imported."""
    try:
        # By name: NegMAS is no dependency of the project, so its type checker has no stubs.
        return importlib.import_module("negmas")
    except ImportError:
        return None


def play_negmas(
    negmas: Any, scenario: Scenario, kinds: tuple[str, str], steps: int, opens: int
) -> Outcome | None:
    """One SAO negotiation on ``scenario``'s cards: role ``i`` played by the negotiator
    class named ``kinds[i]``; role ``opens`` is added first, so makes the first offer."""
    space = negmas.make_os(
        [negmas.make_issue(values, name=i) for i, values in issue_options(scenario)]
    )
    mechanism = negmas.SAOMechanism(outcome_space=space, n_steps=steps)
    order = (opens, 1 - opens)
    for side in order:
        role = scenario.roles[side]
        ufun = negmas.LinearAdditiveUtilityFunction(
            values=utility_values(scenario, role.id),
            outcome_space=space,
            reserved_value=float(role.batna),
        )
        mechanism.add(getattr(negmas.sao, kinds[side])(name=role.id), ufun=ufun)
    agreement = mechanism.run().agreement
    del mechanism
    # NegMAS's default inverter lists every outcome for each negotiator (390,625 on
    # new-hire) in objects that refer to each other; left to the collector's own pace
    # they pile up to gigabytes within a few dozen games.
    gc.collect()
    return None if agreement is None else tuple(int(v) for v in agreement)


def negmas_side(
    negmas: Any,
    negotiators: Sequence[tuple[str, str]],
    games: list[tuple[int, Scenario]],
    repeat: int,
    steps: int,
) -> Side:
    """NegMAS's round robin of ``negotiators`` (name, class in ``negmas.sao``) on the dealt
    games (game ``n`` for the ``n``-th played)."""
    rates: dict[tuple[str, str], float] = {}
    efficiencies: dict[tuple[str, str], float | None] = {}
    n = 0
    for a, class_a in negotiators:
        for b, class_b in negotiators:
            agreed = 0
            scored: list[float] = []
            for _ in range(repeat):
                game, cards = games[n]
                n += 1
                random.seed(game)  # NegMAS draws from Python's random: each game replays
                opens = random.Random(game).randrange(2)
                outcome = play_negmas(negmas, cards, (class_a, class_b), steps, opens)
                agreed += outcome is not None
                found = efficiency(cards, outcome)
                if found is not None:
                    scored.append(found)
            rates[(a, b)] = agreed / repeat
            efficiencies[(a, b)] = fmean(scored) if scored else None
    names = tuple(name for name, _ in negotiators)
    return Side(f"NegMAS, {steps} rounds", names, rates, efficiencies)


# The report.


def _figure(value: float | None, rate: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:.0%}" if rate else f"{value:.2f}"


def _beaten(ours: float | None, theirs: float | None) -> str:
    return "beaten" if ours is not None and theirs is not None and ours > theirs else "NOT beaten"


def report(name: str, zopa: Side, negmas: list[Side], games: int) -> list[str]:
    """The scenario's table and verdicts, as lines."""
    lines = [
        f"\n{name}: {games} games a side (cards of `zopa bots match {name}` as dealt)",
        f"  {'':<34} {'agree':>6} {'efficiency':>10}  lowest self-play",
    ]
    rows: list[tuple[str, Side, Sequence[str] | None]] = [
        ("zopa, time-based + tit-for-tat", zopa, TIME_BASED),
        ("zopa, all six strategies", zopa, None),
    ]
    rows += [(f"{side.label}, all {len(side.names)}", side, None) for side in negmas]
    for label, side, names in rows:
        weakest, rate = side.weakest_self_play(names)
        lines.append(
            f"  {label:<34} {_figure(side.agreement(names), True):>6} "
            f"{_figure(side.efficiency(names)):>10}  {weakest} {rate:.0%}"
        )
    for side in negmas:
        lines.append(f"  {side.label}, agreement per pairing (row: first role, column: second)")
        names = side.names
        width = max(12, *(len(n) + 1 for n in names))
        lines.append("    " + " " * width + "".join(f"{n:>{width}}" for n in names))
        for a in names:
            rates = "".join(f"{side.rates[(a, b)]:>{width}.0%}" for b in names)
            lines.append(f"    {a:<{width}}{rates}")
    for side in negmas:
        for label, names in (("time-based + tit-for-tat", TIME_BASED), ("all six", None)):
            ours = zopa.agreement(names), zopa.efficiency(names)
            theirs = side.agreement(), side.efficiency()
            beat = [_beaten(mine, other) for mine, other in zip(ours, theirs, strict=True)]
            lines.append(
                f"  zopa ({label}) against {side.label}: agreement {beat[0]} "
                f"({_figure(ours[0], True)} vs {_figure(theirs[0], True)}), "
                f"efficiency {beat[1]} ({_figure(ours[1])} vs {_figure(theirs[1])})"
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=10, help="games per pairing (default 10)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--steps", default="30,100", help="NegMAS's rounds per negotiation (default 30,100)"
    )
    parser.add_argument("--scenarios", default=None, help="default: every built-in scenario")
    parser.add_argument(
        "--negotiators",
        default=None,
        help="classes of negmas.sao to play, comma-separated (default: the six above)",
    )
    args = parser.parse_args()
    negmas = load_negmas()
    if negmas is None:
        print(NO_NEGMAS, file=sys.stderr)
        return 2
    steps = [int(s) for s in args.steps.split(",")]
    names = args.scenarios.split(",") if args.scenarios else [s.id for s in builtin_scenarios()]
    bots: dict[str, Bot] = {n: tuned(b, talk=0.0) for n, b in STRATEGIES.items()}
    negotiators = (
        [(n.removesuffix("Negotiator"), n) for n in args.negotiators.split(",")]
        if args.negotiators
        else list(NEGOTIATORS)
    )
    pairings = len(negotiators) ** 2
    print(
        f"NegMAS {negmas.__version__}; seed {args.seed}, {args.repeat} games per pairing, "
        f"cards dealt per game; NegMAS rounds: {', '.join(map(str, steps))}",
        flush=True,
    )
    for name in names:
        scenario = builtin(name)
        started = time.process_time()
        tournament = round_robin(scenario, bots, args.repeat, args.seed)
        zopa = zopa_side(tournament)
        if zopa.efficiency() is None:
            print(f"\n{name}: no zone of agreement in any game: nothing to compare")
            continue
        # Game n of either side gets the same cards (with six negotiators, all 36 pairings).
        games = dealt_games(scenario, args.seed, pairings * args.repeat)
        played = [negmas_side(negmas, negotiators, games, args.repeat, s) for s in steps]
        seconds = time.process_time() - started
        for line in report(name, zopa, played, tournament.games):
            print(line, flush=True)
        print(f"  ({seconds:,.0f} s of CPU)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
