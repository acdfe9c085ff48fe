"""The page knows only what the server tells it: after every event of bot games of every
built-in scenario, the state game_state.js holds in Chromium equals the status the
Python rules compute from the game's log.

The games come from two places. Live: bots in both seats of a real server (players
over the websocket, as ``zopa bots join`` runs them), one session per scenario, with
a bot that asks for a break and for more time, and the facilitator pausing, extending
and resuming; a second socket of each player (a second tab) keeps every message. And
simulated: ``play_match`` games, where breaks may run out and extensions be granted
without waiting for them, sent as the server sends missed events to a player who comes
back. Both are fed to game_state.js as player.js feeds it.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

import orjson
from playwright.sync_api import Page

from tests.live import Client, Server, open_session
from tests.web import Pages, run_async
from zopa.rules.actions import Action, Request
from zopa.rules.bots import Bot, make_bot
from zopa.rules.bots.match import play_match
from zopa.rules.bots.negotiator import Negotiator, Plan, Wait, tuned
from zopa.rules.bots.seen import Seen
from zopa.rules.library import builtin_scenarios
from zopa.rules.log import GameLog, Header, read_log, replay_steps
from zopa.rules.negotiation import GameState, start, terms_dict
from zopa.rules.status import status
from zopa.server.bot_client import BotPlayer
from zopa.server.views import missed_messages, player_view, status_change

# Short live games: bots concede by the share of the time gone, so they finish in time.
LIVE_SECONDS = 6
T0 = 1_700_000_000.0


@dataclass(frozen=True)
class Detours:
    """A built-in strategy that also takes the rules' detours: asks once each for the
    breaks and extensions in ``ask``, grants those in ``grant`` when the other side asks
    (declines the rest), and ends a break it asked for at once or lets it run out."""

    inner: Negotiator
    ask: tuple[str, ...] = ()
    grant: tuple[str, ...] = ()
    end_break: bool = True
    name: str = "detours"

    def plan(self, seen: Seen) -> Plan:
        detour = self.detour(seen)
        return detour if detour is not None else self.inner.plan(seen)

    def decide(self, seen: Seen) -> Action | None:
        move = self.plan(seen)
        return None if isinstance(move, Wait) else move

    def detour(self, seen: Seen) -> Action | None:
        role = seen.role
        if seen.over or seen.paused:
            return None
        if seen.on_break:
            asked = [e.by for e in seen.events if e.type == "break_request"]
            return Request(role, "break_end") if self.end_break and asked[-1] == role else None
        for what, pending in (("break", seen.pending_break), ("extension", seen.pending_extension)):
            if pending == seen.other:
                return Request(role, f"{what}_{'accept' if what in self.grant else 'decline'}")
        if len(seen.events) < 2 or seen.pending_break or seen.pending_extension:
            return None
        mine = {e.type for e in seen.events if e.by == role}
        for what, allowed in (
            ("break", seen.protocol.breaks),
            ("extension", seen.protocol.extensions),
        ):
            if what in self.ask and allowed and f"{what}_request" not in mine:
                return Request(role, f"{what}_request")
        return None


def negotiator(name: str) -> Negotiator:
    bot = tuned(make_bot(name), think=0.2)
    assert isinstance(bot, Negotiator)
    return bot


@dataclass
class Told:
    """What one player's page was told of one game: the view, then the event messages."""

    role: str
    view: dict[str, Any]
    messages: list[dict[str, Any]]


@dataclass
class Game:
    log: GameLog
    told: list[Told]


# -- live games ----------------------------------------------------------------------


async def heard(tab: Client, wanted: Any, timeout: float = 30) -> dict[str, Any]:
    for message in tab.received:
        if wanted(message):
            return message
    return await tab.until(wanted, timeout)


def event_or_end(kind: str) -> Any:
    return lambda m: m["type"] == "ended" or (m["type"] == "event" and m["event"]["type"] == kind)


