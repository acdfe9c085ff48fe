"""A tournament of anyone's agents: every pair, both roles, every scenario, on J processes.

The games are planned before any is played (``schedule``): for each scenario, each
ordered pair of agents (the first role's, the second role's; an agent against itself
only with ``self_play``) and each repetition. A game's seed depends only on the series
seed, the scenario's id and the repetition, so every pairing meets the same dealt
cards and first mover in repetition r, the two role assignments of a pair mirror each
other, and a game plays the same whichever process, slice or order plays it: a slice
(``--shard K/M``: games K, K+M, K+2M, ... counting from 1) run anywhere and merged
gives what the whole tournament gives on one machine.

Each game is played in process (``play_match``) with a fresh agent from each side's
reference; an agent that is not built in is ``guarded``: its bad moves are refused and
counted, and an exception or a call over the move limit forfeits its game (it scores
the lower of its BATNA and its worst terms; the other side its BATNA). Rows are one per
game side (``agent_results``).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
import traceback
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, NamedTuple

from zopa.rules.annotate import annotate
from zopa.rules.bots.match import play_match
from zopa.rules.bots.negotiator import tuned
from zopa.rules.bots.strategy import Bot
from zopa.rules.bots.tournament import cards_seed
from zopa.rules.bots.variety import game_seed
from zopa.rules.deal import deal
from zopa.rules.events import Event
from zopa.rules.library import resolve
from zopa.rules.log import GameLog, Header, write_log
from zopa.rules.negotiation import terms_dict
from zopa.rules.scenario import Points, Scenario
from zopa.rules.scoring import gain, tally
from zopa.server.agent_guard import MOVE_LIMIT, Forfeit, Guarded, arm, guarded, watchdog
from zopa.server.agent_loader import AgentError, Entrant, load_agent
from zopa.server.agent_results import Row


@dataclass(frozen=True, slots=True)
class Settings:
    """What a tournament is: equal settings play equal games."""

    agents: tuple[str, ...]  # references, as given
    scenarios: tuple[str, ...]  # built-in ids or scenario files
    repeat: int = 10
    seed: int = 1
    self_play: bool = False
    same_cards: bool = False
    talk: bool = False  # built-in strategies say their lines
    move_limit: float = MOVE_LIMIT

    def to_json(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


class Game(NamedTuple):
    """One planned game. A NamedTuple: every game is sent to a worker process, and a
    tuple pickles at a fraction of a dataclass's cost."""

    number: int  # from 0, in schedule order
    scenario: int
    first: int  # the agent in the first role
    second: int
    repetition: int


def schedule(settings: Settings, scenarios: int | None = None) -> list[Game]:
    """Every game of the tournament, in order."""
    games: list[Game] = []
    agents = range(len(settings.agents))
    for s in range(len(settings.scenarios) if scenarios is None else scenarios):
        for a in agents:
            for b in agents:
                if a == b and not settings.self_play:
                    continue
                for r in range(settings.repeat):
                    games.append(Game(len(games), s, a, b, r))
    return games


def shard(games: Sequence[Game], k: int, m: int) -> list[Game]:
    """Slice ``k`` of ``m`` (from 1): every m-th game, so each slice has some of each pairing."""
    return list(games[k - 1 :: m])


def seed_of(settings: Settings, scenario: Scenario, repetition: int) -> int:
    """A game's seed: from the series seed, the scenario's id and the repetition only."""
    return game_seed(game_seed(settings.seed, zlib.crc32(scenario.id.encode())), repetition)


