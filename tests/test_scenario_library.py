"""The server's own scenarios: uploaded, listed beside the built-ins, played in sessions,
tournaments and practice, kept across a restart, and loaded from a folder at start."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.live import KEY, Player, Server, open_session
from tests.test_scenario import GOOD
from zopa.rules.log import read_log, replay
from zopa.rules.scenario import read_scenario
from zopa.rules.scoring import result
from zopa.server.cli import main

# The lemonade case of test_scenario.py, as a teacher would upload it.
LEMONADE = GOOD


def upload(
    server: Server, text: str, kind: str = "application/toml", key: str | None = KEY
) -> tuple[int, Any]:
    request = urllib.request.Request(
        server.url + "/api/scenarios", data=text.encode(), method="POST"
    )
    request.add_header("Content-Type", kind)
    if key is not None:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_an_upload_is_stored_listed_and_its_id_kept_for_its_content(server: Server) -> None:
    status, answer = upload(server, LEMONADE)
    assert status == 201, answer
    assert answer["id"] == "lemonade" and len(answer["hash"]) == 64 and answer["new"] is True
    digest = answer["hash"]

    status, listing = server.call("GET", "/api/scenarios", key=None)
    assert status == 200
    by_id = {s["id"]: s for s in listing["scenarios"]}
    assert by_id["guitar"]["builtin"] is True
    assert by_id["lemonade"] == {
        "id": "lemonade",
        "title": "Lemonade Stand",
        "description": "Two children share a lemonade stand.",
        "issues": 2,
        "roles": [{"id": "maker", "label": "Maker"}, {"id": "seller", "label": "Seller"}],
        "builtin": False,
        "hash": digest,
    }
    assert "conceder" in listing["strategies"]

    # The same content again, written differently (a comment, JSON body): accepted, unchanged.
    status, again = server.call("POST", "/api/scenarios", {"toml": "# again\n" + LEMONADE})
    assert status == 201 and again == {"id": "lemonade", "hash": digest, "new": False}
    # Other content under a taken id is refused, for an own id and a built-in one alike.
    status, clash = upload(server, LEMONADE.replace("batna = 1\n", "batna = 2\n", 1))
    assert status == 409 and clash["error"]["code"] == "scenario_exists"
    assert "new id" in clash["error"]["message"]
    status, clash = upload(server, LEMONADE.replace('id = "lemonade"', 'id = "guitar"'))
    assert status == 409 and "built-in" in clash["error"]["message"]

    status, whole = server.call("GET", "/api/scenarios/lemonade")
    assert status == 200 and whole["toml"] == LEMONADE and whole["hash"] == digest
    assert whole["scenario"]["roles"][1]["points"] == {"price": [2, 1, 0], "cups": [0, 3]}
    assert server.call("GET", "/api/scenarios/lemonade", key=None)[0] == 401
    assert server.call("GET", "/api/scenarios/nothing")[0] == 404


def test_every_problem_of_an_upload_comes_back_with_its_key_and_line(server: Server) -> None:
    text = LEMONADE.replace('turns = "alternating"', 'turns = "whenever"').replace(
        "cups = [0, 3] }", 'cups = [0, "3"] }'
    )
    status, answer = upload(server, text)
    assert status == 400
    error = answer["error"]
    assert error["code"] == "invalid_scenario"
    problems = [(p["key"], p["line"]) for p in error["problems"]]
    lines = text.splitlines()
    assert problems == [
        ("roles[1].points.cups[1]", 1 + next(i for i, x in enumerate(lines) if '"3"' in x)),
        ("protocol.turns", 1 + next(i for i, x in enumerate(lines) if "whenever" in x)),
    ]
    assert error["problems"][0]["expected"] == "a number (found '3')"
    assert error["message"].startswith("line ") and "(and 1 more problem)" in error["message"]
    status, answer = upload(server, LEMONADE + "\nthis is = = not toml\n")
    assert status == 400 and answer["error"]["problems"][0]["key"] == "(syntax)"
    assert answer["error"]["problems"][0]["line"] == len(LEMONADE.splitlines()) + 2
    assert upload(server, LEMONADE, key=None)[0] == 401
    status, answer = upload(server, LEMONADE + "#" * 300_000)
    assert status == 413
    status, answer = server.call("POST", "/api/scenarios", {"text": LEMONADE})
    assert status == 400 and "application/toml" in answer["error"]["message"]
    assert "lemonade" not in str(server.call("GET", "/api/scenarios", key=None)[1])
    # Over every other call's 16 KiB body limit, under a scenario's own: taken whole.
    big = LEMONADE.replace('id = "lemonade"', 'id = "big_lemonade"', 1) + "#" * 40_000 + "\n"
    status, answer = upload(server, big)
    assert status == 201 and answer["id"] == "big_lemonade", (status, answer)


async def play_one_game(server: Server, code: str) -> str:
    """Two players on the session play one game to agreement; its id."""
    ana = await Player(server, code, "Ana").join()
    ben = await Player(server, code, "Ben").join()
    for player in (ana, ben):
        await player.connect()
    started = await server.acall("POST", f"/api/sessions/{code}/rounds")
    views = {p.id: await p.c.type("game") for p in (ana, ben)}
    assert {v["scenario"]["id"] for v in views.values()} == {"lemonade"}
    mover = next(p for p in (ana, ben) if views[p.id]["turn"] == views[p.id]["role"])
    other = ben if mover is ana else ana
    await mover.send({"type": "offer", "terms": {"price": 1, "cups": 1}})
    offer = await other.event("offer")
    await other.send({"type": "accept", "offer": offer["seq"]})
    ended = await other.c.type("ended")
    assert ended["result"]["outcome"] == "agreement"
    game: str = started["games"][0]["game"]
    return game


async def test_a_session_on_an_own_scenario_is_played_logged_and_survives_a_restart(
    tmp_path: Path,
) -> None:
    server = Server(tmp_path / "zopa.db", ZOPA_GRACE_SECONDS="0.5")
    server.start()
    try:
        assert upload(server, LEMONADE)[0] == 201
        code = await open_session(server, "lemonade")
        game = await play_one_game(server, code)
        status, text = server.call("GET", f"/api/games/{game}/log")
        assert status == 200 and isinstance(text, str)
        # The log holds the whole scenario: it replays with no server and no library.
        path = tmp_path / "game.jsonl"
        path.write_text(text, encoding="utf-8")
        log = read_log(text.splitlines())
        assert log.header.scenario == read_scenario(LEMONADE, "x")
        ended = result(replay(log))
        assert ended is not None and ended["outcome"] == "agreement"
        assert main(["replay", str(path), "--json"]) == 0

        # A tournament whose rounds name it, and a practice game on it against a bot.
        status, tour = server.call(
            "POST",
            "/api/sessions",
            {"schedule": {"rounds": [{"scenario": "lemonade"}, {"scenario": "guitar"}]}},
        )
        assert status == 201, tour
        status, plan = server.call("GET", f"/api/sessions/{tour['code']}/schedule")
        assert [r["scenario"]["id"] for r in plan["rounds"]] == ["lemonade", "guitar"]
        status, practice = server.call(
            "POST",
            "/api/practice",
            {"name": "Cy", "scenario": "lemonade", "strategy": "conceder", "role": "maker"},
            key=None,
        )
        assert status == 201, practice
        status, unknown = server.call("POST", "/api/sessions", {"scenario": "lemonad"})
        assert status == 404 and "lemonade" in unknown["error"]["message"]

        server.terminate()
        server.start()
        status, listing = server.call("GET", "/api/scenarios", key=None)
        assert "lemonade" in [s["id"] for s in listing["scenarios"]]
        status, snapshot = server.call("GET", f"/api/sessions/{code}")
        assert status == 200 and snapshot["scenario"]["id"] == "lemonade"
        status, results = server.call("GET", f"/api/sessions/{code}/results")
        assert results["rounds"][0]["games"][0]["result"]["outcome"] == "agreement"
    finally:
        server.stop()


def test_a_folder_of_scenarios_joins_the_library_at_start(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "lemonade.toml").write_text(LEMONADE, encoding="utf-8")
    server = Server(tmp_path / "zopa.db", ZOPA_SCENARIOS=str(folder))
    server.start()
    try:
        listing = server.call("GET", "/api/scenarios", key=None)[1]
        assert "lemonade" in [s["id"] for s in listing["scenarios"]]
    finally:
        server.stop()
    # Changed under the same id, it no longer starts: the stored sessions mean the old one.
    (folder / "lemonade.toml").write_text(LEMONADE.replace("batna = 1\n", "batna = 3\n"))
    with pytest.raises(RuntimeError, match=r"lemonade\.toml: the id 'lemonade' is taken"):
        server.start()
    server.stop()


def test_zopa_serve_lists_every_problem_of_a_folder_and_does_not_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.toml").write_text(LEMONADE.replace("batna = 1\n", "batna = x\n", 1))
    (tmp_path / "b.toml").write_text(LEMONADE.replace('"alternating"', '"sometimes"'))
    (tmp_path / "c.toml").write_text(LEMONADE)
    code = main(
        ["serve", "--port", "1", "--db", str(tmp_path / "z.db"), "--scenarios", str(tmp_path)]
    )
    assert code == 2
    said = capsys.readouterr().err
    assert f"{tmp_path / 'a.toml'}: line " in said and "(syntax)" in said
    assert f"{tmp_path / 'b.toml'}: line 9: protocol.turns" in said
    assert "c.toml" not in said
    assert main(["serve", "--scenarios", str(tmp_path / "nowhere")]) == 2
    assert "not a folder" in capsys.readouterr().err
