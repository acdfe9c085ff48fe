"""The server's scenario library: the built-in scenarios and the server's own.

Every path that turns a scenario id into a scenario (a session, a tournament's rounds,
practice, a restart's recovery) asks ``ScenarioLibrary.get``. Own scenarios come from
``POST /api/scenarios`` and from ``zopa serve --scenarios DIR``; each is kept in storage
as its author's TOML text with its content hash (``zopa.rules.library.content_hash``),
and read back at start, before any session is rebuilt.

An id names one content for the life of the server: an upload whose id is taken by
another scenario (built-in or own) is refused, unless its content is the same, which is
accepted again (the same hash) and changes nothing. So a session, a schedule or a log
that names an id always means the scenario it meant when it was made. A changed case
is saved under a new id.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from zopa.rules.errors import ScenarioError
from zopa.rules.library import builtin_scenarios, content_hash
from zopa.rules.scenario import Scenario, read_scenario
from zopa.rules.scenario import check_text as read_and_check
from zopa.rules.scenario_lines import key_lines, line_of
from zopa.server.errors import Conflict, Invalid, NotFound, Unavailable
from zopa.server.records import with_time_limit
from zopa.server.storage import ScenarioRow, SessionRow, Storage

# Largest scenario text accepted: a case of 12 issues of 10 options with long briefs is
# about 30 KB; a GENIUS domain of 1.9 million outcomes about 4 KB.
MAX_SCENARIO_BYTES = 256 * 1024


class InvalidScenario(Invalid):
    """A scenario text with problems, every one with its key and line."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        count = len(problems)
        first = problems[0]["message"]
        more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
        super().__init__(f"{first}{more}", "invalid_scenario")
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Entry:
    scenario: Scenario
    hash: str
    builtin: bool
    toml: str | None = None  # as its author wrote it; None for a built-in


def problem_list(problems: list[ScenarioError], text: str | None) -> list[dict[str, Any]]:
    """Problems as the API reports them; with the line of each key when there is a text."""
    lines = key_lines(text) if text is not None else {}
    found = []
    for problem in problems:
        line = line_of(problem.key, lines, problem.expected) if text is not None else None
        where = f"line {line}: " if line is not None else ""
        found.append(
            {
                "key": problem.key,
                "line": line,
                "expected": problem.expected,
                "message": f"{where}{problem.key}: {problem.expected}",
            }
        )
    return found


def check_text(text: str, source: str = "scenario") -> Scenario:
    """The scenario of a TOML text, or ``InvalidScenario`` with every problem and its line."""
    scenario, problems = read_and_check(text, source)
    if problems or scenario is None:
        raise InvalidScenario(problem_list(problems, text))
    return scenario