class Table:
    """What plays the games of one tournament in one process: its agents and scenarios."""

    def __init__(self, settings: Settings, logs: Path | None = None) -> None:
        self.settings = settings
        self.entrants = load_entrants(settings.agents)
        self.scenarios = [resolve(s) for s in settings.scenarios]
        self.logs = logs
        self._cards: dict[tuple[int, int], tuple[Scenario, int, int | None]] = {}

    def agent(self, index: int, role: str) -> Bot:
        entrant = self.entrants[index]
        try:
            agent = entrant.make()
        except AgentError as exc:  # it was made once when loaded, and fails now
            raise Forfeit(role, exc.message) from exc
        if entrant.builtin:
            return agent if self.settings.talk else tuned(agent, talk=0.0)
        return guarded(agent, role, self.settings.move_limit)

    def cards(self, game: Game) -> tuple[Scenario, int, int | None]:
        """The game's scenario with its dealt cards, its seed and its cards' seed."""
        key = (game.scenario, game.repetition)
        known = self._cards.get(key)
        if known is None:
            scenario = self.scenarios[game.scenario]
            seed = seed_of(self.settings, scenario, game.repetition)
            drawn = None if self.settings.same_cards else cards_seed(seed)
            if len(self._cards) >= 256:
                self._cards.clear()
            known = self._cards[key] = (deal(scenario, drawn), seed, drawn)
        return known

    def play(self, game: Game) -> tuple[Row, Row]:
        cards, seed, drawn = self.cards(game)
        first, second = cards.role_ids
        names = (self.entrants[game.first].name, self.entrants[game.second].name)
        events: tuple[Event, ...] = ()
        forfeit: Forfeit | None = None
        agents: dict[str, Bot] = {}
        try:
            agents[first] = self.agent(game.first, first)
            agents[second] = self.agent(game.second, second)
            match = play_match(cards, agents, seed)
        except Forfeit as fault:
            forfeit = fault
            rows = _forfeited(game, cards, seed, names, fault)
        else:
            events = match.events
            rows = _scored(game, cards, seed, names, match.state, match.refused_by)
        own = [a.refused if isinstance(a, Guarded) else 0 for a in map(agents.get, (first, second))]
        rows = (rows[0].refusing(own[0]), rows[1].refusing(own[1]))
        if self.logs is not None:
            self.write_log(game, cards, seed, drawn, names, events, forfeit)
        return rows

    def write_log(
        self,
        game: Game,
        cards: Scenario,
        seed: int,
        drawn: int | None,
        names: tuple[str, str],
        events: tuple[Event, ...],
        forfeit: Forfeit | None,
    ) -> None:
        assert self.logs is not None
        refs = (self.entrants[game.first].reference, self.entrants[game.second].reference)
        players = {
            role: {"id": name, "name": name, "bot": ref}
            for role, name, ref in zip(cards.role_ids, names, refs, strict=True)
        }
        extra: dict[str, Any] = {"tournament": {"game": game.number, "repetition": game.repetition}}
        if forfeit is not None:
            extra["forfeit"] = {"role": forfeit.role, "reason": forfeit.reason}
        header = Header(f"game-{game.number}", cards, players, seed, 0.0, extra, drawn)
        log = GameLog(header, events)
        stem = self.logs / f"game-{game.number:06d}"
        write_log(log, f"{stem}.jsonl")
        tags = [t.to_dict() for t in annotate(log)] if forfeit is None else []
        Path(f"{stem}.tags.json").write_text(json.dumps(tags, ensure_ascii=False) + "\n")


def load_entrants(references: Sequence[str]) -> list[Entrant]:
    entrants = [load_agent(r) for r in references]
    seen: dict[str, str] = {}
    for e in entrants:
        if e.name in seen:
            raise AgentError(
                f"agents {seen[e.name]!r} and {e.reference!r} are both named {e.name!r}: "
                "give one another name"
            )
        seen[e.name] = e.reference
    return entrants


def _card_range(scenario: Scenario, role: str) -> tuple[Points, Points]:
    """The least and the most any terms give ``role`` on its card (points add up by issue)."""
    points = scenario.role(role).points
    return sum(min(row) for row in points), sum(max(row) for row in points)


def _scored(
    game: Game,
    cards: Scenario,
    seed: int,
    names: tuple[str, str],
    state: Any,
    refused: tuple[int, ...],
) -> tuple[Row, Row]:
    scores = tally(state)
    assert scores is not None and state.ending is not None
    ending = state.ending
    terms = None if ending.terms is None else terms_dict(cards, ending.terms)
    outcome = "agreement" if scores.agreement else "impasse"
    return _rows(
        game,
        cards,
        seed,
        names,
        (outcome, outcome),
        (ending.reason, ending.reason),
        scores.points,
        scores.efficiency,
        refused or (0, 0),
        terms,
    )


def _forfeited(
    game: Game, cards: Scenario, seed: int, names: tuple[str, str], fault: Forfeit
) -> tuple[Row, Row]:
    roles = cards.role_ids
    batnas = tuple(cards.role(r).batna for r in roles)
    points = tuple(
        min(b, _card_range(cards, r)[0]) if r == fault.role else b
        for r, b in zip(roles, batnas, strict=True)
    )
    faulty = roles.index(fault.role)
    outcomes = ("forfeit", "impasse") if faulty == 0 else ("impasse", "forfeit")
    other = f"forfeit by {fault.role}"
    reasons = (fault.reason, other) if faulty == 0 else (other, fault.reason)
    efficiency = gain(cards, (batnas[0], batnas[1]), False).efficiency
    points_of = (points[0], points[1])
    return _rows(game, cards, seed, names, outcomes, reasons, points_of, efficiency, (0, 0), None)


def _rows(
    game: Game,
    cards: Scenario,
    seed: int,
    names: tuple[str, str],
    outcomes: tuple[str, str],
    reasons: tuple[str, str],
    points: tuple[Points, Points],
    efficiency: float | None,
    refused: tuple[int, ...],
    terms: dict[str, int] | None,
) -> tuple[Row, Row]:
    rows = []
    for side, role in enumerate(cards.role_ids):
        batna = cards.role(role).batna
        worst, best = _card_range(cards, role)
        span = best - worst
        rows.append(
            Row(
                game=game.number,
                scenario=cards.id,
                repetition=game.repetition,
                seed=seed,
                role=role,
                agent=names[side],
                partner=names[1 - side],
                outcome=outcomes[side],
                reason=reasons[side],
                points=points[side],
                batna=batna,
                surplus=points[side] - batna,
                utility=round((points[side] - worst) / span, 6) if span > 0 else None,
                efficiency=efficiency,
                refused=refused[side],
                terms=terms,
            )
        )
    return rows[0], rows[1]


