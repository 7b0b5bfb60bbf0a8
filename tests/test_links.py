"""The link check of a built site (build.py links): what the deploy workflow runs as a gate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from quipu.links import check_links

from .conftest import ROOT, Run

GOLDEN = ROOT / "tests" / "golden" / "content"


@pytest.mark.parametrize(
    ("content", "base_url"),
    [(GOLDEN, "/peru-timeline/"), (ROOT / "tests/golden-bilingual/content", "https://example.org/timeline/")],
)
def test_golden_sites_have_no_broken_links(
    cli: Callable[..., Run], tmp_path: Path, content: Path, base_url: str
) -> None:
    out = tmp_path / "out"
    assert cli("build", "--content", str(content), "--out", str(out), "--base-url", base_url).code == 0
    problems, checked = check_links(out, base_url)
    assert problems == [] and checked > 100
    run = cli("links", str(out), "--base-url", base_url)
    assert run.code == 0 and "links: ok: checked" in run.err


def test_broken_links_and_fragments_are_reported_at_their_line(cli: Callable[..., Run], tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text(
        '<p id="top">x</p>\n<a href="a/">ok</a>\n<a href="#top">ok</a>\n', encoding="utf-8"
    )
    (site / "a/index.html").write_text(
        '<a href="../">ok</a>\n<a href="../missing/">no</a>\n<a href="../#nowhere">no</a>\n'
        '<a href="https://elsewhere.example/">not followed</a>\n<a href="../../../etc/passwd">out</a>\n',
        encoding="utf-8",
    )
    run = cli("links", str(site))
    assert run.code == 1
    assert [line.split(": error: ")[1] for line in run.problems] == [
        "link '../missing/' points to a missing file; fix the link or the page",
        "link '../#nowhere' points to a missing #nowhere on that page",
        "link '../../../etc/passwd' leads outside the site; fix the template or link",
    ]
    assert [line.split(":")[1] for line in run.problems] == ["2", "3", "5"]
