"""In the browser, a full disk: the players' pages and the facilitator's say storage
fails, a move made meanwhile is refused and not shown, and everything goes on by
itself once space is freed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.faults import fill, need_root, tmpfs
from tests.live import Server
from tests.test_web_game import create_session, join, start_round
from tests.web import Pages, shot


def seconds(shown: str) -> int:
    minutes, _, rest = shown.partition(":")
    return int(minutes) * 60 + int(rest)


@pytest.fixture
def full_disk_server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    need_root()
    with tmpfs(tmp_path / "disk", "2m") as disk:
        server = Server(disk / "zopa.db", ZOPA_GRACE_SECONDS="60")
        server.log = tmp_path / "server.log"
        server.start()
        try:
            yield server, disk
        finally:
            server.stop()


def test_a_full_disk_is_shown_to_players_and_facilitator_and_play_goes_on(
    browser: Browser, full_disk_server: tuple[Server, Path]
) -> None:
    server, disk = full_disk_server
    pages = Pages(browser, server)
    try:
        facilitator = pages.facilitator()
        code = create_session(facilitator, "supplier")
        players = [join(pages, code, "Gil"), join(pages, code, "Hal")]
        first, second = start_round(facilitator, 1, players)
        first.fill("#g-chat", "Before the disk fills")
        first.get_by_role("button", name="Send", exact=True).click()
        expect(second.locator("#g-timeline li")).to_have_count(1)

        filler = fill(disk)
        second.fill("#g-chat", "Lost to the full disk")
        second.get_by_role("button", name="Send", exact=True).click()
        # In a game, refusals show in the top bar (issue 19), beside the clock.
        expect(second.locator("#g-errors")).to_contain_text("your move was not made")
        for page in (first, second):
            expect(page.locator("#storage")).to_contain_text("cannot save the game right now")
            expect(page.locator("#g-timeline li")).to_have_count(1)
        expect(facilitator.locator("#storage")).to_contain_text("Storage is failing since")
        expect(facilitator.locator("#board")).to_contain_text("waiting for storage")
        shot(second, "player-storage-failing")
        shot(facilitator, "facilitator-storage-failing")
        # The clock stands still while storage fails, on the server and on the page.
        held = seconds(first.inner_text("#g-clock-value"))
        first.wait_for_timeout(3000)  # an outage of a few seconds, not a wait for anything
        assert seconds(first.inner_text("#g-clock-value")) == held

        filler.unlink()
        for page in (first, second):
            expect(page.locator("#storage")).to_be_hidden(timeout=15_000)
            # The outage is framed by a pause and a resume; the lost chat never happened.
            expect(page.locator("#g-timeline li")).to_have_count(3)
            expect(page.locator("#g-timeline")).not_to_contain_text("Lost to the full disk")
        expect(facilitator.locator("#storage")).to_be_hidden()
        second.fill("#g-chat", "After the disk was freed")
        second.get_by_role("button", name="Send", exact=True).click()
        expect(first.locator("#g-timeline li")).to_have_count(4)
    finally:
        pages.close()
    assert pages.errors == [], "\n".join(pages.errors)
