"""Published pages: metadata with an absolute base_url, citations with git dates, correction links."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from .conftest import SITE_YAML, Run, event

ABSOLUTE = SITE_YAML + "base_url: https://example.org/t/\nauthor: The editors\nrepository: https://github.com/o/r\n"


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_relative_base_url_skips_social_metadata_and_says_so_once(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    make_site()
    run = cli("build", "--out", str(tmp_path / "site"))
    assert run.code == 0, run.err
    assert run.err.count("feeds, sitemap.xml, robots.txt, canonical links and social metadata skipped") == 1
    page = _soup(tmp_path / "site/events/first-action/index.html")
    assert page.find("meta", property="og:title") is None and page.find("script", type="application/ld+json") is None
    assert not (tmp_path / "site/robots.txt").exists() and not (tmp_path / "site/sitemap.xml").exists()
    # Citations still work, with the path under base_url.
    assert page.select_one(".citation .url").get_text() == "/events/first-action/"


def test_absolute_base_url_writes_metadata_and_safe_json_ld(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    hostile = "Attack </script><script>alert(1)</script> & more"
    make_site({"site.yaml": ABSOLUTE, "events/1980/first-action.md": event(title=f'"{hostile}"', date="1980-05")})
    run = cli("build", "--out", str(tmp_path / "site"))
    assert run.code == 0, run.err
    assert "social metadata skipped" not in run.err
    html = (tmp_path / "site/events/first-action/index.html").read_text(encoding="utf-8")
    page = BeautifulSoup(html, "html.parser")
    assert page.find("link", rel="canonical")["href"] == "https://example.org/t/events/first-action/"
    assert page.find("meta", property="og:url")["content"] == "https://example.org/t/events/first-action/"
    assert page.find("meta", attrs={"name": "twitter:card"})["content"] == "summary"
    scripts = page.find_all("script")
    assert [s.get("type") for s in scripts] == ["application/ld+json"]  # the hostile title made no script
    data = json.loads(scripts[0].string)
    assert data["@type"] == "Event" and data["name"] == hostile
    assert data["startDate"] == "1980-05"  # the precision known, not a made-up day
    assert data["location"]["geo"] == {"@type": "GeoCoordinates", "latitude": -13.58, "longitude": -74.35}
    assert data["citation"][0]["url"] == "https://example.org/a"
    assert (tmp_path / "site/robots.txt").read_text() == (
        "User-agent: *\nAllow: /\nSitemap: https://example.org/t/sitemap.xml\n"
    )
    corrections = page.select(".corrections a")
    assert corrections[0]["href"].startswith("https://github.com/o/r/issues/new?template=correction.yml&title=")
    assert corrections[1]["href"] == "https://github.com/o/r/edit/main/content/events/1980/first-action.md"


def _git(folder: Path, *args: str, when: str = "2024-03-05T12:00:00+00:00") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    subprocess.run(["git", "-C", str(folder), *args], check=True, env=env, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_citation_dates_come_from_git_history(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    content = make_site({"site.yaml": ABSOLUTE})
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "content")
    _git(tmp_path, "commit", "-q", "-m", "first")
    (content / "places/chuschi.md").write_text(
        (content / "places/chuschi.md").read_text() + "\nMore.\n", encoding="utf-8"
    )
    _git(tmp_path, "commit", "-q", "-am", "second", when="2025-09-14T08:00:00+00:00")
    run = cli("build", "--out", str(tmp_path / "site"))
    assert run.code == 0, run.err
    event_page = _soup(tmp_path / "site/events/first-action/index.html")
    assert "Last changed March 5, 2024" in event_page.select_one(".citation").get_text()
    bibtex = event_page.select("details pre code")[0].get_text()
    assert "year = 2024" in bibtex and "note = {Last changed 2024-03-05}" in bibtex
    csl = json.loads(event_page.select("details pre code")[1].get_text())
    assert (
        csl[0]["issued"] == {"date-parts": [[2024, 3, 5]]}
        and csl[0]["URL"] == "https://example.org/t/events/first-action/"
    )
    place_page = _soup(tmp_path / "site/places/chuschi/index.html")
    assert "Last changed September 14, 2025" in place_page.select_one(".citation").get_text()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_shallow_clone_gives_no_dates_and_says_why(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    make_site()
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "content")
    _git(tmp_path, "commit", "-q", "-m", "first")
    _git(tmp_path, "commit", "-q", "--allow-empty", "-m", "second")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{tmp_path}", str(clone)], check=True)
    run = cli("build", "--content", str(clone / "content"), "--out", str(tmp_path / "site"))
    assert run.code == 0, run.err
    assert "this is a shallow clone" in run.err
    assert "Last changed" not in (tmp_path / "site/events/first-action/index.html").read_text(encoding="utf-8")


def test_old_slugs_redirect_in_every_language(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    make_site(
        {
            "site.yaml": ABSOLUTE + "languages: [en, es]\n",
            "events/1980/first-action.md": event(extra="old_slugs: [first-attack]\n"),
        }
    )
    run = cli("build", "--out", str(tmp_path / "site"))
    assert run.code == 0, run.err
    for prefix, target in (
        ("", "https://example.org/t/events/first-action/"),
        ("es/", "https://example.org/t/es/events/first-action/"),
    ):
        page = _soup(tmp_path / f"site/{prefix}events/first-attack/index.html")
        assert page.find("meta", attrs={"http-equiv": "refresh"})["content"] == "0; url=../first-action/"
        assert page.find("link", rel="canonical")["href"] == target
        assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    sitemap = (tmp_path / "site/sitemap.xml").read_text(encoding="utf-8")
    assert "first-attack" not in sitemap and "events/first-action/" in sitemap


def test_an_entry_file_is_named_relative_to_the_content_folder_its_links_resolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a correction link and a citation date look a file up by; the content folder may be reached by a link."""
    from quipu.history import History

    content = tmp_path / "site" / "content"
    (content / "events" / "1983").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    os.symlink(content, tmp_path / "linked", target_is_directory=True)
    history = History(str(content.resolve()), content_in_repo="sites/peru/content")
    assert history.relative(str(content / "events" / "1983" / "x.md")) == "events/1983/x.md"
    assert history.relative(str(tmp_path / "linked" / "events" / "1983" / "x.md")) == "events/1983/x.md"
    assert history.relative(str(content / "site.yaml")) == "site.yaml"
    assert history.in_repo(str(content / "events" / "1983" / "x.md")) == "sites/peru/content/events/1983/x.md"
    monkeypatch.chdir(tmp_path / "site")
    assert history.relative("content/events/1983/x.md") == "events/1983/x.md"  # from where the build runs
    outside = str(tmp_path / "elsewhere" / "y.md")
    assert history.relative(outside) == Path(outside).as_posix()
    assert History().relative("content/events/x.md") == "content/events/x.md"
