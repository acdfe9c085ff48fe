"""How fast GENIUS domains become scenarios: ``zopa import genius`` end to end.

Run: ``python bench/bench_genius.py [--repeat N] [--folder DIR]``. No GENIUS domains
ship with zopa, so it writes GENIUS-format domains of the sizes of the ANAC ones (from
a few outcomes, as Laptop, to 1.9 million, as AMPOvsCity) with random numbers, weights
of 2 decimals and of 16 (GENIUS's own files have both; 16 take points past 2**53 and
make the importer round, checking the frontier), plus the test suite's holiday domain.
With ``--folder DIR``, every ``*domain*.xml`` there with two profiles beside it is
converted too (a folder of real GENIUS domains: each domain file and the two other XML
files of its folder).

For each domain it prints issues, outcomes, frontier points, the scale of points,
whether they are exact, the TOML's size, and the seconds of the command (best of
``--repeat``): reading the XML, the exact arithmetic, the analysis that checks it,
writing the file.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.genius_xml import domain_xml, profile_xml, random_case
from zopa.rules.analysis import analyze
from zopa.rules.scenario import load_scenario
from zopa.server.cli import main as zopa

HOLIDAY = Path(__file__).resolve().parent.parent / "tests" / "data" / "genius"
# Issue option counts of synthetic domains sized like ANAC's (outcomes in the name).
SIZES = {
    "laptop-27": (3, 3, 3),
    "itex-cypress-180": (5, 4, 3, 3),
    "england-zimbabwe-576": (4, 4, 4, 3, 3),
    "travel-188k": (4, 7, 4, 4, 5, 7, 12),
    "energy-16k": (4, 4, 4, 4, 4, 4, 4),
    "ampo-city-1.9M": (7, 7, 6, 5, 5, 4, 4, 4, 2, 2),
}


def cases(folder: Path, extra: Path | None) -> list[tuple[str, list[Path]]]:
    found = [
        (
            "holiday-36 (tests)",
            [HOLIDAY / f"holiday_{n}.xml" for n in ("domain", "alice", "bob")],
        )
    ]
    for digits in (2, 16):
        for name, options in SIZES.items():
            domain, first, second = random_case(len(name) * digits, options, digits)
            paths = [folder / f"{name}-{digits}_{part}.xml" for part in ("domain", "a", "b")]
            paths[0].write_text(domain_xml(name, domain), encoding="utf-8")
            paths[1].write_text(profile_xml(domain, first), encoding="utf-8")
            paths[2].write_text(profile_xml(domain, second), encoding="utf-8")
            found.append((f"{name} ({digits} decimals)", paths))
    if extra is not None:
        for domain_file in sorted(extra.rglob("*omain*.xml")):
            others = sorted(p for p in domain_file.parent.glob("*.xml") if p != domain_file)
            if len(others) == 2:
                found.append((domain_file.stem, [domain_file, *others]))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=None, help="real GENIUS domains")
    args = parser.parse_args()
    columns = ("issues", "outcomes", "frontier", "scale", "exact", "TOML KB", "seconds")
    print(f"zopa import genius, best of {args.repeat}")
    print(f"{'domain':<34}" + "".join(f" {c:>11}" for c in columns))
    converted = 0
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        for name, paths in cases(folder, args.folder):
            out = folder / "out.toml"
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                with contextlib.redirect_stdout(io.StringIO()):
                    code = zopa(["import", "genius", *map(str, paths), "--out", str(out)])
                times.append(time.perf_counter() - started)
                if code != 0:
                    break
            if code != 0:
                print(f"{name:<34} refused (see above)")
                continue
            converted += 1
            scenario = load_scenario(out)
            analysis = analyze(scenario)
            origin = scenario.origin
            row = (
                len(scenario.issues),
                f"{analysis.outcomes:,}",
                f"{len(analysis.frontier):,}",
                f"{origin['points_per_utility']:.0e}"
                if origin["points_per_utility"] > 10**6
                else f"{origin['points_per_utility']:,}",
                "yes" if origin["exact"] else "rounded",
                f"{out.stat().st_size / 1024:.1f}",
                f"{min(times):.3f}",
            )
            print(f"{name:<34}" + "".join(f" {c!s:>11}" for c in row), flush=True)
    print(f"{converted} domains converted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
