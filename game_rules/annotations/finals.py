"""Final offers, and the bluffs called when a final offer's maker kept negotiating."""

from __future__ import annotations

from zopa.rules.annotations.history import OfferMove
from zopa.rules.annotations.tag import Tag
from zopa.rules.events import Event
from zopa.rules.timeline import num

# Moves that show a side is still bargaining (a repeat of the same final terms does not).
_BARGAINING = ("offer", "suggest", "accept")


def final_offers(moves: list[OfferMove]) -> list[Tag]:
    return [
        Tag(
            move.seq,
            "final-offer",
            f"{move.by} makes a final offer ({move.by} {num(move.own)} / "
            f"{move.other} {num(move.theirs)}).",
            {"by": move.by, "points": {move.by: move.own, move.other: move.theirs}},
        )
        for move in moves
        if move.final
    ]


def bluffs_called(events: tuple[Event, ...]) -> list[Tag]:
    """A final offer countered (the other side offers or rejects it), then its maker
    offers different terms, suggests or accepts: the final offer was not final."""
    tags: list[Tag] = []
    for n, final in enumerate(events):
        if final.type != "offer" or not final.data.get("final") or final.by is None:
            continue
        maker = final.by
        counter: Event | None = None
        for later in events[n + 1 :]:
            if counter is None:
                if later.by not in (None, maker) and (
                    later.type == "offer"
                    or (later.type == "reject" and later.data.get("offer") == final.seq)
                ):
                    counter = later
                continue
            if later.by != maker or later.type not in _BARGAINING:
                continue
            if later.type == "offer" and later.data["terms"] == final.data["terms"]:
                break  # it stood by its terms: not a bluff
            tags.append(
                Tag(
                    later.seq,
                    "bluff-called",
                    f"{maker}'s final offer {final.seq} was countered ({counter.type} "
                    f"{counter.seq}) and {maker} went on negotiating: bluff called.",
                    {"by": maker, "final_offer": final.seq, "counter": counter.seq},
                )
            )
            break
    return tags
