"""Anyone's agent, played safely: its faults end its own game, never the run.

``guarded(agent, role, limit)`` wraps an agent for one game. A move that is not one a
person could send for that role (``zopa.rules.bots.agent.check_move``) is refused and
counted, as the server refuses a person's, and the agent waits. An agent that raises,
or whose call takes longer than ``limit`` seconds, forfeits the game: the wrapper
raises ``Forfeit`` with the reason, and the caller scores the game (a tournament) or
walks out of it (a live bot). A call that never returns at all is stopped by
``watchdog``: a periodic alarm that raises inside a call running past its limit.

An agent with ``plan`` keeps it (and its promises: ``reaction``, ``awaits_answer``,
``pace_of``), each call guarded alike, so a file-loaded strategy plays as fast as a
built-in one.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

from zopa.rules.actions import Action, Walkout
from zopa.rules.bots.agent import check_move
from zopa.rules.bots.negotiator import Plan, Wait, WaitThen
from zopa.rules.bots.seen import Seen
from zopa.rules.bots.strategy import Bot
from zopa.server.agent_loader import AgentError, why

MOVE_LIMIT = 1.0  # seconds of wall-clock time for one call of an agent, by default

_clock = time.perf_counter


class Forfeit(AgentError):
    """An agent raised or overran its time: it loses the game it was playing."""

    def __init__(self, role: str, reason: str) -> None:
        super().__init__(reason, "forfeit")
        self.role = role
        self.reason = reason


class _Overran(BaseException):
    """Raised inside a call past its limit. Not an ``Exception``, so that an agent's own
    ``except Exception`` does not swallow it and run on."""


# The call being guarded in this process, if any: when it started and its limit. One
# at a time (one thread plays games); read by the alarm's handler.
_running: list[tuple[float, float]] = []


class Guarded:
    """An agent with every call timed and checked; ``refused`` counts its bad moves."""

    def __init__(self, agent: Bot, role: str, limit: float) -> None:
        self.agent = agent
        self.name = agent.name
        self.role = role
        self.limit = limit
        self.refused = 0

    def _call(self, what: str, call: Callable[[Seen], Any], seen: Seen) -> Any:
        running = _running
        started = _clock()
        running.append((started, self.limit))
        try:
            answer = call(seen)
        except _Overran:
            raise Forfeit(self.role, self._overran(what, _clock() - started)) from None
        except (Exception, SystemExit) as exc:
            raise Forfeit(self.role, f"error in {what}: {why(exc)}") from exc
        finally:
            running.pop()
        took = _clock() - started
        if took > self.limit:
            raise Forfeit(self.role, self._overran(what, took))
        return answer

    def _overran(self, what: str, took: float) -> str:
        return f"overran: {what} took {took:.2f} s (limit {self.limit:g} s)"

    def _checked(self, move: Any) -> Action | None:
        if move is None or check_move(move, self.role) is None:
            return move  # type: ignore[no-any-return]
        self.refused += 1
        return None

    def decide(self, seen: Seen) -> Action | None:
        return self._checked(self._call("decide", self.agent.decide, seen))


class GuardedPlanner(Guarded):
    """``Guarded`` for an agent with ``plan``: its promises read once, each call guarded."""

    def __init__(self, agent: Bot, role: str, limit: float) -> None:
        super().__init__(agent, role, limit)
        self._plan: Callable[[Seen], Any] = agent.plan  # type: ignore[attr-defined]
        for promise in ("reaction", "awaits_answer"):
            if hasattr(agent, promise):
                setattr(self, promise, getattr(agent, promise))
        pace_of = getattr(agent, "pace_of", None)
        if callable(pace_of):
            self.pace_of = lambda seen: self._call("pace_of", pace_of, seen)

    def plan(self, seen: Seen) -> Plan:
        answer = self._call("plan", self._plan, seen)
        if isinstance(answer, Wait):
            if isinstance(answer, WaitThen) and check_move(answer.move, self.role) is not None:
                self.refused += 1
                return Wait(answer.until)
            return answer
        checked = self._checked(answer)
        # A refused move: ask again at the next tick, as after any refusal.
        return Wait(seen.now) if checked is None else checked


def guarded(agent: Bot, role: str, limit: float = MOVE_LIMIT) -> Guarded:
    """``agent`` for one game as ``role``, every call checked and timed."""
    if callable(getattr(agent, "plan", None)):
        return GuardedPlanner(agent, role, limit)
    return Guarded(agent, role, limit)


def _alarm(signum: int, frame: FrameType | None) -> None:
    running = _running
    if running:
        started, limit = running[-1]
        if _clock() - started > limit:
            raise _Overran


def arm(limit: float = MOVE_LIMIT) -> bool:
    """Start the alarm that stops a guarded call running past its limit; False if it cannot.

    A periodic alarm, a quarter of the limit apart, looks at the running call: no cost
    per call beyond reading the clock. Only in the main thread of a process with
    ``setitimer`` (Unix); elsewhere an agent that never returns is not stopped.
    """
    if not hasattr(signal, "setitimer") or threading.current_thread() != threading.main_thread():
        return False
    period = max(0.05, limit / 4)
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, period, period)
    return True


@contextlib.contextmanager
def watchdog(limit: float = MOVE_LIMIT) -> Iterator[None]:
    """While inside, a guarded call running past ``limit`` is interrupted (``Forfeit``)."""
    before = signal.getsignal(signal.SIGALRM) if hasattr(signal, "SIGALRM") else None
    if not arm(limit):
        yield
        return
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)


class PerGame:
    """An agent for play outside a tournament (``zopa bots match``, ``zopa bots join``):
    a fresh one for each game (told apart by its seed and role), guarded, and walking out
    of a game it forfeits, the only way a player can leave one. ``faults`` says why."""

    def __init__(
        self,
        name: str,
        make: Callable[[], Bot],
        limit: float = MOVE_LIMIT,
        on_fault: Callable[[str], None] | None = None,
    ) -> None:
        self.name = name
        self.make = make
        self.limit = limit
        self.on_fault = on_fault
        self.faults: list[str] = []
        self._games: dict[str, tuple[int, Guarded | None]] = {}

    @property
    def refused(self) -> int:
        return sum(g.refused for _, g in self._games.values() if g is not None)

    def _agent(self, seen: Seen) -> Guarded | None:
        """Its agent in this game, or ``None`` once it has forfeited it."""
        known = self._games.get(seen.role)
        if known is not None and known[0] == seen.seed:
            return known[1]
        agent = guarded(self.make(), seen.role, self.limit)
        self._games[seen.role] = (seen.seed, agent)
        return agent

    def _forfeit(self, seen: Seen, fault: Forfeit) -> Action:
        self.faults.append(fault.reason)
        if self.on_fault is not None:
            self.on_fault(fault.reason)
        self._games[seen.role] = (seen.seed, None)
        return Walkout(seen.role)

    def decide(self, seen: Seen) -> Action | None:
        agent = self._agent(seen)
        if agent is None:
            return Walkout(seen.role)
        try:
            return agent.decide(seen)
        except Forfeit as fault:
            return self._forfeit(seen, fault)


class PerGamePlanner(PerGame):
    """``PerGame`` for an agent with ``plan``: its promises, read from a sample, kept."""

    def __init__(
        self,
        name: str,
        make: Callable[[], Bot],
        limit: float = MOVE_LIMIT,
        on_fault: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(name, make, limit, on_fault)
        sample = GuardedPlanner(make(), "", limit)
        for promise in ("reaction", "awaits_answer"):
            if hasattr(sample, promise):
                setattr(self, promise, getattr(sample, promise))
        if hasattr(sample, "pace_of"):
            self.pace_of = self._pace_of

    def _pace_of(self, seen: Seen) -> float:
        agent = self._agent(seen)
        if agent is None:
            return 0.0
        try:
            pace: float = agent.pace_of(seen)  # type: ignore[attr-defined]
        except Forfeit as fault:
            self._forfeit(seen, fault)
            return 0.0
        return pace

    def plan(self, seen: Seen) -> Plan:
        agent = self._agent(seen)
        if agent is None:
            return Walkout(seen.role)
        try:
            return agent.plan(seen)  # type: ignore[attr-defined, no-any-return]
        except Forfeit as fault:
            return self._forfeit(seen, fault)


def per_game(
    name: str,
    make: Callable[[], Bot],
    limit: float = MOVE_LIMIT,
    on_fault: Callable[[str], None] | None = None,
) -> PerGame:
    """``PerGame`` or ``PerGamePlanner``, as the agent ``make`` makes has ``plan`` or not."""
    sample = make()
    if callable(getattr(sample, "plan", None)):
        return PerGamePlanner(name, make, limit, on_fault)
    return PerGame(name, make, limit, on_fault)
