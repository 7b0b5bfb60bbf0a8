"""The one place that maps entries to URLs and output files.

URLs here are site-relative ("events/chuschi/"); pages link to each other
with relative paths so the site works under any sub-path and from a plain
static file server without rewriting.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache


def home() -> str:
    return ""


def year(y: int) -> str:
    return f"years/{y:04d}/"


def event(slug: str) -> str:
    return f"events/{slug}/"


def all_events() -> str:
    """Every event in date order: the browsable index and the print edition of the timeline."""
    return "events/"


def map_page() -> str:
    return "map/"


def search() -> str:
    return "search/"


def actors() -> str:
    return "actors/"


def actor(slug: str) -> str:
    return f"actors/{slug}/"


def places() -> str:
    return "places/"


def place(slug: str) -> str:
    return f"places/{slug}/"


def tags() -> str:
    return "tags/"


def tag(slug: str) -> str:
    return f"tags/{slug}/"


def periods() -> str:
    return "periods/"


def period(slug: str) -> str:
    return f"periods/{slug}/"


def page(slug: str) -> str:
    return f"{slug}/"


def not_found() -> str:
    return "404.html"


def asset(name: str) -> str:
    return f"static/{name}"


def data(name: str) -> str:
    """A download (data/events.json), or with no name the page that documents them (data/)."""
    return f"data/{name}"


# Files shared by every language: not under a language prefix.
LANGUAGE_NEUTRAL = ("static/", "data/", "pagefind/", "sitemap.xml", "robots.txt")


def localized(url: str, prefix: str) -> str:
    """The URL in a language: the default's has no prefix, the others live under es/ and so on.

    Files under the shared folders (data/events.json) serve every language; a page there (data/) does not.
    """
    if not prefix or (url.startswith(LANGUAGE_NEUTRAL) and not url.endswith("/")):
        return url
    return prefix + url


def of(kind: str, slug: str) -> str:
    """URL of an entry given its content kind (events, actors, places, pages)."""
    return {"events": event, "actors": actor, "places": place, "pages": page, "periods": period}[kind](slug)


def output_path(url: str) -> str:
    """File to write for a URL: pretty URLs become folder/index.html."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def relative(from_url: str, to_url: str) -> str:
    """A link from one page to another that works under any base path (shared folders are not climbed).

    Not kept by pair: nearly every link of a page is its own (7% of them came again in a build of 5,000
    events), and a memo of 131,072 pairs stayed in each render process (the peak at 20,000 events fell by
    about 20 MiB without it). Only the folders of the page being rendered are kept."""
    from_parts = _folders(from_url)
    to_parts = to_url.split("/")
    to_dirs, leaf = to_parts[:-1], to_parts[-1]
    common = 0
    while common < len(from_parts) and common < len(to_dirs) and from_parts[common] == to_dirs[common]:
        common += 1
    up = "../" * (len(from_parts) - common)
    rest = "/".join(to_dirs[common:] + [leaf])
    if rest in ("", "/"):
        return up or "./"
    return up + rest


@lru_cache(maxsize=64)
def _folders(from_url: str) -> tuple[str, ...]:
    from_dir = from_url if from_url.endswith("/") or from_url == "" else posixpath.dirname(from_url) + "/"
    return tuple(part for part in from_dir.split("/") if part)
