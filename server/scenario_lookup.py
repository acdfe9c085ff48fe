"""The scenario a command names: a built-in id, a scenario file, or a library id.

``zopa analyze``, ``zopa cards`` and ``zopa bots match`` take what a session takes: an id
of the server's own library (uploaded, saved from the editor, or loaded from a folder)
is read from its database, ``--db FILE`` or, as for ``zopa serve``, ``$ZOPA_DB`` or
``zopa.db``. The database is opened read-only: a command that only reads a scenario
never changes, creates or upgrades a server's file, and can run while it serves.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
from pathlib import Path

from zopa.rules.errors import ScenarioError
from zopa.rules.library import builtin_scenarios, resolve
from zopa.rules.scenario import Scenario, read_scenario

WHAT = "a built-in id ({builtins}), a path to a .toml file, or an id of the library in {db}"


def add_scenario_arguments(parser: argparse.ArgumentParser) -> None:
    """The SCENARIO argument and ``--db`` of the commands that read one scenario."""
    parser.add_argument(
        "scenario",
        metavar="SCENARIO",
        help="a built-in id, a .toml path, or the id of a scenario in a server's library",
    )
    parser.add_argument(
        "--db",
        default=None,
        help="the server's SQLite file, for a library id (default $ZOPA_DB or zopa.db)",
    )


def resolve_scenario(name: str, database: str | None = None) -> Scenario:
    """The scenario ``name`` stands for; ``ScenarioError`` saying what it could be."""
    builtin = any(s.id == name for s in builtin_scenarios())
    if builtin or name.endswith(".toml") or Path(name).exists():
        return resolve(name)
    db = database or os.environ.get("ZOPA_DB") or "zopa.db"
    builtins = ", ".join(s.id for s in builtin_scenarios())
    if not os.path.isfile(db):
        what = WHAT.format(builtins=builtins, db=f"{db} (there is no such file)")
        raise ScenarioError(name, "(scenario)", what)
    text, known = _stored(db, name)
    if text is None:
        library = f"{db} (it has: {', '.join(known) or 'none'})"
        raise ScenarioError(name, "(scenario)", WHAT.format(builtins=builtins, db=library))
    return read_scenario(text, f"{db}: scenario {name!r}")


def _stored(db: str, scenario_id: str) -> tuple[str | None, list[str]]:
    """The scenario's stored text, or ``None`` and the ids the library holds."""
    try:
        connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ScenarioError(db, "(database)", f"a zopa database ({exc})") from None
    try:
        row = connection.execute("SELECT toml FROM scenarios WHERE id = ?", (scenario_id,))
        found = row.fetchone()
        if found is not None:
            return str(found[0]), []
        ids = connection.execute("SELECT id FROM scenarios ORDER BY rowid")
        return None, [str(i) for (i,) in ids]
    except sqlite3.Error as exc:
        raise ScenarioError(db, "(database)", f"a zopa database ({exc})") from None
    finally:
        connection.close()
