"""A tournament's plan: its rounds (scenario, time limit, start time), pairing and odd rule.

The facilitator sends it with ``POST /api/sessions`` as ``"schedule"``; it is checked
here, stored as JSON beside the session and read back on restart, so a round set to
start at nine still starts at nine after the server was restarted at eight.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, cast

from zopa.rules.scenario import Scenario, duration_seconds
from zopa.server.errors import Invalid

# Turns a scenario id into its scenario, or raises NotFound (ScenarioLibrary.get).
Resolve = Callable[[str], Scenario]

PAIRINGS = ("round_robin", "swiss")
ODD_RULES = ("bot", "bye")
MAX_ROUNDS = 100
MAX_TIME_LIMIT = 86400

Pairing = Literal["round_robin", "swiss"]
Odd = Literal["bot", "bye"]


@dataclass(frozen=True, slots=True)
class PlannedRound:
    scenario: str
    time_limit: float | None = None  # None: the session's, else the scenario's own
    starts_at: float | None = None  # seconds since the epoch; None: the facilitator starts it


@dataclass(frozen=True, slots=True)
class Schedule:
    rounds: tuple[PlannedRound, ...]
    pairing: Pairing = "swiss"
    odd: Odd = "bot"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rounds": [
                {"scenario": r.scenario, "time_limit": r.time_limit, "starts_at": r.starts_at}
                for r in self.rounds
            ],
            "pairing": self.pairing,
            "odd": self.odd,
        }


def bad(message: str) -> Invalid:
    return Invalid(message)


def parse_time_limit(raw: Any, where: str = "'time_limit'") -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise bad(f"{where} must be a number of seconds")
    if not 1 <= raw <= MAX_TIME_LIMIT:
        raise bad(f"{where} must be 1 to {MAX_TIME_LIMIT} seconds")
    return float(raw)


MAX_READING = 3600


def parse_reading(raw: Any, where: str = "'reading'") -> float | None:
    """A session's reading time in seconds (a number, or a text like "3m"); 0 is none."""
    if raw is None:
        return None
    seconds = duration_seconds(raw)
    if seconds is None or seconds > MAX_READING:
        raise bad(f'{where} must be 0 to {MAX_READING} seconds, or a duration like "3m"')
    return float(seconds)


def check_scenario(raw: Any, resolve: Resolve, where: str = "'scenario'") -> str:
    if not isinstance(raw, str):
        raise bad(f"{where} must be a scenario id")
    resolve(raw)
    return raw


def parse_schedule(raw: Any, default_scenario: str | None, resolve: Resolve) -> Schedule:
    """The schedule a facilitator sent; ``Invalid`` (``NotFound`` for a scenario) naming the key.

    ``rounds`` is a list of ``{"scenario"?, "time_limit"?, "starts_at"?}`` or just a
    count of rounds on the session's scenario.
    """
    if not isinstance(raw, dict):
        raise bad("'schedule' must be an object with 'rounds'")
    unknown = set(raw) - {"rounds", "pairing", "odd"}
    if unknown:
        raise bad(f"'schedule' has unknown keys: {', '.join(sorted(unknown))}")
    rounds = raw.get("rounds")
    if isinstance(rounds, int) and not isinstance(rounds, bool):
        rounds = [{} for _ in range(rounds)] if 0 < rounds <= MAX_ROUNDS else None
    if not isinstance(rounds, list) or not 1 <= len(rounds) <= MAX_ROUNDS:
        raise bad(f"'schedule.rounds' must be 1 to {MAX_ROUNDS} rounds (a list or a count)")
    planned = tuple(
        _parse_round(item, n, default_scenario, resolve) for n, item in enumerate(rounds, start=1)
    )
    pairing = raw.get("pairing", "swiss")
    if pairing not in PAIRINGS:
        raise bad(f"'schedule.pairing' must be one of {', '.join(PAIRINGS)}")
    odd = raw.get("odd", "bot")
    if odd not in ODD_RULES:
        raise bad(f"'schedule.odd' must be one of {', '.join(ODD_RULES)}")
    return Schedule(planned, cast(Pairing, pairing), cast(Odd, odd))


def _parse_round(item: Any, n: int, default_scenario: str | None, resolve: Resolve) -> PlannedRound:
    where = f"'schedule.rounds[{n - 1}]"
    if not isinstance(item, dict):
        raise bad(f"{where}' must be an object")
    unknown = set(item) - {"scenario", "time_limit", "starts_at"}
    if unknown:
        raise bad(f"{where}' has unknown keys: {', '.join(sorted(unknown))}")
    scenario = item.get("scenario", default_scenario)
    if scenario is None:
        raise bad(f"{where}.scenario' is needed when the session names no scenario")
    return PlannedRound(
        check_scenario(scenario, resolve, f"{where}.scenario'"),
        parse_time_limit(item.get("time_limit"), f"{where}.time_limit'"),
        _parse_time(item.get("starts_at"), f"{where}.starts_at'"),
    )


def _parse_time(raw: Any, where: str) -> float | None:
    """Seconds since the epoch, or an ISO 8601 time with its UTC offset."""
    if raw is None:
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    if isinstance(raw, str):
        try:
            moment = datetime.datetime.fromisoformat(raw)
        except ValueError:
            moment = None
        # A time without an offset would mean the server's zone, which the class may not share.
        if moment is not None and moment.tzinfo is not None:
            return moment.timestamp()
    raise bad(f"{where} must be seconds since the epoch or an ISO 8601 time with an offset")


def schedule_from_dict(data: dict[str, Any]) -> Schedule:
    """A stored schedule, as ``Schedule.to_dict`` wrote it."""
    return Schedule(
        tuple(
            PlannedRound(r["scenario"], r.get("time_limit"), r.get("starts_at"))
            for r in data["rounds"]
        ),
        data["pairing"],
        data["odd"],
    )
