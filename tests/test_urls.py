"""URL mapping and relative links: every page reaches every other page from any depth."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from quipu import urls


def resolve(from_url: str, href: str) -> str:
    """What a browser does with a relative href on a page at /from_url (served at any base path)."""
    base = "/base/" + (from_url if from_url.endswith("/") or from_url == "" else posixpath.dirname(from_url) + "/")
    joined = posixpath.normpath(posixpath.join(base, href))
    return joined + ("/" if href.endswith("/") or href in ("./", "") else "")


def test_known_links() -> None:
    assert urls.relative("events/x/", "actors/y/") == "../../actors/y/"
    assert urls.relative("", "events/x/") == "events/x/"
    assert urls.relative("events/x/", "") == "../../"
    assert urls.relative("", "") == "./"
    assert urls.relative("404.html", "static/style.css") == "static/style.css"
    assert urls.output_path("events/x/") == "events/x/index.html"
    assert urls.output_path("") == "index.html"
    assert urls.output_path("data/events.json") == "data/events.json"


segment = st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True)
page_url = st.one_of(st.just(""), st.lists(segment, min_size=1, max_size=3).map(lambda parts: "/".join(parts) + "/"))


@given(page_url, page_url)
def test_relative_links_resolve_under_any_base(from_url: str, to_url: str) -> None:
    href = urls.relative(from_url, to_url)
    assert resolve(from_url, href) == "/base/" + to_url
