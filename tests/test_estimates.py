"""Sealed estimates of the other side: taken once, sealed until the end, judged against
the other side's card in the result and the annotations, replayed from the log."""

from __future__ import annotations

import pytest

from tests.factories import T0, played, tiny
from zopa.rules.actions import Estimate, Offer, Walkout, parse_action
from zopa.rules.annotate import annotate
from zopa.rules.errors import ActionRefused
from zopa.rules.estimates import points_range, top_issues, verdict
from zopa.rules.events import visible_to
from zopa.rules.library import builtin
from zopa.rules.log import log_lines, read_log, replay
from zopa.rules.negotiation import apply, start
from zopa.rules.scoring import result


def test_an_estimate_is_parsed_from_the_wire() -> None:
    assert parse_action({"type": "estimate", "batna": 3, "issue": "i0"}, "buyer") == Estimate(
        "buyer", 3, "i0"
    )
    assert parse_action({"type": "estimate", "batna": 3}, "buyer") == Estimate("buyer", 3, None)
    assert parse_action({"type": "estimate", "issue": "i1", "batna": None}, "b") == Estimate(
        "b", None, "i1"
    )
    for bad in ({}, {"batna": None}, {"batna": "lots"}, {"batna": True}, {"issue": 3}):
        with pytest.raises(ActionRefused) as caught:
            parse_action({"type": "estimate", **bad}, "buyer")
        assert caught.value.code == "bad_message"


def test_one_estimate_per_side_naming_a_real_issue() -> None:
    scenario = tiny(batnas=(2, 3))
    state = start(scenario, 1, T0)
    state, events = apply(state, Estimate("seller", 3, "i1"), T0 + 1)
    assert events[0].to_dict() == {
        "seq": 1,
        "type": "estimate",
        "at": T0 + 1,
        "by": "seller",
        "batna": 3,
        "issue": "i1",
    }
    with pytest.raises(ActionRefused) as twice:
        apply(state, Estimate("seller", 4, None), T0 + 2)
    assert twice.value.code == "not_allowed"
    with pytest.raises(ActionRefused) as unknown:
        apply(state, Estimate("buyer", None, "i9"), T0 + 2)
    assert unknown.value.code == "invalid_terms"
    state, _ = apply(state, Estimate("buyer", 1, None), T0 + 2)
    assert [e and e.by for e in state.estimates] == ["seller", "buyer"]


def test_an_estimate_stays_sealed_from_the_other_side_until_the_end() -> None:
    state = start(tiny(), 1, T0)
    _, events = apply(state, Estimate("seller", 3, "i1"), T0 + 1)
    estimate = events[0]
    assert visible_to(estimate, "buyer", ended=False).data == {"sealed": True}
    assert visible_to(estimate, "seller", ended=False).data == {"batna": 3, "issue": "i1"}
    assert visible_to(estimate, "buyer", ended=True).data == {"batna": 3, "issue": "i1"}


def test_the_result_judges_each_estimate_against_the_other_card() -> None:
    # tiny: two issues of options 0..2; the seller's points rise, the buyer's fall; each
    # side's range of points is 4, so a guess within 0.2 is close.
    scenario = tiny(batnas=(2, 3))
    log = played(
        scenario,
        Estimate("seller", 5, "i0"),
        Estimate("buyer", 2.1, None),
        Walkout("buyer"),
    )
    found = result(replay(log))
    assert found is not None
    assert found["estimates"] == {
        "seller": {
            "about": "buyer",
            "batna": 5,
            "actual_batna": 3,
            "error": 2,
            "verdict": "high",
            "issue": "i0",
            "top_issues": ["i0", "i1"],
            "issue_right": True,
        },
        "buyer": {
            "about": "seller",
            "batna": 2.1,
            "actual_batna": 2,
            "error": pytest.approx(0.1),
            "verdict": "close",
            "issue": None,
            "top_issues": ["i0", "i1"],
        },
    }
    # A game without estimates scores as it always did.
    plain = result(replay(played(scenario, Walkout("buyer"))))
    assert plain is not None and "estimates" not in plain


def test_the_annotations_tell_each_estimate_against_the_truth() -> None:
    scenario = builtin("guitar")  # the roles' own cards: both BATNAs 200; range 800
    log = played(
        scenario,
        Estimate("seller", 100, None),
        Estimate("buyer", 210, "price"),
        Offer("seller" if start(scenario, 1, T0).turn == "seller" else "buyer", {"price": 8}),
    )
    tags = {t.seq: t for t in annotate(log)}
    assert tags[1].tag == "estimate-low"
    assert tags[1].text == "seller put buyer's BATNA at 100; it is 200 (too low, -100)."
    assert tags[2].tag == "estimate-close"
    assert tags[2].text.endswith("buyer guessed price matters most to seller (right: it is price).")


def test_estimates_replay_from_the_log() -> None:
    log = played(tiny(), Estimate("seller", 1, None), Walkout("seller"))
    again = read_log(log_lines(log))
    assert result(replay(again)) == result(replay(log))
    assert replay(again).estimates[0] == Estimate("seller", 1, None)


def test_the_truth_an_estimate_is_judged_by() -> None:
    hire = builtin("new-hire")
    assert top_issues(hire, "candidate") == ("salary",)
    assert top_issues(hire, "recruiter") == ("salary",)
    assert points_range(hire, "recruiter") == 6000 + 4000 + 1600 + 4000 + 800 + 2400 + 3000 + 2000
    assert verdict(hire, "recruiter", 10_000 + 1190) == "close"  # 5% of 23,800
    assert verdict(hire, "recruiter", 10_000 + 1300) == "high"
    assert verdict(hire, "recruiter", 10_000 - 1300) == "low"
