"""Deterministic data downloads: the corpus as JSON, CSV and GeoJSON bytes.

Keys and rows are sorted and nothing depends on the clock, so the same
content always gives the same bytes.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from . import urls
from .corpus import Corpus
from .i18n import N_
from .model import COUNT_KINDS, Event, Place, Source
from .published import page_url
from .text import plain_text

SCHEMA_VERSION = 1


def _source(s: Source) -> dict[str, Any]:
    return {
        "title": s.title,
        "publisher": s.publisher,
        "url": s.url,
        "read_at": s.read_at,
        "locator": s.locator,
        "date": s.date.iso() if s.date else None,
        "language": s.language,
    }


def _event_texts(e: Event) -> dict[str, Any]:
    """The text fields of an event in one language, and which language they are in."""
    return {
        "language": e.lang,
        "translated": e.lang != "" and e.base_path != e.path,
        "url": urls.localized(urls.event(e.slug), ""),
        "title": e.title,
        "summary": e.summary_line,
        "date_note": e.date_note,
        "casualty_note": e.casualties.note if e.casualties else None,
        "text": plain_text(e.body),
    }


def _event(e: Event) -> dict[str, Any]:
    casualties: dict[str, Any] = {}
    if e.casualties:
        for kind, count in e.casualties.items():
            casualties[kind] = {"min": count.low, "max": count.high}
        if e.casualties.note:
            casualties["note"] = e.casualties.note
        if e.casualties.aggregate:
            casualties["aggregate"] = True
    return {
        "slug": e.slug,
        "url": urls.event(e.slug),
        "title": e.title,
        "date": e.date.iso(),
        "date_precision": e.date.precision,
        "end_date": e.end_date.iso() if e.end_date else None,
        "date_note": e.date_note,
        "actors": [r.slug for r in e.actors],
        "places": [r.slug for r in e.places],
        "tags": [r.slug for r in e.tags],
        "related": [r.slug for r in e.related],
        "casualties": casualties,
        "summary": e.summary_line,
        "text": plain_text(e.body),
        "sources": [_source(s) for s in e.sources],
    }


def location(corpus: Corpus, event: Event) -> dict[str, Any]:
    """Where an event happened, as conflict-data tables give it: the first place listed (the most specific,
    by the contributors' convention), its department, province and district, and the nearest coordinates
    with how precisely they locate the event."""
    places = [corpus.places[r.slug] for r in event.places if r.slug in corpus.places]
    out: dict[str, Any] = {
        "place": None,
        "department": None,
        "province": None,
        "district": None,
        "latitude": None,
        "longitude": None,
        "coordinates_precision": None,
    }
    if not places:
        return out
    first = places[0]
    chain = [*corpus.ancestors(first), first]
    out["place"] = first.slug
    for level in ("department", "province", "district"):
        out[level] = next((p.name for p in chain if p.kind == level), None)
    for place in reversed(chain):  # the place itself, then each larger one
        if place.coordinates is None:
            continue
        out["latitude"], out["longitude"] = place.coordinates
        if place is not first:
            out["coordinates_precision"] = _within(place)
        elif place.coordinates_of is not None:
            out["coordinates_precision"] = _within(corpus.places.get(place.coordinates_of.slug))
        else:
            out["coordinates_precision"] = place.coordinates_precision or (
                "settlement" if place.kind == "town" else "exact" if place.kind == "site" else place.kind
            )
        break
    return out


def csv_columns(other_languages: list[str]) -> list[tuple[str, str]]:
    """Every column of events.csv in order, with what it holds: the header and the data page both use it."""
    columns = [
        ("slug", N_("The event's identifier: its file name, and the last part of its URL.")),
        ("date", N_("When it happened or began: YYYY, YYYY-MM or YYYY-MM-DD, only as precise as known.")),
        ("date_precision", N_("year, month or day.")),
        ("end_date", N_("When it ended, for events that lasted.")),
        ("date_note", N_("How the date is known, or why it is not known more precisely.")),
        ("title", N_("Title, in the default language.")),
        ("places", N_("Slugs of the places, separated by semicolons.")),
        ("actors", N_("Slugs of the actors involved, separated by semicolons.")),
        ("tags", N_("Slugs of the topics, separated by semicolons.")),
    ]
    for kind in COUNT_KINDS:
        columns += [
            (f"{kind}_min", N_("Lowest figure the sources give (killed, wounded, disappeared or captured).")),
            (f"{kind}_max", N_("Highest figure the sources give; the same as the lowest when they agree.")),
        ]
    columns += [
        ("casualties_aggregate", N_("true when the figures are an estimate over many events, not one event's toll.")),
        ("casualties_note", N_("Who counted, and what is disputed.")),
        ("sources", N_("Each source's address, or its title when it has none, separated by ' | '.")),
    ]
    for code in other_languages:
        columns += [
            (f"title_{code}", N_("The title in this language.")),
            (f"summary_{code}", N_("The one-line summary in this language.")),
            (f"date_note_{code}", N_("The date note in this language.")),
            (f"casualties_note_{code}", N_("The casualty note in this language.")),
            (
                f"translated_{code}",
                N_("true when these texts are a translation, empty when they stand in untranslated."),
            ),
        ]
    return columns + list(CSV_EXTRA_COLUMNS)


def _within(place: Place | None) -> str:
    """How precisely a larger place's coordinates locate something inside it: to its level, or only roughly."""
    return place.kind if place is not None and place.kind in ("district", "province", "department") else "area"


# The columns added for conflict-data users (after the original ones, which keep their places), documented
# on the data page: one home for their names and meanings.
CSV_EXTRA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("url", N_("The event's page: its full address when the site has one, else its path.")),
    ("start_earliest", N_("The first day the event may have started (its date at the precision known).")),
    ("start_latest", N_("The last day it may have started: the same day when the date is known to the day.")),
    ("end_latest", N_("The last day it may have ended (the end date, else the start date).")),
    ("place", N_("Slug of the first place listed, the most specific.")),
    ("department", N_("Department of that place.")),
    ("province", N_("Province of that place, when known.")),
    ("district", N_("District of that place, when known.")),
    ("latitude", N_("Latitude of the nearest coordinates known (the place's, else a larger place's).")),
    ("longitude", N_("Longitude of the same point.")),
    (
        "coordinates_precision",
        N_(
            "How closely that point locates the event: exact, settlement, district, province, department, country or area."
        ),
    ),
    ("actor_names", N_("Names of the actors involved, separated by semicolons.")),
    ("responsible", N_("Slugs of the actors held responsible, with who held them so, separated by semicolons.")),
    ("periods", N_("Slugs of the periods the event falls in.")),
    ("source_titles", N_("Titles of the sources, separated by ' | '.")),
    ("source_urls", N_("The sources' addresses, in the same order (empty for a print source).")),
)


