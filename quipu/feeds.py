"""sitemap.xml and an Atom feed of the latest events, for sites with an absolute base_url.

Both need absolute URLs, so they are only written when `base_url` is one
(e.g. https://example.org/peru-timeline/). Dates come from the content, never
from the clock, so the files are as deterministic as the pages.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from . import urls
from .corpus import Corpus
from .model import Event
from .pages import summary_of

FEED_SIZE = 30


def _timestamp(event: Event) -> str:
    return event.date.earliest().isoformat() + "T00:00:00Z"


def feed_files(corpus: Corpus, page_urls: list[str]) -> dict[str, bytes]:
    """sitemap.xml and feed.xml as bytes, or nothing when base_url is a bare path."""
    base = corpus.site.absolute_base
    if base is None:
        return {}
    locations = "".join(
        f"<url><loc>{escape(base + u)}</loc></url>\n" for u in sorted(page_urls) if u.endswith("/") or u == ""
    )
    sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{locations}</urlset>\n"
    )
    latest = sorted(corpus.events, key=lambda e: (e.date.sort_key(), e.slug), reverse=True)[:FEED_SIZE]
    entries = []
    for event in latest:
        link = base + urls.event(event.slug)
        summary = summary_of(event)
        entries.append(
            "<entry>"
            f"<title>{escape(event.title)}</title>"
            f'<link href="{escape(link)}"/>'
            f"<id>{escape(link)}</id>"
            f"<updated>{_timestamp(event)}</updated>"
            f"<summary>{escape(summary)}</summary>"
            "</entry>\n"
        )
    updated = _timestamp(latest[0]) if latest else "1970-01-01T00:00:00Z"
    feed = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{escape(corpus.site.language)}">\n'
        f"<title>{escape(corpus.site.title)}</title>\n"
        f'<link href="{escape(base)}"/>\n'
        f'<link rel="self" href="{escape(base)}feed.xml"/>\n'
        f"<id>{escape(base)}</id>\n"
        f"<updated>{updated}</updated>\n"
        f"<author><name>{escape(corpus.site.author or corpus.site.title)}</name></author>\n"
        f"{''.join(entries)}</feed>\n"
    )
    return {"sitemap.xml": sitemap.encode("utf-8"), "feed.xml": feed.encode("utf-8")}
