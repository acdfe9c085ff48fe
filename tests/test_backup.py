"""``zopa backup``: a copy taken while the server plays is a database another server resumes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.live import ROOT, Player, Server
from tests.test_server_game import paired


def zopa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zopa.server.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_a_backup_of_a_running_server_resumes_its_live_game(tmp_path: Path) -> None:
    server = Server(tmp_path / "zopa.db")
    server.start()
    try:
        code, players, started = await paired(server, "guitar")
        game = started["games"][0]["game"]
        mover = players[players["seller"].c.received[-1]["turn"]]
        await mover.send({"type": "offer", "terms": {"price": 9}})
        for player in players.values():
            await player.event("offer")

        copy = tmp_path / "backups" / "copy.db"
        copy.parent.mkdir()
        done = zopa("backup", str(copy), "--db", str(server.database))
        assert done.returncode == 0, done.stderr
        assert "1 session, 1 game (1 live)" in done.stdout
        # One self-contained file: nothing of it was left in a -wal beside it.
        assert sorted(p.name for p in copy.parent.iterdir()) == ["copy.db"]

        # The original carries on after the copy was taken.
        await mover.send({"type": "chat", "text": "after the backup"})
        for player in players.values():
            await player.event("chat")
    finally:
        server.stop()

    restored = Server(copy)
    restored.start()
    try:
        results = await restored.acall("GET", f"/api/sessions/{code}/results")
        assert results["rounds"][0]["games"][0]["game"] == game
        assert results["rounds"][0]["games"][0]["result"] is None
        back = Player(restored, code, mover.name)
        back.token = mover.token
        view = (await back.connect())["game"]
        kinds = [e["type"] for e in view["events"]]
        assert kinds[0] == "offer" and "chat" not in kinds
        assert view["status"]["over"] is False
    finally:
        restored.stop()


def test_a_backup_refuses_what_would_lose_data(tmp_path: Path) -> None:
    missing = zopa("backup", str(tmp_path / "copy.db"), "--db", str(tmp_path / "typo.db"))
    assert missing.returncode == 1
    assert "no database at" in missing.stderr and "typo.db" in missing.stderr
    # A mistyped path must not leave an empty database behind.
    assert not (tmp_path / "typo.db").exists()

    database = tmp_path / "zopa.db"
    database.write_bytes(b"")
    onto_itself = zopa("backup", str(database), "--db", str(database))
    assert onto_itself.returncode == 1 and "another file" in onto_itself.stderr

    folder = zopa("backup", str(tmp_path), "--db", str(database))
    assert folder.returncode == 1 and "is a folder" in folder.stderr
