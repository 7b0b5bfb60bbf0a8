"""From the corpus to the list of pages to render: pure, no I/O.

Each Page is a URL, a template name and the context it needs. Bodies are
rendered to HTML here, once per entry.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from . import urls
from .corpus import Corpus
from .markdown import Body, first_sentence
from .model import Actor, Entry, Event, Place
from .model import Page as ContentPage

ACTOR_KIND_LABELS = {
    "armed-group": "Armed groups",
    "state-force": "State forces",
    "government": "Government and institutions",
    "person": "People",
    "civil-society": "Civil society",
    "international": "International bodies",
    "other": "Other",
}
ACTOR_KIND_NAMES = {
    "armed-group": "Armed group",
    "state-force": "State force",
    "government": "Government or institution",
    "person": "Person",
    "civil-society": "Civil society",
    "international": "International body",
    "other": "Other",
}
RECENT = 10


@dataclass(frozen=True)
class Page:
    url: str
    template: str
    context: dict[str, Any] = field(hash=False, compare=False)
    title: str = ""


@dataclass(frozen=True)
class Deaths:
    """Sum of recorded deaths over a set of events, as a range."""

    low: int
    high: int
    events_with_counts: int


def deaths(events: list[Event]) -> Deaths:
    low = high = counted = 0
    for event in events:
        if event.casualties and event.casualties.killed and not event.casualties.aggregate:
            low += event.casualties.killed.low
            high += event.casualties.killed.high
            counted += 1
    return Deaths(low, high, counted)


class Linker:
    """Resolves @kind/slug links for a page at a given depth."""

    def __init__(self, page_url: str) -> None:
        self.page_url = page_url

    def __call__(self, kind: str, slug: str) -> str:
        return urls.relative(self.page_url, urls.of(kind, slug))


def summary_of(event: Event) -> str:
    """The one-line summary shown in lists, feeds and downloads."""
    return event.summary or first_sentence(event.body)


def make_pages(corpus: Corpus) -> list[Page]:
    """Every page of the site, in a stable order; bodies render lazily (see markdown.Body)."""
    pages: list[Page] = []
    site = corpus.site
    events = corpus.events
    summaries = {e.slug: summary_of(e) for e in events}
    content_pages = [corpus.pages[s] for s in sorted(corpus.pages)]
    common = {"site": site, "summaries": summaries, "content_pages": content_pages}

    years = sorted(corpus.events_by_year)
    intro_html = Body(site.intro or "", Linker(""))
    pages.append(
        Page(
            urls.home(),
            "index.html",
            {
                **common,
                "decades": _decades(corpus),
                "chart": year_chart(corpus),
                "recent": events[::-1][:RECENT],
                "intro_html": intro_html,
                "total": len(events),
                "total_deaths": deaths(events),
                "counts": _counts(corpus),
            },
            site.title,
        )
    )

    for i, y in enumerate(years):
        year_events = corpus.events_by_year[y]
        pages.append(
            Page(
                urls.year(y),
                "year.html",
                {
                    **common,
                    "year": y,
                    "events": year_events,
                    "deaths": deaths(year_events),
                    "prev_year": years[i - 1] if i else None,
                    "next_year": years[i + 1] if i + 1 < len(years) else None,
                },
                str(y),
            )
        )

    for i, event in enumerate(events):
        url = urls.event(event.slug)
        pages.append(
            Page(
                url,
                "event.html",
                {**common, **_event_context(corpus, event, i), "body_html": Body(event.body, Linker(url))},
                event.title,
            )
        )

    actors_sorted = sorted(corpus.actors.values(), key=lambda a: (a.name.lower(), a.slug))
    by_kind: dict[str, list[Actor]] = defaultdict(list)
    for actor in actors_sorted:
        by_kind[actor.kind].append(actor)
    groups = [(ACTOR_KIND_LABELS[k], by_kind[k]) for k in ACTOR_KIND_LABELS if k in by_kind]
    event_counts = {slug: len(v) for slug, v in corpus.events_by_actor.items()}
    pages.append(
        Page(urls.actors(), "actors.html", {**common, "groups": groups, "event_counts": event_counts}, "Actors")
    )
    for actor in actors_sorted:
        url = urls.actor(actor.slug)
        pages.append(
            Page(
                url,
                "actor.html",
                {
                    **common,
                    "actor": actor,
                    "kind_label": ACTOR_KIND_NAMES[actor.kind],
                    "parent": corpus.parent_actor(actor),
                    "members": corpus.members.get(actor.slug, []),
                    "events": corpus.events_by_actor.get(actor.slug, []),
                    "mentioned_in": [
                        e
                        for e in corpus.backlinks.get(("actors", actor.slug), [])
                        if isinstance(e, Event) and actor.slug not in {r.slug for r in e.actors}
                    ],
                    "body_html": Body(actor.body, Linker(url)),
                },
                actor.name,
            )
        )

    places_sorted = sorted(corpus.places.values(), key=lambda p: (p.name.lower(), p.slug))
    roots = [p for p in places_sorted if p.within is None or p.within.slug not in corpus.places]
    place_counts = {slug: len(v) for slug, v in corpus.events_within_place.items()}
    pages.append(
        Page(
            urls.places(),
            "places.html",
            {**common, "roots": roots, "children": corpus.children, "counts": place_counts},
            "Places",
        )
    )
    for place in places_sorted:
        url = urls.place(place.slug)
        direct = corpus.events_by_place.get(place.slug, [])
        pages.append(
            Page(
                url,
                "place.html",
                {
                    **common,
                    "place": place,
                    "approximate_of": corpus.places.get(place.coordinates_of.slug) if place.coordinates_of else None,
                    "ancestors": corpus.ancestors(place),
                    "children": corpus.children.get(place.slug, []),
                    "region_members": corpus.region_members.get(place.slug, []),
                    "regions": [corpus.places[r.slug] for r in place.regions if r.slug in corpus.places],
                    "events": corpus.events_within_place.get(place.slug, []),
                    "direct": {e.slug for e in direct},
                    "event_places": {
                        e.slug: [corpus.places[r.slug] for r in e.places if r.slug in corpus.places]
                        for e in corpus.events_within_place.get(place.slug, [])
                    },
                    "deaths": deaths(corpus.events_within_place.get(place.slug, [])),
                    "body_html": Body(place.body, Linker(url)),
                },
                place.name,
            )
        )

    tag_names = sorted(corpus.events_by_tag)
    pages.append(
        Page(
            urls.tags(), "tags.html", {**common, "tags": [(t, len(corpus.events_by_tag[t])) for t in tag_names]}, "Tags"
        )
    )
    for tag in tag_names:
        tagged = corpus.events_by_tag[tag]
        pages.append(
            Page(
                urls.tag(tag),
                "tag.html",
                {
                    **common,
                    "tag": tag,
                    "description": site.tags.get(tag, ""),
                    "events": tagged,
                    "deaths": deaths(tagged),
                },
                tag,
            )
        )

    for slug in sorted(corpus.pages):
        entry = corpus.pages[slug]
        url = urls.page(slug)
        pages.append(
            Page(
                url,
                "page.html",
                {**common, "entry": entry, "body_html": Body(entry.body, Linker(url))},
                entry.title,
            )
        )

    pages.append(Page(urls.not_found(), "404.html", {**common}, "404"))
    return pages


def _event_context(corpus: Corpus, event: Event, index: int) -> dict[str, Any]:
    listed = [corpus.places[r.slug] for r in event.places if r.slug in corpus.places]
    chains = {p.slug: corpus.ancestors(p) for p in listed}
    # A place already shown as part of another's hierarchy is not repeated.
    shown_within = {a.slug for chain in chains.values() for a in chain}
    places = [(p, [a for a in chains[p.slug] if a.kind != "country"]) for p in listed if p.slug not in shown_within]
    actors = [corpus.actors[r.slug] for r in event.actors if r.slug in corpus.actors]
    events = corpus.events
    return {
        "event": event,
        "places": places,
        "actors": actors,
        "parents": {a.slug: corpus.parent_actor(a) for a in actors},
        "related": corpus.related.get(event.slug, []),
        "prev_event": events[index - 1] if index > 0 else None,
        "next_event": events[index + 1] if index + 1 < len(events) else None,
        "mentioned_in": [
            _entry_link(e) for e in corpus.backlinks.get(("events", event.slug), []) if e.slug != event.slug
        ],
    }


def _entry_link(entry: Entry) -> tuple[str, str]:
    """(title, site URL) of any entry, for 'mentioned in' lists."""
    if isinstance(entry, Event):
        return entry.title, urls.event(entry.slug)
    if isinstance(entry, Actor):
        return entry.name, urls.actor(entry.slug)
    if isinstance(entry, Place):
        return entry.name, urls.place(entry.slug)
    assert isinstance(entry, ContentPage)
    return entry.title, urls.page(entry.slug)


def _decades(corpus: Corpus) -> list[dict[str, Any]]:
    """Decades with their years, event counts and recorded deaths, for the overview."""
    if not corpus.events_by_year:
        return []
    first = min(corpus.site.period_start, min(corpus.events_by_year))
    last = max(corpus.events_by_year)
    decades = []
    for start in range(first - first % 10, last + 1, 10):
        years = []
        decade_events: list[Event] = []
        for y in range(max(start, first), min(start + 10, last + 1)):
            ev = corpus.events_by_year.get(y, [])
            decade_events += ev
            years.append({"year": y, "count": len(ev), "deaths": deaths(ev)})
        decades.append(
            {
                "label": f"{start}s",
                "start": start,
                "years": years,
                "count": len(decade_events),
                "deaths": deaths(decade_events),
            }
        )
    return decades


def year_chart(corpus: Corpus, height: int = 80, bar: int = 12, gap: int = 2) -> dict[str, Any]:
    """Geometry of a bar chart of events per year (every year of the period, empty ones too)."""
    if not corpus.events_by_year:
        return {"bars": [], "width": 0, "height": height}
    first = min(corpus.site.period_start, min(corpus.events_by_year))
    last = max(corpus.events_by_year)
    peak = max(len(v) for v in corpus.events_by_year.values())
    bars = []
    for i, year in enumerate(range(first, last + 1)):
        count = len(corpus.events_by_year.get(year, []))
        h = round(count / peak * height) if count else 0
        bars.append({"year": year, "count": count, "x": i * (bar + gap), "y": height - h, "h": h, "w": bar})
    return {
        "bars": bars,
        "width": len(bars) * (bar + gap) - gap,
        "height": height,
        "first": first,
        "last": last,
        "peak": peak,
    }


def _counts(corpus: Corpus) -> dict[str, int]:
    return {
        "events": len(corpus.events),
        "actors": len(corpus.actors),
        "places": len(corpus.places),
        "tags": len(corpus.events_by_tag),
    }
