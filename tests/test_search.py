"""The search index: built into the staging folder, one per language, deterministic, and never half-published."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from quipu import search

from .conftest import ROOT, Run

BILINGUAL = ROOT / "tests/golden-bilingual/content"
pytestmark = pytest.mark.skipif(
    not search.available(), reason="Pagefind is not installed (pip install 'pagefind[bin]')"
)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_each_language_gets_an_index_of_its_entries_only(cli: Callable[..., Run], tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = cli("build", "--content", str(BILINGUAL), "--out", str(out), "--search")
    assert run.code == 0, run.err
    entry = json.loads((out / "pagefind/pagefind-entry.json").read_text())
    # 4 events, 3 actors, 5 places, 1 page, 3 periods: list pages (years, indexes, search, 404) are not indexed.
    assert {code: lang["page_count"] for code, lang in entry["languages"].items()} == {"en": 16, "es": 16}
    for asset in ("pagefind-ui.js", "pagefind-ui.css", "pagefind.js"):
        assert (out / "pagefind" / asset).is_file()
    page = (out / "es/events/massacre/index.html").read_text()
    assert "data-pagefind-body" in page and 'data-pagefind-filter="Año">1983<' in page
    assert 'data-pagefind-filter="Tema">masacres<' in page  # filters are named and valued in the page's language


def test_the_index_is_byte_identical_across_builds(cli: Callable[..., Run], tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert cli("build", "--content", str(BILINGUAL), "--out", str(first), "--search").code == 0
    assert cli("build", "--content", str(BILINGUAL), "--out", str(second), "--search").code == 0
    assert _tree(first / "pagefind") == _tree(second / "pagefind")


def test_a_failed_index_leaves_the_previous_site(
    cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quipu.errors import Problem

    out = tmp_path / "out"
    assert cli("build", "--content", str(BILINGUAL), "--out", str(out)).code == 0
    before = _tree(out)
    monkeypatch.setattr(search, "index_site", lambda folder: Problem("pagefind", 1, "the search index failed: boom"))
    run = cli("build", "--content", str(BILINGUAL), "--out", str(out), "--search")
    assert run.code == 1 and "pagefind:1: error: the search index failed: boom" in run.err
    assert _tree(out) == before


def test_without_pagefind_the_build_says_so_once(
    cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "available", lambda: False)
    run = cli("build", "--content", str(BILINGUAL), "--out", str(tmp_path / "out"), "--search")
    assert run.code == 0
    assert run.err.count("note: search index skipped: Pagefind is not installed") == 1
    assert (tmp_path / "out/es/search/index.html").is_file()  # the page is there, with its browse links
