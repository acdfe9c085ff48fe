"""The automatic annotator, tag by tag, on small hand-made games that show each tag
and on games that must not show it."""

from __future__ import annotations

from typing import Any

from tests.factories import HIGH, LOW, MID, T0, played, tiny
from zopa.rules.actions import (
    Accept,
    Chat,
    Claim,
    Extend,
    Offer,
    Reject,
    Request,
    Reveal,
    Suggest,
    Timeout,
    Walkout,
)
from zopa.rules.annotate import TAGS, Tag, annotate, by_importance, counts
from zopa.rules.log import GameLog
from zopa.rules.scenario import Scenario, parse_scenario


def tags(log: GameLog, name: str) -> list[Tag]:
    found = annotate(log)
    assert all(t.tag in TAGS for t in found)
    return [t for t in found if t.tag == name]


def seller_first(**kwargs: Any) -> Scenario:
    return tiny(first_mover="seller", **kwargs)


def trading(**protocol: Any) -> Scenario:
    """The seller cares most about i1, the buyer about i0: trading them adds joint value.

    Outcomes (seller, buyer) by (i0, i1): the frontier is (0, 8), (3, 7), (6, 6), (7, 3),
    (8, 0); the compromise (1, 1) gives (4, 4) and is beaten by (0, 2) = (6, 6).
    """
    protocol.setdefault("first_mover", "buyer")
    return custom(
        {"i0": [0, 1, 2], "i1": [0, 3, 6]}, {"i0": [6, 3, 0], "i1": [2, 1, 0]}, **protocol
    )


def custom(
    seller: dict[str, list[int]],
    buyer: dict[str, list[int]],
    batnas: tuple[int, int] = (0, 0),
    **protocol: Any,
) -> Scenario:
    return parse_scenario(
        {
            "format": "zopa-scenario/1",
            "id": "custom",
            "title": "Custom",
            "protocol": protocol,
            "issues": [
                {"id": i, "options": [f"o{k}" for k in range(len(row))]}
                for i, row in seller.items()
            ],
            "roles": [
                {"id": "seller", "batna": batnas[0], "points": seller},
                {"id": "buyer", "batna": batnas[1], "points": buyer},
            ],
        },
        "custom",
    )


# -- extreme-opening -----------------------------------------------------------------


def test_extreme_opening_is_a_first_offer_below_the_other_sides_batna() -> None:
    log = played(seller_first(), Offer("seller", HIGH), Offer("buyer", MID))
    [tag] = tags(log, "extreme-opening")
    assert tag.seq == 1
    assert tag.data == {"by": "seller", "other": "buyer", "points": 0, "batna": 2}
    assert "below its BATNA of 2" in tag.text


def test_no_extreme_opening_at_the_batna_or_on_a_later_offer() -> None:
    log = played(seller_first(), Offer("seller", MID), Offer("buyer", MID), Offer("seller", HIGH))
    assert tags(log, "extreme-opening") == []


# -- concession and hard-line ----------------------------------------------------------


def test_concession_has_its_size_for_the_offerer() -> None:
    log = played(seller_first(), Offer("seller", HIGH), Offer("buyer", LOW), Offer("seller", MID))
    [tag] = tags(log, "concession")
    assert tag.seq == 3 and tag.data["size"] == 2
    assert tag.data["own"] == [4, 2] and tag.data["other"] == [0, 2]
    assert tags(log, "hard-line") == []


def test_hard_line_is_an_offer_no_better_for_the_other_side_than_the_last() -> None:
    log = played(
        seller_first(),
        Offer("seller", MID),
        Offer("buyer", LOW),
        Offer("seller", MID),  # the same again
        Offer("buyer", LOW),
        Offer("seller", {"i0": 2, "i1": 1}),  # worse for the buyer
    )
    assert [t.seq for t in tags(log, "hard-line")] == [3, 4, 5]
    assert tags(log, "concession") == []


def test_first_offers_are_neither_concessions_nor_hard_line() -> None:
    log = played(seller_first(), Offer("seller", HIGH), Offer("buyer", LOW))
    assert tags(log, "concession") == [] and tags(log, "hard-line") == []


# -- logroll -------------------------------------------------------------------------


