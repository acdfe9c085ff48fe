"""docs/deploy.md keeps every setting in one table: each ``ZOPA_*`` variable the server
reads and each flag of ``zopa serve``, so a new setting cannot go undocumented."""

from __future__ import annotations

import argparse
import re

from tests.live import ROOT
from zopa.server.cli import build_parser


def settings_table() -> str:
    text = (ROOT / "docs" / "deploy.md").read_text()
    return text.split("\n## Settings\n", 1)[1]


def test_every_environment_variable_is_in_the_settings_table() -> None:
    read = {
        name
        for path in (ROOT / "server").rglob("*.py")
        for name in re.findall(r"\bZOPA_[A-Z_]+\b", path.read_text())
    }
    documented = set(re.findall(r"^\| `(ZOPA_[A-Z_]+)`", settings_table(), re.MULTILINE))
    assert read and read == documented


def test_every_flag_of_serve_is_in_the_settings_table() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    serve = sub.choices["serve"]
    flags = {
        option
        for action in serve._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }
    documented = set(re.findall(r"`(--[a-z-]+)[ `]", settings_table()))
    assert flags == documented
