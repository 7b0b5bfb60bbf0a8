"""sitemap.xml, robots.txt and an Atom feed of the latest events, for sites with an absolute base_url.

Both need absolute URLs, so they are only written when `base_url` is one
(e.g. https://example.org/peru-timeline/). Dates come from the content, never
from the clock, so the files are as deterministic as the pages. Every value is
escaped for where it goes (element text or a quoted attribute), so each file parses
back to the values given, whatever base_url or a title holds.
"""

from __future__ import annotations

import re

from . import urls
from .corpus import Corpus
from .model import Event
from .pages import Page

FEED_SIZE = 30

# XML 1.0 cannot hold these at all, not even as character references (check refuses them in content too).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
# In an attribute a parser also turns tabs and line breaks into spaces, unless they are references.
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
)


def _text(value: str) -> str:
    """Element content: the value as an XML parser will read it back."""
    return _NOT_XML.sub("", value).translate(_TEXT_ESCAPES)


def _attr(value: str) -> str:
    """An attribute value, for inside double quotes: the value as an XML parser will read it back."""
    return _NOT_XML.sub("", value).translate(_ATTRIBUTE_ESCAPES)


def _timestamp(event: Event) -> str:
    return event.date.earliest().isoformat() + "T00:00:00Z"


def feed_files(editions: dict[str, Corpus], pages: list[Page]) -> dict[str, bytes]:
    """sitemap.xml (with each page's language alternates) and a feed per language; nothing without an absolute base_url."""
    default = next(iter(editions.values()))
    base = default.site.absolute_base
    if base is None:
        return {}
    files = {"sitemap.xml": _sitemap(base, pages), "robots.txt": _robots(base)}
    for code, corpus in editions.items():
        prefix = "" if code == default.site.language else f"{code}/"
        files[urls.localized("feed.xml", prefix)] = _feed(base, corpus, code, prefix)
    return files


def _robots(base: str) -> bytes:
    """Everything may be crawled; the sitemap says where the pages are (crawlers read robots.txt at a host's root)."""
    return f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n".encode()


def _sitemap(base: str, pages: list[Page]) -> bytes:
    rows = []
    for page in sorted(pages, key=lambda p: p.url):
        if not (page.url.endswith("/") or page.url == "") or page.template == "redirect.html":
            continue  # 404.html, other non-pages, and the old URLs that redirect
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang="{_attr(a.code)}" href="{_attr(base + a.url)}"/>'
            for a in page.alternates
        )
        if len(page.alternates) > 1:
            links += f'<xhtml:link rel="alternate" hreflang="x-default" href="{_attr(base + page.alternates[0].url)}"/>'
        rows.append(f"<url><loc>{_text(base + page.url)}</loc>{links if len(page.alternates) > 1 else ''}</url>\n")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
        f"{''.join(rows)}</urlset>\n"
    ).encode()


def _feed(base: str, corpus: Corpus, code: str, prefix: str) -> bytes:
    latest = sorted(corpus.events, key=lambda e: (e.date.sort_key(), e.slug), reverse=True)[:FEED_SIZE]
    entries = []
    for event in latest:
        link = base + urls.localized(urls.event(event.slug), prefix)
        lang = f' xml:lang="{_attr(event.lang)}"' if event.lang and event.lang != code else ""
        entries.append(
            f"<entry{lang}>"
            f"<title>{_text(event.title)}</title>"
            f'<link href="{_attr(link)}"/>'
            f"<id>{_text(link)}</id>"
            f"<updated>{_timestamp(event)}</updated>"
            f"<summary>{_text(event.summary_line)}</summary>"
            "</entry>\n"
        )
    updated = _timestamp(latest[0]) if latest else "1970-01-01T00:00:00Z"
    home = base + prefix
    feed = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{_attr(code)}">\n'
        f"<title>{_text(corpus.site.title)}</title>\n"
        f'<link href="{_attr(home)}"/>\n'
        f'<link rel="self" href="{_attr(home + "feed.xml")}"/>\n'
        f"<id>{_text(home)}</id>\n"
        f"<updated>{updated}</updated>\n"
        f"<author><name>{_text(corpus.site.author or corpus.site.title)}</name></author>\n"
        f"{''.join(entries)}</feed>\n"
    )
    return feed.encode("utf-8")
