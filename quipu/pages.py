"""From the corpus to the pages of the site: pure, no I/O.

One small producer per page kind, each taking an edition (the corpus in one
language) and its Locale and yielding Pages; `PRODUCERS` is the recipe. A
page's context holds only what its template shows: neighbours and lists are
links (title + URL) or the entries listed, never a map of the whole site, so
that a page can later be fingerprinted by its inputs.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from markupsafe import Markup, escape

from . import exports, published, urls
from .charts import Strip, timeline_strip, year_months
from .corpus import Corpus
from .dates import PartialDate
from .history import History
from .i18n import N_
from .locales import Locale
from .maps import WIDTH, Basemap, Projection, hull, match_departments, path_data, units
from .markdown import Body
from .model import NEEDS_COORDINATES, Actor, Entry, Event, Period, Place, deaths
from .model import Page as ContentPage

ACTOR_KIND_LABELS = {
    "armed-group": N_("Armed groups"),
    "state-force": N_("State forces"),
    "government": N_("Government and institutions"),
    "person": N_("People"),
    "civil-society": N_("Civil society"),
    "international": N_("International bodies"),
    "other": N_("Other"),
}
ACTOR_KIND_NAMES = {
    "armed-group": N_("Armed group"),
    "state-force": N_("State force"),
    "government": N_("Government or institution"),
    "person": N_("Person"),
    "civil-society": N_("Civil society"),
    "international": N_("International body"),
    "other": N_("Other"),
}
# Shown with t(place.kind) and t(kind | capitalize) in the templates.
PLACE_KIND_NAMES = {
    "country": N_("country"),
    "region": N_("region"),
    "department": N_("department"),
    "province": N_("province"),
    "district": N_("district"),
    "town": N_("town"),
    "site": N_("site"),
}
# Shown with t(PRECISION_NAMES[...]) on place pages: how closely the coordinates locate the place.
PRECISION_NAMES = {
    "exact": N_("the site itself"),
    "settlement": N_("the town's centre"),
    "district": N_("within the district"),
    "province": N_("within the province"),
    "department": N_("within the department"),
    "area": N_("an area known only roughly"),
}
COUNT_NAMES = {
    "killed": N_("Killed"),
    "wounded": N_("Wounded"),
    "disappeared": N_("Disappeared"),
    "captured": N_("Captured"),
}
RECENT = 10


class Link(NamedTuple):
    """A link to another page: its title and its site URL (in the page's language)."""

    title: str
    url: str
    lang: str = ""  # set when the title is not in the page's language


class Download(NamedTuple):
    url: str  # site URL of the file (shared by every language)
    format: str
    description: str


class Alternate(NamedTuple):
    """The same page in one of the site's languages."""

    code: str
    name: str
    url: str
    formats: str = ""  # its CLDR locale, e.g. es_PE (for og:locale)


Context = dict[str, Any]


@dataclass(frozen=True)
class Page:
    url: str  # site-relative, with the language prefix: es/events/x/
    template: str
    # What the template shows, or how to make it: planning the site is cheap, and each page's context is made
    # where the page is fingerprinted and rendered (a worker process), then let go.
    context: Context | Callable[[], Context] = field(hash=False, compare=False)
    title: str = ""
    locale: Locale | None = field(default=None, compare=False)
    alternates: tuple[Alternate, ...] = field(default=(), compare=False)
    lang: str = ""  # language of the page's own text when it falls back to another (an untranslated entry)
    about: Entry | None = field(default=None, compare=False)  # the entry the page is about (its fingerprint reads it)
    # How many items the page lists (a place's events): what making it costs beyond a page's own, so that the
    # build can share pages out among its workers evenly (quipu.pipeline).
    weight: int = field(default=0, compare=False)

    def values(self) -> Context:
        """The template's context, made now if it is made lazily (each call makes it again)."""
        return self.context() if callable(self.context) else self.context


class Linker:
    """Resolves @kind/slug links in a body for a page at a given place, in its language."""

    def __init__(self, page_url: str, prefix: str) -> None:
        self.page_url = page_url
        self.prefix = prefix

    def __call__(self, kind: str, slug: str) -> str:
        return urls.relative(self.page_url, self.prefix + urls.of(kind, slug))


class Paths(dict[str, Markup]):
    """The base map's path data by shape, projected once per build and shared by every page that draws it
    (so that its fingerprint is taken once, too)."""


@dataclass(frozen=True)
class Atlas:
    """The base map projected once: the big map's and the locator maps' path data, shared by every page."""

    basemap: Basemap
    project: Projection
    paths: Paths
    small: Projection
    small_paths: Paths

    @classmethod
    def of(cls, basemap: Basemap) -> Atlas:
        project, small = Projection.fit(basemap.bounds), Projection.fit(basemap.bounds, 120, digits=0)
        # Escaped once here, not on every page that draws them (a locator map is on most pages).
        return cls(
            basemap,
            project,
            Paths({s.key: escape(path_data(s, project)) for s in basemap.shapes}),
            small,
            Paths({s.key: escape(path_data(s, small)) for s in basemap.shapes}),
        )


class Edition(NamedTuple):
    """What every producer gets: the corpus in one language, its locale, and the site's languages."""

    corpus: Corpus
    locale: Locale
    locales: tuple[Locale, ...]
    search: bool = False  # a search index is built with the pages
    atlas: Atlas | None = None  # the base map, projected once for every page
    history: History | None = None  # when each content file last changed, for citations

    def page(
        self,
        path: str,
        template: str,
        context: Context | Callable[[], Context],
        title: str,
        entry: Entry | None = None,
        weight: int = 0,
    ) -> Page:
        """A page at a language-neutral path, with the context every template shares (made when it is needed)."""
        locale = self.locale
        url = urls.localized(path, locale.prefix)
        alternates = tuple(
            Alternate(o.code, o.native_name, urls.localized(path, o.prefix), o.formats) for o in self.locales
        )
        lang = entry.lang if entry is not None and entry.lang and entry.lang != locale.code else ""
        return Page(
            url,
            template,
            functools.partial(self._context, url, context, title, entry),
            title,
            locale,
            alternates,
            lang,
            entry,
            weight,
        )

    def _context(self, url: str, context: Context | Callable[[], Context], title: str, entry: Entry | None) -> Context:
        common = {
            "site": self.corpus.site,
            "footer_pages": _footer(self.corpus, self.locale),
            "has_periods": bool(self.corpus.periods),
            "has_map": self.atlas is not None,
            "published": self.published(url, title, entry),
        }
        return {**common, **(context() if callable(context) else context)}

    def published(self, url: str, title: str, entry: Entry | None) -> dict[str, Any]:
        """What the page says about itself: JSON-LD (with an absolute base_url), citation, correction links."""
        site, code = self.corpus.site, self.locale.code
        out: dict[str, Any] = {"json_ld": None, "citation": None, "corrections": None}
        if site.absolute_base:
            places = []
            if isinstance(entry, Event):
                places = [
                    (self.corpus.places[r.slug], urls.localized(urls.place(r.slug), self.locale.prefix))
                    for r in entry.places
                    if r.slug in self.corpus.places
                ]
            out["json_ld"] = published.script_json(published.json_ld(site, entry, url, code, title, places))
        if entry is None:
            return out
        history = self.history or History()
        files = [entry.base_path or entry.path] + (
            [entry.path] if entry.base_path and entry.path != entry.base_path else []
        )
        if isinstance(entry, Event | Actor | Place):
            out["citation"] = published.citation(site, entry, url, code, history.changed_of(*files))
        out["corrections"] = published.corrections(
            site, history.in_repo(files[-1]), published.entry_title(entry), published.page_url(site, url), site.branch
        )
        return out


def _footer(corpus: Corpus, locale: Locale) -> list[Link]:
    pages = sorted(corpus.pages.values(), key=lambda p: p.slug)
    return [Link(p.title, urls.page(p.slug), _lang(p, locale)) for p in pages]


def _lang(entry: Entry, locale: Locale) -> str:
    return entry.lang if entry.lang and entry.lang != locale.code else ""


def link_to(entry: Entry, locale: Locale) -> Link:
    """(title, site URL) of any entry, for neighbour and 'mentioned in' lists."""
    if isinstance(entry, Event):
        return Link(entry.title, urls.event(entry.slug), _lang(entry, locale))
    if isinstance(entry, Actor):
        return Link(entry.name, urls.actor(entry.slug), _lang(entry, locale))
    if isinstance(entry, Place):
        return Link(entry.name, urls.place(entry.slug), _lang(entry, locale))
    if isinstance(entry, Period):
        return Link(entry.name, urls.period(entry.slug), _lang(entry, locale))
    assert isinstance(entry, ContentPage)
    return Link(entry.title, urls.page(entry.slug), _lang(entry, locale))


def timeline_page(ed: Edition) -> Iterator[Page]:
    corpus, site, events = ed.corpus, ed.corpus.site, ed.corpus.events

    def context() -> Context:  # made when the page is made: a build after an edit often keeps it as it is
        return {
            "decades": _decades(corpus),
            "strip": _strip(corpus),
            "strip_series": next(iter(site.period_series.values()), ""),
            "recent": events[::-1][:RECENT],
            "intro_html": Body(site.intro or "", Linker(ed.locale.prefix, ed.locale.prefix)),
            "total_deaths": deaths(events),
            "counts": _counts(corpus),
        }

    yield ed.page(urls.home(), "index.html", context, site.title)


def year_pages(ed: Edition) -> Iterator[Page]:
    corpus = ed.corpus
    years = sorted(corpus.events_by_year)

    def context(i: int, y: int) -> Context:
        year_events = corpus.events_by_year[y]
        return {
            "year": y,
            "months": year_months(y, year_events),
            "month_names": ed.locale.month_names(),
            "periods": [p for p in corpus.periods.values() if p.contains(PartialDate(y), None)],
            "events": year_events,
            "deaths": deaths(year_events),
            "prev_year": years[i - 1] if i else None,
            "next_year": years[i + 1] if i + 1 < len(years) else None,
        }

    for i, y in enumerate(years):
        weight = len(corpus.events_by_year[y])
        yield ed.page(urls.year(y), "year.html", functools.partial(context, i, y), str(y), weight=weight)


def all_events_page(ed: Edition) -> Iterator[Page]:
    """Every event in date order under its year: browsable without search, and printable."""
    corpus, locale = ed.corpus, ed.locale
    years = sorted(corpus.events_by_year)
    yield ed.page(
        urls.all_events(),
        "events.html",
        {"years": [(y, corpus.events_by_year[y]) for y in years], "total": len(corpus.events)},
        locale.t("All events"),
        weight=len(corpus.events),
    )


def data_page(ed: Edition) -> Iterator[Page]:
    """What can be downloaded and what each field means (the CSV's columns from exports, their one home)."""
    corpus, locale = ed.corpus, ed.locale
    t = locale.t
    downloads = [
        Download(urls.data("events.json"), "JSON", t("Every event with all its fields, the text in each language.")),
        Download(
            urls.data("events.csv"), "CSV", t("Every event as one row, for spreadsheets and conflict-data tools.")
        ),
        Download(urls.data("actors.json"), "JSON", t("Every actor, with aliases, parent organisation and sources.")),
        Download(urls.data("places.geojson"), "GeoJSON", t("Every place with coordinates, its hierarchy and names.")),
    ]
    if corpus.periods:
        downloads.append(Download(urls.data("periods.json"), "JSON", t("The periods and the events in each.")))
    for other in ed.locales:
        downloads.append(
            Download(
                urls.data(f"timelinejs.{other.code}.json"),
                "TimelineJS",
                t(
                    "The timeline in TimelineJS3's JSON format, in {language}, with the periods as eras.",
                    language=other.native_name,
                ),
            )
        )
    columns = [(name, t(doc)) for name, doc in exports.csv_columns([o.code for o in ed.locales if not o.default])]
    yield ed.page(
        urls.data(""),
        "data.html",
        {"downloads": downloads, "columns": columns, "feeds": bool(corpus.site.absolute_base)},
        t("Data"),
    )


def search_page(ed: Edition) -> Iterator[Page]:
    yield ed.page(urls.search(), "search.html", {"index": ed.search}, ed.locale.t("Search"))


def event_pages(ed: Edition) -> Iterator[Page]:
    corpus, locale = ed.corpus, ed.locale
    events = corpus.events

    def context(i: int, event: Event, path: str) -> Context:
        listed = [corpus.places[r.slug] for r in event.places if r.slug in corpus.places]
        chains = {p.slug: corpus.ancestors(p) for p in listed}
        # A place already shown as part of another's hierarchy is not repeated.
        shown_within = {a.slug for chain in chains.values() for a in chain}
        places = [(p, [a for a in chains[p.slug] if a.kind != "country"]) for p in listed if p.slug not in shown_within]
        actors = [corpus.actors[r.slug] for r in event.actors if r.slug in corpus.actors]
        responsible = [(corpus.actors[r.actor.slug], r) for r in event.responsible if r.actor.slug in corpus.actors]
        return {
            "event": event,
            "places": places,
            "actors": actors,
            "responsible": responsible,
            "parents": {a.slug: corpus.parent_actor(a) for a in actors},
            "related": sorted(corpus.related.get(event.slug, []), key=Event.sort_key),
            "periods": corpus.periods_of_event.get(event.slug, []),
            "departments": _departments(corpus, listed),
            "locator": locator(ed, listed),
            "prev_event": link_to(events[i - 1], locale) if i > 0 else None,
            "next_event": link_to(events[i + 1], locale) if i + 1 < len(events) else None,
            "mentioned_in": [
                link_to(e, locale)
                for e in corpus.backlinks.get(("events", event.slug), [])
                if e.slug != event.slug or not isinstance(e, Event)
            ],
            "body_html": Body(event.body, Linker(urls.localized(path, locale.prefix), locale.prefix)),
        }

    for i, event in enumerate(events):
        path = urls.event(event.slug)
        yield ed.page(path, "event.html", functools.partial(context, i, event, path), event.title, event)


def actor_pages(ed: Edition) -> Iterator[Page]:
    corpus, locale = ed.corpus, ed.locale
    actors_sorted = sorted(corpus.actors.values(), key=lambda a: (locale.sort_key(a.sort_name or a.name), a.slug))
    by_kind: dict[str, list[Actor]] = defaultdict(list)
    for actor in actors_sorted:
        by_kind[actor.kind].append(actor)
    groups = [(locale.t(ACTOR_KIND_LABELS[k]), by_kind[k]) for k in ACTOR_KIND_LABELS if k in by_kind]
    event_counts = {slug: len(v) for slug, v in corpus.events_by_actor.items()}
    yield ed.page(urls.actors(), "actors.html", {"groups": groups, "event_counts": event_counts}, locale.t("Actors"))

    def context(actor: Actor, path: str) -> Context:
        return {
            "actor": actor,
            "kind_label": ACTOR_KIND_NAMES[actor.kind],
            "parent": corpus.parent_actor(actor),
            "members": corpus.members.get(actor.slug, []),
            "events": corpus.events_by_actor.get(actor.slug, []),
            "attributed": corpus.events_attributed.get(actor.slug, []),
            "topics": _topics(corpus, corpus.events_by_actor.get(actor.slug, []), locale),
            "mini": _mini_strip(corpus, corpus.events_by_actor.get(actor.slug, [])),
            "mentioned_in": [
                link_to(e, locale)
                for e in corpus.backlinks.get(("actors", actor.slug), [])
                if isinstance(e, Event) and actor.slug not in {r.slug for r in e.actors}
            ],
            "body_html": Body(actor.body, Linker(urls.localized(path, locale.prefix), locale.prefix)),
        }

    for actor in actors_sorted:
        path = urls.actor(actor.slug)
        weight = len(corpus.events_by_actor.get(actor.slug, [])) + len(corpus.events_attributed.get(actor.slug, []))
        yield ed.page(path, "actor.html", functools.partial(context, actor, path), actor.name, actor, weight)


def place_pages(ed: Edition) -> Iterator[Page]:
    corpus, locale = ed.corpus, ed.locale
    places_sorted = sorted(corpus.places.values(), key=lambda p: (locale.sort_key(p.name), p.slug))
    roots = [p for p in places_sorted if p.within is None or p.within.slug not in corpus.places]
    place_counts = {slug: len(v) for slug, v in corpus.events_within_place.items()}
    yield ed.page(
        urls.places(),
        "places.html",
        {"roots": roots, "children": corpus.children, "counts": place_counts},
        locale.t("Places"),
    )

    def context(place: Place, path: str) -> Context:
        within = corpus.events_within_place.get(place.slug, [])
        return {
            "place": place,
            "approximate_of": corpus.places.get(place.coordinates_of.slug) if place.coordinates_of else None,
            "precision": locale.t(PRECISION_NAMES[place.coordinates_precision])
            if place.coordinates_precision
            else None,
            "ancestors": corpus.ancestors(place),
            "departments": _departments(corpus, [place]),
            "locator": locator(ed, [place]) if place.kind not in ("country", "region") else None,
            "children": corpus.children.get(place.slug, []),
            "region_members": corpus.region_members.get(place.slug, []),
            "regions": [corpus.places[r.slug] for r in place.regions if r.slug in corpus.places],
            "events": within,
            "topics": _topics(corpus, within, locale),
            "mini": _mini_strip(corpus, within),
            "event_places": {
                e.slug: [corpus.places[r.slug] for r in e.places if r.slug in corpus.places] for e in within
            },
            "deaths": deaths(within),
            "body_html": Body(place.body, Linker(urls.localized(path, locale.prefix), locale.prefix)),
        }

    for place in places_sorted:
        path = urls.place(place.slug)
        weight = len(corpus.events_within_place.get(place.slug, []))
        yield ed.page(path, "place.html", functools.partial(context, place, path), place.name, place, weight)


def topic_pages(ed: Edition) -> Iterator[Page]:
    corpus, locale = ed.corpus, ed.locale
    site = corpus.site
    names = sorted(corpus.events_by_tag, key=lambda t: (locale.sort_key(site.tag_name(t)), t))
    yield ed.page(
        urls.tags(),
        "tags.html",
        {"tags": [(t, site.tag_name(t), len(corpus.events_by_tag[t])) for t in names]},
        locale.t("Topics"),
    )

    def context(tag: str) -> Context:
        tagged = corpus.events_by_tag[tag]
        return {
            "tag": tag,
            "tag_name": site.tag_name(tag),
            "description": site.tags.get(tag, ""),
            "events": tagged,
            "deaths": deaths(tagged),
        }

    for tag in sorted(corpus.events_by_tag):
        weight = len(corpus.events_by_tag[tag])
        yield ed.page(urls.tag(tag), "tag.html", functools.partial(context, tag), site.tag_name(tag), weight=weight)


def period_pages(ed: Edition) -> Iterator[Page]:
    """The periods index (each series in order, with its events and deaths) and a page per period."""
    corpus, locale = ed.corpus, ed.locale
    if not corpus.periods:
        return
    site = corpus.site
    series = [
        (
            name,
            site.period_series.get(name, name),
            [(p, len(corpus.events_by_period[p.slug]), deaths(corpus.events_by_period[p.slug])) for p in items],
        )
        for name, items in sorted(corpus.series.items(), key=lambda item: list(site.period_series).index(item[0]))
    ]
    yield ed.page(urls.periods(), "periods.html", {"series": series}, locale.t("Periods"))
    for name, items in corpus.series.items():
        for i, period in enumerate(items):
            path = urls.period(period.slug)
            events = corpus.events_by_period[period.slug]
            yield ed.page(
                path,
                "period.html",
                {
                    "period": period,
                    "series_name": site.period_series.get(name, name),
                    "actor": corpus.actors.get(period.actor.slug) if period.actor else None,
                    "events": events,
                    "deaths": deaths(events),
                    "prev_period": link_to(items[i - 1], locale) if i else None,
                    "next_period": link_to(items[i + 1], locale) if i + 1 < len(items) else None,
                    "body_html": Body(period.body, Linker(urls.localized(path, locale.prefix), locale.prefix)),
                },
                period.name,
                period,
                len(events),
            )


def map_page(ed: Edition) -> Iterator[Page]:
    """Departments shaded by recorded deaths, every located place, the regions, and one small map per stage."""
    corpus, locale, atlas = ed.corpus, ed.locale, ed.atlas
    if atlas is None:
        return
    departments = [p for p in corpus.places.values() if p.kind == "department"]
    by_key = match_departments(atlas.basemap, departments)
    whole = units(atlas.basemap, atlas.paths, by_key, corpus.events_within_place)
    points = []
    for place in sorted(corpus.places.values(), key=lambda p: (locale.sort_key(p.name), p.slug)):
        if place.coordinates and place.kind in NEEDS_COORDINATES:
            x, y = atlas.project(place.coordinates[1], place.coordinates[0])
            count = len(corpus.events_within_place.get(place.slug, []))
            points.append(
                {"place": place, "x": x, "y": y, "approximate": place.coordinates_of is not None, "events": count}
            )
    regions = []
    for region in sorted((p for p in corpus.places.values() if p.kind == "region"), key=lambda p: p.slug):
        located = [m for m in corpus.region_members.get(region.slug, []) if m.coordinates]
        if located:
            xy = [atlas.project(m.coordinates[1], m.coordinates[0]) for m in located if m.coordinates]
            top = min(xy, key=lambda p: p[1])
            regions.append({"place": region, "d": hull(xy, 8), "x": top[0], "y": round(top[1] - 10, 1)})
    stages = []
    series = list(corpus.site.period_series)
    if series:
        periods = corpus.series.get(series[0], [])
        in_period = {p.slug: {e.slug for e in corpus.events_by_period[p.slug]} for p in periods}
        within = [
            {
                slug: [e for e in events if e.slug in in_period[p.slug]]
                for slug, events in corpus.events_within_place.items()
            }
            for p in periods
        ]
        peak = max((deaths(w.get(d.slug, [])).high for w in within for d in by_key.values()), default=0)
        stages = [
            (p, units(atlas.basemap, atlas.small_paths, by_key, w, peak)) for p, w in zip(periods, within, strict=True)
        ]
    located_deaths = sum(u.high for u in whole)
    yield ed.page(
        urls.map_page(),
        "map.html",
        {
            "width": WIDTH,
            "height": atlas.project.height,
            "small_height": atlas.small.height,
            "units": whole,
            "points": points,
            "regions": regions,
            "stages": stages,
            "stages_series": corpus.site.period_series.get(series[0], "") if series else "",
            "table": sorted((u for u in whole if u.place), key=lambda u: (-u.high, locale.sort_key(u.name))),
            "unplaced": deaths(corpus.events).high - located_deaths,
            "credit": atlas.basemap.credit,
        },
        locale.t("Map"),
    )


def locator(ed: Edition, places: Sequence[Place]) -> dict[str, Any] | None:
    """A small map for an event or place page: its departments highlighted, its located places marked."""
    atlas = ed.atlas
    if atlas is None:
        return None
    corpus = ed.corpus
    keys = set()
    for department in _departments(corpus, places):
        shape = atlas.basemap.shape_named(department.name)
        if shape is not None:
            keys.add(shape.key)
    marks = [atlas.small(p.coordinates[1], p.coordinates[0]) for p in places if p.coordinates]
    if not keys and not marks:
        return None
    return {
        "paths": atlas.small_paths,
        "highlight": keys,
        "marks": marks,
        "height": atlas.small.height,
        "approximate": any(p.coordinates_of is not None for p in places if p.coordinates),
        "names": [d.name for d in _departments(corpus, places)],
    }


def content_pages(ed: Edition) -> Iterator[Page]:
    corpus, locale = ed.corpus, ed.locale
    for slug in sorted(corpus.pages):
        entry = corpus.pages[slug]
        path = urls.page(slug)
        yield ed.page(
            path,
            "page.html",
            {"entry": entry, "body_html": Body(entry.body, Linker(urls.localized(path, locale.prefix), locale.prefix))},
            entry.title,
            entry,
        )


def not_found_page(ed: Edition) -> Iterator[Page]:
    yield ed.page(urls.not_found(), "404.html", {}, ed.locale.t("Page not found"))


Producer = Callable[[Edition], Iterator[Page]]


# The recipe: every page kind, in the order pages are written.
def redirect_pages(ed: Edition) -> Iterator[Page]:
    """A page at each old slug's URL that sends readers (and search engines) to the entry's URL."""
    corpus, prefix = ed.corpus, ed.locale.prefix
    kinds: dict[str, Iterable[Entry]] = {
        "events": corpus.events,
        "actors": corpus.actors.values(),
        "places": corpus.places.values(),
        "pages": corpus.pages.values(),
        "periods": corpus.periods.values(),
    }
    for kind, entries in kinds.items():
        for entry in entries:
            target = urls.localized(urls.of(kind, entry.slug), prefix)
            for old in entry.old_slugs:
                title = published.entry_title(entry)
                yield ed.page(
                    urls.of(kind, old.slug), "redirect.html", {"target": target, "target_title": title}, title
                )


PRODUCERS: tuple[Producer, ...] = (
    timeline_page,
    year_pages,
    all_events_page,
    event_pages,
    actor_pages,
    place_pages,
    topic_pages,
    period_pages,
    map_page,
    content_pages,
    search_page,
    data_page,
    not_found_page,
    redirect_pages,
)


def make_pages(
    editions: dict[str, Corpus],
    locales: Sequence[Locale],
    search: bool = False,
    basemap: Basemap | None = None,
    history: History | None = None,
) -> list[Page]:
    """Every page of the site in every language, in a stable order; bodies render lazily (see markdown.Body)."""
    pages: list[Page] = []
    atlas = Atlas.of(basemap) if basemap is not None else None
    for locale in locales:
        edition = Edition(editions[locale.code], locale, tuple(locales), search, atlas, history)
        for produce in PRODUCERS:
            pages.extend(produce(edition))
    return pages


def _departments(corpus: Corpus, places: Sequence[Place]) -> list[Place]:
    """The departments the places are in (or are), once each, for search filters."""
    found: dict[str, Place] = {}
    for place in places:
        for p in [*corpus.ancestors(place), place]:
            if p.kind == "department":
                found.setdefault(p.slug, p)
    return list(found.values())


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
                "start": start,
                "years": years,
                "count": len(decade_events),
                "deaths": deaths(decade_events),
            }
        )
    return decades


