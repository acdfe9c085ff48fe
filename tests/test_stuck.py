"""The board's flags for stuck pairs: quiet, a gap that does not narrow, a standoff."""

from __future__ import annotations

from tests.factories import HIGH, LOW, MID, T0, played, tiny
from zopa.rules.actions import Offer, Pause, Walkout
from zopa.rules.log import replay
from zopa.rules.stuck import StuckRules, board, gap, gaps, narrowing

TIGHT = StuckRules(quiet_seconds=60, gap_offers=2)


def flags(found: dict[str, object]) -> list[str]:
    return [f["flag"] for f in found["flags"]]  # type: ignore[attr-defined]


def test_the_gap_is_what_both_give_up_to_take_the_others_latest_offer() -> None:
    scenario = tiny()
    # Seller likes high options, buyer low: two issues of 0..2 points each.
    assert gap(scenario, {"seller": HIGH}) is None
    assert gap(scenario, {"seller": HIGH, "buyer": LOW}) == (4 - 0) + (4 - 0)
    assert gap(scenario, {"seller": MID, "buyer": MID}) == 0


def test_narrowing_needs_enough_offers_and_compares_across_them() -> None:
    assert narrowing([8, 8], 2) is None
    assert narrowing([8, 6, 8], 2) is False
    assert narrowing([8, 8, 4], 2) is True


def test_a_quiet_pair_is_flagged_only_while_the_clock_runs() -> None:
    log = played(tiny(first_mover="seller"), (Offer("seller", HIGH), T0 + 10))
    state = replay(log)
    assert flags(board(state, log.events, T0 + 69, TIGHT)) == []
    found = board(state, log.events, T0 + 200, TIGHT)
    assert found["flags"] == [{"flag": "quiet", "minutes": 3}]
    assert found["since_offer"] == 190
    paused = played(tiny(first_mover="seller"), (Pause(), T0 + 1))
    assert flags(board(replay(paused), paused.events, T0 + 500, TIGHT)) == []
    # With no offer yet, the quiet time counts from the start.
    fresh = played(tiny(first_mover="seller"))
    assert flags(board(replay(fresh), fresh.events, T0 + 61, TIGHT)) == ["quiet"]


def test_a_gap_that_does_not_narrow_and_a_final_standoff_are_flagged() -> None:
    log = played(
        tiny(first_mover="seller"),
        Offer("seller", HIGH),
        Offer("buyer", LOW),
        Offer("seller", HIGH),
        Offer("buyer", LOW),
    )
    found = board(replay(log), log.events, T0 + 5, TIGHT)
    assert gaps(tiny(), log.events) == [8, 8, 8]
    assert found["gap"] == 8 and found["flags"] == [{"flag": "gap", "gap": 8, "offers": 2}]
    moving = played(
        tiny(first_mover="seller"),
        Offer("seller", HIGH),
        Offer("buyer", LOW),
        Offer("seller", MID),
        Offer("buyer", MID),
    )
    assert flags(board(replay(moving), moving.events, T0 + 5, TIGHT)) == []
    standoff = played(
        tiny(first_mover="seller"),
        Offer("seller", HIGH, final=True),
        Offer("buyer", LOW, final=True),
    )
    assert flags(board(replay(standoff), standoff.events, T0 + 3, TIGHT)) == ["standoff"]


def test_an_open_walkout_window_is_flagged_and_an_ended_game_is_not() -> None:
    log = played(tiny(first_mover="seller", walkout_window=30), Walkout("buyer"))
    found = board(replay(log), log.events, T0 + 2, TIGHT)
    assert found["flags"] == [{"flag": "walkout", "by": "buyer", "ends": T0 + 31}]
    ended = played(tiny(first_mover="seller"), Walkout("buyer"))
    assert board(replay(ended), ended.events, T0 + 999, TIGHT)["flags"] == []
