"""``zopa import casino FILE --out DIR``, ``zopa import dealornodeal FILE --out DIR`` and
``zopa import genius DOMAIN.xml PROFILE_A.xml PROFILE_B.xml --out FILE.toml``.

GENIUS: one scenario file from a domain and two profiles (``zopa.rules.importers.genius``),
with a summary of what was converted: issues, outcomes, the scale of points, whether
they are exact, the frontier's size, each role's BATNA and discount factor.

Datasets: one game log per record: ``DIR/<dialogue_id>.jsonl`` for CaSiNo,
``DIR/L<line>.jsonl`` for Deal or No Deal. A malformed record is reported on stderr by
its id or line and skipped; the rest of the file is still imported. Importing is
idempotent: the same file writes the same bytes to the same names, each file replaced
whole (``replace_file``), so an interrupted run never leaves half a file behind.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zopa.rules.errors import DomainError, RecordError
from zopa.rules.importers.casino import casino_log, dialogue_name
from zopa.rules.importers.dealornodeal import dond_log
from zopa.rules.importers.genius import GeniusScenario, XmlFile, genius_scenario, scenario_id_for
from zopa.rules.log import GameLog, log_lines, replace_file, write_log
from zopa.rules.scenario import ID_RULE, valid_id
from zopa.rules.scenario_toml import scenario_toml


@dataclass(frozen=True, slots=True)
class Imported:
    """One record's import: a file name and its game, or why the record was skipped."""

    where: str  # "dialogue 548" or "line 12", for messages
    name: str | None = None
    log: GameLog | None = None
    problem: str | None = None


