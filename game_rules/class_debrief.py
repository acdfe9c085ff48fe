"""The class debrief of moves: every pair's telling moves and the class's figures.

Built from the automatic annotator's tags (``zopa.rules.annotate``), never from its own
reading of the moves, so the debrief and a game's replay always say the same thing:

- ``pair_moves(log)``: one pair's game, with names: its extreme openings, bluffs called,
  false statements, trades across issues (logrolls) and trial balloons, per side; its
  lose-lose issues, agreement traps, impasse stage and missed deal; who opened and what
  share of the gain each side took; minutes, offers, breaks and extensions.
- ``class_debrief(pairs)``: the class's roll-up: the impasse rate against the
  ``IMPASSE_REFERENCE`` line, split by stage; missed deals as a share of impasses
  against ``MISSED_REFERENCE``; games the facilitator ended counted apart (they are not
  impasses the pair chose); whether going first paid; time to agreement, offers,
  breaks and extensions.
- ``debrief_json(..., public=True)``: the same for the projector: no points, no BATNAs,
  no terms and no tag sentences (which quote points), so nothing of anybody's card
  reaches the room. A game still being played is only named (``live_pair``): it is
  never annotated here, whoever asks.

Which tags, and what each counts, is in docs/annotations.md (The class debrief).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zopa.rules.annotate import annotate, by_importance
from zopa.rules.annotations.tag import Tag
from zopa.rules.log import GameLog
from zopa.rules.scenario import Points
from zopa.rules.scoring import score

# The benchmarks the debrief draws its lines at (issue 24): about 29% of negotiations
# end in an impasse, and in 44% of impasses both sides had wanted a deal (a zone
# existed). A class is compared with them, not judged by them.
IMPASSE_REFERENCE = 0.29
MISSED_REFERENCE = 0.44

# The move tags counted per side, by the role in their ``data`` that made the move.
SIDE_TAGS = ("extreme-opening", "bluff-called", "reveal-false", "logroll", "trial-balloon")
STAGES = ("start", "middle", "end")
# An impasse the facilitator forced (``end-round``): the pair did not choose it.
ENDED_BY_FACILITATOR = "aborted"


@dataclass(frozen=True, slots=True)
class PairMoves:
    game: str
    round: int | None
    roles: tuple[str, str]
    labels: Mapping[str, str]  # role id -> label
    names: Mapping[str, str]  # role id -> the player's name
    # "live", "agreement", "impasse", or "ended" (the facilitator ended it: not an impasse)
    state: str
    reason: str | None = None
    moves: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # role -> tag -> n
    lose_lose: int = 0
    traps: tuple[str, ...] = ()  # the roles a deal left below their BATNA
    stage: str | None = None  # an impasse's "start", "middle" or "end"
    cause: str | None = None
    missed: bool = False
    opener: str | None = None  # the role that made the game's first offer
    opening_extreme: bool = False
    share: Mapping[str, float] | None = None  # each side's share of the joint gain
    efficiency: float | None = None
    verdict: str | None = None
    minutes: float | None = None  # from the clock's start to the end
    offers: int = 0
    breaks: int = 0
    extensions: Mapping[str, int] = field(default_factory=dict)  # "players"/"facilitator" -> n
    # Private to the facilitator: each side's points and BATNA, and the telling tags.
    points: Mapping[str, Points] = field(default_factory=dict)
    batna: Mapping[str, Points] = field(default_factory=dict)
    highlights: tuple[Tag, ...] = ()


def live_pair(
    game: str,
    round_: int | None,
    roles: Sequence[str],
    labels: Mapping[str, str],
    names: Mapping[str, str],
) -> PairMoves:
    """A game still being played: who plays it, and nothing of its moves or cards."""
    first, second = roles
    return PairMoves(game, round_, (first, second), dict(labels), dict(names), "live")


def pair_moves(log: GameLog) -> PairMoves:
    """One pair's game from its log (a log that replays). A log without its end is live."""
    header = log.header
    scenario = header.scenario
    roles = scenario.role_ids
    labels = {role.id: role.label for role in scenario.roles}
    names = {r: str(header.players.get(r, {}).get("name", r)) for r in roles}
    round_ = header.extra.get("round")
    number = round_ if isinstance(round_, int) else None
    end = log.events[-1] if log.events and log.events[-1].type == "end" else None
    if end is None:
        return live_pair(header.game, number, roles, labels, names)
    tags = annotate(log)
    outcome, reason = end.data["outcome"], end.data["reason"]
    scored = score(scenario, outcome, reason, end.data.get("terms"))
    moves: dict[str, Counter[str]] = {r: Counter() for r in roles}
    for tag in tags:
        if tag.tag in SIDE_TAGS and tag.data.get("by") in moves:
            moves[tag.data["by"]][tag.tag] += 1
    stage = next((t for t in tags if t.tag.startswith("impasse-")), None)
    first_offer = next((e for e in log.events if e.type == "offer"), None)
    opener = None if first_offer is None else first_offer.by
    extensions = Counter(str(t.data["by"]) for t in tags if t.tag == "extension")
    state = "agreement" if outcome == "agreement" else "impasse"
    if state == "impasse" and reason == ENDED_BY_FACILITATOR:
        state = "ended"
    return PairMoves(
        game=header.game,
        round=number,
        roles=(roles[0], roles[1]),
        labels=labels,
        names=names,
        state=state,
        reason=reason,
        moves={r: {name: moves[r][name] for name in SIDE_TAGS} for r in roles},
        lose_lose=sum(1 for t in tags if t.tag == "lose-lose"),
        traps=tuple(t.data["role"] for t in tags if t.tag == "agreement-trap"),
        stage=None if stage is None else stage.tag.removeprefix("impasse-"),
        cause=None if stage is None else stage.data["cause"],
        missed=any(t.tag == "missed-deal" for t in tags),
        opener=opener,
        opening_extreme=any(
            t.tag == "extreme-opening" and first_offer is not None and t.seq == first_offer.seq
            for t in tags
        ),
        share=scored["gain_share"],
        efficiency=scored["efficiency"],
        verdict=scored["verdict"],
        minutes=round(max(end.at - header.started_at, 0.0) / 60, 2),
        offers=sum(1 for e in log.events if e.type == "offer"),
        breaks=sum(1 for t in tags if t.tag == "break"),
        extensions={"players": extensions["players"], "facilitator": extensions["facilitator"]},
        points=dict(scored["points"]),
        batna=dict(scored["batna"]),
        highlights=tuple(
            t for t in by_importance(tags) if t.seq == end.seq or t.tag in SIDE_TAGS[:4]
        ),
    )


