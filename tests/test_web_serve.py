"""The facilitator's first command (issue 19, defect 17): ``zopa serve`` as the README
runs it listens for the room's phones, prints where to go only once it serves, keeps
its key beside the database across restarts, fails on a port in use with one sentence,
and logs readable lines (JSON on request), without a line per connection."""

from __future__ import annotations

import json
import os
import queue
import signal
import stat
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.live import ROOT, free_port
from tests.web import LAPTOP, Pages, shot
from zopa.server.commands.serve import network_address

TIMEOUT = 20.0


class Zopa:
    """``zopa serve`` as a person types it: no --host, no key in the environment."""

    def __init__(self, database: Path, port: int, *extra: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "ZOPA_FACILITATOR_KEY"}
        command = [sys.executable, "-m", "zopa.server.cli", "serve", "--port", str(port)]
        command += ["--db", str(database), *extra]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        readers = (
            (self.process.stdout, self.stdout, True),
            (self.process.stderr, self.stderr, False),
        )
        for stream, kept, tell in readers:
            threading.Thread(target=self._read, args=(stream, kept, tell), daemon=True).start()

    def _read(self, stream: object, kept: list[str], tell: bool) -> None:
        for line in stream:  # type: ignore[attr-defined]
            kept.append(line.rstrip("\n"))
            if tell:
                self.lines.put(line.rstrip("\n"))
        if tell:
            self.lines.put(None)

    def banner(self) -> list[str]:
        """Lines printed up to the one naming the players' address."""
        seen: list[str] = []
        while True:
            line = self.lines.get(timeout=TIMEOUT)
            if line is None:
                raise AssertionError(f"zopa serve ended: {self.stderr}")
            seen.append(line)
            if line.startswith("zopa: players open") or line.startswith("zopa: no network"):
                return seen

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(TIMEOUT)


@pytest.fixture
def started(tmp_path: Path) -> Iterator[list[Zopa]]:
    running: list[Zopa] = []
    yield running
    for zopa in running:
        if zopa.process.poll() is None:
            zopa.process.kill()
            zopa.process.wait(TIMEOUT)


def value(lines: list[str], prefix: str) -> str:
    found = [line for line in lines if line.startswith(prefix)]
    assert found, (prefix, lines)
    return found[0][len(prefix) :].strip()


def test_the_first_command_serves_the_room_and_keeps_its_key(
    pages: Pages, tmp_path: Path, started: list[Zopa]
) -> None:
    database = tmp_path / "zopa.db"
    port = free_port()
    first = Zopa(database, port)
    started.append(first)
    lines = first.banner()
    # Printed once serving: the port answers at once.
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
        assert answer.status == 200
    host = network_address() or "localhost"
    assert lines[0].startswith(f"zopa: serving on http://{host}:{port}/"), lines
    page_url = value(lines, "zopa: facilitator page (the join code and a QR code for phones):")
    key_file = database.with_suffix(".key")
    key = value(lines, f"zopa: facilitator key, kept in {key_file}:")
    assert page_url == f"http://{host}:{port}/facilitator.html#key={key}"
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    # The page the command printed (reached here by loopback: traffic stays on this
    # machine) opens a session whose QR code phones can scan.
    bookmark = page_url.replace(f"http://{host}:", "http://127.0.0.1:")
    facilitator = pages.person("facilitator", LAPTOP)
    facilitator.goto(bookmark)
    facilitator.wait_for_selector("#scenario option[value='guitar']", state="attached")
    facilitator.get_by_role("button", name="Create the session").click()
    facilitator.wait_for_function("() => document.querySelector('#qr').naturalWidth > 0")
    shot(facilitator, "serve-first-command", full_page=False)
    code = facilitator.inner_text("#join-code")
    player = pages.person("Ana")
    player.goto(f"http://127.0.0.1:{port}/?code={code}")
    player.fill("#join-name", "Ana")
    player.get_by_role("button", name="Join", exact=True).click()
    expect(player.locator("#lobby-screen")).to_be_visible()
    expect(facilitator.locator("#join-count")).to_have_text("1 joined, 1 connected")

    # A second server on the same port: one sentence, and no address that looks served.
    second = Zopa(tmp_path / "other.db", port)
    started.append(second)
    assert second.process.wait(TIMEOUT) == 1
    second_stderr = [line for line in second.stderr if line.strip()]
    assert second.stdout == []
    assert second_stderr == [
        f"zopa: port {port} is already in use on 0.0.0.0; stop the program using it "
        "or choose another port with --port."
    ]

    # Pages left open would log their refused reconnections while the server is down.
    facilitator.context.close()
    player.context.close()
    first.stop()
    logged = [line for line in first.stderr if line.strip()]
    assert not [line for line in logged if line.startswith("{")], logged
    assert any(" session opened on " in line for line in logged), logged
    assert logged[-1].endswith("stopped cleanly"), logged
    assert not [line for line in logged if "connected" in line], logged

    # The same key after a restart: the bookmarked page still opens the dashboard.
    again = Zopa(database, port)
    started.append(again)
    assert value(again.banner(), f"zopa: facilitator key, kept in {key_file}:") == key
    later = pages.person("facilitator again", LAPTOP)
    later.goto(bookmark)
    expect(later.locator("#setup-screen")).to_be_visible()
    later.context.close()
    again.stop()

    as_json = Zopa(tmp_path / "json.db", free_port(), "--log-format", "json")
    started.append(as_json)
    as_json.banner()
    as_json.stop()
    entries = [json.loads(line) for line in as_json.stderr if line.strip()]
    assert {"ready; 0 live games resumed", "stopped cleanly"} <= {e["message"] for e in entries}
