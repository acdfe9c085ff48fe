"""Game logs (``zopa-log/1``, JSON Lines): writing, reading and replaying them.

Line 1 is the header: the whole scenario with the game's own cards, the players, the
seed, the start time, and the seed the cards were drawn from (``deal``), so a log
replays on its own years later. Each further line is one event with ``seq``
(1, 2, ...) and ``type``. Replaying re-runs every action event through the rules and
requires the rules to produce exactly the events the log holds, so a log cannot
claim an outcome the rules would not have reached.

Lines of type ``note`` (no ``seq``) are human annotations about an event
(``zopa.rules.notes``). They are read and written with the log but never replayed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from zopa.rules.actions import parse_action
from zopa.rules.errors import ActionRefused, LogError, ScenarioError
from zopa.rules.events import CONSEQUENCES, Event, event_from_dict
from zopa.rules.negotiation import GameState, apply, start
from zopa.rules.notes import Note, parse_note
from zopa.rules.scenario import Scenario, parse_scenario

LOG_FORMAT = "zopa-log/1"
_HEADER_KEYS = ("format", "game", "scenario", "players", "seed", "started_at")
_OPTIONAL_KEYS = ("deal",)


@dataclass(frozen=True, slots=True)
class Header:
    game: str
    scenario: Scenario
    # role -> {"id": ..., "name": ..., and e.g. "bot": strategy}
    players: Mapping[str, Mapping[str, Any]]
    seed: int
    started_at: float
    # Anything else the header carries (session, round, source dataset), kept as is.
    extra: Mapping[str, Any] = field(default_factory=dict)
    # The seed the game's cards were drawn from (zopa.rules.deal); None when the game plays
    # the roles' cards as written (variation off, a scenario without any, older logs).
    # Either way ``scenario`` holds the game's own cards.
    deal: int | None = None

    def to_dict(self) -> dict[str, Any]:
        header = {
            "format": LOG_FORMAT,
            "game": self.game,
            "scenario": self.scenario.to_dict(),
            "players": {role: dict(p) for role, p in self.players.items()},
            "seed": self.seed,
            "started_at": self.started_at,
            **self.extra,
        }
        if self.deal is not None:
            header["deal"] = {"seed": self.deal}
        return header


@dataclass(frozen=True, slots=True)
class GameLog:
    header: Header
    events: tuple[Event, ...]
    # The physical line of each event, for error messages; empty for logs built in memory.
    lines: tuple[int, ...] = ()
    # Human annotations, in the order they were added.
    notes: tuple[Note, ...] = ()

    def line_of(self, index: int) -> int | None:
        return self.lines[index] if index < len(self.lines) else None

    def with_note(self, note: Note) -> GameLog:
        """The log with one more note; ``LogError`` if it is about no event of this log."""
        _check_about(note, len(self.events))
        return replace(self, notes=(*self.notes, note))


def dumps(record: Mapping[str, Any]) -> str:
    """One log line. Compact and stable, so the same game writes the same bytes."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def log_lines(log: GameLog) -> list[str]:
    """Header, events, then notes: a note may only point back at events already written."""
    return [
        dumps(log.header.to_dict()),
        *(dumps(e.to_dict()) for e in log.events),
        *(dumps(n.to_dict()) for n in log.notes),
    ]


def write_log(log: GameLog, path: str) -> None:
    """Write the whole log, replacing the file at once (``replace_file``)."""
    replace_file(path, (line + "\n" for line in log_lines(log)))


def replace_file(path: str, chunks: Iterable[str]) -> None:
    """Write a whole file, replacing it at once: written beside it, then renamed, so an
    interrupted write never leaves half a file where a whole one was."""
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        for chunk in chunks:
            handle.write(chunk)
    os.replace(temporary, path)


