"""bench/bot_negmas.py's conversion of zopa's cards into NegMAS's terms, without NegMAS."""

from __future__ import annotations

import importlib.util
import random
import subprocess
import sys
from pathlib import Path

import pytest

from bench.bot_negmas import dealt_games, efficiency, issue_options, terms_of, utility_values
from zopa.rules.library import builtin_scenarios

ROOT = Path(__file__).resolve().parent.parent


def test_a_negmas_outcome_is_worth_to_each_role_its_points_on_the_dealt_cards() -> None:
    rng = random.Random(5)
    for scenario in builtin_scenarios():
        for _, cards in dealt_games(scenario, 7, 4):
            options = issue_options(cards)
            assert [i for i, _ in options] == list(cards.issue_ids)
            assert [len(values) for _, values in options] == list(cards.option_counts)
            for _ in range(20):
                outcome = tuple(rng.choice(values) for _, values in options)
                terms = terms_of(cards, outcome)
                for role in cards.role_ids:
                    values = utility_values(cards, role)
                    worth = sum(values[issue][option] for issue, option in terms.items())
                    assert worth == cards.points(role, terms)


def test_efficiency_is_zopas_one_for_the_best_joint_deal_and_zero_for_a_missed_one() -> None:
    for scenario in builtin_scenarios():
        for _, cards in dealt_games(scenario, 7, 4):
            first, second = (utility_values(cards, r) for r in cards.role_ids)
            best = tuple(
                max(values, key=lambda k: first[issue][k] + second[issue][k])
                for issue, values in issue_options(cards)
            )
            if scenario.id == "food-truck":  # no zone: walking away scores no figure
                assert efficiency(cards, None) is None
            else:
                assert efficiency(cards, best) == 1.0
                assert efficiency(cards, None) == 0.0


@pytest.mark.skipif(importlib.util.find_spec("negmas") is not None, reason="NegMAS is here")
def test_without_negmas_the_benchmark_says_how_to_get_it_and_exits_2() -> None:
    done = subprocess.run(
        [sys.executable, "bench/bot_negmas.py", "--scenarios", "guitar"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "pip install negmas" in done.stderr and done.stdout == ""
