"""What players are sent of a game's status: whole in a view, as changes with events."""

from __future__ import annotations

from typing import Any

from tests.factories import T0, played, tiny
from zopa.rules.actions import Accept, Chat, Offer, Request
from zopa.rules.negotiation import start
from zopa.rules.status import status, step_statuses
from zopa.server.views import missed_messages, player_view, status_change

HIGH = {"i0": 2, "i1": 2}
MID = {"i0": 1, "i1": 1}


def test_a_change_holds_what_changed_and_the_clock_readings() -> None:
    before = status(start(tiny(first_mover="seller"), 1, T0), T0)
    log = played(tiny(first_mover="seller"), (Chat("seller", "hi"), T0 + 1))
    (_, after), *_ = step_statuses(log)
    assert status_change(before, after) == {"seconds_left": 899.0}
    log = played(
        tiny(first_mover="seller", break_seconds=60),
        (Request("seller", "break_request"), T0 + 1),
        (Request("buyer", "break_accept"), T0 + 2),
    )
    (_, asked), (_, on_break) = step_statuses(log)
    assert status_change(asked, on_break) == {
        "clock": "break",
        "seconds_left": 898.0,
        "deadline": T0 + 62,
        "break_left": 60.0,
        "on_break": True,
        "pending_break": None,
        "breaks_left": 0,
    }
    assert status_change(on_break, on_break) == {"seconds_left": 898.0, "break_left": 60.0}


def test_missed_events_folded_into_any_status_give_the_status_after_each() -> None:
    scenario = tiny(first_mover="seller")
    log = played(
        scenario,
        Offer("seller", HIGH),
        Chat("buyer", "hmm"),
        Offer("buyer", MID),
        Accept("seller", 3),
    )
    events = list(log.events)
    after = [now for produced, now in step_statuses(log) for _ in produced]
    for since in range(len(events) + 1):
        # What the client holds: the view's status, made after the events it misses.
        view = player_view(log.header, start(scenario, 1, T0), [], "buyer", T0 + 99, None)
        held: dict[str, Any] = view["status"]
        missed = missed_messages(log.header, events, "buyer", True, since)
        assert [m["seq"] for m in missed] == list(range(since + 1, len(events) + 1))
        for message in missed:
            held = {**held, **message["status"]}
            assert held == after[message["seq"] - 1], (since, message["seq"])
    # The accept and the end are one step: sent with one change.
    *_, accept, end = missed_messages(log.header, events, "buyer", True, 0)
    assert accept["status"] is end["status"] and end["status"]["over"] is True
