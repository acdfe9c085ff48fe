"""An ended game's result as its record keeps it: its values packed, its keys kept once.

Every ended game in memory keeps its result for the facilitator's tables and the
standings. As the JSON it was stored with, a result is about 400 bytes, most of them the
same keys in the same order game after game; packed here it is about a hundred: the
nesting of its keys (its shape) is kept once per shape in this module, and the record
keeps the shape's number and the values in order, as MessagePack
(docs/performance.md). ``unpack`` gives back a dict equal to the one packed, keys in
the same order, as ``orjson.loads`` of the stored JSON gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgpack

# A dict's keys in order, each with the shape of its value: None for anything but a dict
# (lists are packed whole, as MessagePack keeps them).
Shape = tuple[tuple[str, "Shape | None"], ...]

# Shapes are few: one per scenario's roles and issues and per kind of ending, with
# estimates or without. Only ever added to; a process sees as many as it plays scenarios.
_NUMBERS: dict[Shape, int] = {}
_SHAPES: list[Shape] = []


def pack(result: dict[str, Any]) -> bytes:
    values: list[Any] = []
    shape = _shape(result, values)
    number = _NUMBERS.get(shape)
    if number is None:
        number = _NUMBERS[shape] = len(_SHAPES)
        _SHAPES.append(shape)
    packed: bytes = msgpack.packb([number, *values])
    return packed


def unpack(packed: bytes) -> dict[str, Any]:
    number, *values = msgpack.unpackb(packed)
    return _build(_SHAPES[number], iter(values))


def _shape(found: dict[str, Any], values: list[Any]) -> Shape:
    shape: list[tuple[str, Shape | None]] = []
    for key, value in found.items():
        if isinstance(value, dict):
            shape.append((key, _shape(value, values)))
        else:
            shape.append((key, None))
            values.append(value)
    return tuple(shape)


def _build(shape: Shape, values: Iterator[Any]) -> dict[str, Any]:
    return {key: next(values) if inner is None else _build(inner, values) for key, inner in shape}