def _topics(corpus: Corpus, events: Sequence[Event], locale: Locale) -> list[tuple[str, str, int]]:
    """(slug, name, count) of the topics of a list of events, for its filter; in the page's order of names."""
    counts: dict[str, int] = defaultdict(int)
    for event in events:
        for tag in event.tags:
            counts[tag.slug] += 1
    site = corpus.site
    return sorted(((s, site.tag_name(s), n) for s, n in counts.items()), key=lambda t: (locale.sort_key(t[1]), t[0]))


def _mini_strip(corpus: Corpus, events: Sequence[Event]) -> Strip | None:
    """Events per year of one actor or place, on the same years as the home page's strip."""
    if len(events) < 2 or not corpus.events_by_year:
        return None
    by_year: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        by_year[event.date.year].append(event)
    first = min(corpus.site.period_start, min(corpus.events_by_year))
    return timeline_strip(by_year, first, max(corpus.events_by_year), events_height=40, deaths_height=0)


def _strip(corpus: Corpus) -> Strip:
    """The home page's strip: every year of the period, the CVR's stages (or the first series) behind it."""
    if not corpus.events_by_year:
        return timeline_strip({}, corpus.site.period_start, corpus.site.period_start)
    first = min(corpus.site.period_start, min(corpus.events_by_year))
    last = max(corpus.events_by_year)
    series = list(corpus.site.period_series)
    shaded = corpus.series.get(series[0], []) if series else []
    return timeline_strip(corpus.events_by_year, first, last, shaded)


def _counts(corpus: Corpus) -> dict[str, int]:
    return {
        "events": len(corpus.events),
        "actors": len(corpus.actors),
        "places": len(corpus.places),
        "tags": len(corpus.events_by_tag),
    }
