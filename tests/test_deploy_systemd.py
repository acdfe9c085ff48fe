"""The systemd unit parses, runs ``zopa serve`` with flags that exist, and keeps its promises:
its own user, a state directory, a graceful SIGTERM, restarts and hardening."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.live import ROOT
from zopa.server.app import create_app
from zopa.server.cli import build_parser
from zopa.server.commands.serve import uvicorn_config
from zopa.server.config import Settings

UNIT = ROOT / "deploy" / "systemd" / "zopa.service"


def sections(text: str) -> dict[str, list[tuple[str, str]]]:
    """The unit's sections as ordered key/value pairs; systemd keys may repeat."""
    parsed: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = parsed.setdefault(line[1:-1], [])
            continue
        assert current is not None, f"line {number} is outside any section"
        key, sep, value = line.partition("=")
        assert sep, f"line {number} is not key=value: {raw!r}"
        current.append((key.strip(), value.strip()))
    return parsed


def test_the_unit_runs_zopa_as_a_hardened_service(tmp_path: Path) -> None:
    unit = sections(UNIT.read_text())
    assert set(unit) == {"Unit", "Service", "Install"}
    service = dict(unit["Service"])
    assert service["User"] not in ("", "root") and service["User"] == service["Group"]
    assert service["StateDirectory"] == "zopa"
    assert service["WorkingDirectory"] == "/var/lib/zopa"
    assert "ZOPA_DB=/var/lib/zopa/" in service["Environment"]
    assert service["Restart"] == "on-failure"
    assert service["KillSignal"] == "SIGTERM"
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert service[key] == value, key

    # The command line is one zopa understands, bound to loopback for nginx.
    command = shlex.split(service["ExecStart"])
    assert command[0].endswith("/zopa")
    args = build_parser().parse_args(command[1:])
    assert args.command == "serve" and args.host == "127.0.0.1"
    # SIGKILL must not cut uvicorn's own graceful shutdown short.
    config = uvicorn_config(args, Settings(), create_app(Settings(str(tmp_path / "x.db"))))
    assert config.timeout_graceful_shutdown is not None
    assert int(service["TimeoutStopSec"]) > config.timeout_graceful_shutdown * 2
    assert dict(unit["Install"])["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    true = shutil.which("true")
    assert true is not None
    # verify checks that ExecStart exists; zopa is not installed at /opt/zopa here.
    command = shlex.split(dict(sections(UNIT.read_text())["Service"])["ExecStart"])[0]
    copy = tmp_path / "zopa.service"
    copy.write_text(UNIT.read_text().replace(command, true))
    done = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    complaints = [
        line for line in (done.stdout + done.stderr).splitlines() if "zopa.service" in line
    ]
    assert done.returncode == 0 and not complaints, done.stdout + done.stderr


WORKER = ROOT / "deploy" / "systemd" / "zopa@.service"


def test_the_worker_template_runs_one_worker_per_port_on_a_shared_database() -> None:
    unit = sections(WORKER.read_text())
    service = dict(unit["Service"])
    single = dict(sections(UNIT.read_text())["Service"])
    # The same user, state, stop and hardening as the single service; only the port and
    # the database (PostgreSQL, from the environment file) differ.
    for key, value in single.items():
        if key not in ("ExecStart", "Environment"):
            assert service[key] == value, key
    assert "ZOPA_DB" not in service.get("Environment", "")
    command = shlex.split(service["ExecStart"])
    assert command[-2:] == ["--port", "%i"]
    args = build_parser().parse_args([*command[1:-1], "8001"])
    assert args.command == "serve" and args.host == "127.0.0.1" and args.port == 8001


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_accepts_the_worker_template(tmp_path: Path) -> None:
    true = shutil.which("true")
    assert true is not None
    command = shlex.split(dict(sections(WORKER.read_text())["Service"])["ExecStart"])[0]
    copy = tmp_path / "zopa@8001.service"
    copy.write_text(WORKER.read_text().replace(command, true))
    done = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
