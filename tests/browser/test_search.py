"""Search as a reader uses it, in headless Chromium over http: both languages, filters, only the site's own assets.

The real content is built with its Pagefind index and served on 127.0.0.1;
screenshots of the search page at phone and desktop width go to the test output.
"""

from __future__ import annotations

import functools
import http.server
import re
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

from quipu import search
from quipu.cli import main

from .test_reader import ARGS, CHROMIUM, ROOT, _QuietHandler

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)"),
    pytest.mark.skipif(not search.available(), reason="Pagefind is not installed (pip install 'pagefind[bin]')"),
]
SHOTS = ROOT / "tests" / "output" / "screenshots"

# (language prefix, query, a result title that must be among the results)
QUERIES = [
    ("", "Lucanamarca", "Lucanamarca massacre"),
    ("es/", "Lucanamarca", "Masacre de Lucanamarca"),
    ("", "Feliciano", "Óscar Alberto Ramírez Durand"),  # a nom de guerre, given as an alias
    ("es/", "Artemio", "Florindo Eleuterio Flores Hala"),
    ("", "Uchuraccay", "Uchuraccay"),  # a place
    ("es/", "Vizcatán", "Vizcatán del Ene"),
]


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "timeline"
        code = main(
            ["build", "--content", str(ROOT / "content"), "--out", str(out), "--templates", str(ROOT / "templates")]
        )
        assert code == 0 and (out / "pagefind" / "pagefind-entry.json").is_file()
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=tmp))
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


def _results(tab) -> list[str]:  # type: ignore[no-untyped-def]
    tab.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
    tab.wait_for_function("() => !document.querySelector('.pagefind-ui__loading')", timeout=15000)
    return [link.inner_text().split(" · ")[0] for link in tab.query_selector_all(".pagefind-ui__result-link")]


@pytest.mark.parametrize(("prefix", "query", "expected"), QUERIES)
def test_a_query_finds_the_entry_in_its_language(
    browser, site_url: str, prefix: str, query: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    origins: set[str] = set()
    tab.on("request", lambda request: origins.add(urlparse(request.url).netloc))
    tab.goto(f"{site_url}{prefix}search/?q={quote(query)}")
    titles = _results(tab)
    context.close()
    assert expected in titles, titles
    assert origins == {urlparse(site_url).netloc}, f"requests left the site: {origins}"


@pytest.mark.parametrize("width", [390, 1280])
def test_the_header_box_leads_to_results_and_a_filter_narrows_them(browser, site_url: str, width: int) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    tab.goto(site_url + "es/events/lucanamarca-massacre/")
    tab.fill("#site-search", "masacre")
    tab.press("#site-search", "Enter")
    tab.wait_for_url("**/es/search/?q=masacre")
    _results(tab)
    counted = "() => /^[0-9]+ /.test(document.querySelector('.pagefind-ui__message')?.innerText || '')"
    tab.wait_for_function(counted)  # the message gives a count once the search has settled
    everything = tab.locator(".pagefind-ui__message").inner_text()
    group = tab.locator("summary.pagefind-ui__filter-name", has_text=re.compile("^Tipo$"))  # named in Spanish
    group.wait_for()
    # Open the group whatever its first state (Pagefind opens filters on wide screens by itself).
    group.evaluate("summary => { summary.parentElement.open = true; }")
    tab.locator("input[type=checkbox][value='Lugar']").first.check()
    changed = "() => /^[0-9]+ /.test(document.querySelector('.pagefind-ui__message').innerText)"
    changed += f" && document.querySelector('.pagefind-ui__message').innerText !== {everything!r}"
    tab.wait_for_function(changed)
    narrowed = tab.locator(".pagefind-ui__message").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"search-es-{width}.png"), full_page=True)
    overflow = tab.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert int(narrowed.split()[0]) < int(everything.split()[0]), (everything, narrowed)
    assert overflow <= 0, "the search page scrolls sideways"


def test_without_javascript_the_box_leads_to_the_browsable_indexes(browser, site_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site_url + "es/")
    tab.fill("#site-search", "Putis")
    tab.press("#site-search", "Enter")
    tab.wait_for_url("**/es/search/?q=Putis")
    tab.get_by_role("link", name="Todos los eventos, por fecha").click()
    tab.wait_for_url("**/es/events/")
    assert tab.locator("h1").inner_text() == "Todos los eventos"
    assert tab.locator("#y1984").count() == 1  # year anchors
    assert tab.get_by_role("link", name="Masacre de Putis").count() == 1
    context.close()
