"""axe-core in the browser tests: every screen is checked for accessibility faults.

axe-core comes from the npm registry (``npm pack``, no install of anything else) into
``tests/.axe/`` (git-ignored), once per machine. It is put into a page through
Playwright's own evaluation, which a Content-Security-Policy does not block, and run
over the whole document. A screen passes with no serious or critical finding and
no sideways scrolling of the page; with ``ZOPA_SCREENSHOTS=DIR`` set, the counts of
every impact go to ``DIR/axe.json`` for the record (without it the tests leave no files).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.web import LAPTOP, PHONE, shot

if TYPE_CHECKING:
    from playwright.sync_api import Page, ViewportSize

AXE_VERSION = "4.14.1"
AXE_DIR = Path(__file__).resolve().parent / ".axe"
BLOCKING = ("serious", "critical")
SIZES: dict[str, ViewportSize] = {"phone": PHONE, "laptop": LAPTOP}
# The outermost elements that reach past the viewport's right edge, to say what to fix.
WIDEST = """() => [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > innerWidth + 1
        && !(e.parentElement && e.parentElement.getBoundingClientRect().right > innerWidth + 1))
    .slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
        + (typeof e.className === "string" && e.className ? "." + e.className : ""))"""


def fetch_axe() -> Path:
    """axe.min.js of ``AXE_VERSION``, fetched with ``npm pack`` the first time."""
    found = AXE_DIR / AXE_VERSION / "axe.min.js"
    if found.exists():
        return found
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is missing: it fetches axe-core (apt-get install npm)")
    # A folder of this process's own: pytest-xdist's workers may all fetch at once.
    AXE_DIR.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="download-", dir=AXE_DIR))
    subprocess.run(
        [npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", str(work)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    with tarfile.open(work / f"axe-core-{AXE_VERSION}.tgz") as archive:
        member = archive.extractfile("package/axe.min.js")
        assert member is not None
        source = member.read()
    found.parent.mkdir(parents=True, exist_ok=True)
    # Written whole, then renamed into place: another worker never reads half a file.
    (work / "axe.min.js").write_bytes(source)
    os.replace(work / "axe.min.js", found)
    shutil.rmtree(work)
    return found


@pytest.fixture(scope="session")
def axe_source() -> str:
    try:
        return fetch_axe().read_text(encoding="utf-8")
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"axe-core could not be fetched: {exc}")
        pytest.skip(f"axe-core could not be fetched: {exc}")


def run_axe(page: Page, source: str) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now: id, impact, and the elements."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source)
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await window.axe.run(document, { resultTypes: ["violations"] });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
            }));
        }"""
    )
    return found


class Audit:
    """Screens looked at: a screenshot at phone and laptop size, and axe at each."""

    def __init__(self, source: str) -> None:
        self.source = source
        # Per screen and size: {"<impact> <rule>": elements}.
        self.counts: dict[str, dict[str, int]] = {}
        self.blocking: list[str] = []

    def screen(self, page: Page, name: str, sizes: tuple[str, ...] = ("phone", "laptop")) -> None:
        before = page.viewport_size
        for size in sizes:
            page.set_viewport_size(SIZES[size])
            # A resize redraws through the page's own handlers; give it a frame to land.
            page.evaluate("() => new Promise((r) => requestAnimationFrame(() => r(null)))")
            shot(page, f"{name}-{size}")
            # Nothing may push the page sideways: a phone would hide it off screen.
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            if wide > SIZES[size]["width"]:
                culprits = page.evaluate(WIDEST)
                self.blocking.append(f"{name} ({size}): the page is {wide} px wide: {culprits}")
            found = run_axe(page, self.source)
            tally: dict[str, int] = {}
            for violation in found:
                impact = violation["impact"] or "unknown"
                key = f"{impact} {violation['id']}"
                tally[key] = tally.get(key, 0) + len(violation["nodes"])
                if impact in BLOCKING:
                    self.blocking.append(f"{name} ({size}): {violation}")
            self.counts[f"{name}-{size}"] = tally
        if before is not None:
            page.set_viewport_size(before)

    def save(self, filename: str) -> None:
        """The counts beside the screenshots, when ``ZOPA_SCREENSHOTS`` names a folder."""
        folder = os.environ.get("ZOPA_SCREENSHOTS")
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / filename).write_text(json.dumps(self.counts, indent=1, sort_keys=True))
