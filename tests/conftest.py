from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import Server

# The browser fixtures live beside their harness; importing them here shares them.
from tests.web import browser, pages, web_server  # noqa: F401


@pytest.fixture(scope="session", autouse=True)
def child_bytecode(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Python children (servers, ``zopa bots``, benchmarks) share compiled modules.

    Each would otherwise compile zopa's modules again from source at every start (with
    PYTHONDONTWRITEBYTECODE) or write ``__pycache__`` folders into the checkout (without).
    The first child compiles into this run's temporary folder; the rest read from there.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPYCACHEPREFIX", str(tmp_path_factory.mktemp("pycache")))
        patch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
        yield


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    live = Server(tmp_path / "zopa.db", ZOPA_GRACE_SECONDS="0.5")
    live.start()
    yield live
    live.stop()
