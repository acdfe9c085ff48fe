"""The class debrief of moves on hand-made games, whose every figure is worked out here,
and on the imported datasets, where it must agree with the annotator tag for tag."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.factories import HIGH, LOW, MID, T0, played, tiny
from zopa.rules.actions import Abort, Accept, Chat, Extend, Offer, Request, Reveal, Walkout
from zopa.rules.annotate import annotate
from zopa.rules.class_debrief import (
    IMPASSE_REFERENCE,
    MISSED_REFERENCE,
    SIDE_TAGS,
    PairMoves,
    class_debrief,
    debrief_json,
    live_pair,
    pair_moves,
)
from zopa.rules.log import GameLog
from zopa.server.commands.import_ import casino_games, dond_games

DATASETS = Path(
    os.environ.get(
        "ZOPA_DATASETS", Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
    )
)

# Seller likes high options, buyer low ones; each issue sums to 2, so the most joint
# points are 4. With BATNAs of 1 each, the joint gain possible is 2.
ZONE = {"first_mover": "seller", "batnas": (1, 1)}


def anchored_deal() -> GameLog:
    """The seller opens extremely (the buyer gets 0 < 1), the buyer answers extremely,
    the seller concedes to 3 / 1 and the buyer takes it: seller's share of the gain 100%."""
    return played(
        tiny(**ZONE, breaks=1, extensions=1),
        Offer("seller", HIGH),
        Request("buyer", "break_request"),
        Request("seller", "break_accept"),
        Request("seller", "break_end"),
        Offer("buyer", LOW),
        Request("seller", "extension_request"),
        Request("buyer", "extension_accept"),
        Offer("seller", {"i0": 2, "i1": 1}),
        (Accept("buyer", 8), T0 + 180),
    )


def fair_deal() -> GameLog:
    """The seller opens at the middle (2 / 2, not extreme) and the buyer accepts."""
    return played(tiny(**ZONE), Offer("seller", MID), (Accept("buyer", 1), T0 + 60))


def missed_walkout() -> GameLog:
    """No offers, one line of talk, a walkout although 2 / 2 beat both BATNAs."""
    return played(tiny(**ZONE), Chat("buyer", "no"), Walkout("buyer"))


def standoff_with_a_lie() -> GameLog:
    """The seller lies about its BATNA, ends on a final offer, the buyer walks out."""
    return played(
        tiny(**ZONE),
        Reveal("seller", "batna", value=3),
        Offer("seller", HIGH),
        Offer("buyer", LOW),
        Offer("seller", MID, final=True),
        Walkout("buyer"),
    )


def ended_by_facilitator() -> GameLog:
    return played(tiny(**ZONE), Offer("seller", HIGH), Extend(60), Abort())


def test_a_pair_rolls_up_its_own_tags_with_names() -> None:
    pair = pair_moves(anchored_deal())
    assert pair.names == {"seller": "Seller", "buyer": "Buyer"}
    assert pair.state == "agreement" and pair.reason == "accepted"
    assert pair.moves["seller"]["extreme-opening"] == 1
    assert pair.moves["buyer"]["extreme-opening"] == 1
    assert pair.opener == "seller" and pair.opening_extreme
    assert pair.share == {"seller": 1.0, "buyer": 0.0}
    assert pair.efficiency == 1.0 and pair.verdict == "frontier"
    assert pair.minutes == 3.0 and pair.offers == 3
    assert pair.breaks == 1 and pair.extensions == {"players": 1, "facilitator": 0}
    assert pair.stage is None and not pair.missed and pair.traps == ()
    assert pair.points == {"seller": 3, "buyer": 1}


def test_every_counted_move_is_the_annotators_tag() -> None:
    # One piece of code: the roll-up counts exactly the tags a replay shows.
    for log in (anchored_deal(), fair_deal(), missed_walkout(), standoff_with_a_lie()):
        pair = pair_moves(log)
        tags = annotate(log)
        for role in pair.roles:
            for name in SIDE_TAGS:
                found = sum(1 for t in tags if t.tag == name and t.data.get("by") == role)
                assert pair.moves[role][name] == found, (log.events, role, name)
        assert pair.lose_lose == sum(1 for t in tags if t.tag == "lose-lose")


def test_impasses_carry_their_stage_and_whether_a_deal_was_missed() -> None:
    walked = pair_moves(missed_walkout())
    assert walked.state == "impasse" and walked.stage == "start" and walked.missed
    assert walked.share is None and walked.opener is None
    standoff = pair_moves(standoff_with_a_lie())
    assert (standoff.stage, standoff.cause) == ("end", "final-offer-standoff")
    assert standoff.moves["seller"]["reveal-false"] == 1
    assert standoff.moves["buyer"]["reveal-false"] == 0


def test_a_game_the_facilitator_ended_is_counted_apart_not_as_an_impasse() -> None:
    ended = pair_moves(ended_by_facilitator())
    assert ended.state == "ended" and ended.reason == "aborted"
    assert ended.extensions == {"players": 0, "facilitator": 1}
    summary = class_debrief([ended, pair_moves(fair_deal())])
    assert summary["ended_by_facilitator"] == 1
    assert summary["impasses"] == 0 and summary["impasse_rate"] == 0.0
    assert summary["finished"] == 1