def test_logroll_trades_across_issues_for_more_joint_points() -> None:
    log = played(trading(), Offer("buyer", MID), Offer("seller", {"i0": 0, "i1": 2}))
    [tag] = tags(log, "logroll")
    assert tag.seq == 2
    assert tag.data["joint"] == [8, 12] and tag.data["gain"] == 4
    assert tag.data["gave"] == ["i0"] and tag.data["took"] == ["i1"]
    assert tag.data["max_joint"] == 12


def test_no_logroll_without_a_trade_or_without_a_joint_gain() -> None:
    # One issue moved the buyer's way: more joint points, but nothing was traded.
    gift = played(trading(), Offer("buyer", MID), Offer("seller", {"i0": 0, "i1": 1}))
    assert tags(gift, "logroll") == []
    # Both issues moved the seller's way: a demand, not a trade.
    demand = played(trading(), Offer("buyer", MID), Offer("seller", HIGH))
    assert tags(demand, "logroll") == []
    # A rejected offer no longer stands, so there is nothing to improve on.
    withdrawn = played(
        trading(turns="free"),
        Offer("buyer", MID),
        Reject("seller", 1),
        Offer("seller", {"i0": 0, "i1": 2}),
    )
    assert tags(withdrawn, "logroll") == []


# -- value-left and lose-lose ----------------------------------------------------------


def test_value_left_names_the_points_and_a_deal_better_for_both() -> None:
    log = played(trading(), Offer("buyer", MID), Accept("seller", 1))
    [tag] = tags(log, "value-left")
    assert tag.seq == 3  # the end event
    assert tag.data["left"] == 4
    assert tag.data["better"] == {
        "points": {"seller": 6, "buyer": 6},
        "terms": {"i0": 0, "i1": 2},
    }
    assert "4 points left on the table" in tag.text


def test_no_value_left_on_the_frontier_or_at_an_impasse() -> None:
    on_frontier = played(trading(), Offer("buyer", {"i0": 0, "i1": 2}), Accept("seller", 1))
    assert tags(on_frontier, "value-left") == []
    walked = played(trading(), Walkout("buyer"))
    assert tags(walked, "value-left") == []


def compatible() -> Scenario:
    # "c": both prefer option 0. "d": only the buyer cares, so it is not lose-lose material.
    return custom(
        {"p": [0, 2], "c": [3, 1], "d": [0, 0]},
        {"p": [2, 0], "c": [2, 0], "d": [1, 0]},
        first_mover="seller",
    )


def test_lose_lose_is_a_compatible_issue_settled_on_an_option_both_like_less() -> None:
    log = played(compatible(), Offer("seller", {"p": 1, "c": 1, "d": 1}), Accept("buyer", 1))
    [tag] = tags(log, "lose-lose")
    assert tag.data == {
        "issue": "c",
        "agreed": 1,
        "best": 0,
        "loss": {"seller": 2, "buyer": 2},
    }


def test_no_lose_lose_when_the_compatible_issue_is_settled_well() -> None:
    log = played(compatible(), Offer("seller", {"p": 1, "c": 0, "d": 1}), Accept("buyer", 1))
    assert tags(log, "lose-lose") == []


# -- reveal-true / reveal-false --------------------------------------------------------


def test_reveals_are_checked_against_the_speakers_card() -> None:
    log = played(
        trading(turns="free"),
        Reveal("seller", "priority", issue="i1", rank=1),
        Reveal("seller", "priority", issue="i0", rank=1),
        Reveal("buyer", "batna", value=0),
        Reveal("buyer", "batna", value=5),
    )
    assert [t.seq for t in tags(log, "reveal-true")] == [1, 3]
    false = tags(log, "reveal-false")
    assert [t.seq for t in false] == [2, 4]
    assert false[0].data["actual"] == [2, 2]
    assert "it is number 2" in false[0].text
    assert false[1].data == {"by": "buyer", "about": "batna", "stated": 5, "actual": 0}


def test_tied_issues_share_their_ranks() -> None:
    # In tiny both issues matter equally: rank 1 or 2 is true for either.
    log = played(
        tiny(turns="free"),
        Reveal("seller", "priority", issue="i0", rank=2),
        Reveal("seller", "priority", issue="i1", rank=1),
    )
    assert len(tags(log, "reveal-true")) == 2 and tags(log, "reveal-false") == []


# -- final-offer and bluff-called ------------------------------------------------------