# Spreadsheets run a cell that starts with one of = + - @ tab or carriage return as a formula (OWASP, "CSV
# Injection"): =HYPERLINK(...) leaks data, =cmd|... runs programs. So such a start gets an apostrophe, which
# makes spreadsheets show the text; also after a ';' or tab inside a cell (with any quotes after it), since
# spreadsheets in many locales split cells there. The data page says so.
_FORMULA_START = re.compile(r'(^|(?<=[;\t])"*)(?=[=+\-@\t\r])')
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_TRIGGERS = frozenset("=+-@\t\r")


def spreadsheet_text(cell: str) -> str:
    """The cell as spreadsheets will show it, never run it: numbers (a negative latitude) stay numbers."""
    if not cell or (cell[0] not in _TRIGGERS and ";" not in cell and "\t" not in cell):
        return cell  # most cells: nothing a spreadsheet would run, decided without a regular expression
    if _PLAIN_NUMBER.fullmatch(cell):
        return cell
    return _FORMULA_START.sub(r"\1'", cell)


def _dumps(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def item_text(item: dict[str, Any]) -> str:
    """An item of a top-level list as `_dumps` writes it (indented for its place), for `dumps_streamed`.

    That is `json.dumps(item, ensure_ascii=False, sort_keys=True, indent=1)` with two more spaces after each
    line break, written here: with any indent, json leaves its C encoder for a generator per value, and the
    downloads of a large site are tens of thousands of items. Anything but plain JSON data goes to json."""
    parts: list[str] = []
    try:
        _indented(item, "\n  ", parts)
    except _NotPlain:
        return json.dumps(item, ensure_ascii=False, sort_keys=True, indent=1).replace("\n", "\n  ")
    return "".join(parts)


class _NotPlain(Exception):
    """A value that `_indented` leaves to json (a key that is not a string, a type json converts)."""


_ENCODE_STRING = json.encoder.encode_basestring  # json's own (C) encoder of strings, for ensure_ascii=False
_FLOAT_WORDS = {float("inf"): "Infinity", float("-inf"): "-Infinity"}


def _indented(value: Any, newline: str, parts: list[str]) -> None:
    """Append `value` as json.dumps(indent=1, sort_keys=True) writes it, `newline` starting its inner lines."""
    kind = type(value)
    if kind is str:
        parts.append(_ENCODE_STRING(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif kind is int:
        parts.append(int.__repr__(value))
    elif kind is float:
        parts.append("NaN" if value != value else _FLOAT_WORDS.get(value) or float.__repr__(value))
    elif kind is dict or kind is list or kind is tuple:
        is_dict = kind is dict
        if not value:
            parts.append("{}" if is_dict else "[]")
            return
        if is_dict and any(type(key) is not str for key in value):
            raise _NotPlain
        inner = newline + " "
        opening = "{" if is_dict else "["
        for each in sorted(value) if is_dict else value:
            parts.append(opening + inner + (_ENCODE_STRING(each) + ": " if is_dict else ""))
            _indented(value[each] if is_dict else each, inner, parts)
            opening = ","
        parts.append(newline + ("}" if is_dict else "]"))
    else:
        raise _NotPlain


def dumps_streamed(head: dict[str, Any], key: str, items: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """The bytes of `_dumps({**head, key: list(items)})`, an item at a time: a large site's events.json is tens of
    MB, and the whole document as one string (with the encoder's pieces of it) several times that."""
    return dumps_texts(head, key, (item_text(item).encode("utf-8") for item in items))


def dumps_texts(
    head: dict[str, Any], key: str, texts: Iterable[bytes], laid_out: Callable[[int, int], None] | None = None
) -> Iterator[bytes]:
    """`dumps_streamed` with each item already written by `item_text` and encoded (perhaps by an earlier build).

    `laid_out`, if given, is told before the first item is asked for where the items' bytes go: the first
    one's start, and the bytes between one and the next."""
    placeholder = f"\n {json.dumps(key, ensure_ascii=False)}: []"
    document = json.dumps({**head, key: []}, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    before, found, after = document.partition(placeholder)
    assert found, "the list's key is at the top level of the document"
    opening, between = (before + found[:-1] + "\n  ").encode("utf-8"), b",\n  "
    if laid_out is not None:
        laid_out(len(opening), len(between))
    opened = False
    for text in texts:
        yield (opening if not opened else between) + text
        opened = True
    yield (("\n ]" + after) if opened else (before + found + after)).encode("utf-8")


class Memo(Protocol):
    """How a download gets the bytes of one event's part of it: (file, event slug, how to make its text) ->
    its UTF-8 bytes. The build passes one that keeps each part across builds (quipu.pieces), by what it is made
    from; it is told first where in its file each part's bytes go (`lay_out`), so that a later build can find
    them there. Bytes, not text: a part read back is copied as the last build wrote it, never decoded."""

    def __call__(self, name: str, slug: str, make: Callable[[], str]) -> bytes: ...

    def lay_out(self, name: str, first: int, between: int) -> None: ...


class _NoMemo:
    def __call__(self, name: str, slug: str, make: Callable[[], str]) -> bytes:
        return make().encode("utf-8")

    def lay_out(self, name: str, first: int, between: int) -> None:
        return None


no_memo: Memo = _NoMemo()


def export_files(editions: dict[str, Corpus], memo: Memo = no_memo) -> dict[str, bytes | Iterator[bytes]]:
    """data/events.json, data/events.csv, data/actors.json, data/places.geojson.

    The top-level text fields are in the default language ("language" says which);
    "translations" holds every other language's, each saying whether it is a
    translation or the default text standing in for a missing one.
    """
    corpus = next(iter(editions.values()))
    others = {code: c for code, c in editions.items() if code != corpus.site.language}

    def item(e: Event) -> str:
        made = _event(e)
        made["language"] = corpus.site.language
        made["periods"] = [p.slug for p in corpus.periods_of_event.get(e.slug, [])]
        made["translations"] = {code: _localized_event(c, e.slug, code) for code, c in others.items()}
        return item_text(made)

    name = urls.data("events.json")
    events = (memo(name, e.slug, functools.partial(item, e)) for e in corpus.events)

    actors = [
        {
            "slug": a.slug,
            "url": urls.actor(a.slug),
            "name": a.name,
            "kind": a.kind,
            "aliases": list(a.aliases),
            "part_of": a.part_of.slug if a.part_of else None,
            "active": {"from": a.active_from, "to": a.active_to},
            "sources": [_source(s) for s in a.sources],
            "names": {corpus.site.language: a.name, **{code: c.actors[a.slug].name for code, c in others.items()}},
        }
        for a in sorted(corpus.actors.values(), key=lambda a: a.slug)
    ]
    features = []
    for p in sorted(corpus.places.values(), key=lambda p: p.slug):
        features.append(
            {
                "type": "Feature",
                "id": p.slug,
                "geometry": {"type": "Point", "coordinates": [p.coordinates[1], p.coordinates[0]]}
                if p.coordinates
                else None,
                "properties": {
                    "name": p.name,
                    "kind": p.kind,
                    "url": urls.place(p.slug),
                    "within": p.within.slug if p.within else None,
                    "regions": [r.slug for r in p.regions],
                    "approximate": p.coordinates_of is not None,
                    "coordinates_precision": p.coordinates_precision,
                    "events": len(corpus.events_within_place.get(p.slug, [])),
                    "names": {
                        corpus.site.language: p.name,
                        **{code: c.places[p.slug].name for code, c in others.items()},
                    },
                },
            }
        )
    meta = {
        "title": corpus.site.title,
        "schema_version": SCHEMA_VERSION,
        "language": corpus.site.language,
        "languages": list(editions),
    }
    periods = [
        {
            "slug": p.slug,
            "url": urls.period(p.slug),
            "series": p.series.slug,
            "start": p.start.iso(),
            "end": p.end.iso() if p.end else None,
            "actor": p.actor.slug if p.actor else None,
            "names": {corpus.site.language: p.name, **{code: c.periods[p.slug].name for code, c in others.items()}},
            "events": [e.slug for e in corpus.events_by_period.get(p.slug, [])],
            "sources": [_source(s) for s in p.sources],
        }
        for p in sorted(corpus.periods.values(), key=lambda p: (p.series.slug, p.start.sort_key(), p.slug))
    ]
    files: dict[str, bytes | Iterator[bytes]] = {
        name: dumps_texts(meta, "events", events, functools.partial(memo.lay_out, name)),
        urls.data("events.csv"): _events_csv(corpus, others, memo),
        urls.data("actors.json"): _dumps({**meta, "actors": actors}),
        urls.data("places.geojson"): _dumps({"type": "FeatureCollection", "features": features}),
    }
    if periods:
        files[urls.data("periods.json")] = _dumps({**meta, "periods": periods})
    return files


def _localized_event(edition: Corpus, slug: str, code: str) -> dict[str, Any]:
    texts = _event_texts(edition.events_by_slug[slug])
    texts["url"] = urls.localized(urls.event(slug), f"{code}/")
    return texts


def _events_csv(corpus: Corpus, others: dict[str, Corpus], memo: Memo = no_memo) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([name for name, _doc in csv_columns(list(others))])
    name = urls.data("events.csv")
    header = buffer.getvalue().encode("utf-8")
    memo.lay_out(name, len(header), 0)
    return header + b"".join(memo(name, e.slug, functools.partial(_csv_row, corpus, others, e)) for e in corpus.events)


def _csv_row(corpus: Corpus, others: dict[str, Corpus], e: Event) -> str:
    """One event's line of events.csv (with its line break)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    row = [
        e.slug,
        e.date.iso(),
        e.date.precision,
        e.end_date.iso() if e.end_date else "",
        e.date_note or "",
        e.title,
        ";".join(r.slug for r in e.places),
        ";".join(r.slug for r in e.actors),
        ";".join(r.slug for r in e.tags),
    ]
    for kind in COUNT_KINDS:
        count = getattr(e.casualties, kind) if e.casualties else None
        row += [str(count.low), str(count.high)] if count else ["", ""]
    row += [
        "true" if e.casualties and e.casualties.aggregate else "",
        (e.casualties.note or "") if e.casualties else "",
    ]
    row.append(" | ".join(s.url or s.title for s in e.sources))
    for edition in others.values():
        texts = _event_texts(edition.events_by_slug[e.slug])
        row += [
            texts["title"],
            texts["summary"],
            texts["date_note"] or "",
            texts["casualty_note"] or "",
            "true" if texts["translated"] else "",
        ]
    row += _extra_columns(corpus, e)
    writer.writerow([spreadsheet_text(cell) for cell in row])
    return buffer.getvalue()


def _extra_columns(corpus: Corpus, e: Event) -> list[str]:
    where = location(corpus, e)
    end = e.end_date or e.date
    values = {
        "url": page_url(corpus.site, urls.event(e.slug)),
        "start_earliest": e.date.earliest().isoformat(),
        "start_latest": e.date.latest().isoformat(),
        "end_latest": end.latest().isoformat(),
        **{k: "" if v is None else str(v) for k, v in where.items()},
        "actor_names": ";".join(corpus.actors[r.slug].name for r in e.actors if r.slug in corpus.actors),
        "responsible": ";".join(
            r.actor.slug + (f" ({r.according_to})" if r.according_to else "") for r in e.responsible
        ),
        "periods": ";".join(p.slug for p in corpus.periods_of_event.get(e.slug, [])),
        "source_titles": " | ".join(s.title for s in e.sources),
        "source_urls": " | ".join(s.url or "" for s in e.sources),
    }
    return [values[name] for name, _doc in CSV_EXTRA_COLUMNS]
