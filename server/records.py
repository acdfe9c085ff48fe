"""What the server remembers of sessions, players and games, as plain records.

The registry (``registry.py``) keeps them and is the only one to add or drop them; each
field that changes afterwards has one room that changes it, through the record's own
methods. A game's state is not here: its actor owns it while the game is live, and once
it has ended the record keeps only what views and tables need (its result packed,
``packed.py``, decoded when asked for), so an ended game costs a few hundred bytes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from zopa.rules.deal import deal, unpack_cards, with_cards
from zopa.rules.scenario import Scenario
from zopa.server import packed
from zopa.server.errors import Conflict
from zopa.server.tournament.schedule import Schedule
from zopa.server.tournament.standings import Played

if TYPE_CHECKING:
    from zopa.server.actor import GameActor


@dataclass(slots=True)
class Player:
    id: str
    session: str
    name: str
    token: str
    removed: bool = False
    game: str | None = None  # the latest game, live or ended
    gone_since: float | None = None  # None while connected or never connected

    def seen(self, connected: bool, now: float) -> None:
        """The player's first socket opened, or their last one closed (``presence.py``)."""
        self.gone_since = None if connected else now

    def remove(self) -> None:
        self.removed = True

    def playing(self, game_id: str) -> None:
        """``game_id`` is the player's latest game (``registry.add_game``)."""
        self.game = game_id


@dataclass(slots=True)
class GameEntry:
    """A game as its session sees it: the actor while live, the result once ended."""

    id: str
    round: int
    seats: tuple[str | None, ...]  # player ids in the scenario's role order, None for a bot
    # The scenario the game's cards were dealt from, shared by every game of its round, and
    # what tells this game's cards from it: the deal's seed when ``base`` is the very
    # scenario dealt from (games made by this process), else the cards as read from the
    # log header (``deal.pack_cards``), else None (the base's own cards). A whole dealt
    # scenario with formatted briefs per game cost several KB; these cost tens of bytes.
    base: Scenario
    cards: int | bytes | None = None
    # The result once ended, packed (``packed.pack``): a quarter of its stored JSON.
    packed_result: bytes | None = None
    actor: GameActor | None = None
    practice: bool = False  # a solo game against a bot, started by the player
    # Why its stored rows cannot be rebuilt, for a game set aside at loading (its rows
    # stay in storage as they are); None for every sound game.
    quarantined: str | None = None

    @property
    def scenario(self) -> Scenario:
        """The scenario with this game's own cards, for scoring and analysis (the briefs as
        the game's players read them are in its log header)."""
        cards = self.cards
        if cards is None or isinstance(cards, int):
            return deal(self.base, cards)
        return with_cards(self.base, unpack_cards(cards))

    @property
    def players(self) -> dict[str, str | None]:
        """Role -> player id, ``None`` for a bot."""
        return dict(zip(self.base.role_ids, self.seats, strict=True))

    @property
    def result(self) -> dict[str, Any] | None:
        return None if self.packed_result is None else packed.unpack(self.packed_result)

    @property
    def live(self) -> bool:
        """Still being played, as far as anyone has been told: the actor is kept until then."""
        return self.actor is not None

    def role_of(self, player_id: str) -> str:
        return self.base.role_ids[self.seats.index(player_id)]

    def partner_of(self, role: str) -> tuple[str, str | None]:
        """The other role and who holds it (``None`` for a bot)."""
        index = 1 - self.base.role_ids.index(role)
        return self.base.role_ids[index], self.seats[index]

    def playing(self, actor: GameActor) -> None:
        """The game is live, owned by ``actor`` (``games.py``)."""
        self.actor = actor

    def quarantine(self, reason: str) -> None:
        """Its rows cannot be rebuilt: no actor, no result, the reason for the facilitator."""
        self.actor = None
        self.packed_result = None
        self.quarantined = reason

    def released(self, result_json: str | None) -> None:
        """The game has ended and everyone was told: drop its actor, keep its result (as
        stored: the JSON, decoded)."""
        self.actor = None
        self.packed_result = None if result_json is None else pack_json(result_json)

    def played(self) -> Played:
        return Played(self.round, self.id, self.scenario, self.players, self.result)