def parse_header(raw: Any, line: int = 1) -> Header:
    if not isinstance(raw, dict):
        raise LogError("the header must be a JSON object", line)
    if raw.get("format") != LOG_FORMAT:
        raise LogError(
            f"the header's format must be {LOG_FORMAT!r} (found {raw.get('format')!r})", line
        )
    for key in _HEADER_KEYS:
        if key not in raw:
            raise LogError(f"the header has no {key!r}", line)
    try:
        scenario = parse_scenario(raw["scenario"], "header.scenario")
    except ScenarioError as exc:
        raise LogError(f"the header's scenario is invalid: {exc}", line) from exc
    players = raw["players"]
    if not isinstance(players, dict) or set(players) != set(scenario.role_ids):
        raise LogError(
            f"'players' must name a player for each role {list(scenario.role_ids)}", line
        )
    if not all(isinstance(p, dict) for p in players.values()):
        raise LogError("each player must be an object", line)
    seed, started = raw["seed"], raw["started_at"]
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise LogError("'seed' must be a whole number", line)
    if isinstance(started, bool) or not isinstance(started, int | float):
        raise LogError("'started_at' must be a number (seconds since the epoch)", line)
    if not isinstance(raw["game"], str) or not raw["game"]:
        raise LogError("'game' must be a non-empty string", line)
    deal = raw.get("deal")
    if deal is not None:
        drawn = deal.get("seed") if isinstance(deal, dict) else None
        if not isinstance(deal, dict) or isinstance(drawn, bool) or not isinstance(drawn, int):
            raise LogError("'deal' must be an object {\"seed\": <whole number>}", line)
        deal = drawn
    extra = {k: v for k, v in raw.items() if k not in _HEADER_KEYS + _OPTIONAL_KEYS}
    return Header(raw["game"], scenario, players, seed, float(started), extra, deal)


def read_log(lines: Iterable[str]) -> GameLog:
    """Parse the lines of a log; ``LogError`` names the line and the problem."""
    header: Header | None = None
    events: list[Event] = []
    numbers: list[int] = []
    notes: list[tuple[Note, int]] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LogError(f"not valid JSON ({exc.msg})", number) from exc
        if header is None:
            header = parse_header(raw, number)
            continue
        if not isinstance(raw, dict):
            raise LogError("an event must be a JSON object", number)
        if raw.get("type") == "note":
            try:
                notes.append((parse_note(raw), number))
            except LogError as exc:
                raise LogError(str(exc), number) from exc
            continue
        try:
            event = event_from_dict(raw)
        except KeyError as exc:
            raise LogError(f"an event needs {exc.args[0]!r}", number) from exc
        except (TypeError, ValueError) as exc:
            raise LogError(str(exc), number) from exc
        expected = len(events) + 1
        if event.seq != expected:
            raise LogError(f"expected seq {expected}, found {event.seq}", number)
        events.append(event)
        numbers.append(number)
    if header is None:
        raise LogError("the log is empty: expected a header line")
    # Checked at the end because readers accept notes anywhere after the header.
    for note, number in notes:
        try:
            _check_about(note, len(events))
        except LogError as exc:
            raise LogError(str(exc), number) from exc
    return GameLog(header, tuple(events), tuple(numbers), tuple(note for note, _ in notes))


def _check_about(note: Note, count: int) -> None:
    if not 1 <= note.about <= count:
        held = f"events 1 to {count}" if count else "no events"
        raise LogError(f"a note is about event {note.about}, but the log has {held}")


def read_log_file(path: str) -> GameLog:
    try:
        with open(path, encoding="utf-8") as handle:
            return read_log(handle)
    except OSError as exc:
        raise LogError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise LogError(f"{path} is not UTF-8 text") from exc


def replay(log: GameLog) -> GameState:
    """Re-run the log through the rules and return the final state.

    Every action event must be legal when it happened and must produce exactly the
    events that follow it in the log.
    """
    header = log.header
    final = start(header.scenario, header.seed, header.started_at)
    for state, _ in replay_steps(log):
        final = state
    return final


def replay_steps(log: GameLog) -> Iterator[tuple[GameState, list[Event]]]:
    """``replay`` one step at a time: the state after each action event and the events
    it produced (the action's own and its consequences), checked against the log."""
    header = log.header
    state = start(header.scenario, header.seed, header.started_at)
    events = log.events
    i = 0
    while i < len(events):
        event = events[i]
        line = log.line_of(i)
        if event.type in CONSEQUENCES:
            raise LogError(f"'{event.type}' does not follow an action that causes it", line)
        try:
            action = parse_action({"type": event.type, **event.data}, event.by)
            state, produced = apply(state, action, event.at)
        except ActionRefused as exc:
            raise LogError(
                f"event {event.seq} ({event.type}) is not legal: {exc.message}", line
            ) from exc
        for offset, made in enumerate(produced):
            logged = events[i + offset] if i + offset < len(events) else None
            if logged is None or logged.to_dict() != made.to_dict():
                where = log.line_of(i + offset) or line
                found = dumps(logged.to_dict()) if logged else "the end of the log"
                raise LogError(
                    f"the rules produce {dumps(made.to_dict())} here, the log has {found}", where
                )
        i += len(produced)
        yield state, produced


def new_log(header: Header, events: Iterable[Event] = ()) -> GameLog:
    return GameLog(header, tuple(events))
