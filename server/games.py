"""Games come and go: a round's games made in one storage commit, actors revived after a
restart, and an ended game's actor released once its players have been told.

Between the two ends of a game its actor owns it (``actor.py``); this room only starts
and stops that ownership, and answers for a player's latest game, rebuilding an ended
one's view from storage on demand.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from typing import Any, NamedTuple

import orjson

from zopa.rules.actions import Seat
from zopa.rules.bots import BOT_DEFAULT
from zopa.rules.deal import deal
from zopa.rules.events import Event, event_from_dict
from zopa.rules.log import GameLog, Header, dumps, read_log, replay
from zopa.rules.negotiation import GameState, apply, start
from zopa.rules.reading import with_reading
from zopa.rules.scenario import Scenario
from zopa.server import restore
from zopa.server.actor import GameActor
from zopa.server.codes import new_id
from zopa.server.config import Settings
from zopa.server.deck import Deck
from zopa.server.errors import Conflict, Damaged
from zopa.server.records import GameEntry, Player, Session, with_walkout_window
from zopa.server.registry import Registry
from zopa.server.restore import READ_ERRORS
from zopa.server.storage import GameRow, RoundRow, Storage
from zopa.server.told import Audience
from zopa.server.views import missed_messages, player_view

log = logging.getLogger("zopa.games")


class Latest(NamedTuple):
    """A player's latest game as a welcome sends it."""

    entry: GameEntry
    view: dict[str, Any]
    missed: list[dict[str, Any]]  # the event messages after the hello's ``since``


Seating = dict[str, str | None]  # role -> player id, None for a bot's seat


