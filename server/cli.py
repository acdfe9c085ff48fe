"""The ``zopa`` command: parses the command line and hands off to one sub-command module."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from zopa.server.commands import (
    analyze,
    annotate,
    backup,
    bots,
    cards,
    import_,
    replay,
    scenarios,
    serve,
)

COMMANDS: tuple[ModuleType, ...] = (
    serve,
    scenarios,
    cards,
    analyze,
    replay,
    annotate,
    import_,
    backup,
    bots,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zopa", description="Two-player negotiation games: serve, analyse, replay, import."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
