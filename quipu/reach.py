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
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
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
    owners: dict[int, str] = {}  # the entries keep their texts alive for the build, so the ids stay theirs
    for corpus in editions:
        for entry in entries_of(corpus):
            key = id(entry.body)
            known = owners.get(key)
            owners[key] = entry.path if known in (None, entry.path) else UNKNOWN

    def track(value: Any) -> str:
        if isinstance(value, Entry):
            return value.path
        if isinstance(value, Body):
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
        return _PLAIN.whole_and_replacing(entry, {"body": _links(entry.body)})
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


def _spans(numbers: list[int]) -> str:
    """Sorted numbers as text, runs written as first-last: '0-4 9 12-13' (a list page reads long runs)."""
    out: list[str] = []
    i = 0
    while i < len(numbers):
        j = i
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        out.append(str(numbers[i]) if i == j else f"{numbers[i]}-{numbers[j]}")
        i = j + 1
    return " ".join(out)


def _bounds(text: str, size: int) -> Iterator[tuple[int, int]]:
    """The spans `_spans` wrote, each checked to name some of `size` entries."""
    for token in text.split():
        first, _, last = token.partition("-")
        start, stop = int(first), int(last or first)
        if not 0 <= start <= stop < size:
            raise ValueError(f"no entries {token}")
        yield start, stop


def _unspan(text: str, size: int) -> Iterator[int]:
    """The numbers `_spans` wrote, each checked to name one of `size` entries."""
    for start, stop in _bounds(text, size):
        yield from range(start, stop + 1)


class Names:
    """The numbers of a build's entry files (every one, sorted, and UNKNOWN), known before pages are made."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.names = sorted({UNKNOWN, *paths})
        self._index = {name: i for i, name in enumerate(self.names)}

    @classmethod
    def of(cls, editions: Iterable[Corpus]) -> Names:
        return cls(e.path for corpus in editions for e in entries_of(corpus))

    def spans(self, reads: frozenset[str]) -> str:
        """What a page read, as `_spans` writes it; an entry file not named here counts as UNKNOWN."""
        index, unknown = self._index, self._index[UNKNOWN]
        return _spans(sorted({index.get(name, unknown) for name in reads}))


@dataclass
class Plan:
    """What a build keeps about how its pages depend on its entries (in the manifest, for the next build).

    Entries are numbered by their place in `names` (every entry file, sorted, and UNKNOWN); what a page
    read is kept as spans of those numbers, as text. A plan read back is not unpacked: a page that stands
    keeps its text as it was, and only the numbers that changed are looked for in it.
    """

    outline: str
    entries: dict[str, str]  # entry file -> digest
    names: list[str]
    spans: dict[str, str] = field(default_factory=dict)  # page file -> what it read, as `_spans` writes it

    def to_json(self) -> dict[str, Any]:
        return {
            "version": PLAN_VERSION,
            "outline": self.outline,
            "names": self.names,
            "entries": [self.entries.get(name, "") for name in self.names],
            "reads": dict(sorted(self.spans.items())),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Plan | None:
        """The plan a manifest holds, or None when there is none or it is not one this version wrote."""
        try:
            if data is None or data.get("version") != PLAN_VERSION:
                return None
            names = [str(n) for n in data["names"]]
            if names != sorted(set(names)) or UNKNOWN not in names:
                return None
            entries = {name: str(d) for name, d in zip(names, data["entries"], strict=True) if d}
            spans = {str(rel): str(text) for rel, text in dict(data["reads"]).items()}
            return cls(str(data["outline"]), entries, names, spans)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            return None

    def still(self, outline: str | None, entries: dict[str, str], names: list[str]) -> Callable[[str], str | None]:
        """For this build's outline, entries and names: a page (by file) that stands as the last build made it
        gives what it read (its text, valid in this build's plan too), any other gives None."""
        if outline is None or outline != self.outline or names != self.names:
            return lambda rel: None
        changed = sorted(
            i for i, name in enumerate(self.names) if name == UNKNOWN or self.entries.get(name) != entries.get(name)
        )
        size = len(self.names)
        spans = self.spans

        def stands(rel: str) -> str | None:
            text = spans.get(rel)
            if text is None:
                return None
            try:
                for start, stop in _bounds(text, size):
                    at = bisect_left(changed, start)
                    if at < len(changed) and changed[at] <= stop:
                        return None  # it read an entry that changed
            except ValueError:
                return None  # damaged: make the page
            return text

        return stands


def page_listing(page_list: list[Page]) -> bytes:
    """A digest of the page list: where each page is, its template, title, language, alternates and locale
    (plain text and numbers, written as JSON). The outline and the downloads' fingerprint both take it."""
    listing = json.dumps(
        [(p.url, p.template, p.title, p.lang, p.alternates, p.locale.code if p.locale else None) for p in page_list],
        ensure_ascii=False,
    )
    return hashlib.blake2b(listing.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def page_rest(listing: bytes, page_list: list[Page], templates: Callable[[str], str], extra: Any) -> Any:
    """The part of the outline the pages give: the page list's digest, each template (with what that one
    uses), and `extra`."""
    names = sorted({p.template for p in page_list})
    return (listing, [(n, templates(n)) for n in names], extra)
