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

from game_rules.actions import Abort, Action, Extend, Pause, Resume, Seat
from game_rules.bots import BOT_DEFAULT, STRATEGIES
from game_rules.errors import LogError, ScenarioError
from game_rules.events import event_from_dict
from game_rules.library import builtin
from game_rules.log import GameLog, Header, dumps, parse_header, replay
from game_rules.negotiation import GameState, advance, apply, seconds_left, start
from game_rules.notes import parse_note
from game_rules.scenario import Scenario
from server.actor import GameActor
from server.codes import join_code, new_id, normalize_code, token
from server.config import Settings
from server.errors import Refused
from server.hub import Hub
from server.pairing import History, pair_players
from server.storage import GameRow, PlayerRow, SessionRow, Storage
from server.views import player_view
from server.wire import Prepared

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

    # ---- sessions and players -------------------------------------------------------

    def session(self, code: str) -> Session:
        found = self.sessions.get(normalize_code(code))
        if found is None:
            raise Refused(404, "no_such_session", f"no session with the code {code!r}")
        return found

    async def create_session(self, scenario_id: Any, time_limit: Any = None) -> Session:
        if not isinstance(scenario_id, str):
            raise Refused(400, "bad_request", "'scenario' must be a built-in scenario id")
        try:
            scenario = builtin(scenario_id)
        except KeyError as exc:
            raise Refused(404, "no_such_scenario", str(exc.args[0])) from None
        if time_limit is not None:
            if isinstance(time_limit, bool) or not isinstance(time_limit, int | float):
                raise Refused(400, "bad_request", "'time_limit' must be a number of seconds")
            if not 1 <= time_limit <= 86400:
                raise Refused(400, "bad_request", "'time_limit' must be 1 to 86400 seconds")
            scenario = _with_time_limit(scenario, float(time_limit))
        code = join_code()
        while code in self.sessions:
            code = join_code()
        created = self.clock()
        limit = None if time_limit is None else float(time_limit)
        await self.storage.add_session(SessionRow(code, scenario_id, limit, created))
        session = Session(code, scenario, created)
        self.sessions[code] = session
        log.info("session opened on %s", scenario_id, extra={"session": code})
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

    async def start_round(self, code: str) -> tuple[int, list[GameEntry]]:
        session = self.session(code)
        free = self._free_players(session)
        if not free:
            raise Refused(409, "no_players", "no joined player is free to play")
        history = {
            p: History(dict(self.players[p].roles), frozenset(self.players[p].partners))
            for p in free
        }
        number = len(session.rounds) + 1
        pairs = pair_players(free, history, session.scenario.role_ids, secrets.randbits(32))
        session.rounds.append([])
        entries = []
        for pair in pairs:
            entries.append(await self._new_game(session, number, dict(pair.seats)))
        self.push(session.code)
        return number, entries

    async def _new_game(
        self, session: Session, number: int, seats: dict[str, str | None], bot: str = BOT_DEFAULT
    ) -> GameEntry:
        now = self.clock()
        scenario = session.scenario
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
        entry = GameEntry(header.game, number, dict(seats), None)
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
        session = await self.create_session(scenario_id)
        roles = session.scenario.role_ids
        if role is None:
            role = roles[secrets.randbelow(2)]
        if role not in roles:
            raise Refused(400, "bad_request", f"'role' must be one of {', '.join(roles)}")
        player = await self.join(session.code, name)
        other = roles[1] if role == roles[0] else roles[0]
        session.rounds.append([])
        entry = await self._new_game(session, 1, {role: player.id, other: None}, bot=strategy)
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

    async def _ended(self, actor: GameActor) -> None:
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
            actor.header, actor.state, actor.events(), role, self.clock(), actor.result
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
        return {
            "type": "session",
            "code": session.code,
            "scenario": {"id": session.scenario.id, "title": session.scenario.title},
            "roles": list(session.scenario.role_ids),
            "paused": session.paused,
            "players": players,
            "rounds": rounds,
        }

    def push(self, code: str, delay: float = 0.25) -> None:
        """Send facilitators a fresh snapshot soon; bursts of changes make one message."""
        if code in self._pushes or not self.hub.facilitators.get(code):
            return

        def send() -> None:
            self._pushes.pop(code, None)
            if code in self.sessions:
                self.hub.to_facilitators(code, self.snapshot(code))

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
        events = sum(1 for line in lines[1:] if "seq" in orjson.loads(line))
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
        for row in snapshot.sessions:
            scenario = builtin(row.scenario)
            if row.time_limit is not None:
                scenario = _with_time_limit(scenario, row.time_limit)
            self.sessions[row.code] = Session(row.code, scenario, row.created_at)
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
            entry = GameEntry(game.id, game.round, seats, None)
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
        return resumed

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
        await actor.commit(*advance(actor.state, down_from))
        if actor.live and not actor.state.paused:
            # ...and the time the server was down is left off the clock.
            await actor.commit(*apply(actor.state, Pause(), down_from))
            await actor.commit(*apply(actor.state, Resume(), now))

    async def shutdown(self) -> None:
        for handle in self._pushes.values():
            handle.cancel()
        for entry in self.games.values():
            if entry.actor is not None:
                await entry.actor.stop()


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