# -- running on J processes -------------------------------------------------------------

Progress = Callable[[int, int], None]  # games done, games in all

# How often the first process looks at the others' progress while it waits.
_LOOK = 0.1


def run(
    settings: Settings,
    games: Sequence[Game],
    jobs: int = 1,
    logs: Path | None = None,
    progress: Progress | None = None,
    cpu: dict[int, float] | None = None,
) -> list[Row]:
    """Play ``games`` on ``jobs`` processes; their rows in game order, two per game.

    ``cpu``, if given, gets each worker's CPU seconds (by process id): how evenly the
    work was shared, whatever else the machine was doing."""
    total = len(games)
    if progress is not None:
        progress(0, total)
    if jobs <= 1 or total <= 1:
        table = Table(settings, logs)
        rows: list[Row] = []
        with watchdog(settings.move_limit):
            for n, game in enumerate(games, start=1):
                rows.extend(table.play(game))
                if progress is not None:
                    progress(n, total)
        return rows
    load_entrants(settings.agents)  # a reference that cannot be loaded fails here, once
    rows = _in_processes(settings, list(_chunks(games, jobs)), jobs, logs, progress, cpu)
    rows.sort(key=lambda r: r.game)  # stable: a game's two sides keep role order
    return rows


def _in_processes(
    settings: Settings,
    chunks: list[list[Game]],
    jobs: int,
    logs: Path | None,
    progress: Progress | None,
    cpu: dict[int, float] | None,
) -> list[Row]:
    """Each worker takes the next chunk not yet taken (a shared counter) until none is
    left, then sends all its rows at once. Not a ``multiprocessing.Pool``: its threads in
    the first process (handing out tasks, collecting results, watching workers) cost about
    a tenth of what the workers did, which this first process, waiting, does not."""
    context = multiprocessing.get_context()
    taken = context.Value("i", 0)
    done = context.Value("i", 0)
    total = sum(len(c) for c in chunks)
    readers: list[Connection] = []
    workers = []
    try:
        for _ in range(jobs):
            reader, writer = context.Pipe(duplex=False)
            worker = context.Process(
                target=_work,
                args=(settings, logs, chunks, taken, done, writer),
                daemon=True,
            )
            worker.start()
            writer.close()
            readers.append(reader)
            workers.append(worker)
        rows: list[Row] = []
        waiting = list(readers)
        while waiting:
            for ready in wait(waiting, timeout=_LOOK):
                assert isinstance(ready, Connection)
                try:
                    more, worker_id, seconds, failure = ready.recv()
                except EOFError:
                    failure = "a worker process ended without its results"
                if failure is not None:
                    raise AgentError(f"a tournament worker failed: {failure}")
                rows.extend(more)
                if cpu is not None:
                    cpu[worker_id] = seconds
                waiting.remove(ready)
            if progress is not None:
                progress(min(done.value, total), total)
        return rows
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()
        for reader in readers:
            reader.close()


def _work(
    settings: Settings,
    logs: Path | None,
    chunks: list[list[Game]],
    taken: Any,
    done: Any,
    out: Connection,
) -> None:
    """A worker: play chunks until none is left, then send the rows, its id and its CPU."""
    try:
        table = Table(settings, logs)
        arm(settings.move_limit)
        rows: list[Row] = []
        while True:
            with taken.get_lock():
                n = taken.value
                taken.value = n + 1
            if n >= len(chunks):
                break
            for game in chunks[n]:
                rows.extend(table.play(game))
            with done.get_lock():
                done.value += len(chunks[n])
        out.send((rows, os.getpid(), time.process_time(), None))
    except BaseException:
        out.send(([], os.getpid(), time.process_time(), traceback.format_exc()))
    finally:
        out.close()


def _chunks(games: Sequence[Game], jobs: int) -> Iterator[list[Game]]:
    """The games of one scenario and repetition together, as they share their cards: each
    card's ladder is then built in one process, not in every one. Cut small enough that
    the processes finish together, large enough that sending them costs little."""
    together: dict[tuple[int, int], list[Game]] = {}
    for game in games:
        together.setdefault((game.scenario, game.repetition), []).append(game)
    size = max(1, min(200, len(games) // (jobs * 8)))
    for group in together.values():
        parts = -(-len(group) // size)
        for n in range(parts):
            yield group[n * len(group) // parts : (n + 1) * len(group) // parts]