class Games:
    def __init__(
        self,
        registry: Registry,
        storage: Storage,
        hub: Audience,
        settings: Settings,
        changed: Callable[[str], None],
        clock: Callable[[], float],
    ) -> None:
        self._registry = registry
        self._storage = storage
        self._hub = hub
        self._settings = settings
        self._changed = changed  # the session's picture changed: tell its facilitators
        self._clock = clock
        self._practice_live: set[str] = set()
        self._deck = Deck()

    def deal_ahead(self, session: Session) -> None:
        """Have the cards of the session's next round dealt ahead, if it is a large one."""
        if not session.variation or session.practice:
            return
        try:
            scenario = session.round_scenario(len(session.rounds) + 1)
        except Conflict:  # every scheduled round started
            self._deck.drop(session.code)
            return
        players = sum(1 for p in session.players.values() if not p.removed)
        self._deck.prepare(session.code, scenario, (players + 1) // 2)

    async def dealt_ahead(self, code: str) -> int:
        """How many games of the session's next round have their cards dealt ahead, once
        dealing ahead is done."""
        await self._deck.settled(code)
        return self._deck.count(code)

    def forget(self, code: str) -> None:
        """The session left memory: so do its cards dealt ahead."""
        self._deck.drop(code)

    async def create(
        self,
        session: Session,
        number: int,
        seatings: list[Seating],
        scenario: Scenario,
        *,
        started: RoundRow | None = None,
        bot: str = BOT_DEFAULT,
        practice: bool = False,
    ) -> list[GameEntry]:
        """Start one game per seating; the round's row and all games in one commit."""
        now = self._clock()
        scenario = with_reading(scenario, session.reading)
        scenario = with_walkout_window(scenario, session.walkout_window)
        encoded = dumps(scenario.to_dict())
        ahead: list[tuple[int, Scenario] | None] = []
        if not practice:
            ahead.extend(self._deck.take(session.code, scenario, len(seatings)))
        ahead += [None] * (len(seatings) - len(ahead))
        made = [
            self._new(session, number, seats, scenario, encoded, bot, now, dealt)
            for seats, dealt in zip(seatings, ahead, strict=True)
        ]
        await self._storage.add_games([row for row, *_ in made], started)
        if started is not None:
            session.open_round(number, scenario, list(started.byes))
        entries = []
        for (row, header, state, lines), seats in zip(made, seatings, strict=True):
            seated = tuple(seats[r] for r in scenario.role_ids)
            # The round's scenario and the deal's seed: the game's cards, dealt again when
            # scored, without a whole scenario kept per game.
            entry = GameEntry(row.id, number, seated, scenario, header.deal, practice=practice)
            actor = self._actor(header, state, lines)
            entry.playing(actor)
            self._registry.add_game(session, entry)
            if practice:
                self._practice_live.add(entry.id)
            actor.start()
            for role, player_id in zip(scenario.role_ids, seated, strict=True):
                if player_id is not None:
                    self._hub.to_player(player_id, {"type": "game", **actor.view(role)})
            log.debug(
                "round %d game started", number, extra={"session": session.code, "game": entry.id}
            )
            entries.append(entry)
        return entries

    def _new(
        self,
        session: Session,
        number: int,
        seats: Seating,
        scenario: Scenario,
        encoded: str,
        bot: str,
        now: float,
        dealt: tuple[int, Scenario] | None = None,
    ) -> tuple[GameRow, Header, GameState, list[str]]:
        players: dict[str, dict[str, Any]] = {}
        for role in scenario.role_ids:
            player_id = seats[role]
            if player_id is None:
                players[role] = {"id": "bot", "name": f"Bot ({bot})", "bot": bot}
            else:
                player = self._registry.player(player_id)
                assert player is not None
                players[role] = {"id": player_id, "name": player.name}
        # The game's own cards, drawn independently of every other game's: nothing seen
        # outside this game (practice, earlier rounds) tells anything about them. Dealt
        # ahead for a large session (deck.py), else now.
        dealt_from: int | None
        if dealt is not None and session.variation:
            dealt_from, scenario = dealt
        else:
            dealt_from = secrets.randbits(32) if session.variation else None
            scenario = deal(scenario, dealt_from)
        header = Header(
            game=new_id("g"),
            scenario=scenario,
            players=players,
            seed=secrets.randbits(32),
            started_at=now,
            extra={
                "session": session.code,
                "round": number,
                **({"estimates": True} if session.estimates else {}),
            },
            deal=dealt_from,
        )
        state = start(scenario, header.seed, now)
        events: list[Event] = []
        for role in scenario.role_ids:
            if seats[role] is None:
                state, seated = apply(state, Seat(role, f"bot:{bot}"), now)
                events.extend(seated)
        lines = [orjson.dumps(e.to_dict()).decode() for e in events]
        # A dealt game's scenario holds its own cards: encoded for it alone.
        line = dumps(header.to_dict()) if dealt_from is not None else header_line(header, encoded)
        row = GameRow(header.game, session.code, number, line, tuple(lines))
        return row, header, state, lines

    def practice_live(self) -> int:
        return len(self._practice_live)

    def revive(self, header: Header, game: GameRow) -> GameActor:
        """A live game's actor again, from its stored log (``recovery.py``)."""
        try:
            events = tuple(event_from_dict(json.loads(line)) for line in game.events)
            state = replay(GameLog(header, events))
        except READ_ERRORS as exc:
            raise Damaged(f"its stored events do not replay: {exc}") from exc
        entry = self._registry.game(game.id)
        assert entry is not None
        actor = self._actor(header, state, list(game.events))
        entry.playing(actor)
        if entry.practice:
            self._practice_live.add(entry.id)
        return actor

    def _actor(self, header: Header, state: GameState, lines: list[str]) -> GameActor:
        return GameActor(
            header,
            state,
            lines,
            self._storage,
            self._hub,
            self._on_change,
            bot_tick=self._settings.bot_tick,
            clock=self._clock,
        )

    def _on_change(self, actor: GameActor) -> None:
        if not actor.live:
            entry = self._registry.game(actor.game)
            if entry is not None and entry.actor is actor:
                # Everyone was told the game is over: its state and log lines go; the
                # result stays, and its view is rebuilt from storage if a player asks.
                entry.released(actor.result_json)
                self._practice_live.discard(entry.id)
        self._changed(str(actor.header.extra["session"]))

    async def latest_view(self, player: Player, since: int | None = None) -> Latest | None:
        """The player's latest game, their view of it (an ended one read from storage),
        and with ``since`` the event messages after it.

        Returns with no await between reading the game and building its view of a live
        game, so the caller can send it and subscribe to what follows in the same turn.
        """
        while True:
            found = self._registry.latest_game(player)
            if found is None:
                return None
            entry, role = found
            if entry.actor is not None:
                missed = [] if since is None else entry.actor.missed(role, since)
                return Latest(entry, entry.actor.view(role), missed)
            if entry.quarantined is not None:
                return None  # set aside: the player waits for the next round
            try:
                latest = await self._ended_view(entry, role, since)
            except Damaged as exc:
                session = self._registry.loaded(player.session)
                if session is not None:
                    restore.quarantine(entry, session, exc.message)
                    self._changed(session.code)
                continue
            again = self._registry.latest_game(player)
            if again is not None and again[0] is entry:
                return latest

    async def _ended_view(self, entry: GameEntry, role: str, since: int | None) -> Latest:
        lines = await self._storage.game_lines(entry.id)
        if lines is None:
            raise Damaged(f"game {entry.id} is not in storage")
        try:
            game = read_log(lines)
            events = list(game.events)
            view = player_view(game.header, replay(game), events, role, self._clock(), entry.result)
        except READ_ERRORS as exc:
            raise Damaged(f"its stored log does not replay: {exc}") from exc
        view["presence"] = None
        missed = [] if since is None else missed_messages(game.header, events, role, True, since)
        return Latest(entry, view, missed)

    async def shutdown(self) -> None:
        await self._deck.shutdown()
        for entry in self._registry.live():
            if entry.actor is not None:
                await entry.actor.stop()


def header_line(header: Header, scenario: str) -> str:
    """``dumps(header.to_dict())``, the scenario's part given already encoded.

    A round's games share their scenario, most of a header's bytes: encoded once per
    round, not once per game (docs/performance.md). The header's keys start with
    ``format`` and ``game``, neither of which a person chose, so the first
    ``"scenario":0,`` is the scenario's place.
    """
    fields = header.to_dict()
    fields["scenario"] = 0
    return dumps(fields).replace('"scenario":0,', f'"scenario":{scenario},', 1)
