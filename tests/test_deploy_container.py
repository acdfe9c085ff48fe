"""The container files, read rather than built (no container engine runs here): the
image copies sources that exist, runs a ``zopa serve`` command zopa understands as a
non-root user, keeps the database on the volume and checks ``/healthz``; compose
publishes it to loopback only and trusts forwarded headers from its gateway alone."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from tests.live import ROOT
from zopa.server.cli import build_parser

FOLDER = ROOT / "deploy" / "container"


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", path.read_text())
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def test_the_image_runs_zopa_as_a_non_root_user_with_its_data_on_a_volume() -> None:
    steps = instructions(FOLDER / "Containerfile")
    kinds = [kind for kind, _ in steps]
    assert kinds[0] == "FROM"
    for kind, rest in steps:
        if kind == "COPY":
            *sources, _ = shlex.split(rest)
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
    users = [rest for kind, rest in steps if kind == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert kinds.index("USER") < kinds.index("CMD")

    command = json.loads(dict(steps)["CMD"])
    assert command[0] == "zopa"
    args = build_parser().parse_args(command[1:])
    assert args.command == "serve" and args.host == "0.0.0.0"

    health = dict(steps)["HEALTHCHECK"]
    assert f"127.0.0.1:{args.port}/healthz" in health
    volume = json.loads(dict(steps)["VOLUME"])
    database = next(rest for kind, rest in steps if kind == "ENV" and "ZOPA_DB=" in rest)
    assert database.split("=", 1)[1].startswith(volume[0] + "/")
    assert dict(steps)["STOPSIGNAL"] == "SIGTERM"


def test_compose_publishes_to_loopback_and_trusts_only_its_gateway() -> None:
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((FOLDER / "compose.yaml").read_text())
    service = compose["services"]["zopa"]
    build = service["build"]
    assert (FOLDER / build["context"]).resolve() == ROOT
    assert (ROOT / build["dockerfile"]).is_file()
    assert all(port.startswith("127.0.0.1:") for port in service["ports"])
    assert ":?" in service["environment"]["ZOPA_FACILITATOR_KEY"], "the key is required"
    volume = json.loads(dict(instructions(FOLDER / "Containerfile"))["VOLUME"])[0]
    assert any(mount.endswith(":" + volume) for mount in service["volumes"])
    (network,) = service["networks"]
    gateway = compose["networks"][network]["ipam"]["config"][0]["gateway"]
    assert service["environment"]["ZOPA_FORWARDED_ALLOW_IPS"] == gateway
    assert service["stop_signal"] == "SIGTERM"
