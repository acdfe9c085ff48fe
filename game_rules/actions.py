"""Actions: what a player or the server asks the rules to do, typed and checked for shape.

Players' actions come from the websocket (``parse_action``) and from a game log's
action events on replay, so one parser serves both; the rules then decide whether
the action is legal now. System actions (``by`` is ``None``) are fed in by the
server: the timeout when a deadline passes, and the facilitator's controls.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

from zopa.rules.errors import ActionRefused
from zopa.rules.record import record

MAX_CHAT = 2000
MAX_REASON = 500
MAX_NAME = 80


@record
class Offer:
    kind: ClassVar[str] = "offer"
    by: str
    terms: Mapping[str, int]
    final: bool = False


@record
class Accept:
    kind: ClassVar[str] = "accept"
    by: str
    offer: int


@record
class Reject:
    kind: ClassVar[str] = "reject"
    by: str
    offer: int


@record
class Chat:
    kind: ClassVar[str] = "chat"
    by: str
    text: str


@record
class Suggest:
    """A trial balloon: non-binding, possibly partial terms, outside the turn order."""

    kind: ClassVar[str] = "suggest"
    by: str
    terms: Mapping[str, int]


@record
class Reveal:
    """Cheap talk about one's own card: an issue's priority rank or one's BATNA. May be false."""

    kind: ClassVar[str] = "reveal"
    by: str
    about: str  # "priority" or "batna"
    issue: str | None = None
    rank: int | None = None
    value: int | float | None = None


@record
class Estimate:
    """A sealed guess about the other side: its BATNA, the issue that matters most to it.

    Either may be ``None`` (not guessed), not both. The other side sees it only once the
    game is over; the debrief compares it with the truth.
    """

    kind: ClassVar[str] = "estimate"
    by: str
    batna: int | float | None
    issue: str | None


@record
class Ready:
    """Done reading: when both sides are (a bot always is), the negotiation clock starts."""

    kind: ClassVar[str] = "ready"
    by: str


@record
class Plan:
    """The planning form of the reading time: one's own target and walk-away (points) and
    the issues in order of importance. Private to its author for good (zopa.rules.reading).
    """

    kind: ClassVar[str] = "plan"
    by: str
    target: int | float | None
    walkaway: int | float | None
    priorities: tuple[str, ...]


@record
class Walkout:
    kind: ClassVar[str] = "walkout"
    by: str
    # Why, in the player's words (optional): kept in the log, shown in results and replay.
    reason: str | None = None


@record
class Claim:
    """For ``closing = "claims"``: the terms this side believes were agreed, kept private.

    ``terms`` is ``None`` for a claim of no deal: the side says nothing was agreed (Deal
    or No Deal's "no agreement" choice). It matches no claim, not even another one.
    """

    kind: ClassVar[str] = "claim"
    by: str
    terms: Mapping[str, int] | None


@record
class Request:
    """Ask for, accept, decline or (for a break) end early a mutual break or extension."""

    by: str
    kind: str  # one of REQUEST_KINDS


REQUEST_KINDS = (
    "break_request",
    "break_accept",
    "break_decline",
    "break_end",
    "extension_request",
    "extension_accept",
    "extension_decline",
)


# A walkout's window (``protocol.walkout_window``): the side that walked out asks to come
# back, the other side agrees or declines (declining also closes the window at once).
RETURN_KINDS = ("return_request", "return_accept", "return_decline")


@record
class Timeout:
    kind: ClassVar[str] = "timeout"
    by: None = None


@record
class Pause:
    kind: ClassVar[str] = "pause"
    by: None = None


@record
class Resume:
    kind: ClassVar[str] = "resume"
    by: None = None


@record
class Extend:
    kind: ClassVar[str] = "extend"
    seconds: int | float
    by: None = None


@record
class Abort:
    kind: ClassVar[str] = "abort"
    by: None = None


@record
class Seat:
    """Who sits in a role's seat: ``"player"`` or ``"bot:<strategy>"`` (a dropout's stand-in)."""

    kind: ClassVar[str] = "seat"
    role: str
    occupant: str
    by: None = None


@record
class Message:
    """Words from outside the pair: the facilitator's message or hint, or the seated
    mediator's chat (``sender`` is ``"facilitator"`` or ``"mediator"``)."""

    kind: ClassVar[str] = "message"
    sender: str
    text: str
    hint: bool = False
    by: None = None


