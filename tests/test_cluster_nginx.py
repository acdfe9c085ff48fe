"""``zopa serve --workers 2`` on one PostgreSQL behind Debian's nginx, routed by session.

nginx runs with the site file zopa ships (deploy/nginx/zopa.conf) whose upstream block is
replaced by an include of the one ``zopa serve --workers 2 --upstream FILE`` wrote, as
docs/deploy.md says: the test holds no routing of its own. Sessions are opened, joined,
watched and played through nginx, by HTTP and websocket, as the web client does.

nginx's access log tells where each request went (``$upstream_addr``, one address per
worker tried) and what each worker answered: every request about a session must reach
the worker that holds it at the first try, with no 503 handed to the client. Then the
worker holding one session is SIGKILLed: its players reconnect through nginx, which
skips the dead worker; the other worker takes the session over and the game goes on
with no event lost. ``--workers`` starts the dead worker again, which finds its old
session held by the survivor: nginx hands that session's requests on, GETs and POSTs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.live import KEY, ROOT, Client, Http, Player, open_session
from tests.test_cluster_failover import heard
from tests.test_cluster_workers import healthy, worker_ports
from tests.test_deploy_nginx import (
    MISSING,
    SITE,
    Nginx,
    certificate,
    distinct_ports,
    needs_nginx,
    render,
)
from zopa.rules.log import read_log, replay
from zopa.rules.scoring import result

pytestmark = needs_nginx

# What nginx logs of each request: where it went, each worker tried, what each answered.
ROUTE_FIELDS = ("method", "uri", "session", "status", "tried", "answers")
ROUTE_FORMAT = "\t".join(
    ("$request_method", "$uri", "$zopa_session", "$status", "$upstream_addr", "$upstream_status")
)
# docs/deploy.md's sed expression that puts the written upstream in the site's place.
UPSTREAM_SED = "/^# --- upstream/,/^# --- end of upstream/c include {};"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"


def with_upstream(site: str, upstream: Path) -> str:
    """The site file with its upstream blocks replaced by an include of ``upstream``, by
    the sed line of docs/deploy.md."""
    assert UPSTREAM_SED.format("/etc/nginx/zopa-upstream.conf") in DEPLOY_DOC.read_text()
    replaced = subprocess.run(
        ["sed", "-e", UPSTREAM_SED.format(upstream)],
        input=site,
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    ).stdout
    assert "upstream zopa_upstream" not in replaced and f"include {upstream};" in replaced
    return replaced


class Proxied(Http):
    """Through nginx, as a browser: HTTPS, and the session's code in the socket's URL."""

    def __init__(self, port: int, tls: ssl.SSLContext, code: str = "") -> None:
        super().__init__(port)
        self.tls = tls
        self.code = code

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"wss://127.0.0.1:{self.port}/ws" + (f"?session={self.code}" if self.code else "")

    def connect_options(self) -> dict[str, Any]:
        return {"ssl": self.tls}


@dataclass
class Route:
    method: str
    uri: str
    session: str
    status: int
    tried: list[str]
    answers: list[str]


@dataclass
class Cluster:
    nginx: Nginx
    supervisor: subprocess.Popen[bytes]
    ports: tuple[int, int]
    tls: ssl.SSLContext
    log: Path

    def front(self, code: str = "") -> Proxied:
        return Proxied(self.nginx.https_port, self.tls, code)

    def owner(self, code: str) -> int:
        """The port of the worker that serves the session, asked of each directly."""
        answers = {}
        for port in self.ports:
            with contextlib.suppress(urllib.error.URLError):  # a dead worker: not it
                answers[port] = Http(port).call("GET", f"/api/sessions/{code}")[0]
        owners = [port for port, status in answers.items() if status == 200]
        assert len(owners) == 1 and set(answers.values()) <= {200, 503}, answers
        return owners[0]

    def worker_pid(self, port: int) -> int:
        """The process id of the supervisor's worker on ``port``."""
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.supervisor.pid and command[-3:-1] == [b"--port", b"%d" % port]:
                return int(entry.name)
        raise AssertionError(f"no worker on port {port}:\n{self.log.read_text()}")

    def wait_healthy(self) -> None:
        serving(self.supervisor, self.ports, self.log)

    async def tried_again(self, code: str, port: int) -> None:
        """Ask nginx about the session until it tries the worker on ``port`` first again
        (a worker it found down, it leaves alone for the upstream's fail_timeout)."""
        deadline = time.monotonic() + 10
        while True:
            await self.front(code).acall("GET", f"/api/sessions/{code}")
            last = self.routes()[-1]
            assert last.uri == f"/api/sessions/{code}", last
            if last.tried[0] == f"127.0.0.1:{port}":
                return
            assert time.monotonic() < deadline, last
            await asyncio.sleep(0.1)

    def routes(self) -> list[Route]:
        lines = (self.nginx.prefix / "access.log").read_text().splitlines()
        routes = []
        for line in lines:
            method, uri, session, status, tried, answers = line.split("\t")
            # ", " between the workers one upstream tried, " : " between the upstreams.
            each = re.compile(", | : ")
            routes.append(
                Route(method, uri, session, int(status), each.split(tried), each.split(answers))
            )
        return routes


