"""``record``: an immutable dataclass whose construction costs what a plain one's does.

A frozen dataclass sets each field in ``__init__`` through ``object.__setattr__``, to
get past its own ``__setattr__`` that refuses assignment: several times the cost of the
same class unfrozen (docs/performance.md). Events, offers and actions are built for
every move of every game (thousands of games a second in a bot match, every move on a
loaded server), so the records made that often are declared with ``record`` instead:
the type checker treats them as frozen (``mypy --strict`` in the test command rejects
any assignment to a field), and at run time they are plain slotted dataclasses, hashed
by value like frozen ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar, dataclass_transform

T = TypeVar("T")


@dataclass_transform(frozen_default=True)
def record(cls: type[T]) -> type[T]:
    return dataclass(slots=True, unsafe_hash=True)(cls)