async def live_game(server: Server, scenario: str, asker: str, granter: str) -> Game:
    code = await open_session(server, scenario, time_limit=LIVE_SECONDS)
    bots = [
        Detours(negotiator(asker), ask=("break", "extension")),
        # More time would make a live game long: only breaks are granted here.
        Detours(negotiator(granter), grant=("break",)),
    ]
    players = [
        BotPlayer(server.url, code, f"{bot.inner.name} {n}", bot, rounds=1, report=lambda _: None)
        for n, bot in enumerate(bots)
    ]
    tabs = []
    for n, player in enumerate(players):
        await player.join()
        tab = await Client.open(server, binary=n == 1)  # one JSON, one MessagePack
        await tab.send({"type": "hello", "token": player.token})
        await tab.type("welcome")
        tabs.append(tab)
    playing = [asyncio.create_task(player.play()) for player in players]
    try:
        started = await server.acall("POST", f"/api/sessions/{code}/rounds")
        game = started["games"][0]["game"]
        # The facilitator steps in once the game is under way.
        watch = tabs[0]
        await heard(watch, lambda m: m["type"] == "ended" or m.get("seq", 0) >= 3)
        for call, body, kind in (
            ("pause", None, "pause"),
            ("extend", {"seconds": 2}, "extend"),
            ("resume", None, "resume"),
        ):
            await server.acall("POST", f"/api/sessions/{code}/{call}", body)
            await heard(watch, event_or_end(kind))
        for tab in tabs:
            await heard(tab, lambda m: m["type"] == "ended", 60)
        await asyncio.wait_for(asyncio.gather(*playing), 30)
    finally:
        for task in playing:
            task.cancel()
        for task in playing:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for tab in tabs:
            await tab.close()
    status_code, text = await asyncio.to_thread(server.call, "GET", f"/api/games/{game}/log")
    assert status_code == 200 and isinstance(text, str)
    told = []
    for tab in tabs:
        view = next(m for m in tab.received if m["type"] == "game")
        events = [m for m in tab.received if m["type"] == "event"]
        told.append(Told(view["role"], view, events))
    return Game(read_log(text.splitlines()), told)


async def live_games(server: Server) -> list[Game]:
    names = ["conceder", "linear", "boulware", "tit-for-tat", "problem-solver", "hardliner"]
    return await asyncio.gather(
        *(
            live_game(server, scenario.id, names[n % 6], names[(n + 1) % 6])
            for n, scenario in enumerate(builtin_scenarios())
        )
    )


# -- simulated games -----------------------------------------------------------------


def simulated_games() -> list[Game]:
    games = []
    for n, scenario in enumerate(builtin_scenarios()):
        first, second = scenario.role_ids
        for seed, (asker, granter, end_break) in enumerate(
            [("conceder", "boulware", False), ("linear", "hardliner", True)]
        ):
            bots: dict[str, Bot] = {
                first: Detours(negotiator(asker), ask=("break", "extension"), end_break=end_break),
                second: Detours(negotiator(granter), grant=("break", "extension")),
            }
            match = play_match(scenario, bots, seed + 10 * n, started_at=T0)
            assert match.refused == 0
            header = Header(
                f"{scenario.id}-{seed}",
                scenario,
                {r: {"id": r} for r in (first, second)},
                seed + 10 * n,
                T0,
            )
            events = list(match.events)
            told = []
            for role in (first, second):
                view = player_view(header, start(scenario, header.seed, T0), [], role, T0, None)
                # As the server sends a returning player the events it missed.
                messages = missed_messages(header, events, role, False, 0)
                told.append(Told(role, wire(view), [wire(m) for m in messages]))
            games.append(Game(GameLog(header, tuple(events)), told))
    return games


def wire(message: dict[str, Any]) -> dict[str, Any]:
    decoded: dict[str, Any] = orjson.loads(orjson.dumps(message))
    return decoded


# -- the page ------------------------------------------------------------------------

# Feeds each player's messages to game_state.js as player.js does, one second apart on
# the page's clock, and reads what the page would show after each one: its status, the
# clocks then and a second later, the standing offer.
FOLD = """async (tolds) => {
  const gs = await import("/js/game_state.js");
  return tolds.map(({ view, messages }) => {
    const game = gs.fromView(view, 0);
    const first = { status: game.status, seconds_left: gs.secondsLeft(game, 0) };
    const after = messages.map((m, i) => {
      const at = 1000 * (i + 1);
      gs.applyEvent(game, { seq: m.seq, ...m.event }, m.status, at);
      const standing = gs.standingOffer(game);
      const theirs = gs.theirStanding(game);
      return {
        seq: game.lastSeq,
        status: game.status,
        seconds_left: [gs.secondsLeft(game, at), gs.secondsLeft(game, at + 1000)],
        break_left: [gs.breakSecondsLeft(game, at), gs.breakSecondsLeft(game, at + 1000)],
        running: gs.clockRunning(game),
        standing: standing && { seq: standing.seq, by: standing.by, terms: standing.terms },
        theirs: theirs && theirs.seq,
        my_turn: gs.myTurn(game),
        at_table: gs.atTable(game),
      };
    });
    return { first, after };
  });
}"""


