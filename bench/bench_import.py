"""How fast whole datasets become games and replay: games per second.

Run: ``python bench/bench_import.py [--datasets DIR] [--repeat N]``. For the whole of
CaSiNo (its three split files, 1,030 dialogues) and for Deal or No Deal's test.txt and
val.txt it times, per game:

- import: record -> GameLog (``casino_log`` / ``dond_log``: building the scenario and
  playing every move through the rules), from records already parsed;
- replay: the log's JSON lines read back, replayed through the rules and scored;
- import + replay: the two together, the figure the issue asks for;
- annotate: the automatic annotator on each log;
- zopa import: the command end to end, reading the file and writing every log.

Each figure is the best of ``--repeat`` runs (3 by default), to keep other load out of it.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Run as a script from anywhere: make the project importable without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zopa.rules.annotate import annotate
from zopa.rules.importers.casino import casino_log
from zopa.rules.importers.dealornodeal import dond_log
from zopa.rules.log import GameLog, log_lines, read_log, replay
from zopa.rules.scoring import result
from zopa.server.cli import main as zopa

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"


def best(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def replay_all(texts: list[list[str]]) -> None:
    for lines in texts:
        if result(replay(read_log(lines))) is None:
            raise SystemExit("a game did not finish")


def measure(
    name: str,
    build: Callable[[], list[GameLog]],
    command: list[list[str]],
    repeat: int,
) -> None:
    logs = build()
    texts = [log_lines(log) for log in logs]
    n = len(logs)
    t_import = best(repeat, build)
    t_replay = best(repeat, lambda: replay_all(texts))
    t_annotate = best(repeat, lambda: [annotate(log) for log in logs])

    def run_command() -> None:
        with tempfile.TemporaryDirectory() as out, contextlib.redirect_stdout(io.StringIO()):
            for args in command:
                if zopa([*args, "--out", out]) != 0:
                    raise SystemExit(f"zopa {' '.join(args)} failed")

    t_command = best(repeat, run_command)
    rates = [n / t for t in (t_import, t_replay, t_import + t_replay, t_annotate, t_command)]
    print(f"{name:<24} {n:>6}" + "".join(f" {rate:>14,.0f}" for rate in rates), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--datasets", type=Path, default=DEFAULT, help=f"default: {DEFAULT}")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    casino = args.datasets / "casino"
    dond = args.datasets / "dealornodeal"
    if not casino.is_dir() or not dond.is_dir():
        print(f"no datasets in {args.datasets} (expected casino/ and dealornodeal/)")
        return 2
    splits = [casino / f"data_split_casino_{s}.json" for s in ("train", "valid", "test")]
    records: list[Any] = []
    for path in splits:
        records += json.loads(path.read_text(encoding="utf-8"))
    lines = [
        (path.name, number, line)
        for path in (dond / "test.txt", dond / "val.txt")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.strip()
    ]
    columns = ("import", "replay", "import+replay", "annotate", "zopa import")
    print(f"games per second, best of {args.repeat}")
    print(f"{'dataset':<24} {'games':>6}" + "".join(f" {c:>14}" for c in columns))
    measure(
        "CaSiNo (all 1,030)",
        lambda: [casino_log(r) for r in records],
        [["import", "casino", str(path)] for path in splits],
        args.repeat,
    )
    measure(
        "Deal or No Deal test+val",
        lambda: [dond_log(line, number, name) for name, number, line in lines],
        [["import", "dealornodeal", str(dond / name)] for name in ("test.txt", "val.txt")],
        args.repeat,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
