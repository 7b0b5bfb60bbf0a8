"""What a published page says about itself: social metadata, schema.org JSON-LD, how to cite it, how to correct it.

Pure: everything comes from the entry, the site settings, the page's URL and the
dates last changed (history.py); nothing from the clock. JSON placed inside a
<script> element is escaped so that no text from content can close it.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from .model import Actor, Entry, Event, Page, Period, Place, SiteConfig, Source

# schema.org types per kind of entry
PERSON_KINDS = frozenset({"person"})


@dataclass(frozen=True)
class Citation:
    """One entry as a reference: the parts of the readable form, and the two formats reference managers import.

    The formats are made from the parts when a page is rendered, not when every page is planned (a page's
    fingerprint is made of its parts, which is all the formats say).
    """

    author: str
    title: str
    site: str
    url: str
    changed: date | None
    key: str  # the BibTeX key and CSL id: the slug, with the language when it is not the site's
    language: str

    @functools.cached_property
    def bibtex(self) -> str:
        fields = [
            ("author", "{" + _bibtex_escape(self.author) + "}"),
            ("title", "{" + _bibtex_escape(self.title) + "}"),
            ("howpublished", "{" + _bibtex_escape(self.site) + "}"),
            ("url", "{" + self.url.replace("}", "%7D").replace("{", "%7B") + "}"),
            ("language", "{" + self.language + "}"),
        ]
        if self.changed is not None:
            fields += [("year", str(self.changed.year)), ("note", "{Last changed " + self.changed.isoformat() + "}")]
        body = ",\n".join(f"  {name} = {value}" for name, value in fields)
        return f"@misc{{{self.key},\n{body}\n}}"

    @functools.cached_property
    def csl_json(self) -> str:
        csl: dict[str, Any] = {
            "id": self.key,
            "type": "webpage",
            "title": self.title,
            "author": [{"literal": self.author}],
            "container-title": self.site,
            "URL": self.url,
            "language": self.language,
        }
        if self.changed is not None:
            csl["issued"] = {"date-parts": [[self.changed.year, self.changed.month, self.changed.day]]}
        return json.dumps([csl], ensure_ascii=False, indent=2, sort_keys=True)


@dataclass(frozen=True)
class Corrections:
    edit_url: str  # the file this page's text comes from, in the repository's web editor
    issue_url: str  # a new correction issue, pre-filled with the entry


def page_url(site: SiteConfig, url: str) -> str:
    """The address a reader can paste: absolute when base_url is, else the path under base_url."""
    return (site.absolute_base or site.base_path) + url


def entry_title(entry: Entry) -> str:
    if isinstance(entry, Event | Page):
        return entry.title
    return entry.name  # type: ignore[attr-defined, no-any-return]


def script_json(value: Any) -> str:
    """JSON that is safe inside <script>: '<', '>' and '&' as \\u escapes, so '</script>' cannot occur."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _bibtex_escape(text: str) -> str:
    out = []
    for ch in text:
        if ch in "{}\\":
            out.append({"{": "\\{", "}": "\\}", "\\": "\\textbackslash{}"}[ch])
        elif ch in "&%$#_":
            out.append("\\" + ch)
        elif ch == "~":
            out.append("\\textasciitilde{}")
        elif ch == "^":
            out.append("\\textasciicircum{}")
        else:
            out.append(ch)
    return "".join(out)


def citation(site: SiteConfig, entry: Entry, url: str, language: str, changed: date | None) -> Citation:
    """How to cite an entry page: author from site.yaml (else the site's title), the page's own title and URL."""
    key = entry.slug + ("" if language == site.language else f"-{language}")
    return Citation(
        site.author or site.title, entry_title(entry), site.title, page_url(site, url), changed, key, language
    )


def corrections(site: SiteConfig, repo_path: str, title: str, address: str, branch: str) -> Corrections | None:
    """Links to edit the entry's file and to open a correction issue naming it (GitHub's URL scheme)."""
    if not site.repository:
        return None
    repository = site.repository.rstrip("/")
    edit = f"{repository}/edit/{quote(branch)}/{quote(repo_path)}"
    query = urlencode({"template": "correction.yml", "title": f"Correction: {title}", "entry": address})
    return Corrections(edit, f"{repository}/issues/new?{query}")


def _source_ld(source: Source) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork", "name": source.title}
    if source.url:
        work["url"] = source.url
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.date:
        work["datePublished"] = source.date.iso()
    if source.language:
        work["inLanguage"] = source.language
    return work


def _place_ld(place: Place, address: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"@type": "Place", "name": place.name}
    if address:
        out["url"] = address
    if place.coordinates:
        out["geo"] = {"@type": "GeoCoordinates", "latitude": place.coordinates[0], "longitude": place.coordinates[1]}
    return out


def json_ld(
    site: SiteConfig,
    entry: Entry | None,
    url: str,
    language: str,
    title: str,
    places: list[tuple[Place, str]] | None = None,
) -> dict[str, Any]:
    """schema.org description of a page: an Event with its dates at their precision, places and sources."""
    address = page_url(site, url)
    common = {"@context": "https://schema.org", "url": address, "inLanguage": language}
    if isinstance(entry, Event):
        out: dict[str, Any] = {
            **common,
            "@type": "Event",
            "name": entry.title,
            "description": entry.summary_line,
            "startDate": entry.date.iso(),  # ISO 8601 at the precision known: 1983, 1983-04 or 1983-04-03
        }
        if entry.end_date is not None:
            out["endDate"] = entry.end_date.iso()
        if places:
            located = [_place_ld(p, page_url(site, u)) for p, u in places]
            out["location"] = located[0] if len(located) == 1 else located
        if entry.sources:
            out["citation"] = [_source_ld(s) for s in entry.sources]
        return out
    if isinstance(entry, Actor):
        kind = "Person" if entry.kind in PERSON_KINDS else "Organization"
        out = {**common, "@type": kind, "name": entry.name}
        if entry.aliases:
            out["alternateName"] = list(entry.aliases)
        return out
    if isinstance(entry, Place):
        out = {**common, **_place_ld(entry)}
        if entry.aliases:
            out["alternateName"] = list(entry.aliases)
        return out
    if isinstance(entry, Period):
        return {**common, "@type": "WebPage", "name": entry.name}
    return {**common, "@type": "WebPage", "name": title, "isPartOf": {"@type": "WebSite", "name": site.title}}
