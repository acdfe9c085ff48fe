"""A library scenario's id works where a built-in id does: ``zopa analyze``, ``zopa cards``
and ``zopa bots match`` read it from a server's database (``--db`` or ``$ZOPA_DB``), and
bots joined to a live session on it play it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.live import Server, open_session
from tests.test_bot_client import connected, facilitator
from tests.test_scenario_library import LEMONADE, upload
from zopa.rules.analysis import analysis_json, analyze
from zopa.rules.deal import deal
from zopa.rules.log import read_log
from zopa.rules.scenario import read_scenario
from zopa.server.bot_client import run_bots
from zopa.server.cli import main


def output(capsys: pytest.CaptureFixture[str], *command: str) -> tuple[int, str, str]:
    status = main(list(command))
    out, err = capsys.readouterr()
    return status, out, err


def test_the_commands_read_a_library_id_from_the_servers_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "zopa.db"
    server = Server(database)
    server.start()
    try:
        assert upload(server, LEMONADE)[0] == 201
        lemonade = read_scenario(LEMONADE, "x")
        # While the server runs: the file is only read.
        status, out, _ = output(capsys, "analyze", "lemonade", "--db", str(database), "--json")
        assert status == 0
        assert json.loads(out) == json.loads(json.dumps(analysis_json(analyze(lemonade), lemonade)))
    finally:
        server.stop()

    monkeypatch.setenv("ZOPA_DB", str(database))
    status, out, _ = output(capsys, "cards", "lemonade", "--games", "2", "--json")
    assert status == 0
    games = json.loads(out)["games"]
    assert [g["cards"]["maker"] for g in games] == [deal(lemonade, s).card("maker") for s in (1, 2)]
    status, out, _ = output(capsys, "bots", "match", "lemonade", "--repeat", "1", "--json")
    assert status == 0 and json.loads(out)["scenario"] == "lemonade"

    # An id the library lacks: what it could have been, the library's ids among them.
    status, _, err = output(capsys, "analyze", "lemonad")
    assert status == 2
    assert "zopa analyze: lemonad: (scenario): a built-in id (campsite, " in err
    assert f"an id of the library in {database} (it has: lemonade)" in err
    status, _, err = output(capsys, "analyze", "lemonade", "--db", str(tmp_path / "none.db"))
    assert status == 2 and "none.db (there is no such file)" in err
    assert not (tmp_path / "none.db").exists()


async def test_bots_joined_to_a_session_on_a_library_scenario_play_it(server: Server) -> None:
    assert upload(server, LEMONADE)[0] == 201
    code = await open_session(server, "lemonade", time_limit=20)
    watcher = await facilitator(server, code)
    said: list[str] = []
    bots = asyncio.create_task(
        run_bots(server.url, code, 2, "conceder", rounds=1, think=0.2, report=said.append)
    )
    await connected(watcher, 2)
    started = await server.acall("POST", f"/api/sessions/{code}/rounds")
    game = started["games"][0]["game"]
    players = await asyncio.wait_for(bots, 40)
    assert [p.refused for p in players] == [0, 0]
    results = await server.acall("GET", f"/api/sessions/{code}/results")
    outcome = results["rounds"][0]["games"][0]["result"]
    assert outcome["outcome"] == "agreement"
    status, text = server.call("GET", f"/api/games/{game}/log")
    assert status == 200 and isinstance(text, str)
    header = read_log(text.splitlines()).header
    assert header.scenario.id == "lemonade" and header.scenario.issue_ids == ("price", "cups")
