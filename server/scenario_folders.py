"""``zopa serve --scenarios DIR``: every ``*.toml`` of a folder added to the library at start.

A file with problems, or whose id is another content's, stops the start-up with every
such file and problem named: a class must not find its case missing at nine o'clock
because of a typo nobody saw. The files are stored like uploads, so sessions on them
survive a restart without the folder; an unchanged file is accepted again as it is.
"""

from __future__ import annotations

import logging
from pathlib import Path

from zopa.server.errors import ServerError
from zopa.server.scenario_library import InvalidScenario, ScenarioLibrary, check_text
from zopa.server.storage import Storage

log = logging.getLogger("zopa.scenarios")


class FolderError(RuntimeError):
    """Scenario files that cannot join the library; the message lists every problem."""


def folder_files(folders: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    for folder in folders:
        path = Path(folder)
        if not path.is_dir():
            raise FolderError(f"--scenarios {folder}: not a folder")
        found += sorted(path.glob("*.toml"))
    return found


def folder_problems(folders: tuple[str, ...]) -> list[str]:
    """Every problem of every file, read without storage (``zopa serve`` checks before it
    starts the server, so the problems are printed plainly, not as a failed start-up)."""
    problems: list[str] = []
    try:
        files = folder_files(folders)
    except FolderError as exc:
        return [str(exc)]
    for path in files:
        try:
            check_text(_read(path), str(path))
        except InvalidScenario as invalid:
            problems += [f"{path}: {p['message']}" for p in invalid.problems]
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot be read ({exc})")
    return problems


async def add_folders(library: ScenarioLibrary, storage: Storage, folders: tuple[str, ...]) -> None:
    problems = folder_problems(folders)
    if not problems:
        for path in folder_files(folders):
            try:
                entry, new = await library.add(_read(path), storage, str(path))
            except ServerError as refused:
                problems.append(f"{path}: {refused.message}")
                continue
            log.info("scenario %s %s from %s", entry.scenario.id, "added" if new else "kept", path)
    if problems:
        for problem in problems:
            log.error("%s", problem)
        raise FolderError("scenario files refused:\n" + "\n".join(problems))


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")
