"""What each offer did: extreme openings, concessions, hard-line offers and logrolls.

Concession and hard line compare an offer with the offerer's own previous offer; a
logroll compares it with the offer standing when it was made, issue by issue.
"""

from __future__ import annotations

from zopa.rules.analysis import analyze
from zopa.rules.annotations.history import OfferMove
from zopa.rules.annotations.tag import Tag
from zopa.rules.scenario import Scenario
from zopa.rules.timeline import num


def extreme_openings(scenario: Scenario, moves: list[OfferMove]) -> list[Tag]:
    """Each side's first offer, when it gives the other side less than its BATNA."""
    tags: list[Tag] = []
    for move in moves:
        if move.previous is not None:
            continue
        batna = scenario.role(move.other).batna
        if move.theirs < batna:
            tags.append(
                Tag(
                    move.seq,
                    "extreme-opening",
                    f"{move.by} opens giving {move.other} {num(move.theirs)}, "
                    f"below its BATNA of {num(batna)}.",
                    {"by": move.by, "other": move.other, "points": move.theirs, "batna": batna},
                )
            )
    return tags


def concessions_and_hard_lines(moves: list[OfferMove]) -> list[Tag]:
    tags: list[Tag] = []
    for move in moves:
        before = move.previous
        if before is None:
            continue
        given = before.own - move.own
        gained = move.theirs - before.theirs
        data = {
            "by": move.by,
            "previous": before.seq,
            "own": [before.own, move.own],
            "other": [before.theirs, move.theirs],
        }
        if given > 0 and gained > 0:
            tags.append(
                Tag(
                    move.seq,
                    "concession",
                    f"{move.by} concedes {num(given)} ({num(before.own)} → {num(move.own)}); "
                    f"{move.other} gains {num(gained)}.",
                    {**data, "size": given},
                )
            )
        elif gained <= 0:
            tags.append(
                Tag(
                    move.seq,
                    "hard-line",
                    f"Hard line: {move.by} offers {move.other} {num(move.theirs)}, "
                    f"{'the same as' if gained == 0 else 'less than'} the "
                    f"{num(before.theirs)} of its offer {before.seq}.",
                    data,
                )
            )
    return tags


def logrolls(scenario: Scenario, moves: list[OfferMove]) -> list[Tag]:
    """Offers that add joint points to the standing offer by trading across issues.

    A trade needs one issue moved for the offerer (it gains there, the other side does
    not) and another moved for the other side (it gains there, the offerer does not);
    raising both sides on one compatible issue is a joint gain but not a trade.
    """
    tags: list[Tag] = []
    best = analyze(scenario).max_joint
    for move in moves:
        standing = move.standing
        if standing is None:
            continue
        before = standing.own + standing.theirs
        after = move.own + move.theirs
        if after <= before:
            continue
        took: list[str] = []
        gave: list[str] = []
        labels = {issue.id: issue.label for issue in scenario.issues}
        for n, issue in enumerate(scenario.issues):
            old, new = standing.terms[issue.id], move.terms[issue.id]
            if old == new:
                continue
            mine = scenario.role(move.by).points[n]
            yours = scenario.role(move.other).points[n]
            d_mine, d_yours = mine[new] - mine[old], yours[new] - yours[old]
            if d_mine > 0 >= d_yours:
                took.append(issue.id)
            elif d_yours > 0 >= d_mine:
                gave.append(issue.id)
        if took and gave:
            tags.append(
                Tag(
                    move.seq,
                    "logroll",
                    f"{move.by} trades {', '.join(labels[i] for i in gave)} for "
                    f"{', '.join(labels[i] for i in took)}: joint points "
                    f"rise from {num(before)} to {num(after)} (best possible {num(best)}).",
                    {
                        "by": move.by,
                        "standing": standing.seq,
                        "joint": [before, after],
                        "gain": after - before,
                        "gave": gave,
                        "took": took,
                        "max_joint": best,
                    },
                )
            )
    return tags