def test_the_class_figures_against_the_reference_lines() -> None:
    pairs = [
        pair_moves(log)
        for log in (
            anchored_deal(),
            fair_deal(),
            missed_walkout(),
            standoff_with_a_lie(),
            ended_by_facilitator(),
        )
    ]
    summary = class_debrief([*pairs, live_pair("g9", 1, ("seller", "buyer"), {}, {})])
    assert summary["games"] == 6 and summary["live"] == 1
    assert summary["finished"] == 4 and summary["agreements"] == 2
    assert summary["impasses"] == 2 and summary["impasse_rate"] == 0.5
    assert summary["impasse_reference"] == IMPASSE_REFERENCE == 0.29
    assert summary["stages"] == {
        "start": {"count": 1, "rate": 0.25},
        "middle": {"count": 0, "rate": 0.0},
        "end": {"count": 1, "rate": 0.25},
    }
    # Both impasses had a zone (2 / 2 beat both BATNAs of 1): both wanted a deal.
    assert summary["missed_deals"] == 2 and summary["missed_share"] == 1.0
    assert summary["missed_reference"] == MISSED_REFERENCE == 0.44
    # Both sides of two games, and the seller of the game the facilitator ended.
    assert summary["moves"]["extreme-opening"] == 5
    assert summary["moves"]["reveal-false"] == 1
    first = summary["first_offer"]
    # The seller opened every decided game with offers: 100% of the gain in the anchored
    # deal, 50% in the fair one.
    assert first["games"] == 3 and first["deals"] == 2
    assert first["opener_share"] == 0.75 and first["second_share"] == 0.25
    assert (first["opener_ahead"], first["second_ahead"]) == (1, 0)
    assert first["extreme"] == {"games": 2, "impasse_rate": 0.5, "deals": 1, "opener_share": 1.0}
    assert first["moderate"] == {"games": 1, "impasse_rate": 0.0, "deals": 1, "opener_share": 0.5}
    time = summary["time"]
    assert time["median_minutes_to_agreement"] == 2.0  # 1 and 3 minutes
    assert time["offers"] == 7 and time["mean_offers"] == 1.75
    assert time["breaks"] == 1 and time["games_with_breaks"] == 1
    assert time["extensions"] == 1 and time["facilitator_extensions"] == 0


def test_an_empty_class_has_no_rates() -> None:
    summary = class_debrief([])
    assert summary["impasse_rate"] is None and summary["missed_share"] is None
    assert summary["first_offer"]["opener_share"] is None
    assert summary["time"]["median_minutes_to_agreement"] is None


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_the_projector_view_holds_no_point_of_any_card() -> None:
    logs = [anchored_deal(), standoff_with_a_lie(), missed_walkout()]
    pairs: list[PairMoves] = [pair_moves(log) for log in logs]
    # A game in play: its log has no end, so it is not annotated, even for the facilitator.
    running = played(tiny(**ZONE), Offer("seller", HIGH), Reveal("seller", "batna", value=3))
    pairs.append(pair_moves(running))
    public = debrief_json(pairs, public=True)
    assert public["view"] == "class"
    assert not _keys(public) & {"points", "batna", "highlights", "terms", "text"}
    private = debrief_json(pairs, public=False)
    assert {"points", "batna", "highlights"} <= _keys(private)
    for view in (public, private):
        live = view["pairs"][-1]
        assert live["state"] == "live"
        assert set(live) == {"game", "round", "roles", "labels", "names", "state"}
    json.dumps(public, allow_nan=False)


# -- the imported datasets -------------------------------------------------------------

datasets = pytest.mark.skipif(
    not DATASETS.is_dir(), reason=f"{DATASETS} is absent: these checks need the datasets"
)


def _dataset(kind: str) -> list[GameLog]:
    if kind == "casino":
        files = [
            DATASETS / "casino" / f"data_split_casino_{s}.json" for s in ("train", "valid", "test")
        ]
        found = [g for f in files for g in casino_games(f)]
    else:
        files = [DATASETS / "dealornodeal" / name for name in ("test.txt", "val.txt")]
        found = [g for f in files for g in dond_games(f)]
    return [g.log for g in found if g.log is not None]


@datasets
@pytest.mark.parametrize("kind", ["casino", "dealornodeal"])
def test_the_datasets_class_debrief_agrees_with_their_tags(
    kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = _dataset(kind)
    pairs = [pair_moves(log) for log in logs]
    summary = class_debrief(pairs)
    stages: Counter[str] = Counter()
    moves: Counter[str] = Counter()
    aborted = 0
    for log in logs:
        ended = log.events[-1].data["reason"] == "aborted"
        aborted += ended
        for tag in annotate(log):
            if tag.tag.startswith("impasse-") and not ended:
                stages[tag.tag.removeprefix("impasse-")] += 1
            moves[tag.tag] += 1
    assert summary["ended_by_facilitator"] == aborted
    assert {s: v["count"] for s, v in summary["stages"].items()} == {
        s: stages[s] for s in ("start", "middle", "end")
    }
    assert summary["impasses"] == sum(stages.values())
    assert summary["agreements"] + summary["impasses"] + aborted == len(logs)
    for name in (*SIDE_TAGS, "lose-lose", "agreement-trap"):
        assert summary["moves"][name] == moves[name], name
    first = summary["first_offer"]
    if first["opener_share"] is not None:
        assert first["opener_share"] + first["second_share"] == pytest.approx(1)
    with capsys.disabled():
        print(
            f"\n{kind}: {len(logs)} games, impasse rate {summary['impasse_rate']:.1%} "
            f"(reference {IMPASSE_REFERENCE:.0%}), stages "
            f"{ {s: v['count'] for s, v in summary['stages'].items()} }, missed "
            f"{summary['missed_share']:.0%} of impasses (reference {MISSED_REFERENCE:.0%}), "
            f"ended early {aborted}, opener's share {first['opener_share']}"
        )