def folded(page: Page, games: list[Game]) -> list[Any]:
    tolds = [{"view": t.view, "messages": t.messages} for g in games for t in g.told]
    found: list[Any] = page.evaluate(FOLD, tolds)
    return found


def check(game: Game, page_states: list[Any], live: bool) -> int:
    """Every event, both players: the page's state against the rules' status; the count."""
    header = game.log.header
    begun = status(start(header.scenario, header.seed, header.started_at), header.started_at)
    # Each event with the state after its step, and the status before that step.
    steps: list[tuple[GameState, float, dict[str, Any]]] = []
    before = begun
    for state, produced in replay_steps(game.log):
        steps += [(state, produced[-1].at, before)] * len(produced)
        before = status(state, produced[-1].at)
    checked = 0
    for told, page in zip(game.told, page_states, strict=True):
        role = told.role
        assert [m["seq"] for m in told.messages] == list(range(1, len(steps) + 1))
        # The view: the game as it started (the clock read when the view was made).
        shown = page["first"]["status"]
        assert shown == told.view["status"]
        unread = {"seconds_left": None, "deadline": None}
        assert {**shown, **unread} == {**begun, **unread}
        assert page["first"]["seconds_left"] == shown["seconds_left"]
        held = dict(shown)
        for message, got, (state, at, before) in zip(
            told.messages, page["after"], steps, strict=True
        ):
            seq = message["seq"]
            expected = status(state, at)
            # The messages alone give the status after every event ...
            held = {**held, **message["status"]}
            assert held == expected, (header.game, role, seq)
            if live:
                # ... each sent by the server as what its step changed, and no more.
                assert message["status"] == status_change(before, expected), (role, seq)
            assert got["seq"] == seq
            assert got["status"] == expected, (game.log.header.game, role, seq)
            ahead = status(state, at + 1.0)
            assert got["seconds_left"][0] == expected["seconds_left"]
            assert abs(got["seconds_left"][1] - ahead["seconds_left"]) < 2e-3, (role, seq)
            assert got["break_left"][0] == (expected["break_left"] or 0)
            assert abs(got["break_left"][1] - (ahead["break_left"] or 0)) < 2e-3, (role, seq)
            assert got["running"] == (expected["clock"] == "negotiation")
            standing = None if state.ending is not None else state.standing
            if standing is None:
                assert got["standing"] is None and got["theirs"] is None
            else:
                assert got["standing"] == {
                    "seq": standing.seq,
                    "by": standing.by,
                    "terms": terms_dict(state.scenario, standing.terms),
                }
                assert got["theirs"] == (standing.seq if standing.by != role else None)
            over, turn = state.ending is not None, state.turn
            assert got["my_turn"] == (not over and turn in (None, role))
            assert got["at_table"] == (not over and not state.paused and not state.on_break)
            checked += 1
    return checked


def test_the_page_state_is_the_server_status_after_every_event(
    pages: Pages, web_server: Server
) -> None:
    live = run_async(live_games(web_server))
    simulated = simulated_games()
    page = pages.person("status")
    page.goto(f"{web_server.url}/replay.html")
    kinds: set[str] = set()
    checked = 0
    states = folded(page, live + simulated)
    for n, game in enumerate(live + simulated):
        count = len(game.told)
        mine, states = states[:count], states[count:]
        checked += check(game, mine, live=n < len(live))
        kinds |= {e.type for e in game.log.events}
    assert checked > 0
    # The detours were taken: breaks begun, ended and run out, time asked for, granted
    # and refused, the facilitator's pause and extension, claims, ends.
    wanted = {
        "break_request",
        "break_accept",
        "break_end",
        "timeout",
        "extension_request",
        "extension_accept",
        "extension_decline",
        "pause",
        "resume",
        "extend",
        "claim",
        "end",
    }
    assert wanted <= kinds, wanted - kinds
