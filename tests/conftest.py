from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# axe-core for the accessibility checks of every screen (tests/axe.py).
from tests.axe import axe_source  # noqa: F401
from tests.live import Server

# The browser fixtures live beside their harness; importing them here shares them.
from tests.web import browser, pages, web_server  # noqa: F401


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    live = Server(tmp_path / "zopa.db", ZOPA_GRACE_SECONDS="0.5")
    live.start()
    yield live
    live.stop()
