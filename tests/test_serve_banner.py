"""What ``zopa serve`` prints at start-up: where to go, and the key only when it made one."""

from __future__ import annotations

from zopa.server.commands.serve import banner, network_address
from zopa.server.config import Settings


def test_a_generated_key_is_printed_with_the_facilitator_page() -> None:
    settings = Settings(facilitator_key="fresh-key")
    text = banner(settings, "127.0.0.1", 8000)
    assert "http://localhost:8000/facilitator.html#key=fresh-key" in text
    assert "only this machine can connect" in text


def test_a_chosen_key_is_never_echoed() -> None:
    settings = Settings(facilitator_key="secret-from-env", key_generated=False)
    text = banner(settings, "127.0.0.1", 8000)
    assert "secret-from-env" not in text
    assert "#key=<your ZOPA_FACILITATOR_KEY>" in text


def test_serving_a_room_prints_the_network_address_players_will_use() -> None:
    text = banner(Settings(facilitator_key="k"), "0.0.0.0", 8000)
    address = network_address()
    expected = address if address is not None else "localhost"
    assert f"serving on http://{expected}:8000/" in text
