"""A round robin: every strategy against every strategy, in both roles, many times.

Each pairing (the first role's strategy, the second role's) plays ``repeat`` games,
each with its own seed drawn from the series seed, so a series replays exactly and
repetitions differ (who moves first, each bot's pace and curve, its words). Each game
deals its own cards too (``zopa.rules.deal``), from a seed drawn from its game seed, as
a live game does: a strategy is measured over the scenario's variation, not tuned to one
pair of cards (``same_cards=True`` plays the roles' own cards in every game). Results
come from ``zopa.rules.scoring`` (``tally``), the same scoring as every live game.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from statistics import fmean as mean
from typing import Any

from zopa.rules.bots.match import play_match
from zopa.rules.bots.strategy import Bot
from zopa.rules.bots.variety import game_seed
from zopa.rules.deal import deal
from zopa.rules.scenario import Scenario
from zopa.rules.scoring import tally


@dataclass(frozen=True, slots=True)
class Pairing:
    strategies: tuple[str, str]  # the first role's, the second role's
    games: int
    agreements: int
    points: tuple[float, float]  # mean points of each role
    surplus: tuple[float, float]  # mean points over BATNA of each role
    efficiency: float | None  # mean of the scoring's efficiency (None if undefined)
    refused: int  # refused actions in all its games: 0 unless a strategy is broken

    @property
    def agreement_rate(self) -> float:
        return self.agreements / self.games if self.games else 0.0


@dataclass(frozen=True, slots=True)
class Record:
    """One strategy's record over every game it played, in either role."""

    strategy: str
    games: int
    agreement_rate: float
    surplus: float  # mean points over its BATNA
    efficiency: float | None


# The built-in strategies that concede by time or in return (issue 23's targets).
TIME_BASED = ("conceder", "linear", "boulware", "tit-for-tat")
STRATEGY_NAMES = (*TIME_BASED, "hardliner", "problem-solver")


@dataclass(frozen=True, slots=True)
class Target:
    """A figure of a round robin and the least it should be."""

    name: str
    value: float
    goal: float
    unit: str  # "%" for a rate, "" for a ratio

    @property
    def met(self) -> bool:
        return self.value >= self.goal

    def __str__(self) -> str:
        shown = f"{self.value:.0%}" if self.unit else f"{self.value:.2f}"
        goal = f"{self.goal:.0%}" if self.unit else f"{self.goal:.2f}"
        return f"{shown} (at least {goal}): {'met' if self.met else 'MISSED'}"