def class_debrief(pairs: Iterable[PairMoves]) -> dict[str, Any]:
    """The class's figures over its pairs (the JSON object docs/annotations.md shows)."""
    every = list(pairs)
    done = [p for p in every if p.state in ("agreement", "impasse")]
    deals = [p for p in done if p.state == "agreement"]
    impasses = [p for p in done if p.state == "impasse"]
    decided = len(done)
    stages = Counter(p.stage for p in impasses)
    missed = sum(1 for p in impasses if p.missed)
    side_moves: Counter[str] = Counter()
    for p in every:
        for counts in p.moves.values():
            side_moves.update(counts)
    return {
        "games": len(every),
        "live": sum(1 for p in every if p.state == "live"),
        "finished": decided,
        "agreements": len(deals),
        "impasses": len(impasses),
        "ended_by_facilitator": sum(1 for p in every if p.state == "ended"),
        "impasse_rate": _rate(len(impasses), decided),
        "impasse_reference": IMPASSE_REFERENCE,
        "stages": {s: {"count": stages[s], "rate": _rate(stages[s], decided)} for s in STAGES},
        "missed_deals": missed,
        "missed_share": _rate(missed, len(impasses)),
        "missed_reference": MISSED_REFERENCE,
        "moves": {
            **{name: side_moves[name] for name in SIDE_TAGS},
            "lose-lose": sum(p.lose_lose for p in every),
            "agreement-trap": sum(len(p.traps) for p in every),
        },
        "first_offer": _first_offer(done),
        "time": _time(done, deals),
    }


