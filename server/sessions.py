"""Sessions: the server's rooms put together, and the opening of a new session.

Each concept has its own room and owner (docs/architecture.md draws them):

- ``registry``   sessions, players and games in memory, older ones loaded on demand
- ``players``    joins, tokens, removal
- ``rounds``     starting rounds (seating in ``seating.py``), tournament start times
- ``practice``   solo games against a bot
- ``games``      a round's games created, actors revived and released
- ``controls``   the facilitator's pause, resume, extend and end
- ``presence``   who is away, and the bot for an empty seat
- ``snapshots``  the facilitator's picture and how often it is sent
- ``archive``    stored logs and notes

A game's state belongs to its actor (``actor.py``) alone; this module decides *who*
plays *what*, never how a game goes.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from zopa.rules.log import Header
from zopa.server import recovery
from zopa.server.archive import Archive
from zopa.server.codes import join_code
from zopa.server.config import Settings
from zopa.server.controls import Controls
from zopa.server.errors import Invalid
from zopa.server.games import Games
from zopa.server.hub import Hub
from zopa.server.mediator import Mediators
from zopa.server.players import Players
from zopa.server.practice import Practice
from zopa.server.presence import Presence
from zopa.server.records import DEFAULT_OPTIONS, Session
from zopa.server.registry import Registry
from zopa.server.rounds import Rounds
from zopa.server.scenario_library import ScenarioLibrary, named_scenarios
from zopa.server.snapshots import Snapshots
from zopa.server.storage import GameRow, SessionRow, Storage
from zopa.server.tournament.schedule import (
    check_scenario,
    parse_reading,
    parse_schedule,
    parse_time_limit,
)

# A walkout window longer than this holds the other side too long (docs/rules.md).
MAX_WALKOUT_WINDOW = 120

log = logging.getLogger("zopa.sessions")


class Sessions:
    def __init__(
        self,
        storage: Storage,
        hub: Hub,
        settings: Settings,
        clock: Callable[[], float] = time.time,
        library: ScenarioLibrary | None = None,
    ) -> None:
        self.settings = settings
        # Every scenario id of a session, a schedule or practice is looked up here.
        self.library = library or ScenarioLibrary()
        self.clock = clock
        self._storage = storage
        self.registry = Registry(
            storage,
            self.library.timed,
            lambda ids: self.library.read_through(ids, storage),
            clock,
        )
        self.health = storage.health
        self.snapshots = Snapshots(self.registry, hub, clock, storage.health)
        self.mediators = Mediators(self.registry, clock)

        def changed(code: str) -> None:
            self.snapshots.push(code)
            self.mediators.changed(code)

        self.games = Games(self.registry, storage, hub, settings, changed, clock)
        self.players = Players(self.registry, storage, hub.close_player, self._joined, clock)
        self.rounds = Rounds(self.registry, self.games, settings, hub.connected, changed, clock)
        self.practice = Practice(
            lambda scenario_id: self.open(scenario_id, practice=True),
            self.players,
            self.games,
            settings,
        )
        self.controls = Controls(self.registry, changed)
        self.presence = Presence(self.registry, settings, changed, clock)
        self.archive = Archive(storage)
        self.registry.take_over = self._take_over
        # Set when workers share the database (app.py): gives up a session held here.
        self.let_go: Callable[[str], Awaitable[None]] | None = None

    def _joined(self, code: str) -> None:
        """A player joined or left: the facilitators hear of it, and a large class's next
        round is dealt ahead (``deck.py``)."""
        self.snapshots.push(code)
        session = self.registry.loaded(code)
        if session is not None:
            self.games.deal_ahead(session)

    async def open(
        self,
        scenario_id: Any,
        time_limit: Any = None,
        schedule: Any = None,
        variation: Any = True,
        estimates: Any = False,
        practice: bool = False,
        reading: Any = None,
        walkout_window: Any = 0,
    ) -> Session:
        """A session; with a ``schedule`` a tournament, whose ``scenario`` is then optional.

        ``variation``: each game deals its own cards (off: the scenario's cards for all);
        ``estimates``: players may seal an estimate of the other side's BATNA;
        ``practice``: a solo practice game's, let go once it ended (practice_retention.py);
        ``reading``: seconds of reading time before each game's clock (or "3m"), over the
        scenario's; 0 switches it off.
        """
        limit = parse_time_limit(time_limit)
        reading_time = parse_reading(reading)
        if (
            isinstance(walkout_window, bool)
            or not isinstance(walkout_window, int | float)
            or not 0 <= walkout_window <= MAX_WALKOUT_WINDOW
        ):
            raise Invalid(f"'walkout_window' must be 0 to {MAX_WALKOUT_WINDOW} seconds")
        for name, flag in (("variation", variation), ("estimates", estimates)):
            if not isinstance(flag, bool):
                raise Invalid(f"'{name}' must be true or false")
        await self.library.read_through(named_scenarios(scenario_id, schedule), self._storage)
        plan = None
        if schedule is not None:
            resolve = self.library.get
            default = None if scenario_id is None else check_scenario(scenario_id, resolve)
            plan = parse_schedule(schedule, default, resolve)
            scenario_id = plan.rounds[0].scenario
        scenario_id = check_scenario(scenario_id, self.library.get)
        code = await self.registry.new_code(join_code)
        created = self.clock()
        stored = None if plan is None else json.dumps(plan.to_dict())
        chosen: dict[str, Any] = {
            "variation": variation,
            "estimates": estimates,
            "walkout_window": walkout_window,
        }
        if reading_time is not None:
            chosen["reading"] = reading_time
        options = None if chosen == DEFAULT_OPTIONS else json.dumps(chosen)
        await self._storage.add_session(
            SessionRow(code, scenario_id, limit, created, stored, options, practice)
        )
        timed = self.library.timed
        session = Session(
            code,
            timed(scenario_id, limit),
            created,
            timed,
            time_limit=limit,
            schedule=plan,
            variation=variation,
            estimates=estimates,
            practice=practice,
            reading=reading_time,
            walkout_window=walkout_window,
        )
        self.registry.add_session(session)
        log.info("session opened on %s", scenario_id, extra={"session": code})
        self.rounds.arm(session)
        if self.let_go is not None and plan is None and not practice:
            # Several workers: this one was the proxy's pick for a request about no
            # session. Whichever worker the proxy sends the code to takes the session on
            # its first request (a tournament's timers, a practice game, stay here).
            self.forget(code)
            await self.let_go(code)
        return session

    async def recover(self) -> int:
        """Rebuild the live and recent sessions and resume live games (``recovery.py``)."""
        return await recovery.recover(
            self.registry, self.games, self.rounds, self._storage, self.settings, self.clock
        )

    async def _take_over(
        self, code: str, live: list[tuple[Header, GameRow]], last_alive: float | None
    ) -> None:
        """A session whose worker died, loaded here: its games resume, its rounds arm."""
        await recovery.resume(self.registry, self.games, live, last_alive, self.clock())
        session = self.registry.loaded(code)
        if session is not None:
            self.rounds.arm(session)

    def forget(self, code: str) -> None:
        """Let a session go from memory (an ended practice game: practice_retention.py).

        It stays in storage until deleted there, and is loaded again if asked for.
        """
        self.registry.forget(code)
        self.snapshots.forget(code)
        self.games.forget(code)

    async def shutdown(self) -> None:
        self.snapshots.shutdown()
        self.rounds.shutdown()
        await self.games.shutdown()
