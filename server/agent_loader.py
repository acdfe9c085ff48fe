"""Agents by reference: a built-in strategy's name, ``package.module:Class`` or
``path/to/file.py:Class`` (docs/agents.md).

What the reference names may be a class (or any callable) that makes an agent, called
with no arguments once per game, so an agent may keep what it learns during a game in
itself and every game starts afresh, whichever process plays it; or an agent object
itself, shared by every game. A reference that cannot be loaded raises ``AgentError``
naming it and saying why.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zopa.rules.bots import STRATEGIES, Bot
from zopa.server.errors import ServerError


class AgentError(ServerError):
    """An agent cannot be loaded, or broke the rules of agents while playing."""

    default_code = "bad_agent"


@dataclass(frozen=True, slots=True)
class Entrant:
    """An agent of a tournament: how it was named, its ``name`` and how to get one."""

    reference: str
    name: str
    make: Callable[[], Bot]  # an agent for one game
    builtin: bool  # a built-in strategy: trusted, played unguarded


def load_agent(reference: str) -> Entrant:
    """The agent ``reference`` names; ``AgentError`` if it names none."""
    reference = reference.strip()
    if reference in STRATEGIES:
        bot = STRATEGIES[reference]
        return Entrant(reference, bot.name, lambda: bot, True)
    where, colon, attribute = reference.rpartition(":")
    if not colon or not where or not attribute:
        raise AgentError(
            f"no strategy {reference!r}; there are: {', '.join(STRATEGIES)}; "
            "or name an agent as path/to/file.py:Class or package.module:Class"
        )
    module = _module(reference, where)
    target: Any = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise AgentError(f"agent {reference!r}: {where} has no {attribute!r}") from None
    make = _maker(reference, target)
    agent = make()  # once now, so that a broken agent fails before any game is played
    return Entrant(reference, agent.name, make, False)


def _module(reference: str, where: str) -> Any:
    if where.endswith(".py") or "/" in where or "\\" in where:
        path = Path(where)
        if not path.is_file():
            raise AgentError(f"agent {reference!r}: no file {where}")
        resolved = path.resolve()
        # One module per file, whoever loads it, so that loading it again (in each worker
        # of a tournament) gives the same classes; registered, as dataclasses need.
        digest = hashlib.sha1(str(resolved).encode()).hexdigest()[:12]
        name = f"zopa_agent_{_identifier(resolved.stem)}_{digest}"
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, resolved)
        if spec is None or spec.loader is None:
            raise AgentError(f"agent {reference!r}: {where} is not a Python file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException as exc:
            del sys.modules[name]
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise AgentError(f"agent {reference!r}: loading {where} failed: {why(exc)}") from exc
        return module
    try:
        return importlib.import_module(where)
    except ModuleNotFoundError as exc:
        if exc.name is not None and where.startswith(exc.name):
            raise AgentError(f"agent {reference!r}: no module {where}") from None
        raise AgentError(f"agent {reference!r}: importing {where} failed: {why(exc)}") from exc
    except Exception as exc:
        raise AgentError(f"agent {reference!r}: importing {where} failed: {why(exc)}") from exc


def _maker(reference: str, target: Any) -> Callable[[], Bot]:
    if _is_agent(target) and not isinstance(target, type):
        agent: Bot = target
        return lambda: agent
    if not callable(target):
        raise AgentError(
            f"agent {reference!r}: names a {type(target).__name__}, "
            "neither an agent (name and decide) nor a class that makes one"
        )

    def make() -> Bot:
        try:
            made = target()
        except Exception as exc:
            raise AgentError(f"agent {reference!r}: making one failed: {why(exc)}") from exc
        if not _is_agent(made):
            raise AgentError(
                f"agent {reference!r}: made a {type(made).__name__}, which is not an agent "
                "(it needs a string 'name' and a method 'decide(seen)')"
            )
        agent: Bot = made
        return agent

    return make


def _is_agent(value: Any) -> bool:
    return isinstance(getattr(value, "name", None), str) and callable(
        getattr(value, "decide", None)
    )


def _identifier(stem: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in stem)


def why(exc: BaseException) -> str:
    """The exception and the line of the agent's own code it came from."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    if isinstance(exc, SyntaxError) and exc.lineno is not None:
        where = f" ({Path(exc.filename or '?').name}:{exc.lineno})"
    return f"{type(exc).__name__}: {exc}{where}"