def _first_offer(done: Sequence[PairMoves]) -> dict[str, Any]:
    """Did going first pay: the opener's share of the joint gain in deals that made one."""
    opened = [p for p in done if p.opener is not None]
    shared = [p for p in opened if p.state == "agreement" and p.share is not None]
    opener_shares = [p.share[p.opener] for p in shared if p.share and p.opener]

    def group(extreme: bool) -> dict[str, Any]:
        games = [p for p in opened if p.opening_extreme == extreme]
        shares = [
            p.share[p.opener] for p in games if p.share and p.opener and p.state == "agreement"
        ]
        return {
            "games": len(games),
            "impasse_rate": _rate(sum(1 for p in games if p.state == "impasse"), len(games)),
            "deals": len(shares),
            "opener_share": _mean(shares),
        }

    mean = _mean(opener_shares)
    return {
        "games": len(opened),
        "deals": len(opener_shares),
        "opener_share": mean,
        "second_share": None if mean is None else round(1 - mean, 6),
        "opener_ahead": sum(1 for s in opener_shares if s > 0.5),
        "second_ahead": sum(1 for s in opener_shares if s < 0.5),
        "extreme": group(True),
        "moderate": group(False),
    }


def _time(done: Sequence[PairMoves], deals: Sequence[PairMoves]) -> dict[str, Any]:
    to_deal = [p.minutes for p in deals if p.minutes is not None]
    return {
        "median_minutes_to_agreement": None
        if not to_deal
        else round(statistics.median(to_deal), 2),
        "mean_minutes_to_agreement": _mean(to_deal, 2),
        "mean_offers": _mean([float(p.offers) for p in done], 2),
        "offers": sum(p.offers for p in done),
        "breaks": sum(p.breaks for p in done),
        "games_with_breaks": sum(1 for p in done if p.breaks),
        "extensions": sum(p.extensions.get("players", 0) for p in done),
        "facilitator_extensions": sum(p.extensions.get("facilitator", 0) for p in done),
    }


def pair_json(pair: PairMoves, *, public: bool) -> dict[str, Any]:
    """One pair; ``public`` (the projector) leaves out every point, BATNA and tag sentence."""
    found: dict[str, Any] = {
        "game": pair.game,
        "round": pair.round,
        "roles": list(pair.roles),
        "labels": dict(pair.labels),
        "names": dict(pair.names),
        "state": pair.state,
    }
    if pair.state == "live":
        return found
    found.update(
        reason=pair.reason,
        moves={r: dict(m) for r, m in pair.moves.items()},
        lose_lose=pair.lose_lose,
        traps=list(pair.traps),
        stage=pair.stage,
        cause=pair.cause,
        missed=pair.missed,
        opener=pair.opener,
        opening_extreme=pair.opening_extreme,
        share=None if pair.share is None else dict(pair.share),
        efficiency=pair.efficiency,
        verdict=pair.verdict,
        minutes=pair.minutes,
        offers=pair.offers,
        breaks=pair.breaks,
        extensions=dict(pair.extensions),
    )
    if not public:
        found.update(
            points=dict(pair.points),
            batna=dict(pair.batna),
            highlights=[t.to_dict() for t in pair.highlights],
        )
    return found


def debrief_json(pairs: Sequence[PairMoves], *, public: bool) -> dict[str, Any]:
    """``GET /api/sessions/{code}/debrief``: the class's figures and every pair."""
    return {
        "view": "class" if public else "facilitator",
        "summary": class_debrief(pairs),
        "pairs": [pair_json(p, public=public) for p in pairs],
    }


def _rate(part: int, whole: int) -> float | None:
    return None if not whole else round(part / whole, 6)


def _mean(values: Sequence[float], places: int = 6) -> float | None:
    return None if not values else round(statistics.fmean(values), places)