@dataclass(slots=True)
class Tally:
    written: int = 0
    skipped: int = 0
    endings: Counter[str] = field(default_factory=Counter)


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "import", help="turn a public negotiation dataset into game logs (one per dialogue)"
    )
    kinds = parser.add_subparsers(dest="dataset", required=True, metavar="DATASET")
    casino = kinds.add_parser("casino", help="CaSiNo: a JSON list of dialogues -> DIR/<id>.jsonl")
    dond = kinds.add_parser(
        "dealornodeal", help="Deal or No Deal: a train/val/test.txt file -> DIR/L<line>.jsonl"
    )
    for command in (casino, dond):
        command.add_argument("file", metavar="FILE", help="the dataset file")
        command.add_argument("--out", required=True, metavar="DIR", help="where to write logs")
    genius = kinds.add_parser(
        "genius", help="GENIUS: a domain and two profiles (XML) -> one scenario file (TOML)"
    )
    genius.add_argument("domain", metavar="DOMAIN.xml", help="the domain: issues and items")
    genius.add_argument("profiles", nargs=2, metavar="PROFILE.xml", help="the two parties")
    genius.add_argument("--out", required=True, metavar="FILE.toml", help="the scenario to write")
    genius.add_argument("--id", default=None, help="the scenario's id (default: FILE's name)")
    genius.add_argument(
        "--roles", default=None, metavar="A,B", help="role ids (default: from the profiles' names)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.dataset == "genius":
        return run_genius(args)
    path = Path(args.file)
    try:
        records = casino_games(path) if args.dataset == "casino" else dond_games(path)
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        tally = Tally()
        for item in records:
            if item.log is None or item.name is None:
                tally.skipped += 1
                print(
                    f"zopa import: {path}: {item.where}: skipped: {item.problem}", file=sys.stderr
                )
                continue
            target = out / f"{item.name}.jsonl"
            if _another_game(target, item.log):
                # Deal or No Deal names a log by its line only: train, val and test
                # imported into one DIR would replace each other's games.
                tally.skipped += 1
                print(
                    f"zopa import: {path}: {item.where}: skipped: {target} holds another "
                    "game already (import each file into its own --out DIR)",
                    file=sys.stderr,
                )
                continue
            write_log(item.log, str(target))
            tally.written += 1
            end = item.log.events[-1].data
            tally.endings[f"{end['outcome']} ({end['reason']})"] += 1
    except OSError as exc:
        print(
            f"zopa import: {exc.filename or path}: cannot read or write ({exc.strerror})",
            file=sys.stderr,
        )
        return 2
    except ValueError as exc:
        print(f"zopa import: {path}: {exc}", file=sys.stderr)
        return 2
    endings = ", ".join(f"{n} {kind}" for kind, n in sorted(tally.endings.items()))
    print(
        f"{args.dataset}: {tally.written} games written to {out}"
        + (f" ({endings})" if endings else "")
        + f"; {tally.skipped} record{'' if tally.skipped == 1 else 's'} skipped"
    )
    return 0


def _another_game(target: Path, log: GameLog) -> bool:
    """Whether ``target`` holds a log other than ``log`` (the same one again is no loss)."""
    try:
        kept = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    return kept != "".join(line + "\n" for line in log_lines(log))


def casino_games(path: Path) -> Iterator[Imported]:
    """Every dialogue of a CaSiNo JSON file (a list of dialogues), in file order.

    ``ValueError`` when the file as a whole is not such a list: there is nothing to skip to.
    """
    with open(path, encoding="utf-8") as handle:
        try:
            data = json.load(handle)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON ({exc})") from exc
    if not isinstance(data, list):
        raise ValueError("expected a JSON list of CaSiNo dialogues")
    seen: set[str] = set()
    for index, record in enumerate(data, start=1):
        raw_id = record.get("dialogue_id") if isinstance(record, dict) else None
        where = f"dialogue {raw_id}" if raw_id is not None else f"record {index}"
        try:
            name = dialogue_name(record)
            if name in seen:
                raise RecordError(f"dialogue_id {name} appears twice; the first one is kept")
            log = casino_log(record)
        except RecordError as exc:
            yield Imported(where, problem=str(exc))
            continue
        seen.add(name)
        yield Imported(where, name, log)


def dond_games(path: Path) -> Iterator[Imported]:
    """Every line of a Deal or No Deal text file; blank lines are not records."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                log = dond_log(line, number, path.name)
            except RecordError as exc:
                yield Imported(f"line {number}", problem=str(exc))
                continue
            yield Imported(f"line {number}", f"L{number}", log)


def run_genius(args: argparse.Namespace) -> int:
    out = Path(args.out)
    roles = None
    if args.roles is not None:
        names = tuple(r.strip() for r in args.roles.split(","))
        if len(names) != 2 or not all(valid_id(r) for r in names) or names[0] == names[1]:
            print(f"zopa import: --roles: two distinct ids (found {args.roles!r})", file=sys.stderr)
            return 2
        roles = (names[0], names[1])
    scenario_id = args.id or scenario_id_for(out.name.removesuffix(".toml"))
    if not valid_id(scenario_id):
        print(
            f"zopa import: --id: {ID_RULE} (found {scenario_id!r})",
            file=sys.stderr,
        )
        return 2
    try:
        files = [XmlFile(name, Path(name).read_bytes()) for name in (args.domain, *args.profiles)]
        imported = genius_scenario(files[0], files[1], files[2], scenario_id, roles)
        replace_file(str(out), [scenario_toml(imported.scenario)])
    except OSError as exc:
        print(
            f"zopa import: {exc.filename}: cannot read or write ({exc.strerror})", file=sys.stderr
        )
        return 2
    except DomainError as exc:
        print(f"zopa import: {exc}", file=sys.stderr)
        return 2
    print(genius_summary(imported, str(out)))
    return 0


def genius_summary(imported: GeniusScenario, out: str) -> str:
    """What was converted, for the person who ran the import (and the bench)."""
    scenario, analysis = imported.scenario, imported.analysis
    how = "exactly" if imported.exact else "rounded, with the same frontier deals as exact"
    lines = [
        f"genius: {scenario.id} -> {out}: {len(scenario.issues)} issues, "
        f"{analysis.outcomes:,} outcomes, {len(analysis.frontier):,} on the frontier, "
        f"zone of agreement: {'yes' if analysis.zopa else 'no'}",
        f"  points = GENIUS utility x {imported.scale:,} ({how})",
    ]
    for role, profile in zip(scenario.roles, imported.profiles, strict=True):
        lines.append(
            f"  {role.id} ({profile.file}): BATNA {role.batna:,} points (reservation value), "
            f"discount factor {profile.discount:g}"
        )
    if any(d != 1 for d in imported.discounts):
        lines.append(
            "  zopa's points do not shrink with time: the discount factors are kept in the "
            "scenario's [origin] table, not applied"
        )
    return "\n".join(lines)
