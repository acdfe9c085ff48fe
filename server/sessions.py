"""Sessions, players, rounds and the games in them: everything the facilitator runs.

This module decides *who* plays *what*; the rules of each game live in its actor and
in ``game_rules``. State is kept in memory for speed and written to storage before
anyone is told of it, so ``recover`` can rebuild it after a restart.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from zopa.rules.actions import Abort, Action, Extend, Pause, Resume, Seat
from zopa.rules.bots import BOT_DEFAULT, STRATEGIES
from zopa.rules.errors import LogError, ScenarioError
from zopa.rules.events import event_from_dict
from zopa.rules.library import builtin
from zopa.rules.log import GameLog, Header, dumps, parse_header, read_log, replay
from zopa.rules.negotiation import GameState, advance, apply, seconds_left, start
from zopa.rules.notes import parse_note
from zopa.rules.scenario import Scenario
from zopa.server import memory
from zopa.server.actor import GameActor
from zopa.server.codes import join_code, new_id, normalize_code, token
from zopa.server.config import Settings
from zopa.server.errors import Refused
from zopa.server.hub import Hub
from zopa.server.pairing import History, pair_players
from zopa.server.storage import GameRow, PlayerRow, RoundRow, SessionRow, Storage
from zopa.server.tournament.export import csv_text
from zopa.server.tournament.pairing import Record, pair_round
from zopa.server.tournament.report import Entrant, history_json, records, standings_json
from zopa.server.tournament.schedule import (
    Schedule,
    check_scenario,
    parse_schedule,
    parse_time_limit,
    schedule_from_dict,
)
from zopa.server.tournament.standings import Played, lines
from zopa.server.views import player_view
from zopa.server.wire import Prepared

log = logging.getLogger("zopa.sessions")

MAX_NAME = 40


@dataclass(slots=True)
class Player:
    id: str
    session: str
    name: str
    token: str
    removed: bool = False
    game: str | None = None  # the latest game, live or ended
    roles: Counter[str] = field(default_factory=Counter)
    partners: set[str] = field(default_factory=set)
    gone_since: float | None = None  # None while connected or never connected


@dataclass(slots=True)
class GameEntry:
    """A game as the session sees it; the actor while live, the result once ended."""

    id: str
    round: int
    players: dict[str, str | None]  # role -> player id, None for a bot
    scenario: Scenario
    actor: GameActor | None
    result: dict[str, Any] | None = None
    practice: bool = False  # a solo game against a bot, started by the player


@dataclass(slots=True)
class Session:
    code: str
    scenario: Scenario
    created_at: float
    players: dict[str, Player] = field(default_factory=dict)
    rounds: list[list[str]] = field(default_factory=list)
    paused: bool = False
    time_limit: float | None = None  # overrides every round's scenario, unless the round's own
    schedule: Schedule | None = None  # a tournament's plan
    byes: dict[int, list[str]] = field(default_factory=dict)  # round -> players with a bye


class Sessions:
    def __init__(
        self,
        storage: Storage,
        hub: Hub,
        settings: Settings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.storage = storage
        self.hub = hub
        self.settings = settings
        self.clock = clock
        self.sessions: dict[str, Session] = {}
        self.players: dict[str, Player] = {}
        self.by_token: dict[str, Player] = {}
        self.games: dict[str, GameEntry] = {}
        self._pushes: dict[str, asyncio.TimerHandle] = {}
        self._snapshot_bytes: dict[str, int] = {}  # the size of each session's latest snapshot
        # Scheduled round starts, one per tournament, and the tasks they spawned.
        self._starts: dict[str, asyncio.TimerHandle] = {}
        self._starting: set[asyncio.Task[None]] = set()
        # One round starts at a time: a click and a start time at the same moment must not
        # both take the same round number.
        self._round_lock = asyncio.Lock()

    # ---- sessions and players -------------------------------------------------------

    def session(self, code: str) -> Session:
        found = self.sessions.get(normalize_code(code))
        if found is None:
            raise Refused(404, "no_such_session", f"no session with the code {code!r}")
        return found

    async def create_session(
        self, scenario_id: Any, time_limit: Any = None, schedule: Any = None, practice: bool = False
    ) -> Session:
        """A session; with a ``schedule`` a tournament, whose ``scenario`` is then optional."""
        limit = parse_time_limit(time_limit)
        plan = None
        if schedule is not None:
            default = None if scenario_id is None else check_scenario(scenario_id)
            plan = parse_schedule(schedule, default)
            scenario_id = plan.rounds[0].scenario
        scenario_id = check_scenario(scenario_id)
        code = join_code()
        while code in self.sessions:
            code = join_code()
        created = self.clock()
        stored = None if plan is None else json.dumps(plan.to_dict())
        await self.storage.add_session(
            SessionRow(code, scenario_id, limit, created, stored, practice)
        )
        session = Session(code, _scenario(scenario_id, limit), created, time_limit=limit)
        session.schedule = plan
        self.sessions[code] = session
        log.info("session opened on %s", scenario_id, extra={"session": code})
        self._arm_start(session)
        return session

    async def join(self, code: str, name: Any) -> Player:
        session = self.session(code)
        if not isinstance(name, str) or not name.strip():
            raise Refused(400, "bad_request", "'name' must be a non-empty string")
        name = " ".join(name.split())
        if len(name) > MAX_NAME:
            raise Refused(400, "bad_request", f"'name' must be at most {MAX_NAME} characters")
        player = Player(new_id("p"), session.code, name, token())
        await self.storage.add_player(
            PlayerRow(player.id, session.code, name, player.token, self.clock())
        )
        self._add_player(session, player)
        self.push(session.code)
        return player

    def _add_player(self, session: Session, player: Player) -> None:
        session.players[player.id] = player
        self.players[player.id] = player
        self.by_token[player.token] = player

    def player_by_token(self, raw: Any) -> Player | None:
        if not isinstance(raw, str):
            return None
        player = self.by_token.get(raw)
        if player is None or player.removed:
            return None
        # Constant-time compare, so response timing does not leak how much matched.
        return player if secrets.compare_digest(player.token, raw) else None

    async def remove_player(self, code: str, player_id: str) -> None:
        session = self.session(code)
        player = session.players.get(player_id)
        if player is None or player.removed:
            raise Refused(404, "no_such_player", f"no player {player_id!r} in this session")
        await self.storage.remove_player(player.id)
        player.removed = True
        entry = self.games.get(player.game) if player.game else None
        if entry is not None and entry.actor is not None and entry.actor.live:
            role = _role_of(entry, player.id)
            # The partner keeps a game to finish: a bot takes the removed player's seat.
            await entry.actor.system(Seat(role, f"bot:{BOT_DEFAULT}"))
        for connection in list(self.hub.players.get(player.id, ())):
            connection.close(4403, "removed from the session")
        self.push(session.code)

    # ---- rounds ---------------------------------------------------------------------

    def _free_players(self, session: Session) -> list[str]:
        free = []
        for player in session.players.values():
            entry = self.games.get(player.game) if player.game else None
            busy = entry is not None and entry.actor is not None and entry.actor.live
            if not player.removed and not busy:
                free.append(player.id)
        return free

    async def start_round(
        self, code: str, pairs: Any = None, only: int | None = None
    ) -> tuple[int, list[GameEntry]]:
        """The next round: paired by hand with ``pairs``, else by the session's rules.

        With ``only``, start it only if it is round ``only`` (409 ``already_started``).
        """
        async with self._round_lock:
            started = await self._start_round(self.session(code), pairs, only)
        if self.settings.gc_sweep_seconds > 0:
            # Everything the joins and the new games made is long-lived: sweep and freeze
            # it now, while the players read their cards, not in the middle of play.
            memory.sweep(full=False)
        return started

    async def _start_round(
        self, session: Session, pairs: Any, only: int | None
    ) -> tuple[int, list[GameEntry]]:
        number = len(session.rounds) + 1
        if only is not None and only != number:
            raise Refused(409, "already_started", f"round {only} has already started")
        scenario = self.round_scenario(session, number)
        byes: list[str] = []
        if pairs is not None:
            seating = self._pairs_by_hand(session, scenario, pairs)
        elif session.schedule is not None:
            seating, byes = self._pairs_for_tournament(session, scenario, number)
        else:
            free = self._free_players(session)
            if not free:
                raise Refused(409, "no_players", "no joined player is free to play")
            history = {
                p: History(dict(self.players[p].roles), frozenset(self.players[p].partners))
                for p in free
            }
            found = pair_players(free, history, scenario.role_ids, secrets.randbits(32))
            seating = [dict(pair.seats) for pair in found]
        await self.storage.add_round(RoundRow(session.code, number, self.clock(), tuple(byes)))
        session.rounds.append([])
        # The dashboard and debrief read the session's scenario: the round now being played.
        session.scenario = scenario
        if byes:
            session.byes[number] = byes
        entries = []
        for seats in seating:
            entries.append(await self._new_game(session, number, seats, scenario))
        self._arm_start(session)
        self.push(session.code)
        return number, entries

    def round_scenario(self, session: Session, number: int) -> Scenario:
        """Round ``number``'s scenario with its time limit: the schedule's, else the session's."""
        schedule = session.schedule
        if schedule is None:
            return session.scenario
        if number > len(schedule.rounds):
            raise Refused(
                409, "schedule_complete", f"all {len(schedule.rounds)} scheduled rounds started"
            )
        planned = schedule.rounds[number - 1]
        limit = planned.time_limit if planned.time_limit is not None else session.time_limit
        return _scenario(planned.scenario, limit)

    def _pairs_by_hand(
        self, session: Session, scenario: Scenario, pairs: Any
    ) -> list[dict[str, str | None]]:
        """The facilitator's pairs ``[[first role, second role], ...]``; null is a bot's seat."""
        if not isinstance(pairs, list) or not pairs:
            raise Refused(400, "bad_request", "'pairs' must be a list of [player, player] pairs")
        free = set(self._free_players(session))
        seen: set[str] = set()
        seating = []
        for pair in pairs:
            if not isinstance(pair, list) or len(pair) != 2 or pair == [None, None]:
                raise Refused(
                    400, "bad_request", "each pair is [player id, player id], null for the bot"
                )
            for player in pair:
                if player is None:
                    continue
                if not isinstance(player, str) or player not in free:
                    raise Refused(
                        409, "not_free", f"{player!r} is not a player of this session free to play"
                    )
                if player in seen:
                    raise Refused(400, "bad_request", f"{player!r} is in two pairs")
                seen.add(player)
            seating.append(dict(zip(scenario.role_ids, pair, strict=True)))
        return seating

    def _pairs_for_tournament(
        self, session: Session, scenario: Scenario, number: int
    ) -> tuple[list[dict[str, str | None]], list[str]]:
        assert session.schedule is not None
        now = self.clock()
        grace = self.settings.grace_seconds
        present = [
            p
            for p in self._free_players(session)
            # A player gone longer than the grace period is a no-show: left out until back.
            if self.hub.connected(p)
            or self.players[p].gone_since is None
            or now - (self.players[p].gone_since or now) < grace
        ]
        if not present:
            raise Refused(409, "no_players", "no joined player is free to play")
        records = self.tournament_records(session)
        pairing = pair_round(
            present,
            records,
            system=session.schedule.pairing,
            odd=session.schedule.odd,
            index=number - 1,
            seed=secrets.randbits(32),
        )
        roles = scenario.role_ids
        seating = [dict(zip(roles, table.seats, strict=True)) for table in pairing.tables]
        return seating, [] if pairing.bye is None else [pairing.bye]

    def tournament_records(self, session: Session) -> dict[str, Record]:
        """Each player's roles by index, partners, sit-outs and standing score so far."""
        return records(self.played(session), session.byes, list(session.players))

    def played(self, session: Session) -> list[Played]:
        return [
            Played(n, g, self.games[g].scenario, self.games[g].players, self.games[g].result)
            for n, ids in enumerate(session.rounds, start=1)
            for g in ids
        ]

    def _arm_start(self, session: Session) -> None:
        """Set the timer for the next scheduled round's start time, if it has one."""
        handle = self._starts.pop(session.code, None)
        if handle is not None:
            handle.cancel()
        schedule = session.schedule
        number = len(session.rounds) + 1
        if schedule is None or number > len(schedule.rounds):
            return
        at = schedule.rounds[number - 1].starts_at
        if at is None:
            return

        def due() -> None:
            self._starts.pop(session.code, None)
            task = asyncio.create_task(self._start_on_time(session.code, number))
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)

        delay = max(0.0, at - self.clock())
        self._starts[session.code] = asyncio.get_running_loop().call_later(delay, due)

    async def _start_on_time(self, code: str, number: int) -> None:
        if code not in self.sessions:
            return
        try:
            await self.start_round(code, only=number)
        except Refused as refused:
            # Nobody to pair, say: the round waits for the facilitator to start it.
            log.warning(
                "scheduled round %d not started: %s",
                number,
                refused.message,
                extra={"session": code},
            )
        else:
            log.info("scheduled round %d started", number, extra={"session": code})

    async def _new_game(
        self,
        session: Session,
        number: int,
        seats: dict[str, str | None],
        scenario: Scenario,
        bot: str = BOT_DEFAULT,
    ) -> GameEntry:
        now = self.clock()
        players: dict[str, dict[str, Any]] = {}
        for role, player_id in seats.items():
            if player_id is None:
                players[role] = {"id": "bot", "name": f"Bot ({bot})", "bot": bot}
            else:
                players[role] = {"id": player_id, "name": self.players[player_id].name}
        header = Header(
            game=new_id("g"),
            scenario=scenario,
            players={r: players[r] for r in scenario.role_ids},
            seed=secrets.randbits(32),
            started_at=now,
            extra={"session": session.code, "round": number},
        )
        state = start(scenario, header.seed, now)
        events = []
        for role, player_id in seats.items():
            if player_id is None:
                state, seated = apply(state, Seat(role, f"bot:{bot}"), now)
                events.extend(seated)
        await self.storage.add_game(
            GameRow(
                header.game,
                session.code,
                number,
                dumps(header.to_dict()),
                tuple(orjson.dumps(e.to_dict()).decode() for e in events),
            )
        )
        entry = GameEntry(header.game, number, dict(seats), scenario, None)
        entry.actor = self._actor(
            header, state, [orjson.dumps(e.to_dict()).decode() for e in events]
        )
        self._register(session, entry)
        entry.actor.start()
        for role in scenario.role_ids:
            player_id = seats[role]
            if player_id is not None:
                self.hub.to_player(player_id, {"type": "game", **self.view(entry, role)})
        log.info("round %d game started", number, extra={"session": session.code, "game": entry.id})
        return entry

    async def practice(
        self, name: Any, scenario_id: Any, strategy: Any, role: Any = None
    ) -> tuple[Player, GameEntry]:
        """Solo practice: a session of one player against a bot, started at once."""
        if not isinstance(strategy, str) or strategy not in STRATEGIES:
            raise Refused(400, "bad_request", f"'strategy' must be one of {', '.join(STRATEGIES)}")
        live = sum(1 for e in self.games.values() if e.practice and e.actor and e.actor.live)
        if live >= self.settings.max_practice_games:
            raise Refused(429, "too_many_games", "too many practice games are running; try later")
        session = await self.create_session(scenario_id, practice=True)
        roles = session.scenario.role_ids
        if role is None:
            role = roles[secrets.randbelow(2)]
        if role not in roles:
            raise Refused(400, "bad_request", f"'role' must be one of {', '.join(roles)}")
        player = await self.join(session.code, name)
        other = roles[1] if role == roles[0] else roles[0]
        session.rounds.append([])
        entry = await self._new_game(
            session, 1, {role: player.id, other: None}, session.scenario, bot=strategy
        )
        entry.practice = True
        return player, entry

    def _actor(self, header: Header, state: GameState, lines: list[str]) -> GameActor:
        return GameActor(
            header,
            state,
            lines,
            self.storage,
            self._deliver,
            self._ended,
            bot_tick=self.settings.bot_tick,
            clock=self.clock,
        )

    def _register(self, session: Session, entry: GameEntry) -> None:
        while len(session.rounds) < entry.round:
            session.rounds.append([])
        session.rounds[entry.round - 1].append(entry.id)
        self.games[entry.id] = entry
        for role, player_id in entry.players.items():
            if player_id is None or player_id not in self.players:
                continue
            player = self.players[player_id]
            player.game = entry.id
            player.roles[role] += 1
            partner = entry.players[_other(entry, role)]
            if partner is not None:
                player.partners.add(partner)

    def _deliver(self, role: str, message: Prepared) -> None:
        entry = self.games.get(message.message["game"])
        if entry is None:
            return
        player_id = entry.players.get(role)
        if player_id is not None:
            self.hub.to_player(player_id, message)
        self.push(self.players[player_id].session if player_id else _session_of(entry))

    def _ended(self, actor: GameActor) -> None:
        entry = self.games[actor.game]
        entry.result = actor.result
        self.push(actor.header.extra["session"])

    # ---- facilitator controls over every live game of a session ----------------------

    def live_games(self, session: Session) -> list[GameActor]:
        found = []
        for ids in session.rounds:
            for game_id in ids:
                actor = self.games[game_id].actor
                if actor is not None and actor.live:
                    found.append(actor)
        return found

    async def _to_all(self, session: Session, action: Action) -> int:
        codes = await asyncio.gather(*(a.system(action) for a in self.live_games(session)))
        self.push(session.code)
        return sum(1 for code in codes if code is None)

    async def pause(self, code: str) -> int:
        session = self.session(code)
        session.paused = True
        return await self._to_all(session, Pause())

    async def resume(self, code: str) -> int:
        session = self.session(code)
        session.paused = False
        return await self._to_all(session, Resume())

    async def extend(self, code: str, seconds: Any, game: Any = None) -> int:
        session = self.session(code)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
            raise Refused(400, "bad_request", "'seconds' must be a number above 0")
        if game is None:
            return await self._to_all(session, Extend(seconds))
        entry = self.games.get(game) if isinstance(game, str) else None
        if entry is None or entry.actor is None or game not in _ids(session):
            raise Refused(404, "no_such_game", f"no game {game!r} in this session")
        refused = await entry.actor.system(Extend(seconds))
        if refused is not None:
            raise Refused(409, refused, "the game is not live")
        return 1

    async def end_round(self, code: str) -> int:
        """End every live game of the session now; they end as ``aborted``."""
        return await self._to_all(self.session(code), Abort())

    # ---- dropouts -------------------------------------------------------------------

    async def seat_bot(self, player: Player) -> str | None:
        """The partner of an absent player asks a bot to take the empty seat; a refusal code."""
        entry = self.games.get(player.game) if player.game else None
        if entry is None or entry.actor is None or not entry.actor.live:
            return "game_over"
        role = _other(entry, _role_of(entry, player.id))
        absent = entry.players[role]
        if absent is None:
            return "not_allowed"
        gone = self.players[absent].gone_since
        if gone is None or self.clock() - gone < self.settings.grace_seconds:
            return "not_allowed"
        return await entry.actor.system(Seat(role, f"bot:{BOT_DEFAULT}"))

    async def presence(self, player: Player, connected: bool) -> None:
        """A player's first socket opened or last one closed: tell the partner, retake a seat."""
        gone = None if connected else self.clock()
        player.gone_since = gone
        entry = self.games.get(player.game) if player.game else None
        if entry is None or entry.actor is None or not entry.actor.live:
            self.push(player.session)
            return
        role = _role_of(entry, player.id)
        partner = entry.players[_other(entry, role)]
        if partner is not None:
            message: dict[str, Any] = {
                "type": "presence",
                "game": entry.id,
                "role": role,
                "connected": connected,
            }
            if gone is not None:
                message["grace_ends"] = gone + self.settings.grace_seconds
            self.hub.to_player(partner, message)
        index = entry.actor.header.scenario.role_ids.index(role)
        if connected and entry.actor.state.seats[index] != "player" and not player.removed:
            await entry.actor.system(Seat(role, "player"))
        self.push(player.session)

    # ---- what clients see ------------------------------------------------------------

    def view(self, entry: GameEntry, role: str) -> dict[str, Any]:
        actor = entry.actor
        assert actor is not None
        return player_view(
            actor.header,
            actor.durable_state,
            actor.durable_events(),
            role,
            self.clock(),
            actor.durable_result,
        )

    def player_game(self, player: Player) -> tuple[GameEntry, str] | None:
        entry = self.games.get(player.game) if player.game else None
        if entry is None or entry.actor is None:
            return None
        return entry, _role_of(entry, player.id)

    def results(self, code: str) -> dict[str, Any]:
        session = self.session(code)
        return {
            "rounds": [
                {
                    "round": n,
                    "games": [
                        {
                            "game": g,
                            "players": self.games[g].players,
                            "result": self.games[g].result,
                        }
                        for g in ids
                    ],
                }
                for n, ids in enumerate(session.rounds, start=1)
            ]
        }

    def snapshot(self, code: str) -> dict[str, Any]:
        """The facilitator's picture of a session: players, games, progress."""
        session = self.session(code)
        now = self.clock()
        players = [
            {
                "id": p.id,
                "name": p.name,
                "game": p.game,
                "connected": self.hub.connected(p.id),
                "away_seconds": None if p.gone_since is None else round(now - p.gone_since, 1),
                "removed": p.removed,
            }
            for p in session.players.values()
        ]
        rounds = []
        for n, ids in enumerate(session.rounds, start=1):
            games = []
            for g in ids:
                entry = self.games[g]
                item: dict[str, Any] = {"game": g, "players": entry.players, "result": entry.result}
                if entry.actor is not None:
                    state = entry.actor.state
                    item["live"] = state.ending is None
                    item["seats"] = dict(zip(state.scenario.role_ids, state.seats, strict=True))
                    item["events"] = len(entry.actor.lines)
                    item["offers"] = state.offers
                    item["seconds_left"] = round(seconds_left(state, now), 1)
                    item["paused"] = state.paused
                    item["on_break"] = state.on_break
                games.append(item)
            rounds.append({"round": n, "games": games})
        found = {
            "type": "session",
            "code": session.code,
            "scenario": {"id": session.scenario.id, "title": session.scenario.title},
            "roles": list(session.scenario.role_ids),
            "paused": session.paused,
            "players": players,
            "rounds": rounds,
        }
        if session.schedule is not None:
            found["schedule"] = self.schedule_view(code)
        return found

    # ---- tournaments: schedule, standings, export -------------------------------------

    def schedule_view(self, code: str) -> dict[str, Any]:
        """Every scheduled round: scenario, time limit, start time, and how far it got."""
        session = self.session(code)
        schedule = session.schedule
        if schedule is None:
            raise Refused(404, "no_schedule", "this session is not a tournament")
        rounds = []
        for number, planned in enumerate(schedule.rounds, start=1):
            scenario = self.round_scenario(session, number)
            ids = session.rounds[number - 1] if number <= len(session.rounds) else None
            if ids is None:
                status = "planned"
            elif any(self.games[g].result is None for g in ids):
                status = "live"
            else:
                status = "done"
            rounds.append(
                {
                    "round": number,
                    "scenario": {"id": scenario.id, "title": scenario.title},
                    "roles": list(scenario.role_ids),
                    "time_limit": scenario.protocol.time_limit,
                    "starts_at": planned.starts_at,
                    "status": status,
                    "games": [] if ids is None else ids,
                    "byes": session.byes.get(number, []),
                }
            )
        return {"pairing": schedule.pairing, "odd": schedule.odd, "rounds": rounds}

    def _entrants(self, session: Session) -> list[Entrant]:
        return [Entrant(p.id, p.name, p.removed) for p in session.players.values()]

    def standings(self, code: str, public: bool = False) -> dict[str, Any]:
        session = self.session(code)
        return standings_json(self.played(session), session.byes, self._entrants(session), public)

    def export_csv(self, code: str) -> str:
        session = self.session(code)
        names = {p.id: p.name for p in session.players.values()}
        return csv_text(lines(self.played(session), session.byes), names)

    def history(self, player: Player) -> dict[str, Any]:
        session = self.sessions[player.session]
        return {
            "session": session.code,
            **history_json(self.played(session), session.byes, self._entrants(session), player.id),
        }

    def push(self, code: str) -> None:
        """Send facilitators a fresh snapshot soon; bursts of changes make one message."""
        if code in self._pushes or not self.hub.facilitators.get(code):
            return

        def send() -> None:
            self._pushes.pop(code, None)
            if code in self.sessions:
                # Encoded once for every facilitator socket of the session.
                snapshot = Prepared(self.snapshot(code))
                self._snapshot_bytes[code] = len(snapshot.encoded(False))
                self.hub.to_facilitators(code, snapshot)

        delay = snapshot_interval(self._snapshot_bytes.get(code, 0))
        self._pushes[code] = asyncio.get_running_loop().call_later(delay, send)

    async def add_note(self, game_id: str, raw: Any) -> dict[str, Any]:
        """A teacher's note about one event of a game, stored with its log."""
        lines = await self.game_log(game_id)
        if not isinstance(raw, dict):
            raise Refused(400, "bad_request", "a note is a JSON object")
        try:
            note = parse_note({"type": "note", **raw})
        except LogError as exc:
            raise Refused(400, "bad_request", str(exc)) from None
        events = len(read_log(lines).events)
        if note.about > events:
            raise Refused(
                400, "bad_request", f"the game has {events} events; no event {note.about}"
            )
        record = note.to_dict()
        await self.storage.add_note(game_id, dumps(record))
        return record

    async def game_log(self, game_id: str) -> list[str]:
        lines = await self.storage.game_lines(game_id)
        if lines is None:
            raise Refused(404, "no_such_game", f"no game {game_id!r}")
        return lines

    # ---- start-up and shutdown --------------------------------------------------------

    async def recover(self) -> int:
        """Rebuild sessions and resume live games; the clock skips the time we were down."""
        snapshot = await self.storage.load()
        practice = {row.code for row in snapshot.sessions if row.practice}
        for row in snapshot.sessions:
            session = Session(
                row.code,
                _scenario(row.scenario, row.time_limit),
                row.created_at,
                time_limit=row.time_limit,
            )
            if row.schedule is not None:
                session.schedule = schedule_from_dict(json.loads(row.schedule))
            self.sessions[row.code] = session
        for p in snapshot.players:
            player = Player(p.id, p.session, p.name, p.token, p.removed)
            self._add_player(self.sessions[p.session], player)
        now = self.clock()
        resumed = 0
        for game in snapshot.games:
            header = parse_header(json.loads(game.header))
            seats = {
                role: (None if "bot" in info else str(info["id"]))
                for role, info in header.players.items()
            }
            entry = GameEntry(game.id, game.round, seats, header.scenario, None)
            entry.practice = game.session in practice
            if game.result is not None:
                entry.result = json.loads(game.result)
                self._register(self.sessions[game.session], entry)
                continue
            entry.actor = self._rebuild(header, game)
            self._register(self.sessions[game.session], entry)
            await self._catch_up(entry.actor, snapshot.last_alive, now)
            entry.result = entry.actor.result
            if entry.actor.live:
                entry.actor.start()
                resumed += 1
        await self._rebuild_latest_ended()
        for started in snapshot.rounds:
            session = self.sessions[started.session]
            while len(session.rounds) < started.number:
                session.rounds.append([])
            if started.byes:
                session.byes[started.number] = list(started.byes)
        for session in self.sessions.values():
            if session.schedule is not None and session.rounds:
                session.scenario = self.round_scenario(session, len(session.rounds))
            # A start time that passed while the server was down starts its round now.
            self._arm_start(session)
        return resumed

    async def _rebuild_latest_ended(self) -> None:
        """Give each player's latest game a (stopped) actor again if it had ended.

        A player who reloads after a restart should see how their last game ended, as
        before the restart; older ended games stay results only.
        """
        for game_id in {p.game for p in self.players.values() if p.game is not None}:
            entry = self.games[game_id]
            if entry.actor is not None:
                continue
            lines = await self.storage.game_lines(game_id)
            if lines is None:
                continue
            log = read_log(lines)
            state = replay(log)
            entry.actor = self._actor(log.header, state, lines[1 : 1 + len(log.events)])

    def _rebuild(self, header: Header, game: GameRow) -> GameActor:
        try:
            events = tuple(event_from_dict(json.loads(line)) for line in game.events)
            state = replay(GameLog(header, events))
        except (LogError, ScenarioError, KeyError, TypeError, ValueError) as exc:
            raise RuntimeError(f"game {game.id} cannot be rebuilt from storage: {exc}") from exc
        return self._actor(header, state, list(game.events))

    async def _catch_up(self, actor: GameActor, last_alive: float | None, now: float) -> None:
        if not actor.live:
            # The end was logged but the crash came before its result was stored.
            assert actor.result is not None
            await self.storage.end_game(actor.game, dumps(actor.result))
            return
        down_from = max(last_alive or 0.0, actor.state.last_at)
        # Deadlines that fell before the crash are honoured at the moment they fell...
        actor.commit(*advance(actor.state, down_from))
        if actor.live and not actor.state.paused:
            # ...and the time the server was down is left off the clock.
            actor.commit(*apply(actor.state, Pause(), down_from))
            actor.commit(*apply(actor.state, Resume(), now))

    def forget(self, code: str) -> None:
        """Let an ended session go from memory (a practice game: practice_retention.py)."""
        session = self.sessions.pop(code, None)
        if session is None:
            return
        for player in session.players.values():
            self.players.pop(player.id, None)
            self.by_token.pop(player.token, None)
        for game_id in _ids(session):
            self.games.pop(game_id, None)
        for timers in (self._pushes, self._starts):
            handle = timers.pop(code, None)
            if handle is not None:
                handle.cancel()
        self._snapshot_bytes.pop(code, None)

    async def shutdown(self) -> None:
        for handle in (*self._pushes.values(), *self._starts.values()):
            handle.cancel()
        for task in list(self._starting):
            task.cancel()
        for entry in self.games.values():
            if entry.actor is not None:
                await entry.actor.stop()


