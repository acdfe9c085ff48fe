"""A bot's copy of its game, kept from what a player is sent (``bot_client.py``).

From the view and the events that follow, the bot keeps its own game state by running
each event through the rules, as a replay does; the rules never read anyone's points,
so the other side's card, which it does not have, is filled with zeros.

Times: events carry the server's clock. A view says how many seconds are left and when
the deadline is, which gives the server's time when the view was made; the difference
from our clock then turns the server's times into ours.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any

from zopa.rules.actions import Action, Claim, Plan, Timeout, parse_action
from zopa.rules.bots import seen_by
from zopa.rules.bots.history import History
from zopa.rules.bots.seen import Seen, reader_for
from zopa.rules.errors import ActionRefused
from zopa.rules.events import CONSEQUENCES, Event, event_from_dict
from zopa.rules.negotiation import Ending, GameState, apply, next_deadline, start
from zopa.rules.scenario import FORMAT, Scenario, parse_scenario

log = logging.getLogger("zopa.bots")


class Table:
    """One game as one player knows it: the view it was sent and the events since."""

    def __init__(self, view: Mapping[str, Any], received_at: float) -> None:
        self.game: str = view["game"]
        self.role: str = view["role"]
        status = view.get("status") or {}
        self.scenario = _scenario(view, status)
        # The protocol as published ("random" first mover), not as our copy infers it.
        self.protocol = dataclasses.replace(
            self.scenario.protocol, first_mover=view["scenario"]["protocol"]["first_mover"]
        )
        self.seed = _game_seed(self.game)
        raw_events = [event_from_dict(raw) for raw in view.get("events", [])]
        self._follow(0.0, raw_events)
        # The start is not sent; every clock reading is the start plus what the events
        # fix, so one reading from the view gives it.
        shift = _start_shift(self.state, status)
        if shift:
            self._follow(shift, raw_events)
        # The server's time minus ours: exact from a running clock, else a first guess
        # from the latest event that the next event to arrive corrects.
        self.offset = 0.0
        self._rough = True
        deadline, left = status.get("deadline"), status.get("seconds_left")
        if _clock_runs(status) and deadline is not None and isinstance(left, int | float):
            self.offset = float(deadline) - left - received_at
            self._rough = False
        elif self.events:
            self.offset = self.events[-1].at - received_at

    def _follow(self, started: float, events: list[Event]) -> None:
        self.state = start(self.scenario, self.seed, started)
        self.events: list[Event] = []
        self.history = History.empty(reader_for(self.scenario, self.role))
        self.broken = False  # our copy of the state no longer follows the server's
        for event in events:
            self.hear(event)

    @property
    def over(self) -> bool:
        return self.state.ending is not None

    def server_time(self, local: float) -> float:
        return local + self.offset

    def hear(self, event: Event, received_at: float | None = None) -> None:
        """Follow one event of the game through the rules."""
        if received_at is not None and self._rough:
            self.offset = event.at - received_at
            self._rough = False
        if event.seq != len(self.events) + 1:
            log.warning("event %d after %d", event.seq, len(self.events), extra={"game": self.game})
            self.broken = True
            return
        self.events.append(event)
        self.history = self.history.after(event)
        if self.broken:
            return
        if event.type in CONSEQUENCES:
            if self.state.ending is None and event.type == "end":
                ending = Ending(event.data["outcome"], event.data["reason"], None)
                self.state = dataclasses.replace(self.state, ending=ending, turn=None)
            return
        if self.state.ending is not None:
            return
        try:
            action = self._action(event)
            at = event.at
            if isinstance(action, Timeout):
                # Our estimate of the start may put the deadline a hair after the server's.
                at = max(at, next_deadline(self.state) or at)
            self.state, _ = apply(self.state, action, at)
        except (ActionRefused, KeyError, TypeError, ValueError) as exc:
            log.warning("cannot follow event %d: %s", event.seq, exc, extra={"game": self.game})
            self.broken = True

    def _action(self, event: Event) -> Action:
        if event.type == "claim" and event.data.get("sealed"):
            # The other side's claim stays sealed until the end; what matters for the
            # state is that they have claimed, so any valid terms stand in for it.
            assert event.by is not None
            return Claim(event.by, {issue: 0 for issue in self.scenario.issue_ids})
        if event.type == "plan" and event.data.get("sealed"):
            # The other side's plan is theirs alone and changes nothing in the game.
            assert event.by is not None
            return Plan(event.by, None, None, ())
        return parse_action({"type": event.type, **event.data}, event.by)

    @property
    def reading(self) -> bool:
        """Still in the reading time and this side not yet ready: a bot is, at once."""
        state = self.state
        return state.reading and not state.ready[self.scenario.role_ids.index(self.role)]

    def seen(self, local: float) -> Seen:
        now = self.server_time(local)
        seen = seen_by(self.state, self.role, self.events, now, self.history)
        return seen._replace(protocol=self.protocol)


def _clock_runs(status: Mapping[str, Any]) -> bool:
    return not (status.get("paused") or status.get("on_break") or status.get("over"))


def _start_shift(state: GameState, status: Mapping[str, Any]) -> float:
    """How much later than ``state``'s the game really started, from the view's clock."""
    if _clock_runs(status):
        deadline, mirrored = status.get("deadline"), next_deadline(state)
        if isinstance(deadline, int | float) and mirrored is not None:
            return float(deadline) - mirrored
        return 0.0
    # The clock is stopped (a break, a pause, the end): the time used so far shrinks by
    # as much as the start moves.
    left = status.get("seconds_left")
    if not isinstance(left, int | float) or state.clock_started is not None:
        return 0.0
    return state.time_used - (state.time_limit - float(left))


def _scenario(view: Mapping[str, Any], status: Mapping[str, Any]) -> Scenario:
    """The game's scenario with our card, and zeros for the card we must not see."""
    public = view["scenario"]
    role = view["role"]
    card = view["card"]
    roles = []
    for item in public["roles"]:
        if item["id"] == role:
            roles.append(
                {
                    "id": role,
                    "label": item["label"],
                    "batna": card["batna"],
                    "points": card["points"],
                }
            )
        else:
            zeros = {i["id"]: [0] * len(i["options"]) for i in public["issues"]}
            roles.append({"id": item["id"], "label": item["label"], "batna": 0, "points": zeros})
    protocol = dict(public["protocol"])
    # The first mover was drawn from a seed we are not told. With alternating turns
    # every offer passes the turn, so the first offer's maker moved first; before any
    # offer, the side whose turn it is.
    first_offer = next((e for e in view.get("events", []) if e.get("type") == "offer"), None)
    mover = first_offer["by"] if first_offer else status.get("turn", view.get("turn"))
    if mover is None:
        mover = role  # free turns, or over before any offer: nobody's turn either way
    protocol["first_mover"] = mover
    data = {
        "format": FORMAT,
        "id": public["id"],
        "title": public["title"],
        "description": public.get("description", ""),
        "protocol": protocol,
        "issues": public["issues"],
        "roles": roles,
    }
    return parse_scenario(data, "the game view")


def _game_seed(game: str) -> int:
    # The game's own seed is not sent to players; the game id varies a bot's pace and
    # words between games just as well, and the same way every time.
    seed = 0
    for char in game.encode():
        seed = (seed * 131 + char) & 0xFFFFFFFF
    return seed
