"""Deterministic data downloads: the corpus as JSON, CSV and GeoJSON bytes.

Keys and rows are sorted and nothing depends on the clock, so the same
content always gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from . import urls
from .corpus import Corpus
from .model import COUNT_KINDS, Event, Source
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


def _dumps(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def export_files(editions: dict[str, Corpus]) -> dict[str, bytes]:
    """data/events.json, data/events.csv, data/actors.json, data/places.geojson.

    The top-level text fields are in the default language ("language" says which);
    "translations" holds every other language's, each saying whether it is a
    translation or the default text standing in for a missing one.
    """
    corpus = next(iter(editions.values()))
    others = {code: c for code, c in editions.items() if code != corpus.site.language}
    events = []
    for e in corpus.events:
        item = _event(e)
        item["language"] = corpus.site.language
        item["periods"] = [p.slug for p in corpus.periods_of_event.get(e.slug, [])]
        item["translations"] = {code: _localized_event(c, e.slug, code) for code, c in others.items()}
        events.append(item)
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
    files = {
        urls.data("events.json"): _dumps({**meta, "events": events}),
        urls.data("events.csv"): _events_csv(corpus.events, others),
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


def _events_csv(events: list[Event], others: dict[str, Corpus]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = ["slug", "date", "date_precision", "end_date", "date_note", "title", "places", "actors", "tags"]
    for kind in COUNT_KINDS:
        header += [f"{kind}_min", f"{kind}_max"]
    header += ["casualties_aggregate", "casualties_note", "sources"]
    for code in others:
        header += [
            f"title_{code}",
            f"summary_{code}",
            f"date_note_{code}",
            f"casualties_note_{code}",
            f"translated_{code}",
        ]
    writer.writerow(header)
    for e in events:
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
            t = _event_texts(edition.events_by_slug[e.slug])
            row += [
                t["title"],
                t["summary"],
                t["date_note"] or "",
                t["casualty_note"] or "",
                "true" if t["translated"] else "",
            ]
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")
