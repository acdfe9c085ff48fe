"""The built-in scenarios, resolving a scenario named on a command line, and the content
hash by which two scenarios are the same."""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources
from pathlib import Path

from zopa.rules.errors import ScenarioError
from zopa.rules.scenario import Scenario, load_scenario, read_scenario

_PACKAGE = "zopa.rules.scenarios"


@functools.cache
def builtin_scenarios() -> tuple[Scenario, ...]:
    """Every scenario shipped in ``game_rules/scenarios``, in file-name order."""
    found: list[Scenario] = []
    folder = resources.files(_PACKAGE)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            source = f"{_PACKAGE}/{entry.name}"
            found.append(read_scenario(entry.read_text(encoding="utf-8"), source))
    return tuple(found)


def builtin(scenario_id: str) -> Scenario:
    """A built-in scenario by id; ``KeyError`` names the ids there are."""
    for scenario in builtin_scenarios():
        if scenario.id == scenario_id:
            return scenario
    known = ", ".join(s.id for s in builtin_scenarios())
    raise KeyError(f"no built-in scenario {scenario_id!r} (there are: {known})")


def resolve(name: str) -> Scenario:
    """A built-in id, or else a path to a scenario file."""
    if any(s.id == name for s in builtin_scenarios()):
        return builtin(name)
    path = Path(name)
    if path.exists() or name.endswith(".toml"):
        return load_scenario(path)
    known = ", ".join(s.id for s in builtin_scenarios())
    raise ScenarioError(name, "(scenario)", f"a built-in id ({known}) or a path to a .toml file")


def content_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's content, whatever its text's layout, comments or key order.

    Two files that read as the same scenario (``to_dict``) have the same hash.
    """
    canonical = json.dumps(
        scenario.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
