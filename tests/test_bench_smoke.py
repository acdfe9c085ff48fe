"""The load benchmark still runs end to end (a short smoke run; the real one is by hand)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_load_benchmark_prints_its_table() -> None:
    # The checkout itself as the baseline: the before-and-after columns get figures too;
    # and a facilitator's dashboard watches zopa's session.
    done = subprocess.run(
        [
            sys.executable,
            "bench/bench_load.py",
            "--quick",
            "--facilitator",
            "--baseline",
            str(ROOT),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = {
        line.split()[0] + " " + line.split()[1]: line.split()
        for line in done.stdout.splitlines()[2:]
    }
    assert set(rows) >= {"throughput 20", "memory KB/player", "p50 ms", "p99 ms"}
    relay, zopa, baseline = (
        float(rows["throughput 20"][column].replace(",", "")) for column in (2, 3, 5)
    )
    assert relay > 0 and zopa > 0 and baseline > 0
    # Snapshots came during the latency window (the relay has no dashboard).
    assert rows["dashboard snapshots"][2] == "-" and float(rows["dashboard snapshots"][3]) >= 1


def test_the_actor_benchmark_plays_its_moves_and_prints_a_cost() -> None:
    done = subprocess.run(
        [sys.executable, "bench/bench_actor.py", "--moves", "300"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    cost = float(done.stdout.split()[0])
    assert cost > 0 and "of CPU per move" in done.stdout


def test_the_memory_benchmark_prints_its_three_figures() -> None:
    done = subprocess.run(
        [sys.executable, "bench/bench_memory.py", "--games", "400", "--round", "20"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # Measured past the first class that reaches the warm-up (a fifth of the games).
    assert lines[0].startswith("ended games: 400; the last 200 kept ")
    assert "bytes per ended game (the first 200 grew it " in lines[0]
    # Start-up resumed the live games both times; the older classes stayed in storage once.
    assert "(1 sessions loaded, 20 live games resumed)" in lines[1]
    assert "20 live games resumed" in lines[2] and "(1 sessions loaded" not in lines[2]
    assert lines[3].startswith("a round of 20 games: ") and " ms to start" in lines[3]


def test_the_wire_benchmark_prints_what_the_status_adds() -> None:
    done = subprocess.run(
        [sys.executable, "bench/bench_wire.py", "--games", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines()[2:-1]}
    assert set(rows) == {
        "campsite",
        "food-truck",
        "guitar",
        "moving-out",
        "new-hire",
        "supplier",
        "all",
    }
    # Without a status, then what its change adds, then what the whole status would.
    without, change, whole = (float(v) for v in rows["all"][2:5])
    assert without > 0 and 0 < change < whole
    assert "µs of CPU for a step's status" in done.stdout.splitlines()[-1]


def test_the_genius_benchmark_converts_every_domain() -> None:
    done = subprocess.run(
        [sys.executable, "bench/bench_genius.py", "--repeat", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "ampo-city-1.9M (16 decimals)" in done.stdout
    assert "1,881,600" in done.stdout and "rounded" in done.stdout
    assert done.stdout.rstrip().endswith("13 domains converted")


def test_the_board_benchmark_compares_both_ways() -> None:
    done = subprocess.run(
        [sys.executable, "bench/bench_board.py", "--games", "20", "--rounds", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "20 live games of 12 events" in done.stdout
    assert done.stdout.splitlines()[-1].split()[0] == "ratio"


def test_the_load_benchmark_on_postgresql_prints_the_database_rows(postgres_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "bench/bench_load.py", "--quick", "--rounds", "2", "--db", postgres_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    rows = {" ".join(line.split()[:3]): line.split() for line in lines[2:]}
    # relay, zopa, ratio, pg, pg/zopa: PostgreSQL's own CPU only in its column, and the
    # total beside the worker's; SQLite's total is its worker's CPU.
    database = rows["PG CPU us/action"]
    assert database[4:7] == ["-", "-", "-"] and float(database[7].replace(",", "")) >= 0
    total, worker = rows["total CPU us/action"], rows["CPU us/action 20"]
    pg_total, pg_worker = (float(figure.replace(",", "")) for figure in (total[7], worker[6]))
    assert total[5] == worker[4] and pg_total >= pg_worker > 0
    assert sum(line.startswith("pg/zopa, throughput 20, by round:") for line in lines) == 1