@dataclass(frozen=True, slots=True)
class Tournament:
    scenario: Scenario
    strategies: tuple[str, ...]
    repeat: int
    seed: int
    pairings: tuple[Pairing, ...]
    same_cards: bool = False

    @property
    def games(self) -> int:
        return sum(p.games for p in self.pairings)

    @property
    def refused(self) -> int:
        return sum(p.refused for p in self.pairings)

    def standings(self) -> list[Record]:
        """Strategies by mean surplus over their BATNA, best first."""
        rows = []
        for name in self.strategies:
            games = agreements = 0
            surplus = efficiency = 0.0
            scored = 0
            for p in self.pairings:
                for side in (0, 1):
                    if p.strategies[side] != name:
                        continue
                    games += p.games
                    agreements += p.agreements
                    surplus += p.surplus[side] * p.games
                    if p.efficiency is not None:
                        efficiency += p.efficiency * p.games
                        scored += p.games
            rows.append(
                Record(
                    name,
                    games,
                    agreements / games if games else 0.0,
                    surplus / games if games else 0.0,
                    efficiency / scored if scored else None,
                )
            )
        rows.sort(key=lambda r: -r.surplus)
        return rows

    def targets(self) -> list[Target]:
        """What the built-in strategies should achieve where a deal exists (issue 23):
        none if no game had a zone of agreement (walking away is then right), or if the
        strategies they name did not play."""
        pairings = self.pairings
        scored = [p.efficiency for p in pairings if p.efficiency is not None]
        if not scored:
            return []
        found = []
        timed = [p.agreement_rate for p in pairings if set(p.strategies) <= set(TIME_BASED)]
        if timed:
            found.append(Target("time-based and tit-for-tat pairings agree", mean(timed), 0.8, "%"))
        for name in self.strategies:
            if name == "hardliner" or name not in STRATEGY_NAMES:
                continue
            own = [p.agreement_rate for p in pairings if p.strategies == (name, name)]
            found.append(Target(f"{name} agrees with itself", mean(own), 0.9, "%"))
        found.append(Target("mean efficiency, all pairings", mean(scored), 0.8, ""))
        return found

    def to_json(self) -> dict[str, Any]:
        roles = self.scenario.role_ids
        return {
            "scenario": self.scenario.id,
            "roles": list(roles),
            "strategies": list(self.strategies),
            "repeat": self.repeat,
            "seed": self.seed,
            "cards": "same" if self.same_cards else "dealt per game",
            "games": self.games,
            "refused": self.refused,
            "pairings": [
                {
                    "strategies": dict(zip(roles, p.strategies, strict=True)),
                    "games": p.games,
                    "agreement_rate": round(p.agreement_rate, 6),
                    "points": {r: round(v, 6) for r, v in zip(roles, p.points, strict=True)},
                    "surplus": {r: round(v, 6) for r, v in zip(roles, p.surplus, strict=True)},
                    "efficiency": None if p.efficiency is None else round(p.efficiency, 6),
                    "refused": p.refused,
                }
                for p in self.pairings
            ],
            "standings": [
                {
                    "strategy": s.strategy,
                    "games": s.games,
                    "agreement_rate": round(s.agreement_rate, 6),
                    "surplus": round(s.surplus, 6),
                    "efficiency": None if s.efficiency is None else round(s.efficiency, 6),
                }
                for s in self.standings()
            ],
            "targets": [
                {"target": t.name, "value": round(t.value, 6), "at_least": t.goal, "met": t.met}
                for t in self.targets()
            ],
        }


def cards_seed(game: int) -> int:
    """The seed a bot game's cards are dealt from: drawn from its game seed, apart from it."""
    return game_seed(game, _CARDS)


_CARDS = 0xCA4D5  # mixed into a game seed to give its cards' seed


def round_robin(
    scenario: Scenario,
    strategies: Mapping[str, Bot],
    repeat: int,
    seed: int,
    same_cards: bool = False,
) -> Tournament:
    """Every ordered pair of strategies (itself included) plays ``repeat`` seeded games."""
    first, second = scenario.role_ids
    names = tuple(strategies)
    pairings = []
    n = 0
    for a in names:
        for b in names:
            bots = {first: strategies[a], second: strategies[b]}
            agreements = refused = 0
            points = [0.0, 0.0]
            surplus = [0.0, 0.0]
            efficiency = 0.0
            scored = 0
            for _ in range(repeat):
                game = game_seed(seed, n)
                cards = deal(scenario, None if same_cards else cards_seed(game))
                match = play_match(cards, bots, game)
                n += 1
                scores = tally(match.state)
                assert scores is not None  # play_match returns only finished games
                refused += match.refused
                agreements += scores.agreement
                for side in (0, 1):
                    points[side] += scores.points[side]
                    surplus[side] += scores.surplus[side]
                if scores.efficiency is not None:
                    efficiency += scores.efficiency
                    scored += 1
            games = max(repeat, 1)
            pairings.append(
                Pairing(
                    strategies=(a, b),
                    games=repeat,
                    agreements=agreements,
                    points=(points[0] / games, points[1] / games),
                    surplus=(surplus[0] / games, surplus[1] / games),
                    efficiency=efficiency / scored if scored else None,
                    refused=refused,
                )
            )
    return Tournament(scenario, names, repeat, seed, tuple(pairings), same_cards)
