"""The citation rules: never-citable hosts are errors, copies as `url` are warnings, originals are counted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from quipu import hosts

from .conftest import SITE_YAML, Run


def test_hosts_match_by_suffix_and_spot_malformed_addresses() -> None:
    assert hosts.copy_host("https://es.scribd.com/document/1/x") == "a document-sharing site"
    assert hosts.copy_host("https://elcomercio.pe/x") is None
    assert hosts.never_citable("https://de.frwiki.wiki/wiki/X") is not None
    assert hosts.never_citable("https://es.m.wikipedia.org./wiki/X") == "its host ends with a dot (a malformed address)"
    assert hosts.never_citable("https://en.wikipedia.com/wiki/X") is not None
    assert hosts.never_citable("https://notscribd.com/x") is None and hosts.copy_host("https://notscribd.com/x") is None


def test_originals_are_the_publishers_own_or_named_print_sources() -> None:
    assert hosts.is_original("https://www.cverdad.org.pe/ifinal/", None)
    assert hosts.is_original(None, "Comisión de la Verdad y Reconciliación")
    assert not hosts.is_original("https://en.wikipedia.org/wiki/X", "Wikipedia")
    assert not hosts.is_original("https://www.yumpu.com/x", "CVR")


def test_check_reports_hosts_at_their_lines(make_site: Callable[..., Path], cli: Callable[..., Run]) -> None:
    make_site(
        {
            "events/1980/copied.md": """---
title: Copied
date: 1980-06-01
sources:
  - title: Informe Final
    publisher: Comisión de la Verdad y Reconciliación
    read_at: https://www.yumpu.com/es/document/view/1
    locator: Tomo V, capítulo 2
  - title: A scrape
    url: https://it.wiki34.com/wiki/X
  - title: A copy as url
    url: https://es.scribd.com/document/1
---
Text.
"""
        }
    )
    run = cli("check")
    assert run.problems == [
        "content/events/1980/copied.md:10: error: 'it.wiki34.com' is never citable (a machine-translated copy of "
        "Wikipedia); cite the original, or another source you read",
        "content/events/1980/copied.md:12: warning: 'es.scribd.com' is a document-sharing site, not the original; "
        "name the original (title, publisher, its own url when a page gives it) and move this address to read_at",
    ]


def test_stats_count_events_with_an_original(make_site: Callable[..., Path], cli: Callable[..., Run]) -> None:
    make_site(
        {
            "events/1980/only-wikipedia.md": """---
title: Only Wikipedia
date: 1980-06-01
sources:
  - {title: X, url: "https://en.wikipedia.org/wiki/X"}
---
Text.
""",
            "site.yaml": SITE_YAML + "coverage:\n  original_sources: 1.0\n",
        }
    )
    run = cli("check", "--stats")
    assert "share_events_with_original_source: 0.5" in run.out
    assert any(
        "coverage: 50.0% of events cite an original source, the rule asks for 100%; 1 cite only copies or "
        "encyclopedias (content/events/1980/only-wikipedia.md)" in line
        for line in run.problems
    )
