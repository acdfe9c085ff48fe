"""The stage of an impasse: at the start, in the middle or at the end of the bargaining.

- ``impasse-start``: the sides never bargained: no exchange of offers (at most one side
  made any) and no exchange in talk either (fewer than ``TALKED`` chat lines and
  suggestions from each side);
- ``impasse-end``: a final-offer standoff (the last offer was marked final), a walkout
  after the gap between the sides' offers had narrowed, or a game that ran out (time,
  offer limit, mismatched claims) while the gap was still narrowing;
- ``impasse-middle``: offers were exchanged but stopped moving (no concession in the
  last ``STALL_OFFERS`` offers), or moved without ever narrowing the gap; or the sides
  bargained only in talk (each made at least ``TALKED`` chat lines and suggestions)
  and never both put an offer on the record.

The gap is ``history.gap`` between the two sides' latest offers; "narrowed" means it is
smaller at the end than when both sides first had an offer on the record.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from zopa.rules.annotations.history import OfferMove, gap
from zopa.rules.annotations.tag import Tag, points_text
from zopa.rules.events import Event
from zopa.rules.scenario import Points
from zopa.rules.timeline import num

# "Several moves": two offers from each side without a concession is a stall.
STALL_OFFERS = 4
# Two lines of talk (chat or suggestions) from each side is an exchange: a proposal and
# an answer each way.
TALKED = 2


def impasse_stage(
    end: Event,
    moves: list[OfferMove],
    conceding: set[int],
    talk: Mapping[str, Counter[str]] | None = None,
) -> Tag:
    """``conceding`` holds the seqs of the offers tagged as concessions; ``talk`` each
    role's chat lines and suggestions (``process.talk``)."""
    latest: dict[str, OfferMove] = {}
    first_gap: Points | None = None
    for move in moves:
        latest[move.by] = move
        if first_gap is None and len(latest) == 2:
            first_gap = gap(*latest.values())
    reason = end.data["reason"]
    offers = len(moves)
    if first_gap is None:
        who = f"only {moves[0].by} made offers" if moves else "nobody made an offer"
        said = {role: sum(counts.values()) for role, counts in (talk or {}).items()}
        lines = sum((c for c in (talk or {}).values()), Counter[str]())
        words = f"{lines['chat']} chat lines, {lines['suggest']} suggestions"
        spoken = {"talk": [lines["chat"], lines["suggest"]]}
        if len(said) == 2 and min(said.values()) >= TALKED:
            return _stage(
                end,
                "middle",
                "talk-without-offers",
                f"the sides bargained in talk ({words}) but never exchanged offers ({who}).",
                offers,
                spoken,
            )
        return _stage(
            end,
            "start",
            "no-exchange",
            f"no bargaining was exchanged ({who}; {words}).",
            offers,
            spoken,
        )
    last_gap = gap(*latest.values())
    narrowed = last_gap < first_gap
    recent = moves[-STALL_OFFERS:]
    stalled = not any(m.seq in conceding for m in recent)
    gaps = {"gap": [first_gap, last_gap]}
    change = f"the gap went from {num(first_gap)} to {points_text(last_gap)}"
    if moves[-1].final:
        return _stage(
            end,
            "end",
            "final-offer-standoff",
            f"a final-offer standoff: {moves[-1].by}'s final offer {moves[-1].seq} was the "
            f"last word ({change}).",
            offers,
            gaps,
        )
    if reason == "walkout" and narrowed:
        return _stage(
            end, "end", "walkout-after-narrowing", f"a walkout after {change}.", offers, gaps
        )
    if stalled:
        return _stage(
            end,
            "middle",
            "stalled",
            f"offers stopped moving: no concession in the last {len(recent)} offers ({change}).",
            offers,
            gaps,
        )
    if narrowed:
        return _stage(
            end, "end", "ran-out-narrowing", f"it ended ({reason}) while {change}.", offers, gaps
        )
    return _stage(end, "middle", "never-narrowed", f"offers moved but {change}.", offers, gaps)


def _stage(
    end: Event,
    stage: str,
    cause: str,
    why: str,
    offers: int,
    extra: Mapping[str, list[Points] | list[int]] | None = None,
) -> Tag:
    where = {"start": "at the start", "middle": "in the middle", "end": "at the end"}[stage]
    return Tag(
        end.seq,
        f"impasse-{stage}",
        f"Impasse {where} ({end.data['reason']}): {why}",
        {"reason": end.data["reason"], "cause": cause, "offers": offers, **(extra or {})},
    )