@record
class Mediate:
    """The facilitator takes (``seated``) or leaves the mediator's seat of one game."""

    kind: ClassVar[str] = "mediator"
    name: str
    seated: bool
    by: None = None


@record
class MediatorSuggest:
    """The seated mediator's non-binding, possibly partial terms (as a player's ``suggest``)."""

    kind: ClassVar[str] = "mediator_suggest"
    terms: Mapping[str, int]
    by: None = None


PlayerAction = (
    Offer
    | Accept
    | Reject
    | Chat
    | Suggest
    | Reveal
    | Walkout
    | Claim
    | Estimate
    | Request
    | Ready
    | Plan
)
SystemAction = (
    Timeout | Pause | Resume | Extend | Abort | Seat | Message | Mediate | MediatorSuggest
)
Action = PlayerAction | SystemAction

PLAYER_KINDS = (
    "offer",
    "accept",
    "reject",
    "chat",
    "suggest",
    "reveal",
    "walkout",
    "claim",
    "estimate",
    *REQUEST_KINDS,
    "ready",
    "plan",
    *RETURN_KINDS,
)
SYSTEM_KINDS = ("timeout", "pause", "resume", "extend", "abort", "seat")
# The facilitator's interventions (game_rules/intervention.py): system actions too.
THIRD_PARTY_KINDS = ("message", "mediator", "mediator_suggest")


@record
class _Fields:
    """Reads typed fields out of a message, refusing with ``bad_message`` and the field name."""

    message: Mapping[str, Any]
    kind: str

    def get(self, name: str, default: Any = ...) -> Any:
        if name not in self.message:
            if default is not ...:
                return default
            raise ActionRefused("bad_message", f"{self.kind}: field {name!r} is missing")
        return self.message[name]

    def terms(self, name: str = "terms") -> dict[str, int]:
        value = self.get(name)
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
            for k, v in value.items()
        ):
            raise ActionRefused(
                "bad_message",
                f"{self.kind}: {name!r} must be an object of issue id -> option index",
            )
        return dict(value)

    def integer(self, name: str) -> int:
        value = self.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ActionRefused("bad_message", f"{self.kind}: {name!r} must be a whole number")
        return value

    def number(self, name: str) -> int | float:
        value = self.get(name)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (isinstance(value, float) and not math.isfinite(value))
        ):
            raise ActionRefused("bad_message", f"{self.kind}: {name!r} must be a finite number")
        return value

    def text(self, name: str) -> str:
        value = self.get(name)
        if not isinstance(value, str):
            raise ActionRefused("bad_message", f"{self.kind}: {name!r} must be a string")
        return value

    def flag(self, name: str) -> bool:
        value = self.get(name, False)
        if not isinstance(value, bool):
            raise ActionRefused("bad_message", f"{self.kind}: {name!r} must be true or false")
        return value


def parse_action(message: Mapping[str, Any], by: str | None) -> Action:
    """Build an action from a wire message or a log event (``type`` plus its fields).

    ``by`` is the sending role for player actions and ``None`` for system actions;
    fields not used by the type are ignored so log events (``seq``, ``at``) parse too.
    """
    kind = message.get("type")
    if not isinstance(kind, str):
        raise ActionRefused("bad_message", "a message needs a string 'type'")
    f = _Fields(message, kind)
    if kind in PLAYER_KINDS:
        if by is None:
            raise ActionRefused("bad_message", f"{kind} is a player's action and needs a role")
        return _player_action(kind, by, f)
    if kind in SYSTEM_KINDS or kind in THIRD_PARTY_KINDS:
        if by is not None:
            raise ActionRefused("bad_message", f"{kind} is for the server, not for players")
        return _system_action(kind, f)
    raise ActionRefused("bad_message", f"unknown action type {kind!r}")