class ScenarioLibrary:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._entries: dict[str, Entry] = {
            s.id: Entry(s, content_hash(s), builtin=True) for s in builtin_scenarios()
        }
        self._timed: dict[tuple[str, float | None], Scenario] = {}

    def get(self, scenario_id: str) -> Scenario:
        entry = self._entries.get(scenario_id)
        if entry is None:
            known = ", ".join(self._entries)
            raise NotFound(f"no scenario {scenario_id!r} (there are: {known})", "no_such_scenario")
        return entry.scenario

    def timed(self, scenario_id: str, time_limit: float | None) -> Scenario:
        """The scenario with its time limit replaced when one is given: one object for
        every game on it, so an ended game keeps a reference, not a copy. An id keeps
        its content for the life of the server, so the object may be kept."""
        key = (scenario_id, time_limit)
        found = self._timed.get(key)
        if found is None:
            found = self._timed[key] = with_time_limit(self.get(scenario_id), time_limit)
        return found

    def entry(self, scenario_id: str) -> Entry:
        self.get(scenario_id)
        return self._entries[scenario_id]

    def entries(self) -> list[Entry]:
        """Built-ins first (in file order), then own scenarios in the order they were added."""
        return list(self._entries.values())

    def restore(self, rows: Iterable[ScenarioRow]) -> None:
        """Own scenarios from storage, at start. A stored text that no longer reads (a rule
        this zopa added) is a fault to report, not to skip: sessions may name it."""
        for row in rows:
            try:
                scenario = read_scenario(row.toml, f"stored scenario {row.id!r}")
            except ScenarioError as exc:
                raise RuntimeError(f"the library cannot be read back: {exc}") from exc
            self._entries[row.id] = Entry(scenario, row.hash, builtin=False, toml=row.toml)

    async def read_through(self, ids: Iterable[object], storage: Storage) -> None:
        """Read from storage the scenarios of these ids this server does not hold.

        Servers that share one database each load the library at start; a scenario sent
        to another since then is read here, by id, before a session, a schedule, practice
        or a stored session that names it looks it up with ``get``. An id in neither
        place is left for ``get`` to refuse. An id, once read, is kept: its content
        never changes (see the module's note).
        """
        for scenario_id in ids:
            if isinstance(scenario_id, str) and scenario_id not in self._entries:
                row = await storage.scenario(scenario_id)
                if row is not None and row.id not in self._entries:
                    self.restore((row,))

    async def refresh(self, storage: Storage) -> None:
        """Every scenario storage holds that this server does not (for the listing).

        Storage failing is no reason to refuse a listing: what this server holds is
        listed, and a session opened meanwhile reads through again.
        """
        try:
            rows = await storage.scenarios()
        except Unavailable:
            return
        self.restore(row for row in rows if row.id not in self._entries)

    async def add(
        self, text: str, storage: Storage, source: str = "scenario"
    ) -> tuple[Entry, bool]:
        """Check, then keep a scenario; the entry, and whether it is new.

        ``InvalidScenario`` (400) for a text with problems, ``Conflict``
        ``scenario_exists`` for an id taken by another content.
        """
        scenario = check_text(text, source)
        digest = content_hash(scenario)
        # Another server on this database may have taken the id since this one started.
        await self.read_through((scenario.id,), storage)
        taken = self._entries.get(scenario.id)
        if taken is not None:
            if taken.hash == digest:
                return taken, False
            what = "a built-in scenario" if taken.builtin else "another scenario in the library"
            raise Conflict(
                f"the id {scenario.id!r} is taken by {what} with other content; save this "
                "one under a new id (sessions and logs that name an id must keep meaning "
                "the scenario they meant)",
                "scenario_exists",
            )
        entry = Entry(scenario, digest, builtin=False, toml=text)
        # Taken at once, before storage is awaited: a second upload of the id meanwhile
        # meets this entry, not a database error.
        self._entries[scenario.id] = entry
        try:
            await storage.add_scenario(ScenarioRow(scenario.id, digest, text, self.clock()))
        except BaseException:
            del self._entries[scenario.id]
            raise
        return entry, True


def summary(entry: Entry) -> dict[str, Any]:
    """One line of ``GET /api/scenarios``: what choosing a scenario needs, no cards."""
    s = entry.scenario
    return {
        "id": s.id,
        "title": s.title,
        "description": s.description,
        "issues": len(s.issues),
        "roles": [{"id": r.id, "label": r.label} for r in s.roles],
        "builtin": entry.builtin,
        "hash": entry.hash,
    }


def session_scenarios(rows: Iterable[SessionRow]) -> set[str]:
    """Every scenario id these sessions name: their own, and their schedules' rounds'."""
    found = set()
    for row in rows:
        found.add(row.scenario)
        if row.schedule is not None:
            found.update(r["scenario"] for r in json.loads(row.schedule)["rounds"])
    return found


def named_scenarios(scenario_id: object, schedule: object) -> list[object]:
    """The scenario ids a request to open a session names, as sent (not yet checked)."""
    named = [scenario_id]
    rounds = schedule.get("rounds") if isinstance(schedule, dict) else None
    if isinstance(rounds, list):
        named += [item.get("scenario") for item in rounds if isinstance(item, dict)]
    return named
