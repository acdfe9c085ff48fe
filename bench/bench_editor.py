"""How fast the scenario editor redraws the outcome space as one types, at 8 issues x 5.

Run: ``python bench/bench_editor.py [--edits N]``. It starts ``zopa serve`` on a
temporary database and measures, on a copy of new-hire (8 issues of 5 options,
390,625 outcomes):

- the endpoint: ``POST /api/scenarios/draft`` from a client on the same machine, the
  whole HTTP round trip (checking the draft, the analysis, the lessons, the TOML);
- the redraw in Chromium: from a keystroke in a points field (its event's time stamp)
  to the chart, the checks and the status drawn again, as the page itself measures it
  (``document.body.dataset.redrawMs``), typing one new value after another.

With ``--before DIR`` (an older checkout: ``git worktree add --detach DIR REV``) it
measures that one too, in the same run, the two editors taking turns edit by edit.

It prints the median, the 95th percentile and the worst of each, in milliseconds, and
the median's ratio to the target, a redraw within 50 ms (below 1 meets it).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Page

from tests.live import KEY, Server
from tests.web import CHROMIUM_ARGS, LAPTOP, chromium_path
from zopa.rules.library import builtin

TARGET_MS = 50.0


def figures(name: str, values: list[float]) -> None:
    """Median, 95th percentile, worst, and the median's ratio to the 50 ms target."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, math.ceil(len(ordered) * 0.95) - 1)]
    median = statistics.median(ordered)
    print(
        f"{name:<44} {median:>8.1f} {p95:>8.1f} {ordered[-1]:>8.1f}"
        f" {median / TARGET_MS:>8.2f} {len(ordered):>6}",
        flush=True,
    )


def endpoint(server: Server, edits: int) -> list[float]:
    draft = builtin("new-hire").to_dict()
    times = []
    for n in range(edits):
        draft["roles"][0]["points"]["salary"][4] = 6000 + n
        body = json.dumps({"scenario": draft}).encode()
        request = urllib.request.Request(
            server.url + "/api/scenarios/draft", data=body, method="POST"
        )
        request.add_header("Authorization", f"Bearer {KEY}")
        request.add_header("Content-Type", "application/json")
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=10) as answer:
            found = json.loads(answer.read())
        times.append((time.perf_counter() - started) * 1000)
        assert found["problems"] == [] and found["analysis"]["outcomes"] == 390625
    return times


Redraws = tuple[list[float], list[tuple[float, float]]]


def browser(servers: list[Server], edits: int) -> list[Redraws]:
    """Keystroke to redraw on each server's editor, the servers taking turns edit by edit,
    so a busy moment of the machine falls on both alike."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise SystemExit("chromium is not installed")
    found: list[Redraws] = [([], []) for _ in servers]
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        pages = [opened(chromium.new_page(viewport=LAPTOP), server) for server in servers]
        for n in range(edits + 3):
            for page, (times, parts) in zip(pages, found, strict=True):
                settled = edit(page, 6000 + n)
                if n >= 3:  # the first few warm the page and the server up
                    times.append(settled[0])
                    parts.append((settled[1], settled[2]))
        chromium.close()
    return found


def opened(page: Page, server: Server) -> Page:
    page.goto(f"{server.url}/editor.html#key={KEY}")
    page.wait_for_selector("#open-scenario option[value='new-hire']", state="attached")
    page.select_option("#open-scenario", "new-hire")
    page.click("#open-button")
    page.wait_for_function("() => document.querySelectorAll('fieldset.issue-box').length === 8")
    return page


def edit(page: Page, value: int) -> list[float]:
    """Type a new salary point; the page's own redraw, answer and drawing times."""
    field = page.locator("[data-path='roles.0.rows.0.4']")
    before = int(page.evaluate("() => Number(document.body.dataset.redraws || 0)"))
    field.fill("")
    field.press_sequentially(str(value))
    # The redraw of the last keystroke's draft (the value typed in full). Functions, not
    # expressions: the page's Content-Security-Policy forbids eval. (An editor from
    # before ``drafting`` has none: the value drawn says it is done.)
    page.wait_for_function(
        f"() => Number(document.body.dataset.redraws || 0) > {before}"
        " && (document.body.dataset.drafting ?? '0') === '0'"
    )
    page.wait_for_function(
        "() => { const t = document.querySelector('#issue-kinds tbody td:nth-child(3)');"
        f" return t && t.textContent.replace(',', '') === '{value}'; }}"
    )
    settled: list[float] = page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => "
        "done([document.body.dataset.redrawMs, document.body.dataset.answerMs, "
        "document.body.dataset.drawMs].map(Number)))))"
    )
    return settled


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument(
        "--before",
        type=Path,
        default=None,
        help="an older checkout (git worktree add --detach DIR REV) measured in the same run",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        servers = [("this checkout", Server(Path(folder) / "zopa.db"))]
        if args.before is not None:
            older = Server(Path(folder) / "before.db")
            older.root = args.before.resolve()
            servers.insert(0, (f"before ({args.before})", older))
        for _, server in servers:
            server.start()
        try:
            print("scenario editor at 8 issues x 5 options (new-hire, 390,625 outcomes), ms")
            print(f"{'':<44} {'median':>8} {'p95':>8} {'worst':>8} {'/50 ms':>8} {'edits':>6}")
            for name, server in servers:
                figures(f"{name}: POST /api/scenarios/draft", endpoint(server, args.edits))
            measured = browser([server for _, server in servers], args.edits)
            for (name, _), (redraws, parts) in zip(servers, measured, strict=True):
                print(name)
                figures("  keystroke to redraw in Chromium", redraws)
                figures("    of which: the answer's fetch", [a for a, _ in parts])
                figures("    of which: drawing chart, checks, form marks", [d for _, d in parts])
        finally:
            for _, server in servers:
                server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