def _player_action(kind: str, by: str, f: _Fields) -> PlayerAction:
    match kind:
        case "offer":
            return Offer(by, f.terms(), f.flag("final"))
        case "accept":
            return Accept(by, f.integer("offer"))
        case "reject":
            return Reject(by, f.integer("offer"))
        case "chat":
            return Chat(by, short_text(f, "text", MAX_CHAT))
        case "suggest":
            return Suggest(by, f.terms())
        case "reveal":
            about = f.text("about")
            if about == "priority":
                return Reveal(by, about, issue=f.text("issue"), rank=f.integer("rank"))
            if about == "batna":
                return Reveal(by, about, value=f.number("value"))
            raise ActionRefused("bad_message", "reveal: 'about' must be 'priority' or 'batna'")
        case "walkout":
            reason = f.get("reason", None)
            if reason is None:
                return Walkout(by)
            return Walkout(by, short_text(f, "reason", MAX_REASON, optional=True).strip() or None)
        case "claim":
            # An explicit null is a claim of no deal; a missing field is still a mistake.
            return Claim(by, None if f.get("terms") is None else f.terms())
        case "estimate":
            batna = None if f.get("batna", None) is None else f.number("batna")
            issue = None if f.get("issue", None) is None else f.text("issue")
            if batna is None and issue is None:
                raise ActionRefused(
                    "bad_message", "estimate: give 'batna', 'issue' or both (null: no guess)"
                )
            return Estimate(by, batna, issue)
        case "ready":
            return Ready(by)
        case "plan":
            return _plan(by, f)
        case _:
            return Request(by, kind)


def _plan(by: str, f: _Fields) -> Plan:
    target = None if f.get("target", None) is None else f.number("target")
    walkaway = None if f.get("walkaway", None) is None else f.number("walkaway")
    priorities = f.get("priorities", [])
    if not isinstance(priorities, list) or not all(isinstance(p, str) for p in priorities):
        raise ActionRefused("bad_message", "plan: 'priorities' must be a list of issue ids")
    if target is None and walkaway is None and not priorities:
        raise ActionRefused(
            "bad_message", "plan: give 'target', 'walkaway', 'priorities' or several"
        )
    return Plan(by, target, walkaway, tuple(priorities))


def short_text(f: _Fields, name: str, limit: int, optional: bool = False) -> str:
    """A field of words: not blank (unless ``optional``, when blank reads as none) and at
    most ``limit`` characters."""
    text = f.text(name)
    if not text.strip() and not optional:
        raise ActionRefused("bad_message", f"{f.kind}: {name!r} is empty")
    if len(text) > limit:
        raise ActionRefused("bad_message", f"{f.kind}: {name!r} is over {limit} characters")
    return text


def _system_action(kind: str, f: _Fields) -> SystemAction:
    match kind:
        case "message":
            sender = f.text("from")
            if sender not in ("facilitator", "mediator"):
                raise ActionRefused("bad_message", "message: 'from' is facilitator or mediator")
            return Message(sender, short_text(f, "text", MAX_CHAT), f.flag("hint"))
        case "mediator":
            return Mediate(short_text(f, "name", MAX_NAME), f.flag("seated"))
        case "mediator_suggest":
            return MediatorSuggest(f.terms())
        case "timeout":
            return Timeout()
        case "pause":
            return Pause()
        case "resume":
            return Resume()
        case "extend":
            seconds = f.number("seconds")
            if seconds <= 0:
                raise ActionRefused("bad_message", "extend: 'seconds' must be above 0")
            return Extend(seconds)
        case "abort":
            return Abort()
        case _:
            return Seat(f.text("role"), f.text("occupant"))


def action_fields(action: Action) -> dict[str, Any]:
    """The fields an action's event carries besides ``seq``, ``type``, ``at`` and ``by``."""
    match action:
        case Offer(terms=terms, final=final):
            return {"terms": dict(terms), "final": final}
        case Accept(offer=offer) | Reject(offer=offer):
            return {"offer": offer}
        case Chat(text=text):
            return {"text": text}
        case Suggest(terms=terms):
            return {"terms": dict(terms)}
        case Claim(terms=terms):
            return {"terms": None if terms is None else dict(terms)}
        case Estimate(batna=batna, issue=issue):
            return {"batna": batna, "issue": issue}
        case Plan(target=target, walkaway=walkaway, priorities=priorities):
            return {"target": target, "walkaway": walkaway, "priorities": list(priorities)}
        case Reveal(about="priority", issue=issue, rank=rank):
            return {"about": "priority", "issue": issue, "rank": rank}
        case Reveal(value=value):
            return {"about": "batna", "value": value}
        case Extend(seconds=seconds):
            return {"seconds": seconds}
        case Seat(role=role, occupant=occupant):
            return {"role": role, "occupant": occupant}
        case Walkout(reason=reason) if reason is not None:
            return {"reason": reason}
        case Message(sender=sender, text=text, hint=hint):
            return {"from": sender, "text": text, "hint": hint}
        case Mediate(name=name, seated=seated):
            return {"name": name, "seated": seated}
        case MediatorSuggest(terms=terms):
            return {"terms": dict(terms)}
        case _:
            return {}