@dataclass(slots=True)
class Session:
    code: str
    scenario: Scenario  # the latest round's (the first round's before any)
    created_at: float
    # The server's scenario library: a scenario id and time limit -> the scenario.
    scenarios: Callable[[str, float | None], Scenario] = field(repr=False, compare=False)
    time_limit: float | None = None  # overrides every round's scenario, unless the round's own
    schedule: Schedule | None = None  # a tournament's plan
    paused: bool = False
    players: dict[str, Player] = field(default_factory=dict)
    rounds: list[list[str]] = field(default_factory=list)  # game ids per round
    byes: dict[int, list[str]] = field(default_factory=dict)  # round -> players with a bye
    # Each game deals its own cards from the scenario's variation; off: the same for all.
    variation: bool = True
    # Players may write down a sealed estimate of the other side (an ``estimate`` event).
    estimates: bool = False
    # Seconds of reading time before each game's clock, overriding the scenario's
    # (zopa.rules.reading); 0 switches it off, None keeps the scenario's.
    reading: float | None = None
    # Seconds in which a walkout may be taken back (protocol.walkout_window); 0: none.
    walkout_window: float = 0
    # A solo practice game's session: forgotten, then deleted, once ended
    # (practice_retention.py).
    practice: bool = False

    def round_scenario(self, number: int) -> Scenario:
        """Round ``number``'s scenario with its time limit: the schedule's, else the session's."""
        schedule = self.schedule
        if schedule is None:
            return self.scenario
        if number > len(schedule.rounds):
            raise Conflict(
                f"all {len(schedule.rounds)} scheduled rounds started", "schedule_complete"
            )
        planned = schedule.rounds[number - 1]
        limit = planned.time_limit if planned.time_limit is not None else self.time_limit
        return self.scenarios(planned.scenario, limit)

    def add_player(self, player: Player) -> None:
        self.players[player.id] = player

    def add_game(self, number: int, game_id: str) -> None:
        while len(self.rounds) < number:
            self.rounds.append([])
        self.rounds[number - 1].append(game_id)

    def open_round(self, number: int, scenario: Scenario, byes: list[str]) -> None:
        while len(self.rounds) < number:
            self.rounds.append([])
        # The dashboard and debrief read the session's scenario: the round now being played.
        self.scenario = scenario
        if byes:
            self.byes[number] = byes

    def resumed(self) -> None:
        """Back from storage: the scenario is the latest round's, as when it started."""
        if self.schedule is not None and self.rounds:
            self.scenario = self.round_scenario(len(self.rounds))

    def set_paused(self, paused: bool) -> None:
        self.paused = paused


def pack_json(result_json: str) -> bytes:
    """A result as stored (JSON) packed for a record; ``ValueError`` unless an object."""
    found = orjson.loads(result_json)
    if not isinstance(found, dict):
        raise ValueError("the result is not a JSON object")
    return packed.pack(found)


# A session's options when none were stored (``SessionRow.options``).
DEFAULT_OPTIONS = {"variation": True, "estimates": False, "walkout_window": 0}


def with_walkout_window(scenario: Scenario, seconds: float) -> Scenario:
    """``scenario`` with the session's walkout window, when it sets one."""
    if not seconds or seconds == scenario.protocol.walkout_window:
        return scenario
    window: float | int = int(seconds) if float(seconds).is_integer() else seconds
    return dataclasses.replace(
        scenario, protocol=dataclasses.replace(scenario.protocol, walkout_window=window)
    )


def with_time_limit(scenario: Scenario, time_limit: float | None) -> Scenario:
    """``scenario`` with its time limit replaced when one is given."""
    if time_limit is None:
        return scenario
    limit: float | int = int(time_limit) if float(time_limit).is_integer() else time_limit
    return dataclasses.replace(
        scenario, protocol=dataclasses.replace(scenario.protocol, time_limit=limit)
    )
