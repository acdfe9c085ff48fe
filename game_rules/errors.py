"""Exceptions of the rules package.

One root, so callers can catch everything the rules raise::

    RulesError
    ├── ScenarioError      a scenario file or dict breaks a rule of the format
    ├── ActionRefused      an action is not legal now; carries a wire error code
    ├── LogError           a game log cannot be read or does not replay
    ├── RecordError        a dataset record cannot be imported as a game
    └── DomainError        a GENIUS domain or profile cannot be imported as a scenario
"""

from __future__ import annotations


class RulesError(Exception):
    """Root of every error raised by ``game_rules``."""


class ScenarioError(RulesError):
    """A scenario breaks the format; the message names the source, the key and the expectation."""

    def __init__(self, source: str, key: str, expected: str) -> None:
        self.source = source
        self.key = key
        self.expected = expected
        super().__init__(f"{source}: {key}: {expected}")


class ActionRefused(RulesError):
    """An action the rules do not allow in the current state.

    ``code`` is one of the wire error codes documented in docs/protocol.md.
    """

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


class LogError(RulesError):
    """A game log that is malformed or does not replay; names the line when it can."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


class RecordError(RulesError):
    """A dataset record (a CaSiNo dialogue, a Deal or No Deal line) that is not a game.

    The message says what is wrong; the importer's caller adds which record it was.
    """


class DomainError(RulesError):
    """A GENIUS domain or profile that cannot become a scenario; names the file and the item."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")
