"""A live game's offers as the facilitator's board reads them, kept up as they come.

Every snapshot of a session describes every live game, and a big session's snapshot
goes out every second or two: reading each game's whole log for it each time would cost
the event loop more than the snapshot itself. So each game's stored lines are read once,
only those that can be offers are parsed, and what the offers say
(``zopa.rules.stuck.watch_offers``) is worked out again only when an offer came.
"""

from __future__ import annotations

import orjson

from zopa.rules.events import Event, event_from_dict
from zopa.rules.scenario import Scenario
from zopa.rules.stuck import OfferWatch, watch_offers

# Every stored event line is ``{"seq":..,"type":"offer",..}`` for an offer (orjson keeps
# the order of ``Event.to_dict``); a chat that quotes it is parsed, and then left out.
_OFFER = '"type":"offer"'


class OfferLines:
    def __init__(self, scenario: Scenario) -> None:
        self._scenario = scenario
        self._read = 0
        self._offers: list[Event] = []
        self._watch = watch_offers(scenario, ())

    def watch(self, lines: list[str], durable: int) -> OfferWatch:
        """What the offers among the first ``durable`` lines say (lines once durable stay)."""
        before = len(self._offers)
        for line in lines[self._read : durable]:
            if _OFFER in line:
                event = event_from_dict(orjson.loads(line))
                if event.type == "offer":
                    self._offers.append(event)
        self._read = max(self._read, durable)
        if len(self._offers) != before:
            self._watch = watch_offers(self._scenario, self._offers)
        return self._watch
