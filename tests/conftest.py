from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import Server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    live = Server(tmp_path / "zopa.db", ZOPA_GRACE_SECONDS="0.5")
    live.start()
    yield live
    live.stop()