def _scenario(scenario_id: str, time_limit: float | None) -> Scenario:
    """A built-in scenario, with its time limit replaced when one is given."""
    scenario = builtin(scenario_id)
    return scenario if time_limit is None else _with_time_limit(scenario, time_limit)


def _with_time_limit(scenario: Scenario, seconds: float) -> Scenario:
    limit: float | int = int(seconds) if float(seconds).is_integer() else seconds
    return dataclasses.replace(
        scenario, protocol=dataclasses.replace(scenario.protocol, time_limit=limit)
    )


def _role_of(entry: GameEntry, player_id: str) -> str:
    for role, pid in entry.players.items():
        if pid == player_id:
            return role
    raise KeyError(player_id)


def _other(entry: GameEntry, role: str) -> str:
    return next(r for r in entry.players if r != role)


def _ids(session: Session) -> set[str]:
    return {g for ids in session.rounds for g in ids}


def _session_of(entry: GameEntry) -> str:
    assert entry.actor is not None
    return str(entry.actor.header.extra["session"])


# Snapshots list every player and game of a session, and go out after every change.
# Four a second is right for a class; at 4,000 players one is about 900 KB, and four a
# second of those were 3.6 MB/s to the facilitator's browser and quadrupled the players'
# p99 latency (3.4 to 12.6 ms at 2,000 actions/s). So big sessions are sent less often,
# at no more than this many bytes a second per facilitator.
SNAPSHOTS_PER_SECOND = 4
SNAPSHOT_BYTES_PER_SECOND = 500_000


def snapshot_interval(size: int) -> float:
    """Seconds between two snapshots of ``size`` bytes (JSON) to a facilitator."""
    return max(1 / SNAPSHOTS_PER_SECOND, size / SNAPSHOT_BYTES_PER_SECOND)