def test_final_offer_is_tagged_and_an_ordinary_offer_is_not() -> None:
    log = played(seller_first(), Offer("seller", HIGH), Offer("buyer", LOW, final=True))
    [tag] = tags(log, "final-offer")
    assert tag.seq == 2 and tag.data == {"by": "buyer", "points": {"buyer": 4, "seller": 0}}


def test_bluff_called_when_a_countered_final_offer_is_followed_by_more_bargaining() -> None:
    log = played(
        seller_first(),
        Offer("seller", HIGH, final=True),
        Offer("buyer", LOW),
        Offer("seller", MID),
    )
    [tag] = tags(log, "bluff-called")
    assert tag.seq == 3 and tag.data == {"by": "seller", "final_offer": 1, "counter": 2}
    # Accepting the counter is backing down too.
    accepted = played(
        seller_first(), Offer("seller", HIGH, final=True), Offer("buyer", LOW), Accept("seller", 2)
    )
    assert [t.seq for t in tags(accepted, "bluff-called")] == [3]


def test_no_bluff_when_the_final_offer_holds_or_was_never_countered() -> None:
    stood_firm = played(
        seller_first(),
        Offer("seller", HIGH, final=True),
        Offer("buyer", LOW),
        Offer("seller", HIGH, final=True),
        Offer("buyer", MID),
        Walkout("seller"),
    )
    assert tags(stood_firm, "bluff-called") == []
    walked = played(
        seller_first(), Offer("seller", HIGH, final=True), Offer("buyer", LOW), Walkout("seller")
    )
    assert tags(walked, "bluff-called") == []
    # Free turns: the maker moved again, but nobody had countered.
    uncountered = played(
        seller_first(turns="free"),
        Offer("seller", HIGH, final=True),
        Chat("buyer", "hmm"),
        Offer("seller", MID),
    )
    assert tags(uncountered, "bluff-called") == []


# -- agreement-trap and missed-deal -----------------------------------------------------


def test_agreement_trap_is_a_deal_below_a_sides_batna() -> None:
    log = played(seller_first(), Offer("seller", HIGH), Accept("buyer", 1))
    [tag] = tags(log, "agreement-trap")
    assert tag.data == {"role": "buyer", "points": 0, "batna": 2}
    fair = played(seller_first(), Offer("seller", MID), Accept("buyer", 1))
    assert tags(fair, "agreement-trap") == []


def test_missed_deal_is_an_impasse_when_a_deal_good_for_both_existed() -> None:
    log = played(seller_first(batnas=(1, 1)), Walkout("buyer"))
    [tag] = tags(log, "missed-deal")
    assert tag.seq == 2 and tag.data["reason"] == "walkout"
    assert tag.data["deal"]["points"]["seller"] >= 1 and tag.data["deal"]["points"]["buyer"] >= 1
    # With BATNAs of 2 each, every deal gives at best the BATNAs again: nothing was missed.
    assert tags(played(seller_first(), Walkout("buyer")), "missed-deal") == []


# -- impasse stages --------------------------------------------------------------------


def stage(log: GameLog) -> tuple[str, str]:
    [tag] = [t for t in annotate(log) if t.tag.startswith("impasse-")]
    return tag.tag, tag.data["cause"]


def test_impasse_start_when_no_offers_were_exchanged() -> None:
    assert stage(played(seller_first(), Chat("buyer", "no"), Walkout("buyer"))) == (
        "impasse-start",
        "no-exchange",
    )
    one_sided = played(seller_first(), Offer("seller", MID), Walkout("buyer"))
    assert stage(one_sided) == ("impasse-start", "no-exchange")
    claims = played(
        tiny(closing="claims", turns="free"), Claim("seller", None), Claim("buyer", MID)
    )
    assert stage(claims) == ("impasse-start", "no-exchange")


def test_impasse_middle_when_offers_stopped_moving() -> None:
    log = played(
        seller_first(),
        Offer("seller", HIGH),
        Offer("buyer", LOW),
        Offer("seller", HIGH),
        Offer("buyer", LOW),
        Offer("seller", HIGH),
        Walkout("buyer"),
    )
    assert stage(log) == ("impasse-middle", "stalled")


def test_impasse_end_on_a_final_offer_standoff() -> None:
    log = played(
        seller_first(),
        Offer("seller", HIGH),
        Offer("buyer", LOW),
        Offer("seller", MID, final=True),
        Walkout("buyer"),
    )
    assert stage(log) == ("impasse-end", "final-offer-standoff")


