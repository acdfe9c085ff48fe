"""The negotiation state machine, rule by rule, without I/O."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import tiny
from zopa.rules.actions import (
    Abort,
    Accept,
    Action,
    Chat,
    Claim,
    Extend,
    Offer,
    Pause,
    Reject,
    Request,
    Resume,
    Reveal,
    Seat,
    Suggest,
    Timeout,
    Walkout,
    parse_action,
)
from zopa.rules.errors import ActionRefused
from zopa.rules.events import Event, visible_to
from zopa.rules.negotiation import (
    GameState,
    advance,
    apply,
    next_deadline,
    seconds_left,
    start,
)
from zopa.rules.scoring import result
from zopa.rules.status import status

T0 = 1000.0
LOW = {"i0": 0, "i1": 0}
MID = {"i0": 1, "i1": 1}
HIGH = {"i0": 2, "i1": 2}


def game(**protocol: Any) -> GameState:
    protocol.setdefault("first_mover", "seller")
    return start(tiny(**protocol), seed=1, started_at=T0)


def play(state: GameState, *steps: tuple[Action, float]) -> tuple[GameState, list[Event]]:
    events: list[Event] = []
    for action, at in steps:
        state, more = apply(state, action, at)
        events.extend(more)
    return state, events


def refused(state: GameState, action: Action, at: float = T0 + 1) -> str:
    with pytest.raises(ActionRefused) as info:
        apply(state, action, at)
    assert info.value.message  # every refusal says what was expected
    return info.value.code


def test_offer_then_accept_is_an_agreement_on_the_offered_terms() -> None:
    state, events = play(
        game(),
        (Offer("seller", HIGH), T0 + 1),
        (Offer("buyer", MID), T0 + 2),
        (Accept("seller", 2), T0 + 3),
    )
    assert [e.type for e in events] == ["offer", "offer", "accept", "end"]
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[-1].data == {"outcome": "agreement", "reason": "accepted", "terms": MID}
    outcome = result(state)
    assert outcome is not None
    assert outcome["points"] == {"seller": 2, "buyer": 2}
    assert outcome["joint"] == 4 and outcome["terms"] == MID


def test_alternating_turns_refuse_an_offer_out_of_turn() -> None:
    state = game()
    assert state.turn == "seller"
    assert refused(state, Offer("buyer", LOW)) == "not_your_turn"
    state, _ = apply(state, Offer("seller", HIGH), T0 + 1)
    assert state.turn == "buyer"
    assert refused(state, Offer("seller", HIGH)) == "not_your_turn"


def test_free_turns_let_either_side_offer_and_the_latest_offer_stands() -> None:
    state, _ = play(
        game(turns="free"),
        (Offer("buyer", LOW), T0 + 1),
        (Offer("buyer", MID), T0 + 2),
    )
    assert state.turn is None
    assert refused(state, Accept("seller", 1)) == "no_such_offer"
    assert refused(state, Accept("buyer", 2)) == "no_such_offer"
    state, events = apply(state, Accept("seller", 2), T0 + 3)
    assert events[-1].data["terms"] == MID


def test_the_first_move_cannot_be_an_accept() -> None:
    assert refused(game(), Accept("buyer", 1)) == "no_such_offer"
    assert refused(game(turns="free"), Accept("seller", 0)) == "no_such_offer"


def test_only_the_other_sides_standing_offer_can_be_accepted() -> None:
    state, _ = play(game(), (Offer("seller", HIGH), T0 + 1), (Offer("buyer", MID), T0 + 2))
    assert refused(state, Accept("seller", 1)) == "no_such_offer"  # superseded
    assert refused(state, Accept("buyer", 2)) == "no_such_offer"  # own offer
    assert refused(state, Accept("seller", 7)) == "no_such_offer"  # never made


def test_nothing_is_accepted_after_the_game_ends() -> None:
    state, _ = play(game(), (Offer("seller", HIGH), T0 + 1), (Walkout("buyer"), T0 + 2))
    assert refused(state, Accept("buyer", 1)) == "game_over"
    assert refused(state, Chat("buyer", "hello?")) == "game_over"
    assert refused(state, Timeout(), T0 + 10_000) == "game_over"


def test_invalid_terms_are_refused_with_what_was_expected() -> None:
    state = game()
    with pytest.raises(ActionRefused, match="missing"):
        apply(state, Offer("seller", {"i0": 1}), T0 + 1)
    with pytest.raises(ActionRefused, match=r"option 3 does not exist \(0 to 2\)"):
        apply(state, Offer("seller", {"i0": 3, "i1": 0}), T0 + 1)
    with pytest.raises(ActionRefused, match="no issue 'x'"):
        apply(state, Offer("seller", {"i0": 1, "i1": 1, "x": 0}), T0 + 1)
    assert refused(state, Suggest("buyer", {})) == "invalid_terms"
    assert refused(state, Suggest("buyer", {"i0": -1})) == "invalid_terms"


def test_suggestions_are_partial_and_outside_the_turn_order() -> None:
    state, events = apply(game(), Suggest("buyer", {"i1": 0}), T0 + 1)
    assert events[0].type == "suggest" and events[0].by == "buyer"
    assert state.turn == "seller" and state.standing is None


def test_reveals_are_recorded_as_said_even_when_false() -> None:
    state, events = play(
        game(),
        (Reveal("buyer", "batna", value=99), T0 + 1),
        (Reveal("seller", "priority", issue="i1", rank=1), T0 + 2),
    )
    assert events[0].data == {"about": "batna", "value": 99}
    assert events[1].data == {"about": "priority", "issue": "i1", "rank": 1}
    assert refused(state, Reveal("seller", "priority", issue="i1", rank=3)) == "bad_message"
    assert refused(state, Reveal("seller", "priority", issue="nope", rank=1)) == "invalid_terms"


def test_walkout_is_an_impasse_worth_each_batna() -> None:
    state, events = apply(game(), Walkout("buyer"), T0 + 5)
    assert events[-1].data == {"outcome": "impasse", "reason": "walkout", "terms": None}
    outcome = result(state)
    assert outcome is not None
    assert outcome["points"] == outcome["batna"] == {"seller": 2, "buyer": 2}
    assert outcome["terms"] is None
    # Every deal here is worth 4 in all, no more than the two BATNAs: walking away missed nothing.
    assert outcome["missed_deal"] is False
    cheap_batnas = start(tiny(batnas=(1, 1), first_mover="seller"), seed=1, started_at=T0)
    missed = result(apply(cheap_batnas, Walkout("buyer"), T0 + 5)[0])
    assert missed is not None and missed["missed_deal"] is True


def test_max_offers_leaves_accept_or_reject_and_a_reject_is_an_impasse() -> None:
    state, _ = play(
        game(max_offers=2), (Offer("seller", HIGH), T0 + 1), (Offer("buyer", LOW), T0 + 2)
    )
    assert refused(state, Offer("seller", MID)) == "limit_reached"
    state, events = apply(state, Reject("seller", 2), T0 + 3)
    assert events[-1].data["reason"] == "max_offers"


def test_a_reject_below_the_limit_withdraws_the_offer_and_keeps_the_turn() -> None:
    state, _ = play(game(), (Offer("seller", HIGH), T0 + 1), (Reject("buyer", 1), T0 + 2))
    assert state.standing is None and state.turn == "buyer" and state.live
    assert refused(state, Accept("buyer", 1)) == "no_such_offer"


def test_deadline_ends_in_impasse_and_actions_past_it_are_refused() -> None:
    state = game(time_limit=60)
    assert next_deadline(state) == T0 + 60
    assert refused(state, Timeout(), T0 + 59) == "not_due"
    assert refused(state, Chat("buyer", "late"), T0 + 61) == "deadline_passed"
    state, events = advance(state, T0 + 60.5)
    assert [e.type for e in events] == ["timeout", "end"]
    assert events[-1].data["reason"] == "deadline"


def test_a_break_stops_the_clock_and_ends_on_time() -> None:
    state, _ = play(
        game(time_limit=60, break_seconds=30),
        (Request("buyer", "break_request"), T0 + 10),
        (Request("seller", "break_accept"), T0 + 20),
    )
    assert state.on_break and next_deadline(state) == T0 + 50
    assert seconds_left(state, T0 + 45) == 40
    assert refused(state, Offer("seller", HIGH), T0 + 21) == "on_break"
    state, _ = apply(state, Chat("seller", "coffee?"), T0 + 22)  # talking is fine
    state, events = advance(state, T0 + 51)
    assert events[0].data == {"what": "break"}
    # The clock restarted when the break was due to end, not when noticed.
    assert next_deadline(state) == T0 + 50 + 40
    assert refused(state, Request("buyer", "break_request"), T0 + 52) == "limit_reached"


def test_a_break_can_end_early_and_be_declined() -> None:
    state, _ = play(
        game(breaks=2),
        (Request("buyer", "break_request"), T0 + 1),
        (Request("seller", "break_decline"), T0 + 2),
    )
    assert not state.on_break and state.breaks_taken == 0
    assert refused(state, Request("seller", "break_accept")) == "no_request"
    state, _ = play(
        state,
        (Request("seller", "break_request"), T0 + 3),
        (Request("buyer", "break_accept"), T0 + 4),
        (Request("seller", "break_end"), T0 + 14),
    )
    assert not state.on_break and next_deadline(state) == T0 + 900 + 10


def test_requests_are_answered_by_the_other_side_only() -> None:
    state, _ = apply(game(), Request("buyer", "extension_request"), T0 + 1)
    assert refused(state, Request("buyer", "extension_accept")) == "no_request"
    assert refused(state, Request("buyer", "extension_request")) == "already_pending"
    state, _ = apply(state, Request("seller", "extension_accept"), T0 + 2)
    assert next_deadline(state) == T0 + 900 + 120
    assert refused(state, Request("seller", "extension_request")) == "limit_reached"


def test_pause_and_resume_stop_the_clock() -> None:
    state, _ = play(game(time_limit=60), (Pause(), T0 + 10), (Resume(), T0 + 110))
    assert next_deadline(state) == T0 + 160
    paused, _ = apply(state, Pause(), T0 + 120)
    assert next_deadline(paused) is None
    assert refused(paused, Offer("seller", HIGH), T0 + 121) == "paused"
    assert refused(paused, Pause(), T0 + 121) == "not_allowed"
    paused, events = apply(paused, Chat("buyer", "still here"), T0 + 122)
    assert events[0].type == "chat"


def test_the_facilitator_can_extend_and_abort() -> None:
    state, _ = apply(game(time_limit=60), Extend(30), T0 + 1)
    assert next_deadline(state) == T0 + 90
    state, events = apply(state, Abort(), T0 + 2)
    assert events[-1].data["reason"] == "aborted"


def test_claims_that_match_are_the_agreement_and_others_an_impasse() -> None:
    base = game(closing="claims", turns="free")
    assert refused(base, Accept("buyer", 1)) == "not_allowed"
    state, events = play(base, (Claim("seller", MID), T0 + 1), (Claim("buyer", MID), T0 + 2))
    assert events[-1].data == {"outcome": "agreement", "reason": "claims_matched", "terms": MID}
    state, events = play(base, (Claim("seller", MID), T0 + 1))
    assert refused(state, Claim("seller", LOW)) == "already_claimed"
    state, events = apply(state, Claim("buyer", LOW), T0 + 2)
    assert events[-1].data["reason"] == "claims_mismatch"
    assert refused(game(), Claim("seller", MID)) == "not_allowed"


def test_a_claim_of_no_deal_matches_nothing_not_even_another() -> None:
    base = game(closing="claims", turns="free")
    state, events = play(base, (Claim("seller", None), T0 + 1))
    assert events[0].data == {"terms": None}
    assert status(state, T0 + 1)["claimed"] == ["seller"]
    _, events = apply(state, Claim("buyer", None), T0 + 2)
    assert events[-1].data == {"outcome": "impasse", "reason": "claims_mismatch", "terms": None}
    _, events = apply(state, Claim("buyer", MID), T0 + 2)
    assert events[-1].data["reason"] == "claims_mismatch"
    assert parse_action({"type": "claim", "terms": None}, "buyer") == Claim("buyer", None)


def test_a_claim_stays_sealed_from_the_other_side_until_the_end() -> None:
    _, events = apply(game(closing="claims"), Claim("seller", MID), T0 + 1)
    claim = events[0]
    assert visible_to(claim, "buyer", ended=False).data == {"sealed": True}
    assert visible_to(claim, "seller", ended=False).data == {"terms": MID}
    assert visible_to(claim, "buyer", ended=True).data == {"terms": MID}


def test_seat_records_a_bot_standing_in() -> None:
    state, events = apply(game(), Seat("buyer", "bot:conceder"), T0 + 1)
    assert state.seats == ("player", "bot:conceder")
    assert events[0].by is None and events[0].data == {"role": "buyer", "occupant": "bot:conceder"}
    assert refused(state, Seat("nobody", "player")) == "bad_message"


def test_first_mover_random_is_decided_by_the_seed() -> None:
    scenario = tiny(first_mover="random")
    movers = {start(scenario, seed, T0).first_mover for seed in range(40)}
    assert movers == {"seller", "buyer"}
    assert start(scenario, 5, T0).first_mover == start(scenario, 5, T0 + 9).first_mover


def test_time_never_goes_backwards() -> None:
    _state, events = play(game(), (Chat("buyer", "a"), T0 + 5), (Chat("seller", "b"), T0 + 3))
    assert events[1].at == T0 + 5


@pytest.mark.parametrize(
    ("message", "by", "fragment"),
    [
        ({"type": "dance"}, "buyer", "unknown action type"),
        ({}, "buyer", "needs a string 'type'"),
        ({"type": "offer"}, "buyer", "'terms' is missing"),
        ({"type": "claim"}, "buyer", "'terms' is missing"),
        ({"type": "offer", "terms": {"i0": "1"}}, "buyer", "issue id -> option index"),
        ({"type": "offer", "terms": {"i0": True}}, "buyer", "issue id -> option index"),
        ({"type": "offer", "terms": {}, "final": "yes"}, "buyer", "true or false"),
        ({"type": "accept", "offer": 1.5}, "buyer", "whole number"),
        ({"type": "chat", "text": "   "}, "buyer", "empty"),
        ({"type": "chat", "text": "x" * 2001}, "buyer", "over 2000"),
        ({"type": "reveal", "about": "mood"}, "buyer", "'priority' or 'batna'"),
        ({"type": "reveal", "about": "batna", "value": float("nan")}, "buyer", "finite"),
        ({"type": "timeout"}, "buyer", "for the server"),
        ({"type": "walkout"}, None, "needs a role"),
        ({"type": "extend", "seconds": -5}, None, "above 0"),
    ],
)
def test_malformed_actions_are_bad_messages(
    message: dict[str, Any], by: str | None, fragment: str
) -> None:
    with pytest.raises(ActionRefused) as info:
        parse_action(message, by)
    assert info.value.code == "bad_message"
    assert fragment in info.value.message
