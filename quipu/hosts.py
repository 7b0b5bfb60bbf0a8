"""Which web hosts a source may be cited at: the one home of the lists and of the rule.

Three kinds of host are not the original of what they show:

- never citable: parked or odd domains, proxies, machine-translated or scraped encyclopedia
  copies, content-delivery hosts and malformed addresses. An error: cite the original instead.
- copies: document-sharing sites and faithful mirrors. A warning when the source's `url` is one:
  name the original (title, publisher, its own URL when a page states it) and move the copy's
  address to `read_at`.
- encyclopedias: Wikipedia and its language editions. Citable, but not an original source.

Hosts match by suffix: 'scribd.com' covers 'es.scribd.com'. Extend the lists here, with the
reason, when a review finds a new one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .errors import Problem

NEVER_CITABLE: dict[str, str] = {
    # parked, odd or unrelated domains serving copies of news articles
    "dnhewrhegkli.shop": "a parked domain",
    "645012.skal.fun": "an odd domain serving copied pages",
    "colectoresindustrialesgs.com": "an unrelated domain serving copies of El País articles",
    "wikipedia.ddns.net": "a web proxy",
    "s.gtool.pro": "a web proxy",
    "a.osmarks.net": "a web proxy",
    "the-uncensored-wiki.com": "a web proxy",
    "es.m.wiki.x.io": "a web proxy",
    # machine-translated or scraped copies of Wikipedia
    "hmong.es": "a machine-translated copy of Wikipedia",
    "hmong.in.th": "a machine-translated copy of Wikipedia",
    "frwiki.wiki": "a machine-translated copy of Wikipedia",
    "wiki34.com": "a machine-translated copy of Wikipedia",
    "abcdef.wiki": "a machine-translated copy of Wikipedia",
    "zxc.wiki": "a machine-translated copy of Wikipedia",
    "wikial.top": "a machine-translated copy of Wikipedia",
    "wikiup.org": "a machine-translated copy of Wikipedia",
    "wikiplanet.click": "a scraped copy of Wikipedia",
    "wikipedia.jakami.de": "a scraped copy of Wikipedia",
    "wikidat.com": "a scraped copy of Wikipedia",
    "wikisort.org": "a scraped copy of Wikipedia",
    "wikisum.wiki": "a scraped summary of Wikipedia",
    "findatwiki.com": "a scraped copy of Wikipedia",
    "knowledgr.com": "a scraped copy of Wikipedia",
    "kampuspedia.com": "a scraped copy of Wikipedia",
    "academia-lab.com": "a scraped copy of Wikipedia",
    "piglix.com": "a scraped copy of Wikipedia",
    "theinfolist.com": "a scraped copy of Wikipedia",
    "en-academic.com": "a scraped copy of Wikipedia",
    "es-academic.com": "a scraped copy of Wikipedia",
    "everything.explained.today": "a scraped copy of Wikipedia",
    "profilpelajar.com": "a scraped copy of Wikipedia",
    "aroundus.com": "a scraped copy of Wikipedia",
    "netblogpro.com": "a scraped copy of news articles",
    "bfjaawards.com": "an unrelated domain serving a copy of an encyclopedia article",
    # malformed addresses
    "wikipedia.com": "not Wikipedia's address (it is wikipedia.org)",
}

# The publisher's own file servers: not an article's address (an error as `url`), but a fair place to
# have read it (`read_at`), with the article named by title, publisher and date.
CONTENT_DELIVERY: dict[str, str] = {
    "cdn.arcpublishing.com": "a content-delivery host, not the publisher's article address",
    "cloudfront.net": "a content-delivery host, not the publisher's article address",
}

COPIES: dict[str, str] = {
    "joomag.com": "a document-sharing site",
    "yumpu.com": "a document-sharing site",
    "scribd.com": "a document-sharing site",
    "studylib.es": "a document-sharing site",
    "studylib.net": "a document-sharing site",
    "jimdofree.com": "a personal site hosting a copy",
    "jimdo.com": "a personal site hosting a copy",
    "issuu.com": "a document-sharing site",
    "slideshare.net": "a document-sharing site",
    "pdfcoffee.com": "a document-sharing site",
    "docslib.org": "a document-sharing site",
    "kipdf.com": "a document-sharing site",
    "doczz.es": "a document-sharing site",
    "cupdf.com": "a document-sharing site",
    "vdocuments.mx": "a document-sharing site",
    "vdocumento.com": "a document-sharing site",
    "fdocuments.es": "a document-sharing site",
    "fdocuments.co": "a document-sharing site",
    "fdocumentos.tips": "a document-sharing site",
    "studenta.com": "a document-sharing site",
    "coggle.it": "a document-sharing site",
    "web.archive.org": "an archive of another page",
    "wikiwand.com": "a mirror of Wikipedia",
    "wikimili.com": "a mirror of Wikipedia",
    "iiab.me": "a mirror of Wikipedia",
    "thefullwiki.org": "a mirror of Wikipedia",
    "knowpia.com": "a mirror of Wikipedia",
    "wikipedia-on-ipfs.org": "a mirror of Wikipedia",
    "wiki.li": "a mirror of Wikipedia",
    "dewiki.de": "a mirror of Wikipedia",
    "datana.cloud": "a mirror of Wikipedia",
    "wikiclassic.com": "a mirror of Wikipedia",
    "defzone.net": "a mirror of Wikipedia",
    "encycloreader.org": "a mirror of Wikipedia",
}

ENCYCLOPEDIAS: dict[str, str] = {"wikipedia.org": "an encyclopedia"}


def host_of(url: str) -> str:
    """The lowercased host name without port ('' when the URL has none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _match(host: str, table: dict[str, str]) -> str | None:
    host = host.rstrip(".")
    for suffix, reason in table.items():
        if host == suffix or host.endswith("." + suffix):
            return reason
    return None


def never_citable(url: str, as_read_at: bool = False) -> str | None:
    """Why a URL can never be cited (as a source's url, or where it was read), or None."""
    host = host_of(url)
    if host.endswith("."):
        return "its host ends with a dot (a malformed address)"
    return _match(host, NEVER_CITABLE) or (None if as_read_at else _match(host, CONTENT_DELIVERY))


def copy_host(url: str) -> str | None:
    """What kind of copy a URL's host serves, or None when it may be the original."""
    return _match(host_of(url), COPIES)


def is_encyclopedia(url: str) -> bool:
    return _match(host_of(url), ENCYCLOPEDIAS) is not None


def is_original(url: str | None, publisher: str | None) -> bool:
    """Does a source point at the original itself: its publisher's own address, or a named print original?"""
    if url is None:
        return bool(publisher)
    return never_citable(url) is None and copy_host(url) is None and not is_encyclopedia(url)


def host_problems(source: dict[str, Any], path: str) -> list[Problem]:
    """A source's addresses against the lists: never citable is an error, a copy as `url` a warning."""
    line, lines = source["__line__"], source["__lines__"]
    problems = []
    for key in ("url", "read_at"):
        if key in source and (why := never_citable(source[key], as_read_at=key == "read_at")) is not None:
            fix = (
                "name the article (title, publisher, date) and put this address in read_at"
                if _match(host_of(source[key]), CONTENT_DELIVERY)
                else "cite the original, or another source you read"
            )
            problems.append(
                Problem(path, lines.get(key, line), f"'{host_of(source[key])}' is never citable ({why}); {fix}")
            )
    if "url" in source and (copy := copy_host(source["url"])) is not None:
        problems.append(
            Problem(
                path,
                lines.get("url", line),
                f"'{host_of(source['url'])}' is {copy}, not the original; name the original "
                "(title, publisher, its own url when a page gives it) and move this address to read_at",
                "warning",
            )
        )
    return problems
