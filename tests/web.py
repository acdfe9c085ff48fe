"""Browser tests' harness: Debian's chromium driven by Playwright, against a real server.

Every page opened through ``Pages`` records console errors and uncaught exceptions, and
the test fails at teardown if there was any. With ``ZOPA_SCREENSHOTS=DIR`` set
(``tests/artifacts``, say, which git ignores), every main screen is saved there for a
person to look at after the run; without it no screenshot is taken, as a test run
leaves no files behind.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from tests.live import KEY, Server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

PHONE: ViewportSize = {"width": 390, "height": 844}
LAPTOP: ViewportSize = {"width": 1280, "height": 900}
# Headless, and nothing that reaches for the network beyond the test server.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run websocket clients from a browser test: Playwright's sync API holds this
    thread's event loop, so they get a loop of their own on another thread."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(asyncio.run(coroutine))
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


def chromium_path() -> str | None:
    found = os.environ.get("ZOPA_CHROMIUM") or "/usr/bin/chromium"
    if Path(found).exists():
        return found
    return shutil.which("chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing; .ci/run installs it before the tests")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # A bot looks at its game four times a second rather than once: it still thinks
    # its 1.5 s before answering, but its answer is not held to the next whole second.
    live = Server(
        tmp_path_factory.mktemp("web") / "zopa.db", ZOPA_GRACE_SECONDS="0.5", ZOPA_BOT_TICK="0.25"
    )
    live.start()
    yield live
    live.stop()


class Pages:
    """Pages in separate browser contexts (separate people), watched for console errors."""

    def __init__(self, browser: Browser, server: Server) -> None:
        self.browser = browser
        self.server = server
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []
        self.allowed: list[re.Pattern[str]] = []

    def allow(self, pattern: str) -> None:
        """A console error the test expects the browser itself to log (not the page's code)."""
        self.allowed.append(re.compile(pattern))

    def watch(self, page: Page, who: str) -> Page:
        page.set_default_timeout(TIMEOUT_MS)

        def on_console(message: Any) -> None:
            allowed = any(p.search(message.text) for p in self.allowed)
            if message.type == "error" and not allowed:
                self.errors.append(f"{who}: console error: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.errors.append(f"{who}: uncaught: {error}"))
        return page

    def person(self, who: str, viewport: ViewportSize = PHONE) -> Page:
        context = self.browser.new_context(viewport=viewport, accept_downloads=True)
        self.contexts.append(context)
        return self.watch(context.new_page(), who)

    def facilitator(self) -> Page:
        page = self.person("facilitator", LAPTOP)
        page.goto(f"{self.server.url}/facilitator.html#key={KEY}")
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Browser, web_server: Server) -> Iterator[Pages]:
    opened = Pages(browser, web_server)
    yield opened
    opened.close()
    assert opened.errors == [], "\n".join(opened.errors)


def shot(page: Page, name: str, full_page: bool = True) -> None:
    """A screenshot for a person to look at, when ``ZOPA_SCREENSHOTS`` names a folder."""
    folder = os.environ.get("ZOPA_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)


def unlabelled(page: Page) -> list[str]:
    """Form fields a screen reader could not name: no <label>, no aria-label."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll("input, select, textarea")]
            .filter((f) => f.type !== "hidden" && !f.labels.length && !f.getAttribute("aria-label"))
            .map((f) => f.id || f.outerHTML.slice(0, 60))"""
    )
    return found
