"""zopa behind Debian's nginx with the project's own site file, over TLS, as players meet it.

The test installs nothing (``.ci/run`` installs nginx and openssl). It makes a throw-away
certificate, renders ``deploy/nginx/zopa.conf`` for free loopback ports, runs nginx in
the foreground in a temporary prefix, and plays a game through it over ``wss://``.

Players connect from 127.0.0.2 and nginx from 127.0.0.1 (all of 127.0.0.0/8 is this
machine), so the address zopa logs tells whose it is: the players' own, forwarded by
the trusted proxy, and never the one they forged in their own headers.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.live import ROOT, Player, Server, free_port
from tests.test_server_game import paired
from tests.test_server_proxy import FORGED, connections, hello_from
from zopa.server.security_headers import HEADERS as SECURITY_HEADERS

NGINX = Path("/usr/sbin/nginx")
OPENSSL = shutil.which("openssl")
SITE = ROOT / "deploy" / "nginx" / "zopa.conf"
WEB = ROOT / "client_web"
PLACEHOLDER = re.compile(r"@[A-Z_]+@")
PLAYERS_ADDRESS = "127.0.0.2"
STRANGER_ADDRESS = "127.0.0.3"
HSTS = "max-age=31536000"

MISSING = not NGINX.exists() or OPENSSL is None
# Skipped on a developer's machine without nginx; in CI, which installs it, never.
needs_nginx = pytest.mark.skipif(
    MISSING and not os.environ.get("CI"),
    reason="needs Debian's nginx at /usr/sbin/nginx and openssl "
    "(apt-get install nginx openssl; .ci/run does it)",
)


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, valid for a day."""
    assert OPENSSL is not None
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *(OPENSSL, "req", "-x509", "-nodes", "-days", "1", "-subj", "/CN=localhost"),
            *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-keyout", str(key), "-out", str(cert)),
            *("-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key


def render(template: str, values: dict[str, str]) -> str:
    """The site file with every @NAME@ replaced, as the sed line in its header does."""
    text = template
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = sorted(set(PLACEHOLDER.findall(text)))
    assert not left, f"placeholders without a value: {left}"
    return text


def distinct_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


class Nginx:
    """Debian's nginx in the foreground, in a prefix of its own, serving one site file."""

    def __init__(
        self, prefix: Path, site: str, https_port: int, http_port: int, log_format: str = ""
    ) -> None:
        """``log_format``: the access log's line (nginx variables), instead of nginx's own."""
        self.prefix = prefix
        self.https_port = https_port
        self.http_port = http_port
        (prefix / "temp").mkdir(parents=True)
        (prefix / "zopa.conf").write_text(site)
        # As root, nginx's workers would become "nobody" and could not enter the test's
        # private temp folders; elsewhere the user directive is ignored with a warning.
        user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.getuid() == 0 else ""
        temp = "\n".join(
            f"    {kind}_temp_path {prefix}/temp/{kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        access = f"access_log {prefix}/access.log;"
        if log_format:
            access = f"log_format zopa_test '{log_format}';\n    {access[:-1]} zopa_test;"
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(
            f"""{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log notice;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    {access}
{temp}
    include {prefix}/zopa.conf;
}}
"""
        )
        self.process: subprocess.Popen[bytes] | None = None

    def errors(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text() if path.exists() else ""

    def start(self, timeout: float = 10.0) -> None:
        command = [str(NGINX), "-p", f"{self.prefix}/", "-c", str(self.conf)]
        command += ["-e", str(self.prefix / "error.log"), "-g", "daemon off;"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited at start-up:\n{self.errors()}")
            try:
                # Both ports are bound by the master before it starts any worker.
                with socket.create_connection(("127.0.0.1", self.https_port), timeout=0.2):
                    return
            except OSError:
                # Not bound yet: a refused connect returns at once, so wait on the
                # process rather than spinning.
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(0.05)
        raise RuntimeError(f"nginx did not listen in {timeout} s:\n{self.errors()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            # TERM is nginx's fast stop: the master ends its workers before exiting,
            # where SIGKILL would leave them orphaned and listening.
            self.process.terminate()
            self.process.wait(10)


class ThroughNginx(Server):
    """A zopa server whose clients all go through nginx, from the players' address."""

    def __init__(self, database: Path, https_port: int, tls: ssl.SSLContext) -> None:
        super().__init__(database)
        self.https_port = https_port
        self.tls = tls

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def ws_url(self) -> str:
        return f"wss://127.0.0.1:{self.https_port}/ws"

    @property
    def direct_ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def connect_options(self) -> dict[str, Any]:
        return {
            "ssl": self.tls,
            "local_addr": (PLAYERS_ADDRESS, 0),
            # What a player might claim to be; nginx must drop it.
            "additional_headers": {"X-Forwarded-For": FORGED, "X-Forwarded-Proto": "http"},
        }


def fetch(
    port: int, path: str, tls: ssl.SSLContext | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Message, bytes]:
    """One GET, redirects not followed: status, headers, raw body."""
    connection = (
        http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=10)
        if tls is not None
        else http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    )
    try:
        connection.request("GET", path, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, answer.headers, answer.read()
    finally:
        connection.close()


def web_root(folder: Path) -> Path:
    """The project's client_web/ as it is, plus two files that exercise the caching rules
    whatever pages exist today."""
    root = folder / "client_web"
    shutil.copytree(WEB, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "deploy-probe.html").write_text("<!doctype html><title>probe</title>" + "." * 400)
    (root / "deploy-probe.js").write_text("// probe\n" + "console.log('zopa');\n" * 40)
    return root


@dataclass
class Front:
    server: ThroughNginx
    nginx: Nginx
    web: Path


@pytest.fixture
def front(tmp_path: Path) -> Iterator[Front]:
    if MISSING:
        pytest.fail("nginx or openssl is missing: .ci/run should have installed them")
    cert, key = certificate(tmp_path)
    tls = ssl.create_default_context(cafile=str(cert))
    http_port, https_port = distinct_ports(2)
    server = ThroughNginx(tmp_path / "zopa.db", https_port, tls)
    while server.port in (http_port, https_port):
        server.port = free_port()
    web = web_root(tmp_path)
    site = render(
        SITE.read_text(),
        {
            "SERVER_NAME": "localhost",
            "HTTP_LISTEN": f"127.0.0.1:{http_port}",
            "HTTPS_LISTEN": f"127.0.0.1:{https_port}",
            "CERTIFICATE": str(cert),
            "CERTIFICATE_KEY": str(key),
            "UPSTREAM": f"127.0.0.1:{server.port}",
            "WEB_ROOT": str(web),
            "ACME_ROOT": str(tmp_path / "acme"),
        },
    )
    nginx = Nginx(tmp_path / "nginx", site, https_port, http_port)
    nginx.start()
    try:
        server.start()
        yield Front(server, nginx, web)
    finally:
        server.stop()
        nginx.stop()


def test_the_site_file_documents_its_placeholders_and_keeps_sockets_open() -> None:
    text = SITE.read_text()
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    used = set(PLACEHOLDER.findall(body))
    assert used == set(PLACEHOLDER.findall(header)), "every placeholder is in the header table"
    assert set(re.findall(r"^# \| (@[A-Z_]+@)", header, re.MULTILINE)) == used
    # The socket's location, and the one a handshake refused with 503 is handed on to.
    for name in ("= /ws", "@zopa_socket_elsewhere"):
        socket_block = re.search(rf"location {name} \{{(.*?)\n    \}}", body, re.DOTALL)
        assert socket_block is not None, name
        assert "proxy_buffering off;" in socket_block.group(1)
        assert re.search(r"proxy_read_timeout 1h;", socket_block.group(1))
        assert "proxy_set_header" not in socket_block.group(1), "it would drop the server's headers"


@needs_nginx
async def test_a_game_through_nginx_over_wss_with_a_reconnect_and_a_restart(
    front: Front,
) -> None:
    server = front.server
    code, players, started = await paired(server, "guitar")
    game = started["games"][0]["game"]
    mover = players[players["seller"].c.received[-1]["turn"]]
    other = players["buyer"] if mover is players["seller"] else players["seller"]

    await mover.send({"type": "offer", "terms": {"price": 12}})
    for player in (mover, other):
        await player.event("offer")

    # The Wi-Fi drops for one player; the game goes on; they come back with `since`.
    await other.c.close()
    await mover.send({"type": "chat", "text": "still there?"})
    await mover.event("chat")
    welcome = await other.connect(since=other.last_seq)
    assert welcome["game"]["since"] == 1 and welcome["game"]["events"] == []
    missed = await other.event("chat")
    assert missed["event"]["text"] == "still there?"

    # An upgrade: SIGTERM reaches the players through nginx as 1001, nginx answers 502
    # meanwhile, and the game resumes on the next start.
    assert server.terminate() in (0, -signal.SIGTERM)
    for player in (mover, other):
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await player.c.next()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
    assert server.call("GET", "/healthz", key=None)[0] == 502
    server.start()
    for player in (mover, other):
        await player.connect(since=player.last_seq)

    await other.send({"type": "offer", "terms": {"price": 8}})
    counter = await other.event("offer")
    await mover.event("offer")
    await mover.send({"type": "accept", "offer": counter["seq"]})
    for player in (mover, other):
        await player.event("accept")
        assert (await player.event("end"))["event"]["outcome"] == "agreement"
        ended = await player.c.type("ended")
        assert ended["result"]["points"] == {"seller": 400, "buyer": 400}

    results = await server.acall("GET", f"/api/sessions/{code}/results")
    assert results["rounds"][0]["games"][0]["game"] == game
    assert results["rounds"][0]["games"][0]["result"]["joint"] == 800
    status, log = server.call("GET", f"/api/games/{game}/log")
    assert status == 200 and isinstance(log, str) and '"accept"' in log

    # Every socket came through nginx from the players' address, and zopa saw that
    # address and wss: nginx replaced the forged claim, and zopa believed nginx.
    seen = connections(server)
    assert len(seen) == 2 + 1 + 2
    assert {(entry["client"], entry["scheme"]) for entry in seen} == {(PLAYERS_ADDRESS, "wss")}

    # The same forged headers sent straight to zopa, from an address that is not the
    # proxy's, are not believed.
    stranger = await Player(server, code, "Cy").join()
    await hello_from(
        server.direct_ws_url,
        STRANGER_ADDRESS,
        stranger.token,
        {"X-Forwarded-For": FORGED, "X-Forwarded-Proto": "https"},
    )
    last = connections(server)[-1]
    assert (last["client"], last["scheme"]) == (STRANGER_ADDRESS, "ws")


@needs_nginx
def test_the_client_pages_through_nginx(front: Front) -> None:
    server, nginx, tls = front.server, front.nginx, front.server.tls

    # Every page of the client is served as zopa itself would serve it.
    pages = ["/", "/index.html", "/facilitator.html"] + [
        "/" + p.relative_to(WEB).as_posix()
        for p in sorted(WEB.rglob("*"))
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    for page in [*pages, "/healthz", "/api/scenarios", "/no-such-page.js"]:
        status, headers, body = fetch(nginx.https_port, page, tls)
        direct = fetch(server.port, page)
        assert (status, body) == (direct[0], direct[2]), page
        assert headers["Strict-Transport-Security"] == HSTS, page
        # The security headers zopa sends, once each, whether nginx or zopa answered.
        for name, value in SECURITY_HEADERS.items():
            assert headers.get_all(name) == [value] == direct[1].get_all(name), (page, name)
        if status == 200 and (page.endswith(".html") or page == "/"):
            assert headers["Cache-Control"] == "no-cache", page
    if (WEB / "index.html").exists():
        assert fetch(nginx.https_port, "/", tls)[0] == 200

    # From disk, with caching headers: HTML is revalidated, the rest reused a while.
    status, headers, body = fetch(nginx.https_port, "/deploy-probe.html", tls)
    assert status == 200 and body == (front.web / "deploy-probe.html").read_bytes()
    assert headers["Cache-Control"] == "no-cache" and headers["Content-Type"] == "text/html"
    assert headers["ETag"] and headers["Last-Modified"]
    status, headers, _ = fetch(
        nginx.https_port, "/deploy-probe.js", tls, {"Accept-Encoding": "gzip"}
    )
    assert status == 200 and headers["Cache-Control"] == "public, max-age=600"
    assert headers["Content-Encoding"] == "gzip"
    etag = headers["ETag"]
    status, _, body = fetch(nginx.https_port, "/deploy-probe.js", tls, {"If-None-Match": etag})
    assert status == 304 and body == b""

    # Package sources are not served, and a path not on disk is zopa's to answer.
    assert fetch(nginx.https_port, "/__init__.py", tls)[0] == 404
    assert fetch(nginx.https_port, "/no-such-page.js", tls)[0] == 404
    status, headers, body = fetch(nginx.https_port, "/healthz", tls)
    assert status == 200 and b'"ok":true' in body
    assert headers["Strict-Transport-Security"] == HSTS
    assert "Cache-Control" not in headers

    # Plain HTTP only redirects to HTTPS.
    status, headers, _ = fetch(nginx.http_port, "/facilitator.html?x=1")
    assert status == 301
    assert headers["Location"] == "https://127.0.0.1/facilitator.html?x=1"
