"""``zopa bots tournament`` and ``zopa bots merge``: anyone's agents, every pair, on J
processes and in slices; the example agent of docs/agents.md as it stands; the same
file-loaded agent in ``zopa bots match`` and live with ``zopa bots join``."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import pty
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.live import ROOT, Player, Server, open_session
from tests.test_bot_client import connected, facilitator
from tests.virtual_time import VirtualServer, virtual_time
from zopa.rules.log import read_log_file, replay
from zopa.rules.scoring import result
from zopa.server.agent_tournament import Settings, run, schedule
from zopa.server.bot_client import run_bots
from zopa.server.cli import main

FAULTY = """
    from zopa.rules.bots.agent import best_terms, offer

    class Faulty:
        '''Plays like a hard bargainer, but fails in repetition 1 on the guitar.'''

        name = "faulty"

        def decide(self, seen):
            if seen.issues[0].id == "price" and seen.seed % 2 == 1 and seen.now > 20:
                raise RuntimeError("bad luck")
            return offer(seen, best_terms(seen)) if seen.may_offer else None
"""


def example_agent(folder: Path, containing: str = "") -> Path:
    """The first python block of docs/agents.md (containing ``containing``), saved as it
    stands."""
    text = (ROOT / "docs" / "agents.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if containing in b)
    path = folder / ("steady.py" if not containing else "mybot.py")
    path.write_text(block)
    return path


def cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zopa.server.cli", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )


def rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "games.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def summary(folder: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((folder / "results.json").read_text())
    return found


def test_the_example_agent_of_the_docs_runs_in_a_tournament(tmp_path: Path) -> None:
    agent = example_agent(tmp_path)
    out = tmp_path / "out"
    done = cli(
        "bots",
        "tournament",
        "--agents",
        f"{agent}:Steady,conceder,problem-solver",
        "--scenarios",
        "guitar,moving-out,supplier",
        "--repeat",
        "2",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no progress bar: stderr is not a terminal
    games = rows(out)
    # 3 agents: 6 ordered pairs, 3 scenarios, 2 repetitions, 2 sides each.
    assert len(games) == 6 * 3 * 2 * 2
    steady = [g for g in games if g["agent"] == "steady"]
    assert len(steady) == 2 * 2 * 3 * 2 and {g["role"] for g in steady} >= {"seller", "buyer"}
    assert all(g["refused"] == "0" and g["outcome"] != "forfeit" for g in games)
    assert any(g["outcome"] == "agreement" for g in steady)
    found = summary(out)
    assert {s["agent"] for s in found["standings"]} == {"steady", "conceder", "problem-solver"}
    assert found["agents"][0] == {"name": "steady", "reference": f"{agent}:Steady"}
    assert "steady" in done.stdout and "games/s" in done.stdout


def test_the_classroom_template_of_the_docs_plays_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = example_agent(tmp_path, "class MyBot")
    argv = ["bots", "match", "guitar", "--repeat", "2", "--json"]
    assert main([*argv, "--strategies", f"{template}:MyBot,conceder"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["strategies"] == ["my-bot", "conceder"] and out["refused"] == 0


def test_every_pair_both_roles_every_scenario_and_the_numbers_add_up(tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = ["bots", "tournament", "--agents", "conceder,boulware,hardliner"]
    argv += ["--scenarios", "guitar,food-truck", "--repeat", "3", "--self-play", "--out", str(out)]
    assert main(argv) == 0
    games = rows(out)
    assert len(games) == 9 * 2 * 3 * 2
    pairs = {(g["scenario"], g["agent"], g["partner"], g["role"]) for g in games}
    for scenario, first, second in (("guitar", "seller", "buyer"), ("food-truck", "owner", "cook")):
        for a in ("conceder", "boulware", "hardliner"):
            for b in ("conceder", "boulware", "hardliner"):
                assert (scenario, a, b, first) in pairs and (scenario, a, b, second) in pairs
    for g in games:
        assert float(g["points"]) - float(g["batna"]) == float(g["surplus"])
        assert g["outcome"] in ("agreement", "impasse")
        assert (g["terms"] != "") == (g["outcome"] == "agreement")
        if g["scenario"] == "food-truck":  # no zone of agreement: no efficiency figure
            assert g["efficiency"] == "" and g["outcome"] == "impasse"
    # In repetition r every pairing meets the same cards and seed.
    for r in "012":
        seeds = {(g["scenario"], g["seed"]) for g in games if g["repetition"] == r}
        assert len(seeds) == 2
    found = summary(out)
    conceder = next(s for s in found["standings"] if s["agent"] == "conceder")
    mine = [g for g in games if g["agent"] == "conceder"]
    assert conceder["games"] == len(mine)
    assert conceder["surplus"] == pytest.approx(sum(float(g["surplus"]) for g in mine) / len(mine))


def test_slices_merged_equal_the_whole_and_jobs_change_nothing(tmp_path: Path) -> None:
    agent = example_agent(tmp_path)
    faulty = tmp_path / "faulty.py"
    faulty.write_text(textwrap.dedent(FAULTY))
    argv = ["bots", "tournament", "--agents", f"{agent}:Steady,{faulty}:Faulty,linear"]
    argv += ["--scenarios", "guitar,campsite", "--repeat", "3", "--seed", "7"]
    assert main([*argv, "--out", str(tmp_path / "whole")]) == 0
    assert main([*argv, "--jobs", "2", "--out", str(tmp_path / "two")]) == 0
    for k in (1, 2, 3):
        assert main([*argv, "--shard", f"{k}/3", "--out", str(tmp_path / f"part{k}")]) == 0
        assert summary(tmp_path / f"part{k}")["shard"] == [k, 3]
    parts = [str(tmp_path / f"part{k}") for k in (3, 1, 2)]
    assert main(["bots", "merge", *parts, "--out", str(tmp_path / "merged")]) == 0
    whole = (tmp_path / "whole" / "games.csv").read_bytes()
    assert (tmp_path / "two" / "games.csv").read_bytes() == whole
    assert (tmp_path / "merged" / "games.csv").read_bytes() == whole
    expected = {k: v for k, v in summary(tmp_path / "whole").items() if k != "run"}
    for folder in ("two", "merged"):
        assert {k: v for k, v in summary(tmp_path / folder).items() if k != "run"} == expected
    # The faulty agent forfeited its odd-seeded guitar games, and the run went on.
    games = rows(tmp_path / "whole")
    forfeits = [g for g in games if g["outcome"] == "forfeit"]
    assert forfeits and all(g["agent"] == "faulty" for g in forfeits)
    assert all(g["reason"].startswith("error in decide: RuntimeError: bad luck") for g in forfeits)
    for g in forfeits:
        assert float(g["points"]) <= float(g["batna"])
        partner = next(p for p in games if p["game"] == g["game"] and p is not g)
        assert partner["reason"] == f"forfeit by {g['role']}"
        assert partner["points"] == partner["batna"]
    assert expected["forfeits"] == len(forfeits)
    # Another seed plays other games.
    assert main([*argv[:-2], "--seed", "8", "--out", str(tmp_path / "other")]) == 0
    assert (tmp_path / "other" / "games.csv").read_bytes() != whole


def test_merge_refuses_a_missing_slice_or_another_tournament(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["bots", "tournament", "--agents", "conceder,linear", "--scenarios", "guitar"]
    for k in (1, 2):
        assert main([*argv, "--shard", f"{k}/3", "--out", str(tmp_path / f"p{k}")]) == 0
    assert main([*argv, "--seed", "2", "--shard", "3/3", "--out", str(tmp_path / "p3")]) == 0
    capsys.readouterr()
    two = [str(tmp_path / "p1"), str(tmp_path / "p2")]
    assert main(["bots", "merge", *two, "--out", str(tmp_path / "m")]) == 2
    assert "slice(s) 3 of 3 missing" in capsys.readouterr().err
    assert main(["bots", "merge", *two, str(tmp_path / "p3"), "--out", str(tmp_path / "m")]) == 2
    assert "holds another tournament" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--agents", "conceder,nobody"], "no strategy 'nobody'"),
        (["--agents", "conceder"], "add --self-play"),
        (["--agents", "conceder,linear", "--shard", "4/3"], "--shard '4/3'"),
        (["--agents", "conceder,linear", "--scenarios", "chess"], "chess"),
        (["--agents", "/nowhere/x.py:X,linear"], "agent '/nowhere/x.py:X': no file"),
    ],
)
def test_bad_arguments_say_what_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    full = ["bots", "tournament", "--scenarios", "guitar", *argv, "--out", str(tmp_path / "o")]
    assert main(full) == 2
    assert said in capsys.readouterr().err


def test_logs_replay_to_the_rows(tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = ["bots", "tournament", "--agents", "conceder,tit-for-tat", "--scenarios", "supplier"]
    assert main([*argv, "--repeat", "2", "--logs", "--out", str(out)]) == 0
    games = rows(out)
    for g in games[::2]:
        stem = out / "logs" / f"game-{int(g['game']):06d}"
        state = replay(read_log_file(f"{stem}.jsonl"))
        scored = result(state)
        assert scored is not None and scored["points"][g["role"]] == float(g["points"])
        tags = json.loads(Path(f"{stem}.tags.json").read_text())
        assert isinstance(tags, list) and all("tag" in t for t in tags)


def test_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "zopa.server.cli", "bots", "tournament"]
    command += ["--agents", "conceder,linear", "--scenarios", "guitar", "--repeat", "5"]
    process = subprocess.Popen(
        [*command, "--out", str(tmp_path / "o")],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal: it is done
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 0
    assert b"10/10 games" in seen and b"[######" in seen


def test_a_file_loaded_agent_in_zopa_bots_match(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agent = example_agent(tmp_path)
    argv = ["bots", "match", "campsite", "--repeat", "2", "--json"]
    assert main([*argv, "--strategies", f"conceder,{agent}:Steady"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["strategies"] == ["conceder", "steady"] and out["refused"] == 0
    faulty = tmp_path / "faulty.py"
    faulty.write_text(textwrap.dedent(FAULTY))
    argv = ["bots", "match", "guitar", "--repeat", "2"]
    assert main([*argv, "--strategies", f"conceder,{faulty}:Faulty"]) == 1
    assert "agent faulty forfeited" in capsys.readouterr().err


async def test_zopa_bots_join_plays_a_file_loaded_agent_live(
    server: Server, tmp_path: Path
) -> None:
    agent = example_agent(tmp_path)
    code = await open_session(server, "guitar", time_limit=12)
    watcher = await facilitator(server, code)
    command = [sys.executable, "-m", "zopa.server.cli", "bots", "join", server.url, code]
    command += ["--count", "2", "--strategy", f"{agent}:Steady", "--rounds", "1"]
    process = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        await connected(watcher, 2)
        await server.acall("POST", f"/api/sessions/{code}/rounds")
        out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert len(lines) == 2 and all(line.startswith("steady bot ") for line in lines), lines
    results = await server.acall("GET", f"/api/sessions/{code}/results")
    outcome = results["rounds"][0]["games"][0]["result"]
    # Two Steadys concede towards their BATNAs and meet before the deadline.
    assert outcome["outcome"] == "agreement", outcome
    assert all("agreement" in line for line in lines)
    assert "refused" not in err.decode()


def test_an_agent_that_cannot_be_made_for_a_game_forfeits_it(tmp_path: Path) -> None:
    path = tmp_path / "once.py"
    once = """
        class Once:
            name = "once"
            made = 0

            def __init__(self):
                Once.made += 1
                if Once.made > 2:
                    raise MemoryError("no more")

            def decide(self, seen):
                return None
    """
    path.write_text(textwrap.dedent(once))
    settings = Settings((f"{path}:Once", "conceder"), ("guitar",), repeat=2)
    games = run(settings, schedule(settings))
    outcomes = [(r.agent, r.outcome) for r in games]
    # Made once when loaded, once for its first game; every later game it forfeits.
    assert outcomes[:2] == [("once", "impasse"), ("conceder", "impasse")]
    forfeited = [r for r in games[2:] if r.agent == "once"]
    assert len(forfeited) == 3 and all(r.outcome == "forfeit" for r in forfeited)
    assert all("MemoryError: no more" in r.reason for r in forfeited)


@virtual_time
async def test_live_an_agent_that_raises_walks_out_and_says_why(
    server: VirtualServer, tmp_path: Path
) -> None:
    path = tmp_path / "flaky.py"
    flaky = """
        class Flaky:
            name = "flaky"

            def decide(self, seen):
                raise ValueError("cannot count")
    """
    path.write_text(textwrap.dedent(flaky))
    code = await open_session(server, "guitar", time_limit=60)
    watcher = await facilitator(server, code)
    person = await Player(server, code, "Ana").join()
    await person.connect()
    said: list[str] = []
    bots = asyncio.create_task(
        run_bots(
            server.url, code, 1, f"{path}:Flaky", rounds=1, report=said.append, clock=server.clock
        )
    )
    await connected(watcher, 2)
    await server.acall("POST", f"/api/sessions/{code}/rounds")
    ended = await person.c.until(lambda m: m["type"] == "ended", 15)
    assert ended["result"]["reason"] == "walkout"
    players = await asyncio.wait_for(bots, 15)
    assert players[0].refused == 0 and len(players[0].outcomes) == 1
    assert said[0].startswith("flaky bot 1: forfeited (error in decide: ValueError: cannot count")
    assert said[0].endswith("; walking out")
