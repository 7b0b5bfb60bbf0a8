"""Which pages a change can reach, so that an edit makes again only the pages that read what changed.

Every page is made from the site's outline (everything a page can depend on except the text of the
entries' bodies: the entries' fields, the links their bodies hold, the site, the page list, templates,
locales, the base map and the dates last changed) and from the bodies of the entries it shows. The
outline decides everything a producer computes (lists, neighbours, counts, charts); a body's text reaches
a page only through its entry or its Body, which the page's fingerprint meets, so the digest records them.

So the last build keeps, with its manifest, the outline's fingerprint, each entry's digest, and for every
page the entries its fingerprint read. When the outline is the same, a page none of whose entries changed
is the page the last build made: it is kept without its context being made. Anything else (a new or
removed entry, a changed field, link, template or catalog) makes every page's context and fingerprint
again, as a build without a plan does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .corpus import Corpus
from .fingerprint import Digester, Unfingerprintable
from .markdown import Body
from .model import Entry
from .pages import Page
from .text import find_links

Digests = tuple[bytes, bytes]  # an entry's digest, and its outline's (the same with its body as its links)
UNKNOWN = "*"  # a page read something that cannot be named: it is made every time
TRACKED = (Entry, Body)
PLAN_VERSION = 1


def entries_of(corpus: Corpus) -> Iterator[Entry]:
    yield from corpus.events
    for kind in (corpus.actors, corpus.places, corpus.pages, corpus.periods):
        yield from kind.values()


def tracker(editions: Iterable[Corpus]) -> Callable[[Any], str]:
    """What names an entry or a body in a page's reads: the entry's file. A body is known by its text, the
    very string its entry holds; a text held by two entries (an empty body) cannot name one and is UNKNOWN."""
    owners: dict[int, str] = {}
    keep: list[str] = []  # the texts stay alive, so their ids are not reused
    for corpus in editions:
        for entry in entries_of(corpus):
            key = id(entry.body)
            known = owners.get(key)
            owners[key] = entry.path if known in (None, entry.path) else UNKNOWN
            keep.append(entry.body)

    def track(value: Any) -> str:
        if isinstance(value, Entry):
            return value.path
        if isinstance(value, Body) and keep:
            return owners.get(id(value.source), UNKNOWN)
        return UNKNOWN

    return track


def _links(body: str) -> tuple[tuple[str, str], ...]:
    return tuple((kind, slug) for kind, slug, _line in find_links(body, 1))


_PLAIN = Digester()  # memoises nothing: an entry's parts are its own


def entry_digests(entry: Entry) -> Digests | None:
    """What `Digester` gives an entry, and its outline digest; made when the entry is validated and kept
    with it in the entry cache, so that a build after an edit digests only the entries that changed."""
    try:
        return _PLAIN(entry), _PLAIN.replacing(entry, {"body": _links(entry.body)})
    except Unfingerprintable:
        return None


def seed(digest: Digester, known: list[tuple[Entry, Digests]]) -> dict[int, bytes]:
    """Give `digest` the entries' known digests; their outline digests, by entry."""
    outlines = {}
    for entry, (whole, outline) in known:
        digest.seed(entry, whole, frozenset({entry.path}))
        outlines[id(entry)] = outline
    return outlines


def outline_fingerprint(
    digest: Digester, editions: dict[str, Corpus], rest: Any, outlines: dict[int, bytes] | None = None
) -> str | None:
    """Everything but the bodies' text: each entry with its body taken as the links it holds, and `rest`
    (what else every page is made from: the tool, page list, templates, locales, base map, dates).
    `outlines`: entries' outline digests already known."""
    known = outlines or {}
    try:
        entries = [
            (
                corpus.site,
                [known.get(id(e)) or digest.replacing(e, {"body": _links(e.body)}) for e in entries_of(corpus)],
            )
            for corpus in editions.values()
        ]
        return bytes(digest(("outline", entries, rest))).hex()
    except Unfingerprintable:
        return None


def entry_prints(digest: Digester, editions: dict[str, Corpus]) -> dict[str, str]:
    """Each entry file's digest, over every edition it appears in (a translation's file, or the base one)."""
    found: dict[str, list[bytes]] = {}
    for corpus in editions.values():
        for entry in entries_of(corpus):
            found.setdefault(entry.path, []).append(digest(entry))
    return {path: hashlib.blake2b(b"".join(sorted(d)), digest_size=16).hexdigest() for path, d in found.items()}


def _index(text: str, size: int) -> int:
    number = int(text)
    if not 0 <= number < size:
        raise ValueError(f"no entry {number}")
    return number


@dataclass
class Plan:
    """What a build keeps about how its pages depend on its entries (in the manifest, for the next build)."""

    outline: str
    entries: dict[str, str]  # entry file -> digest
    reads: dict[str, frozenset[str]]  # page file -> entry files its fingerprint read

    def to_json(self) -> dict[str, Any]:
        names = sorted(set().union(*self.reads.values()) | set(self.entries))
        index = {name: i for i, name in enumerate(names)}
        return {
            "version": PLAN_VERSION,
            "outline": self.outline,
            "names": names,
            "entries": [self.entries.get(name, "") for name in names],
            # One line of numbers per page: a large site's pages read hundreds of thousands of entries in all.
            "reads": {
                rel: " ".join(map(str, sorted(index[n] for n in reads))) for rel, reads in sorted(self.reads.items())
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Plan | None:
        """The plan a manifest holds, or None when there is none or it is not one this version wrote."""
        try:
            if data is None or data.get("version") != PLAN_VERSION:
                return None
            names = [str(n) for n in data["names"]]
            entries = {name: str(d) for name, d in zip(names, data["entries"], strict=True) if d}
            reads = {
                str(rel): frozenset(names[_index(i, len(names))] for i in ids.split())
                for rel, ids in data["reads"].items()
            }
            return cls(str(data["outline"]), entries, reads)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            return None

    def still(self, outline: str | None, entries: dict[str, str]) -> Callable[[str], bool]:
        """For this build's outline and entries: does a page (by file) stand as the last build made it?"""
        if outline is None or outline != self.outline:
            return lambda rel: False
        changed = {name for name, d in entries.items() if self.entries.get(name) != d}
        changed |= self.entries.keys() - entries.keys()
        changed.add(UNKNOWN)
        reads = self.reads

        def stands(rel: str) -> bool:
            read = reads.get(rel)
            return read is not None and read.isdisjoint(changed)

        return stands


def page_rest(page_list: list[Page], templates: Callable[[str], str], extra: Any) -> Any:
    """The part of the outline the pages give: where each is, its template (with what that one uses), title,
    language, alternates and locale; and `extra`. The pages are plain text and numbers, written as JSON."""
    listing = json.dumps(
        [(p.url, p.template, p.title, p.lang, p.alternates, p.locale.code if p.locale else None) for p in page_list],
        ensure_ascii=False,
    )
    names = sorted({p.template for p in page_list})
    return (
        hashlib.blake2b(listing.encode("utf-8", "surrogatepass"), digest_size=16).digest(),
        [(n, templates(n)) for n in names],
        extra,
    )
