"""What readers see, in a real headless Chromium: navigation, reading, accessibility.

Skipped (with the reason shown) when no Chromium is installed; `python tasks.py test`
installs one on Debian/Ubuntu machines where it can.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from quipu.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "content"
CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), shutil.which("chromium")
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The golden site built under /peru-timeline/ and served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("served")
    out = root / "peru-timeline"
    assert main(["build", "--content", str(GOLDEN), "--out", str(out), "--templates", str(ROOT / "templates")]) == 0
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/peru-timeline/"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1000, "height": 700}, java_script_enabled=False)
    tab = context.new_page()
    yield tab
    context.close()


def test_reader_walks_from_overview_to_an_event_and_a_place(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site_url)
    assert page.locator("h1").inner_text() == "Test timeline"
    page.get_by_role("link", name="1983").first.click()
    page.wait_for_url("**/years/1983/")
    page.get_by_role("link", name="Massacre: a disputed toll").click()
    page.wait_for_url("**/events/massacre/")
    facts = page.locator("dl.facts").inner_text()
    assert "April 1983" in facts and "62–69" in facts
    page.get_by_role("link", name="Vizcatán District").click()
    page.wait_for_url("**/places/district/")
    assert page.locator("h1").inner_text() == "Vizcatán District"
    assert page.get_by_role("link", name="Clash on an undisclosed date").count() == 1


def test_skip_link_is_first_and_focus_is_visible(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site_url + "events/massacre/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.textContent, getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused[0] == "Skip to content"
    assert focused[1] != "none"


def test_readable_on_a_phone(browser, site_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 360, "height": 740})
    tab = context.new_page()
    for path in ("", "events/massacre/", "places/", "actors/"):
        tab.goto(site_url + path)
        overflow = tab.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"/{path} scrolls sideways on a phone"
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "",
        "years/1983/",
        "events/massacre/",
        "actors/",
        "actors/armed-group/",
        "places/",
        "places/district/",
        "tags/massacre/",
        "about/",
    ],
)
def test_no_accessibility_violations(browser, site_url: str, path: str) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        tab = context.new_page()
        tab.goto(site_url + path)
        results = Axe().run(
            tab,
            options={
                "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}
            },
        )
        context.close()
        assert results.violations_count == 0, f"/{path} ({scheme}):\n{results.generate_report()}"
