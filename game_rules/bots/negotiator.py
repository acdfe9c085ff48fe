"""What every strategy does the same way: timing, accepting, walking out, claims, talk.

A strategy says only how much it asks for at a point of the game (``asking``), when
that will next change (``share_for``), and, if it likes, which terms reach it (its
``ladder``). Everything else is decided here, alike for every strategy, so that their
results differ by their way of conceding and by nothing else:

- It answers news (the other side's moves, the server's) after ``think`` seconds, so a
  person can follow, and its own offers are at least a *step* apart (1/30 of the time).
- It accepts an offer worth at least what it would propose at its next move, and never
  one below its BATNA.
- It walks out only facing an offer below its BATNA with the deadline near.
- It does not bid against its own standing offer before a *pace* (1/10 of the time)
  has passed, and with nothing new to say it repeats itself only after a pace, except
  with alternating turns when the other side has just conceded: they cannot move again
  until it does, so it answers after a step.
- With ``max_offers`` it concedes by the offers used as well as by time, marks the last
  offer final, and facing the last offer accepts it when it beats its BATNA (rejecting
  would end the game at the BATNA anyway) or rejects it.
- With ``closing = "claims"`` it claims an offer it would accept; once the other side
  has claimed, it claims what was on the table when they did (the agreed-looking
  terms), or no deal if it cannot live with those; near the deadline it claims the
  terms on the table if it can live with them.
- It answers an extension request with yes (more time can only help) and a break
  request with no (a bot needs none), at once.
- Before a move it may say a short line (``lines``), at most once per piece of news.

``plan`` returns the move, or a ``Wait`` with the earliest time it might move if no
news comes; ``decide`` is ``plan`` for callers that only want the move. A bot match
uses the ``Wait`` to skip the seconds in which nothing can happen.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import Final, NamedTuple

from zopa.rules.actions import (
    Accept,
    Action,
    Chat,
    Claim,
    Offer,
    Reject,
    Request,
    Walkout,
)
from zopa.rules.bots.history import History
from zopa.rules.bots.ladder import Ladder, Rung
from zopa.rules.bots.lines import Manner, Moment, line
from zopa.rules.bots.seen import Seen, Standing
from zopa.rules.bots.strategy import Bot
from zopa.rules.bots.variety import unit, units
from zopa.rules.record import record
from zopa.rules.scenario import Points

# Purposes of seeded draws, so that each kind of choice draws its own numbers.
VARY_CURVE, VARY_STEP, TALK, WORDS = 1, 2, 3, 4


# Waits are ``record``s: about one is made per event, and a frozen dataclass's
# ``__init__`` is dearer (docs/performance.md).
@record
class Wait:
    """No move before ``until`` unless news comes; ``math.inf``: only news can change that."""

    until: float


@record
class WaitThen(Wait):
    """``Wait``, and then ``move``: what ``plan`` returns if asked without news at
    ``after`` (``until`` or just after) or later but before ``before``. A bot match plays
    it without asking again.

    About two in five of a bot's decisions end in a wait for its next offer to be due,
    and the decision made then, at the same state, only confirms what this one could
    already tell: so this one tells it, when it can prove it (``Negotiator._then``).
    """

    move: Action
    after: float  # ``until``, or a little later if the offer changes about then
    before: float


NEWS = Wait(math.inf)
Plan = Action | Wait

# The float noise of a few ulps that times worked out from different instants may
# carry; a promised move keeps this far from any time at which it could change.
_SLACK = 1e-6


class Pacing(NamedTuple):
    """How a side paces itself through one game: fixed by the game's seed, its role, the
    time limit (extensions change it) and how long the strategy thinks."""

    step: float  # the least time between two of its offers
    pace: float  # the time before it repeats itself or bids against its standing offer
    margin: float  # "near the deadline": this many seconds or fewer left
    vary: float  # a seeded number in [0, 1) for this game and role: its curve's variation


@functools.lru_cache(maxsize=4096)
def pacing(seed: int, role: str, time_limit: Points, think: float) -> Pacing:
    vary_step, vary = units(seed, role, VARY_STEP, VARY_CURVE)
    step = max(think, time_limit / 30) * (0.85 + 0.3 * vary_step)
    return Pacing(
        step=step,
        pace=max(step, time_limit / 10),
        margin=min(max(2 * step, 3 * think), time_limit / 4),
        vary=vary,
    )


class Situation:
    """What one decision needs, worked out once per decision, read-only (``Final``).

    A decision reads these again and again, so they are slots, which Python reads
    faster than a NamedTuple's fields, and the parts of ``seen`` that decisions read
    most are copied here for the same reason.
    """

    __slots__ = (
        "best",
        "card",
        "floor",
        "history",
        "ladder",
        "left",
        "margin",
        "now",
        "offer_share",
        "other",
        "pace",
        "role",
        "seconds_left",
        "seen",
        "standing",
        "step",
        "time_limit",
        "turn",
        "vary",
    )

    def __init__(self, seen: Seen, ladder: Ladder, pacing: Pacing) -> None:
        card = seen.card
        history = seen.history
        self.seen: Final = seen
        self.ladder: Final = ladder  # the strategy's terms for each total (``Negotiator.ladder``)
        self.best: Final = card.best
        self.floor: Final = card.floor
        self.step: Final = pacing.step
        self.pace: Final = pacing.pace
        self.margin: Final = pacing.margin
        self.vary: Final = pacing.vary
        limit_offers = seen.protocol.max_offers
        # Offers left under max_offers (None without a limit), and how far through them.
        self.left: Final = max(0, limit_offers - history.offers) if limit_offers else None
        self.offer_share: Final = min(1.0, history.offers / limit_offers) if limit_offers else 0.0
        self.role: Final = seen.role
        self.other: Final = seen.other
        self.card: Final = card
        self.now: Final = seen.now
        self.seconds_left: Final = seen.seconds_left
        self.time_limit: Final = seen.time_limit
        self.turn: Final = seen.turn
        self.standing: Final = seen.standing
        self.history: Final = history


# What a side would propose: the terms on its ladder for its aspiration of the moment.
Proposal = Rung


@dataclass(frozen=True, slots=True)
class Negotiator:
    name: str
    think: float = 1.5  # seconds to "read" news before answering
    talk: float = 0.35  # share of ordinary moves that come with a line
    manner: Manner = "warm"

    # -- what a strategy says --------------------------------------------------------

    def asking(self, s: Situation, share: float) -> float:
        """The points this side asks for once ``share`` (0 to 1) of the game is gone.

        It depends on the time only through ``share`` and never rises as it grows: the
        waits and promised offers of ``plan`` are worked out from that.
        """
        raise NotImplementedError

    def share_for(self, s: Situation, value: float) -> float:
        """The least share at which ``asking`` is at or below ``value``; inf if it never is."""
        return math.inf

    def ladder(self, seen: Seen, own: Ladder) -> Ladder:
        """The terms to propose for each total: by default ``own``, the cheapest for this side.

        It depends on the state of the game, not on the clock (``seen.now``).
        """
        return own

    def opening(self, s: Situation) -> Action | None:
        """A move to make before anything else (a statement, say), or ``None``.

        Asked before each move until this side's first offer, never after it.
        """
        return None

    def is_final(self, s: Situation, share: float) -> bool:
        """Whether an offer at ``share`` is final; once true, true at every larger share."""
        return False

    # -- the shared machinery ----------------------------------------------------------

    @property
    def reaction(self) -> float:
        """After news, ``plan`` moves only to answer a request for ``think`` seconds.

        A bot match relies on it (``strategy.Planner``): a subclass that overrides
        ``plan`` must keep the promise or override this too.
        """
        return self.think

    @property
    def awaits_answer(self) -> bool:
        """After its own offer, with alternating turns and closing by accepting, ``plan``
        returns ``NEWS`` until news: the turn is theirs and nothing of theirs stands.

        A bot match relies on it, as on ``reaction``, and does not ask until news; a
        subclass that overrides ``plan`` must keep the promise or override this too.
        """
        return True

    def pace_of(self, seen: Seen) -> float:
        """After its own offer, with free turns and closing by accepting, ``plan`` makes no
        move for this long while that offer is the latest event and stands.

        A bot match relies on it, as on ``reaction``, and does not ask in the meantime;
        a subclass that overrides ``plan`` must keep the promise or override this too.
        """
        return self.pacing(seen).pace

    def pacing(self, seen: Seen) -> Pacing:
        return pacing(seen.seed, seen.role, seen.time_limit, self.think)

    def decide(self, seen: Seen) -> Action | None:
        move = self.plan(seen)
        return None if isinstance(move, Wait) else move

    def plan(self, seen: Seen) -> Plan:
        if seen.over or seen.paused:
            return NEWS
        role, other = seen.role, seen.other
        if seen.pending_extension == other:
            return Request(role, "extension_accept")
        if seen.pending_break == other:
            return Request(role, "break_decline")
        if seen.on_break:
            return NEWS
        closing = seen.protocol.closing
        turn, standing = seen.turn, seen.standing
        if (
            closing == "accept"
            and turn is not None
            and turn != role
            and (standing is None or standing.by == role)
        ):
            return NEWS  # their move, and nothing of theirs to answer: only news can change that
        now = seen.now
        ready = seen.news_at + self.think
        if now < ready:
            return Wait(ready)
        paced = pacing(seen.seed, role, seen.time_limit, self.think)
        history = seen.history
        mine = history.mine
        if mine and turn is None:
            last = mine[-1]
            if last.seq == history.last_seq and standing is not None and standing.seq == last.seq:
                # Our own offer is the latest event, and it stands: with free turns we do
                # not bid against it before a pace (``_offer``), nor claim before the
                # deadline is near (``_claims``). Known from the pacing alone, this spares
                # a whole decision after each of our offers.
                rest = last.at + paced.pace
                if closing == "claims":
                    rest = min(rest, now + seen.seconds_left - paced.margin)
                if now < rest:
                    return Wait(rest)
        s = Situation(seen, self.ladder(seen, seen.card.ladder), paced)
        if not mine:
            first = self.opening(s)
            if first is not None:
                return first
        move = self._claims(s) if closing == "claims" else self._bargain(s)
        if isinstance(move, Wait) or self.talk <= 0:
            return move
        return self._with_line(s, move)

    def situation(self, seen: Seen) -> Situation:
        """What a decision at ``seen`` would work from (``plan`` builds it as it goes)."""
        return Situation(seen, self.ladder(seen, seen.card.ladder), self.pacing(seen))

    def share_at(self, s: Situation, at: float) -> float:
        """How far through the game ``at`` is, 0 to 1: by time, or by the offers allowed
        if that is further along."""
        limit = s.time_limit
        if limit <= 0:
            return 1.0
        gone = 1.0 - (s.seconds_left - (at - s.now)) / limit
        share = 0.0 if gone < 0.0 else 1.0 if gone > 1.0 else gone
        return s.offer_share if s.offer_share > share else share

    def proposal(self, s: Situation, at: float) -> Proposal:
        return s.ladder.rung(self.asking(s, self.share_at(s, at)))

    def changes_at(self, s: Situation, proposal: Proposal, ahead: float = 0.0) -> float:
        """When, without news, this side would first propose something else.

        ``proposal`` is the one it would make ``ahead`` seconds from now (accepting
        compares an offer with the proposal it would make at its next move).
        """
        below = proposal.changes_below
        if below is None:
            return math.inf
        share = self.share_for(s, below)
        if share <= s.offer_share:
            return s.now
        limit = s.time_limit
        if share > 1.0 or limit <= 0:
            return math.inf
        gone = 1.0 - s.seconds_left / limit
        wait = (share - gone) * limit - ahead
        return s.now + (wait if wait > 0.0 else 0.0)

    def _bargain(self, s: Situation) -> Plan:
        role = s.role
        standing = s.standing
        alarm = math.inf
        if standing is not None and standing.by == s.other:
            card = s.card
            batna = card.batna
            worth = card.value(standing.terms)
            if s.left == 0:
                # Only accept or reject remain, and rejecting ends the game at the BATNA.
                if worth >= batna:
                    return Accept(role, standing.seq)
                return Reject(role, standing.seq)
            if worth < batna:
                if s.seconds_left <= s.margin:
                    return Walkout(role)
                alarm = s.now + s.seconds_left - s.margin
            else:
                ahead = self.proposal(s, s.now + s.step)
                if worth >= ahead.worth:
                    return Accept(role, standing.seq)
                # We may come down to their offer before we have anything new to offer:
                # that alarm is worked out only if we wait (changes_at, here or in _offer),
                # for when we come down to it, not to each rung on the way, at which we
                # would only decline again.
                ahead = Proposal(ahead.terms, ahead.worth, worth)
                if s.turn not in (None, role) or s.left == 0:
                    return Wait(self.changes_at(s, ahead, s.step))
                return self._offer(s, standing, alarm, ahead)
        # Not seen.may_offer: plan has already ruled out a game over, paused or on a break.
        if s.turn not in (None, role) or s.left == 0:
            return Wait(alarm)
        return self._offer(s, standing, alarm)

    def _claims(self, s: Situation) -> Plan:
        seen = s.seen
        role, card = s.role, s.card
        if role in seen.claimed:
            return NEWS
        history = s.history
        if history.their_claim:
            agreed = history.agreed_looking
            if agreed is not None and card.value(agreed) >= card.batna:
                return Claim(role, seen.terms_dict(agreed))
            # Nothing we can live with looks agreed: say so (a claim of no deal matches nothing).
            return Claim(role, None)
        standing = s.standing
        late = s.seconds_left <= s.margin
        alarm = math.inf if late else s.now + s.seconds_left - s.margin
        if standing is not None:
            worth = card.value(standing.terms)
            facing = standing.by == s.other
            if facing:
                bar = card.batna
                if s.left != 0:
                    ahead = self.proposal(s, s.now + s.step)
                    bar = max(bar, ahead.worth)
                    if worth >= card.batna:
                        # When we come down to their offer, as in _bargain.
                        down = Proposal(ahead.terms, ahead.worth, worth)
                        alarm = min(alarm, self.changes_at(s, down, s.step))
                if worth >= bar:
                    # Claiming is accepting here: the other side sees our claim and matches it.
                    return Claim(role, seen.terms_dict(standing.terms))
            if late:
                if worth >= card.batna:
                    return Claim(role, seen.terms_dict(standing.terms))
                if facing:
                    return Walkout(role)
        # Not seen.may_offer: plan has already ruled out a game over, paused or on a break.
        if s.turn not in (None, role) or s.left == 0:
            return Wait(alarm)
        return self._offer(s, standing, alarm)

    def _offer(
        self,
        s: Situation,
        standing: Standing | None,
        alarm: float,
        ahead: Proposal | None = None,
    ) -> Plan:
        """Offer now, or wait until it is time (or until ``alarm``); with ``ahead``, the
        alarm is when the proposal at our next move changes."""
        now = s.now
        mine = s.history.mine
        if (
            mine
            and now < mine[-1].at + s.step
            and s.turn is not None
            and (standing is None or standing.by != s.role)
            and _they_moved(s.history)
        ):
            # Too soon, and what we would propose cannot change when (see below): the
            # proposal is not worked out, as the wait after their news needs none.
            due = mine[-1].at + s.step
            if ahead is not None:
                alarm = self.changes_at(s, ahead, s.step)
            return Wait(alarm) if alarm < due else self._then(s, due, alarm)
        proposal = self.proposal(s, now)
        due = self._due(s, standing, proposal) if mine else now
        if now < due:
            if ahead is not None:
                alarm = self.changes_at(s, ahead, s.step)
            return Wait(alarm) if alarm < due else self._then(s, due, alarm, standing, proposal)
        final = s.left == 1 or self.is_final(s, self.share_at(s, now))
        return Offer(s.role, s.seen.terms_dict(proposal.terms), final)

    def _due(self, s: Situation, standing: Standing | None, proposal: Proposal) -> float:
        """When we may make ``proposal``, having made an offer before."""
        last = s.history.mine[-1]
        due = last.at + s.step
        same = proposal.terms == last.terms
        # max() and min() are spelt out below: their calls cost more than the arithmetic.
        if standing is not None and standing.by == s.role:
            # Our offer stands: give them a fair while before bidding against ourselves.
            paced = last.at + s.pace
            if paced > due:
                due = paced
            if same:
                changes = self.changes_at(s, proposal)
                if changes > due:
                    due = changes
        elif same and (s.turn is None or not _they_moved(s.history)):
            # Nothing new to say, and either they can move whenever they like (free
            # turns) or they have not moved either (a standoff): repeat only after a
            # pace, or sooner once we have something new.
            paced = last.at + s.pace
            changes = self.changes_at(s, proposal)
            if changes < paced:
                paced = changes
            if paced > due:
                due = paced
        # Otherwise (alternating turns, and they just conceded) they cannot move
        # again until we do: answer after a step, repeating ourselves if need be.
        return due

    def _then(
        self,
        s: Situation,
        until: float,
        alarm: float,
        standing: Standing | None = None,
        now: Proposal | None = None,
    ) -> Wait:
        """Wait until our offer is due, and say which it will be when that can be proven.

        Without news, nothing before ``_offer`` changes until ``alarm`` (accepting,
        walking out, claiming), and within ``_offer`` only the proposal (its rung
        changes at ``changes_at``) and whether it is final depend on the time. So the
        offer made at ``until`` is the one made at any time after it, up to the first of
        those changes (or the deadline), with ``_SLACK`` kept on either side so that a
        decision made afresh, whose times round differently, could not tell otherwise.
        ``now``, the proposal of the moment, was waited for because of ``_due``; without
        it the wait was only for our next offer to be due after their concession.
        """
        if self.talk > 0:
            return Wait(until)  # a line depends on more than the move; not worth proving
        after = until
        lo = until - _SLACK
        if now is not None and (before := self.changes_at(s, now)) > until + _SLACK:
            # The proposal of the moment is the one at ``lo``: it changes only at
            # ``before`` (``asking`` never rises, ``share_for`` is its inverse), and a
            # microsecond of slack dwarfs any float noise. Nine times in ten when ``now``
            # is given, and it spares working it out again.
            proposal = now
        else:
            proposal = self.proposal(s, lo)
            before = self.changes_at(s, proposal)
        if before <= lo:
            return Wait(until)  # only a strategy whose share_for is out could tell this
        if before <= until + _SLACK:
            # We wait for the proposal to change (``_due``): promise the next one, from
            # just after that, as a decision at that very moment could see either.
            after = before + 2 * _SLACK
            lo = before + _SLACK
            proposal = self.proposal(s, lo)
            before = self.changes_at(s, proposal)
        if (
            now is not None
            and now.worth != proposal.worth
            and self._due(s, standing, proposal) > after
        ):
            return Wait(until)  # not an offer after all: its due time depended on the rung
        if alarm < before:
            before = alarm
        deadline = s.now + s.seconds_left
        if deadline < before:
            before = deadline
        before -= _SLACK
        if before <= after:
            return Wait(until)
        # is_final only turns True as the share grows, so two looks bound it between.
        final = s.left == 1
        if not final and type(self).is_final is not Negotiator.is_final:  # else never final
            final = self.is_final(s, self.share_at(s, lo))
            if final != self.is_final(s, self.share_at(s, before + _SLACK)):
                return Wait(until)
        move = Offer(s.role, s.seen.terms_dict(proposal.terms), final)
        return WaitThen(until, move, after, before)

    def _with_line(self, s: Situation, move: Action) -> Action:
        seen = s.seen
        history = seen.history
        if self.talk <= 0 or history.said_seq > history.news_seq:
            return move  # silent, or one line per piece of news is plenty
        moment = _moment(seen, move)
        if moment is None:
            return move
        # Endings and final offers deserve a word more often than ordinary offers.
        chance = (
            min(1.0, 2.3 * self.talk) if moment in ("accept", "walkout", "final") else self.talk
        )
        if unit(seen.seed, seen.role, TALK, history.news_seq) >= chance:
            return move
        words = line(self.manner, moment, unit(seen.seed, seen.role, WORDS, history.news_seq))
        return Chat(seen.role, words)


def tuned(bot: Bot, *, talk: float | None = None, think: float | None = None) -> Bot:
    """The same strategy, quieter (``talk``) or quicker (``think``); other bots as they are."""
    if not isinstance(bot, Negotiator):
        return bot
    if talk is not None:
        bot = dataclasses.replace(bot, talk=talk)
    if think is not None:
        bot = dataclasses.replace(bot, think=think)
    return bot


def _they_moved(history: History) -> bool:
    """Their latest offer gives us more than their one before (or is their first)."""
    theirs = history.theirs
    return len(theirs) < 2 or theirs[-1].worth > theirs[-2].worth


def _moment(seen: Seen, move: Action) -> Moment | None:
    match move:
        case Offer(final=True):
            return "final"
        case Offer(terms=terms):
            mine = seen.history.mine
            if not mine:
                return "open"
            worth = seen.card.value(seen.terms_tuple(dict(terms)))
            return "concede" if worth < mine[-1].worth else "hold"
        case Accept():
            return "accept"
        case Reject():
            return "reject"
        case Walkout():
            return "walkout"
        case Claim(terms=None):
            return None  # a claim of no deal: nothing fitting to say about it
        case Claim():
            return "claim"
    return None


def curve_asking(best: Points, floor: Points, e: float, share: float) -> float:
    """The literature's time-dependent aspiration: best - (best - floor) * share ** (1 / e)."""
    return float(best - (best - floor) * share ** (1.0 / e))


def curve_share(best: Points, floor: Points, e: float, value: float) -> float:
    """The inverse of ``curve_asking``: the least share at which it is at or below ``value``."""
    if value >= best:
        return 0.0
    span = best - floor
    if span <= 0 or value < floor:
        return math.inf
    return float(((best - value) / span) ** e)
