"""Two server processes on one SQLite file: a scenario sent to one is usable from the other,
read through by id on a miss, not only at start-up."""

from __future__ import annotations

from pathlib import Path

from tests.live import Player, Server, open_session
from tests.test_scenario_library import LEMONADE, upload


async def test_a_scenario_sent_to_one_server_is_used_by_another_on_the_same_database(
    tmp_path: Path,
) -> None:
    database = tmp_path / "zopa.db"
    first = Server(database, ZOPA_GRACE_SECONDS="0.5")
    second = Server(database, ZOPA_GRACE_SECONDS="0.5")
    second.log = tmp_path / "second.log"
    first.start()
    second.start()
    try:
        # Both started before the upload: only a read through finds it on the second.
        status, sent = upload(first, LEMONADE)
        assert status == 201 and sent["new"] is True
        status, whole = second.call("GET", "/api/scenarios/lemonade")
        assert status == 200 and whole["builtin"] is False and whole["toml"] == LEMONADE

        # Another content under the id is refused by the second too, the same one is not.
        changed = LEMONADE.replace("Two children", "Two cousins")
        assert changed != LEMONADE
        status, refused = upload(second, changed)
        assert status == 409 and refused["error"]["code"] == "scenario_exists"
        status, again = upload(second, LEMONADE)
        assert status == 201 and again["new"] is False

        # A session, a schedule and practice on the second name it.
        code = await open_session(second, "lemonade")
        status, snapshot = second.call("GET", f"/api/sessions/{code}")
        assert status == 200 and snapshot["scenario"]["id"] == "lemonade"
        status, tour = second.call(
            "POST", "/api/sessions", {"schedule": {"rounds": [{"scenario": "lemonade"}]}}
        )
        assert status == 201, tour
        status, practice = second.call(
            "POST",
            "/api/practice",
            {"name": "Cy", "scenario": "lemonade", "strategy": "conceder", "role": "maker"},
            key=None,
        )
        assert status == 201, practice

        # A session opened on the first is loaded by the second when a player joins there.
        upload(first, LEMONADE.replace('id = "lemonade"', 'id = "lemonade-2"'))
        other = await open_session(first, "lemonade-2")
        joined = await Player(second, other, "Ana").join()
        assert joined.token
        status, snapshot = second.call("GET", f"/api/sessions/{other}")
        assert status == 200 and snapshot["scenario"]["id"] == "lemonade-2"

        # The listing of the second holds what the first was sent.
        upload(first, LEMONADE.replace('id = "lemonade"', 'id = "lemonade-3"'))
        status, listing = second.call("GET", "/api/scenarios", key=None)
        ids = [s["id"] for s in listing["scenarios"]]
        assert ids[-3:] == ["lemonade", "lemonade-2", "lemonade-3"]

        # An id in neither server's library is still refused, with the ids there are.
        status, unknown = second.call("POST", "/api/sessions", {"scenario": "lemonad"})
        assert status == 404 and "lemonade-3" in unknown["error"]["message"]
    finally:
        first.stop()
        second.stop()
