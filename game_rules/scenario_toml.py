"""A scenario written out as a ``zopa-scenario/1`` TOML file a person can read and edit.

The layout is the one the built-in files use: the public text, ``[protocol]`` with
every setting spelled out (so a teacher sees what can be changed), one ``[[issues]]``
table per issue, and one ``[[roles]]`` table per role with its points under
``[roles.points]``, one line per issue. Briefs and descriptions of several lines are
multi-line strings. ``read_scenario(scenario_toml(s))`` gives back ``s``, variation and
origin included (tests/test_scenario_problems.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from zopa.rules.scenario import FORMAT, Protocol, Scenario

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def scenario_toml(scenario: Scenario) -> str:
    out = [
        f"format = {_string(FORMAT)}",
        f"id = {_string(scenario.id)}",
        f"title = {_string(scenario.title)}",
        f"description = {_text(scenario.description)}",
        "",
        "[protocol]",
    ]
    protocol = scenario.protocol
    # Reading time is written when there is some, as the scenario's dict writes it.
    out += [
        f"{name} = {_value(getattr(protocol, name))}"
        for name in _PROTOCOL
        if name != "reading" or protocol.reading
    ]
    for issue in scenario.issues:
        out += [
            "",
            "[[issues]]",
            f"id = {_string(issue.id)}",
            f"label = {_string(issue.label)}",
            f"options = {_value(list(issue.options))}",
        ]
    for role in scenario.roles:
        out += [
            "",
            "[[roles]]",
            f"id = {_string(role.id)}",
            f"label = {_string(role.label)}",
            f"batna = {_value(role.batna)}",
            f"brief = {_text(role.brief)}",
            "",
            "[roles.points]",
        ]
        out += [
            f"{_key(issue.id)} = {_value(list(role.points[n]))}"
            for n, issue in enumerate(scenario.issues)
        ]
    if scenario.variation is not None:
        table = scenario.variation.to_dict(scenario.issues, scenario.roles)
        per_role: Mapping[str, Mapping[str, Any]] = table.pop("roles", {})
        out += ["", "[variation]"]
        out += [f"{_key(k)} = {_value(v)}" for k, v in table.items()]
        for role_id, changes in per_role.items():
            out += ["", f"[variation.roles.{_key(role_id)}]"]
            out += [f"{_key(k)} = {_value(v)}" for k, v in changes.items()]
    if scenario.origin:
        out += ["", "[origin]"]
        out += [f"{_key(k)} = {_value(v)}" for k, v in scenario.origin.items()]
    return "\n".join(out) + "\n"


_PROTOCOL = tuple(Protocol.__dataclass_fields__)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        # repr of a finite float is valid TOML (1e+16, 0.1) and reads back as the same float.
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_key(str(k))} = {_value(v)}" for k, v in value.items())
        return f"{{ {inner} }}" if inner else "{}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _key(key: str) -> str:
    # Issue ids may hold '.', which a bare key would read as a dotted path.
    return key if _BARE_KEY.match(key) else _string(key)


def _escape(char: str) -> str:
    if char == "\\":
        return "\\\\"
    if char == '"':
        return '\\"'
    if char == "\t":
        return "\\t"
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return f"\\u{ord(char):04x}"
    return char


def _string(text: str) -> str:
    return '"' + "".join("\\n" if c == "\n" else _escape(c) for c in text) + '"'


def _text(text: str) -> str:
    """Text of several lines as a multi-line string, the way a person would write it."""
    if "\n" not in text:
        return _string(text)
    # The line break right after the opening quotes is not part of the text.
    return '"""\n' + "".join("\n" if c == "\n" else _escape(c) for c in text) + '"""'
