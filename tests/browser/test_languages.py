"""Both editions as a reader meets them, in headless Chromium: switcher, interface language, accessibility.

Runs on the real content (every page kind, in English and Spanish), served over
http on 127.0.0.1 under a sub-path, with JavaScript off: nothing here needs it.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from quipu.cli import main

from ..test_i18n import _spanish_po
from .test_reader import ARGS, CHROMIUM, ROOT, _QuietHandler

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)"),
]

# One page of every kind, by its language-neutral path.
PAGE_KINDS = [
    "",
    "years/1983/",
    "events/lucanamarca-massacre/",
    "actors/",
    "actors/shining-path/",
    "places/",
    "places/ayacucho/",
    "tags/",
    "tags/massacre/",
    "periods/",
    "periods/cvr-2-militarisation-of-conflict/",
    "events/",
    "map/",
    "search/",
    "about/",
]
# Parts of a page that are interface, not entry text.
INTERFACE = "header, footer, .skip-link, .breadcrumb li:not([aria-current]), dl.facts dt, h2, .pager, .badge, .meta"


@pytest.fixture(scope="module")
def real_site() -> Iterator[str]:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "timeline"
        code = main(
            ["build", "--content", str(ROOT / "content"), "--out", str(out), "--templates", str(ROOT / "templates")]
        )
        assert code == 0
        handler = functools.partial(_QuietHandler, directory=tmp)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_address[1]}/timeline/"
        server.shutdown()
        server.server_close()


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


@pytest.mark.parametrize("path", PAGE_KINDS)
def test_the_switcher_lands_on_the_same_page_in_the_other_language(page, real_site: str, path: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(real_site + path)
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("nav.languages").get_by_role("link", name="Español").click()
    page.wait_for_load_state()
    assert page.url == real_site + "es/" + path
    assert page.locator("html").get_attribute("lang") == "es"
    page.locator("nav.languages").get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.url == real_site + path


def _english_interface_strings() -> list[re.Pattern[str]]:
    """The catalog's English strings that differ from their Spanish, as whole-word patterns (placeholders dropped)."""
    catalog = _spanish_po()
    patterns = []
    for english, spanish in catalog.items():
        if english == spanish:
            continue
        for piece in re.split(r"\{\w+\}", english):
            piece = piece.strip(" .,:;()")
            if len(piece) >= 4 and piece.lower() not in spanish.lower():
                patterns.append(re.compile(r"(?<![\w])" + re.escape(piece) + r"(?![\w])"))
    return patterns


@pytest.mark.parametrize("path", PAGE_KINDS)
def test_a_spanish_reader_meets_no_english_interface_word(page, real_site: str, path: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(real_site + "es/" + path)
    texts = page.locator(INTERFACE).all_inner_texts()
    labels = page.eval_on_selector_all(
        "[aria-label], [title]", "els => els.map(e => e.getAttribute('aria-label') || e.title)"
    )
    shown = "\n".join(texts + labels + [page.title()])
    found = sorted({p.pattern for p in _english_interface_strings() if p.search(shown)})
    assert found == [], f"/es/{path} shows English interface text: {found}"
    # Text in another language is marked as such, never silently mixed.
    untranslated = page.locator("p.untranslated").count()
    assert untranslated == 0, f"/es/{path} has an untranslated entry"


@pytest.mark.parametrize("path", PAGE_KINDS + ["404.html"])
def test_no_accessibility_violations_in_spanish(browser, real_site: str, path: str) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context()
    tab = context.new_page()
    tab.goto(real_site + "es/" + path)
    results = Axe().run(
        tab,
        options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}},
    )
    context.close()
    assert results.violations_count == 0, f"/es/{path}:\n{results.generate_report()}"


# The page kinds a reader looks at rather than reads, at phone and desktop width.
VISUAL = {
    "home": "",
    "year": "years/1992/",
    "map": "map/",
    "period": "periods/cvr-4-extreme-crisis/",
    "all-events": "events/",
}
SHOTS = ROOT / "tests" / "output" / "screenshots"


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("kind", sorted(VISUAL))
def test_visual_pages_fit_the_screen_pass_axe_and_leave_a_screenshot(
    browser, real_site: str, kind: str, width: int
) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    for prefix in ("", "es/"):
        context = browser.new_context(viewport={"width": width, "height": 900})
        tab = context.new_page()
        origins: set[str] = set()
        tab.on("request", lambda request, seen=origins: seen.add(urlparse(request.url).netloc))
        tab.goto(real_site + prefix + VISUAL[kind])
        tab.wait_for_load_state("networkidle")
        overflow = tab.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SHOTS / f"{kind}-{prefix.strip('/') or 'en'}-{width}.png"), full_page=True)
        small = tab.evaluate(
            "() => [...document.querySelectorAll('.strip-ticks span, .map-legend li, figcaption')]"
            ".filter(e => e.offsetParent && parseFloat(getComputedStyle(e).fontSize) < 12).length"
        )
        results = Axe().run(
            tab,
            options={
                "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}
            },
        )
        context.close()
        assert origins == {urlparse(real_site).netloc}, f"/{prefix}{VISUAL[kind]} asked outside the site: {origins}"
        assert overflow <= 0, f"/{prefix}{VISUAL[kind]} scrolls sideways at {width} px"
        assert small == 0, f"/{prefix}{VISUAL[kind]} has chart labels under 12 px at {width} px"
        assert results.violations_count == 0, f"/{prefix}{VISUAL[kind]} at {width} px:\n{results.generate_report()}"
