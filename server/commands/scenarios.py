"""``zopa scenarios``: list the built-in scenarios."""

from __future__ import annotations

import argparse
from typing import Any

from zopa.rules.library import builtin_scenarios


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "scenarios", help="list the built-in scenarios (id, title, issues, roles)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    rows = [
        (
            s.id,
            s.title,
            f"{len(s.issues)}: " + ", ".join(s.issue_ids),
            " / ".join(s.role_ids),
        )
        for s in builtin_scenarios()
    ]
    header = ("id", "title", "issues", "roles")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
    return 0