def test_impasse_end_on_a_walkout_after_the_gap_narrowed() -> None:
    log = played(
        seller_first(),
        Offer("seller", HIGH),
        Offer("buyer", LOW),
        Offer("seller", MID),
        Offer("buyer", {"i0": 1, "i1": 0}),
        Walkout("seller"),
    )
    tag, cause = stage(log)
    assert (tag, cause) == ("impasse-end", "walkout-after-narrowing")
    [found] = [t for t in annotate(log) if t.tag == tag]
    assert found.data["gap"] == [8, 2]


def test_impasse_end_when_time_runs_out_while_the_gap_narrows() -> None:
    log = played(
        seller_first(time_limit=60),
        Offer("seller", HIGH),
        Offer("buyer", LOW),
        Offer("seller", MID),
        (Timeout(), T0 + 60),
    )
    assert stage(log) == ("impasse-end", "ran-out-narrowing")


def test_no_impasse_stage_on_an_agreement() -> None:
    log = played(seller_first(), Offer("seller", MID), Accept("buyer", 1))
    assert not [t for t in annotate(log) if t.tag.startswith("impasse-")]


# -- the whole annotation --------------------------------------------------------------


def test_annotations_are_deterministic_in_seq_order_and_summarised_by_importance() -> None:
    log = played(
        seller_first(),
        Offer("seller", HIGH, final=True),
        Suggest("buyer", {"i0": 0}),
        Offer("buyer", LOW),
        Offer("seller", MID),
        Accept("buyer", 4),
    )
    found = annotate(log)
    assert found == annotate(log)
    assert [t.seq for t in found] == sorted(t.seq for t in found)
    names = [t.tag for t in by_importance(found)]
    assert names == sorted(names, key=TAGS.index)
    assert names[0] == "bluff-called"
    assert counts(found) == {
        "bluff-called": 1,
        "extreme-opening": 2,
        "final-offer": 1,
        "concession": 1,
        "trial-balloon": 1,
    }
    assert all(isinstance(t.to_dict()["text"], str) for t in found)


# -- talk and process: impasse stage from talk, trial balloons, breaks, extensions ------


def test_an_impasse_after_talk_alone_is_in_the_middle_not_at_the_start() -> None:
    log = played(
        seller_first(turns="free"),
        Chat("seller", "I need most of i0"),
        Suggest("buyer", {"i0": 1}),
        Chat("seller", "not enough"),
        Chat("buyer", "then no"),
        Walkout("buyer"),
    )
    (stage,) = tags(log, "impasse-middle")
    assert stage.data["cause"] == "talk-without-offers" and stage.data["talk"] == [3, 1]
    assert "3 chat lines, 1 suggestions" in stage.text
    assert tags(log, "impasse-start") == []


def test_an_impasse_with_talk_from_one_side_only_is_at_the_start() -> None:
    log = played(
        seller_first(turns="free"),
        Chat("seller", "hello?"),
        Chat("seller", "anyone?"),
        Chat("buyer", "no"),
        Walkout("buyer"),
    )
    (stage,) = tags(log, "impasse-start")
    assert stage.data["cause"] == "no-exchange" and stage.data["talk"] == [3, 0]


def test_a_suggestion_is_a_trial_balloon() -> None:
    log = played(
        trading(turns="free"), Suggest("seller", {"i1": 2}), Offer("buyer", {"i0": 0, "i1": 2})
    )
    (balloon,) = tags(log, "trial-balloon")
    assert balloon.seq == 1 and balloon.data == {"by": "seller", "issues": ["i1"]}
    assert "(i1 o2)" in balloon.text


def test_breaks_and_extensions_are_tagged_when_granted() -> None:
    log = played(
        seller_first(breaks=1, extensions=1),
        Request("seller", "break_request"),
        Request("buyer", "break_accept"),
        Request("buyer", "break_end"),
        Request("buyer", "extension_request"),
        Request("seller", "extension_decline"),
        Request("buyer", "extension_request"),
        Request("seller", "extension_accept"),
        Extend(60),
    )
    (taken,) = tags(log, "break")
    assert taken.data["requested_by"] == "seller" and taken.data["accepted_by"] == "buyer"
    more = tags(log, "extension")
    assert [t.data["by"] for t in more] == ["players", "facilitator"]
    assert more[0].data["requested_by"] == "buyer" and more[1].data["seconds"] == 60
