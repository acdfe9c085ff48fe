from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# axe-core for the accessibility checks of every screen (tests/axe.py).
from tests.axe import axe_source  # noqa: F401
from tests.live import Server

# A real PostgreSQL (tests/postgres.py): one cluster per run, a database per test.
from tests.postgres import postgres_cluster, postgres_url  # noqa: F401

# The browser fixtures live beside their harness; importing them here shares them.
from tests.web import browser, pages, web_server  # noqa: F401


@pytest.fixture(scope="session", autouse=True)
def child_bytecode(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Python children (servers, ``zopa bots``, benchmarks) share compiled modules.

    Each would otherwise compile zopa's modules again from source at every start (with
    PYTHONDONTWRITEBYTECODE) or write ``__pycache__`` folders into the checkout (without).
    The first child compiles into this run's temporary folder; the rest read from there.
    """
    # pytest-xdist's workers have a temporary folder each, under one of the run's: they
    # share the folder beside theirs (importlib writes each file whole, then renames it).
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    prefix = shared / "pycache"
    prefix.mkdir(exist_ok=True)
    share_compiled(prefix)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPYCACHEPREFIX", str(prefix))
        patch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
        yield


def share_compiled(prefix: Path) -> None:
    """Link the bytecode this process found (the standard library's, the packages') into
    ``prefix``, where a child with it as PYTHONPYCACHEPREFIX looks: only zopa's own
    modules, never compiled here, are left for the first child to compile."""
    import zopa.server.cli  # noqa: F401  (what a server child imports)

    for module in list(sys.modules.values()):
        source, cached = getattr(module, "__file__", None), getattr(module, "__cached__", None)
        if not source or not cached or not os.path.isfile(cached):
            continue
        # Where importlib looks under a prefix: the source's folder, made relative.
        linked = prefix / os.path.dirname(os.path.abspath(source)).lstrip(os.sep)
        linked.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            (linked / os.path.basename(cached)).symlink_to(cached)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    live = Server(tmp_path / "zopa.db", ZOPA_GRACE_SECONDS="0.5")
    live.start()
    yield live
    live.stop()