def serving(supervisor: subprocess.Popen[bytes], ports: tuple[int, ...], log: Path) -> None:
    """Wait until every worker answers its /healthz."""
    deadline = time.monotonic() + 30
    while not all(healthy(port) for port in ports):
        assert supervisor.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)  # a worker starting: look again, without holding a core


@pytest.fixture
def cluster(tmp_path: Path, postgres_url: str) -> Iterator[Cluster]:
    if MISSING:
        pytest.fail("nginx or openssl is missing: .ci/run should have installed them")
    cert, key = certificate(tmp_path)
    http_port, https_port = distinct_ports(2)
    first = worker_ports(frozenset({http_port, https_port}))
    ports = (first, first + 1)  # --workers 2 takes --port and the one after it
    upstream = tmp_path / "upstream.conf"
    command = [sys.executable, "-m", "zopa.server.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(first), "--workers", "2", "--upstream", str(upstream)]
    command += ["--db", postgres_url]
    env = {**os.environ, "ZOPA_FACILITATOR_KEY": KEY, "ZOPA_GRACE_SECONDS": "30"}
    env |= {"ZOPA_LOG_FORMAT": "json", "ZOPA_LOG_LEVEL": "debug"}
    log = tmp_path / "workers.log"
    with open(log, "wb") as out:
        supervisor = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    nginx: Nginx | None = None
    try:
        serving(supervisor, ports, log)
        site = render(
            SITE.read_text(),
            {
                "SERVER_NAME": "localhost",
                "HTTP_LISTEN": f"127.0.0.1:{http_port}",
                "HTTPS_LISTEN": f"127.0.0.1:{https_port}",
                "CERTIFICATE": str(cert),
                "CERTIFICATE_KEY": str(key),
                "UPSTREAM": f"127.0.0.1:{first}",
                "WEB_ROOT": str(tmp_path / "web"),
                "ACME_ROOT": str(tmp_path / "acme"),
            },
        )
        site = with_upstream(site, upstream)
        nginx = Nginx(tmp_path / "nginx", site, https_port, http_port, ROUTE_FORMAT)
        nginx.start()
        yield Cluster(nginx, supervisor, ports, ssl.create_default_context(cafile=str(cert)), log)
    finally:
        if nginx is not None:
            nginx.stop()
        supervisor.send_signal(signal.SIGTERM)
        try:
            supervisor.wait(30)
        except subprocess.TimeoutExpired:
            supervisor.kill()
            supervisor.wait(10)


@dataclass
class Table:
    """One session played through nginx: its facilitator's socket, two players, a game."""

    code: str
    front: Proxied
    facilitator: Client
    players: dict[str, Player]
    game: str
    first: str  # the role that moves first
    offered: Player | None = None  # who made the latest offer
    # What each player heard on the sockets they left, by id(player).
    earlier: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    async def open(cls, cluster: Cluster) -> Table:
        # The facilitator page: the scenarios, a new session, then its board and socket.
        assert (await cluster.front().ask("GET", "/api/scenarios"))[0] == 200
        code = await open_session(cluster.front(), "guitar")
        front = cluster.front(code)
        assert (await front.acall("GET", f"/api/sessions/{code}"))["code"] == code
        facilitator = await Client.open(front)
        await facilitator.send({"type": "hello", "key": KEY, "session": code})
        await facilitator.type("session")
        # The players' page: join by the code, then the socket named by it.
        joined = [await Player(front, code, name).join() for name in ("Ana", "Ben")]
        for player in joined:
            await player.connect()
        started = await front.acall("POST", f"/api/sessions/{code}/rounds")
        players: dict[str, Player] = {}
        for player in joined:
            view = await player.c.type("game")
            players[view["role"]] = player
        return cls(code, front, facilitator, players, started["games"][0]["game"], view["turn"])

    def turn(self) -> tuple[Player, Player]:
        """Whose turn it is, and the other."""
        mover = self.players[self.first] if self.offered is None else self.other(self.offered)
        return mover, self.other(mover)

    def other(self, player: Player) -> Player:
        return next(p for p in self.players.values() if p is not player)

    async def offer(self, player: Player, price: int) -> int:
        self.offered = player
        await player.send({"type": "offer", "terms": {"price": price}})
        for each in self.players.values():
            made = await each.event("offer", timeout=10)
        return int(made["seq"])

    async def pages(self) -> None:
        """What the facilitator's pages ask of the session over HTTP, all of it answered."""
        code = self.code
        for path in (
            f"/api/sessions/{code}",
            f"/api/sessions/{code}/results",
            f"/api/sessions/{code}/analysis",
            f"/api/sessions/{code}/results.csv",
            f"/api/sessions/{code}/debrief?view=facilitator&round=1",
        ):
            status, answer = await self.front.ask("GET", path)
            assert status == 200, (path, status, answer)
        sent = {"game": self.game, "text": "two minutes"}
        await self.front.acall("POST", f"/api/sessions/{code}/message", sent)
        for player in self.players.values():
            await player.event("message", timeout=10)

    async def reconnect(self, deadline: float) -> int:
        """Each player back on a new socket through nginx; the refusals they met."""
        refused = 0
        for player in self.players.values():
            self.earlier.setdefault(id(player), []).extend(heard(player))
            while True:
                try:
                    await player.connect(since=player.last_seq)
                    break
                except websockets.InvalidStatus as refusal:
                    # The moment between the kill and PostgreSQL freeing the lock.
                    assert refusal.response.status_code == 503, refusal
                    assert time.monotonic() < deadline, "no worker took the session over"
                    refused += 1
                    await asyncio.sleep(0.05)
        return refused


def port_of(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


async def test_sessions_reach_their_worker_through_nginx_and_outlive_a_killed_one(
    cluster: Cluster, tmp_path: Path
) -> None:
    # Sessions opened through nginx until each worker serves one at least.
    tables: list[Table] = []
    owners: dict[str, int] = {}
    while len(tables) < 3 or len(set(owners.values())) < 2:
        assert len(tables) < 16, f"every session went to one worker: {owners}"
        table = await Table.open(cluster)
        tables.append(table)
        owners[table.code] = cluster.owner(table.code)
    for table in tables:
        mover, _ = table.turn()
        await table.offer(mover, 12)
        await table.pages()

    routed = cluster.routes()
    for route in routed:
        if route.session:
            # At the first try, to the worker that serves the session, answered there.
            assert route.tried == [f"127.0.0.1:{owners[route.session]}"], route
            assert route.status < 500, route

    # The worker serving the first session dies mid-game.
    lost = tables[0]
    dead = owners[lost.code]
    survivor = next(port for port in cluster.ports if port != dead)
    os.kill(cluster.worker_pid(dead), signal.SIGKILL)
    killed = time.monotonic()
    gone = [t for t in tables if owners[t.code] == dead]
    for table in gone:
        for player in table.players.values():
            with pytest.raises(websockets.ConnectionClosed):
                while True:
                    await player.c.next(timeout=10)
    refused = sum([await table.reconnect(killed + 20) for table in gone])
    took = time.monotonic() - killed
    print(f"takeover through nginx: {took:.2f} s, {refused} handshakes refused meanwhile")
    assert took < 10
    for table in gone:
        assert cluster.owner(table.code) == survivor

    # --workers starts the dead worker again; once nginx tries it again, it finds its old
    # sessions held by the survivor, and nginx hands their requests on, POSTs too.
    cluster.wait_healthy()
    await cluster.tried_again(lost.code, dead)
    for table in tables:
        await table.pages()
    for table in gone:
        await table.reconnect(time.monotonic() + 10)
        assert cluster.owner(table.code) == survivor

    # Every game goes on to an agreement, each player having heard every event once.
    for table in tables:
        mover, other = table.turn()
        counter = await table.offer(mover, 10)
        await other.send({"type": "accept", "offer": counter})
        ended = [await p.c.type("ended", timeout=10) for p in table.players.values()]
        # The replay page's calls and the player's chart name the session, as links do.
        game = f"/api/games/{table.game}"
        status, text = await table.front.ask("GET", f"{game}/log?session={table.code}")
        assert status == 200 and isinstance(text, str), (status, text)
        for path, key in (("review", KEY), ("analysis", other.token)):
            status, answer = await table.front.ask(
                "GET", f"{game}/{path}?session={table.code}", key=key
            )
            assert status == 200, (path, status, answer)
        # A link from before (no session) is answered all the same, handed on if need be.
        assert await table.front.ask("GET", f"{game}/log") == (200, text)
        stored = [json.loads(line) for line in text.splitlines()[1:]]
        assert [e["seq"] for e in stored] == list(range(1, len(stored) + 1))
        for player in table.players.values():
            both = table.earlier.get(id(player), []) + heard(player)
            by_seq = {event["seq"]: event for event in both}
            assert all(by_seq[event["seq"]] == event for event in both)
            assert [by_seq[seq] for seq in sorted(by_seq)] == stored
        # The log replays to the result both players were told.
        assert result(replay(read_log(text.splitlines()))) == ended[0]["result"]
        assert ended[1]["result"] == ended[0]["result"]

    for table in tables:
        await table.facilitator.close()
        for player in table.players.values():
            await player.c.close()
    cluster.nginx.stop()
    routed = cluster.routes()
    # No 5xx reached a client but the handshakes refused while the lock was not yet free.
    failed = [route for route in routed if route.status >= 500]
    assert len(failed) == refused, failed
    assert all(r.uri == "/ws" and r.status == 503 and owners[r.session] == dead for r in failed)
    for route in routed:
        if route.session and route.status < 500:
            owner = owners[route.session]
            if owner == survivor:
                # The survivor's own sessions never noticed.
                assert route.tried == [f"127.0.0.1:{survivor}"], route
            else:
                # The dead worker's: before the kill there, after it at the survivor.
                assert route.tried[-1] in (f"127.0.0.1:{dead}", f"127.0.0.1:{survivor}")
    handed_on = [r for r in routed if len(r.tried) > 1 and r.status < 500]
    # After the restart each request about a lost session was handed on, by each route.
    assert {(r.method, r.uri.split("/")[-1]) for r in handed_on} >= {
        ("GET", "ws"),
        ("GET", lost.code),
        ("POST", "message"),
    }, handed_on
    assert all(r.tried[0] == f"127.0.0.1:{dead}" for r in handed_on), handed_on
