"""The whole validated content, indexed, with its integrity checked.

The corpus owns everything that needs more than one entry: unique slugs,
resolved references, cycles in hierarchies, backlinks, place roll-ups and
related events. Every index is built in one pass over the events, so the
cost grows linearly with the content.
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .errors import Problem, did_you_mean
from .model import NEEDS_COORDINATES, Actor, Entry, Event, Page, Period, Place, SiteConfig
from .specs import Ref
from .text import LINK_KINDS, find_links

E = TypeVar("E", bound=Entry)
RELATED_LIMIT = 6


@dataclass
class Corpus:
    site: SiteConfig  # in the corpus's language: a localized corpus has the translated site texts
    events: list[Event]  # in date order
    actors: dict[str, Actor]
    places: dict[str, Place]
    pages: dict[str, Page]
    periods: dict[str, Period] = field(default_factory=dict)
    events_by_slug: dict[str, Event] = field(default_factory=dict)
    events_by_actor: dict[str, list[Event]] = field(default_factory=dict)
    events_attributed: dict[str, list[Event]] = field(default_factory=dict)  # actor held responsible
    events_by_place: dict[str, list[Event]] = field(default_factory=dict)  # direct
    events_within_place: dict[str, list[Event]] = field(default_factory=dict)  # roll-up
    events_by_tag: dict[str, list[Event]] = field(default_factory=dict)
    events_by_year: dict[int, list[Event]] = field(default_factory=dict)
    members: dict[str, list[Actor]] = field(default_factory=dict)
    children: dict[str, list[Place]] = field(default_factory=dict)
    region_members: dict[str, list[Place]] = field(default_factory=dict)
    backlinks: dict[tuple[str, str], list[Entry]] = field(default_factory=dict)
    series: dict[str, list[Period]] = field(default_factory=dict)  # each series' periods in date order
    events_by_period: dict[str, list[Event]] = field(default_factory=dict)
    periods_of_event: dict[str, list[Period]] = field(default_factory=dict)

    @functools.cached_property
    def related(self) -> Mapping[str, list[Event]]:
        """Each event's related events, chosen when a page first asks (`check` never does)."""
        return _Related(self)

    def ancestors(self, place: Place) -> list[Place]:
        """Outermost first: Peru › department › province for a district."""
        chain: list[Place] = []
        current = place
        while current.within is not None and current.within.slug in self.places and len(chain) < 20:
            current = self.places[current.within.slug]
            chain.append(current)
        return chain[::-1]

    def parent_actor(self, actor: Actor) -> Actor | None:
        return self.actors.get(actor.part_of.slug) if actor.part_of else None


def _by_kind(entries: list[E]) -> tuple[dict[str, E], list[Problem]]:
    index: dict[str, E] = {}
    problems = []
    for entry in sorted(entries, key=lambda e: e.path):
        other = index.get(entry.slug)
        if other is not None:
            problems.append(
                Problem(entry.path, 1, f"slug '{entry.slug}' is already used by {other.path}; rename one of the files")
            )
            continue
        index[entry.slug] = entry
    return index, problems


class _Resolver:
    def __init__(self, problems: list[Problem], drafts: dict[str, set[str]], broken: dict[str, set[str]]) -> None:
        self.problems = problems
        self.drafts = drafts
        self.broken = broken

    def check(self, path: str, ref: Ref, index: Mapping[str, object], what: str, kind: str) -> bool:
        if ref.slug in index:
            return True
        if ref.slug in self.broken.get(kind, set()):
            return False  # its own errors are reported; do not repeat them here
        if ref.slug in self.drafts.get(kind, set()):
            self.problems.append(
                Problem(
                    path,
                    ref.line,
                    f"{what} '{ref.slug}' is a draft and is left out of the build; remove the reference or publish it (or build with --drafts)",
                )
            )
            return False
        self.problems.append(unknown_reference(path, ref, what, kind, index))
        return False


def unknown_reference(path: str, ref: Ref, what: str, kind: str, known: Iterable[str]) -> Problem:
    """'unknown actor 'x'', with the closest slug or how to create the entry."""
    hint = did_you_mean(ref.slug, set(known))
    return Problem(
        path, ref.line, f"unknown {what} '{ref.slug}'{hint or f'; create content/{kind}/{ref.slug}.md or fix the slug'}"
    )


def _find_cycles(items: Mapping[str, Entry], parent_of: dict[str, str], what: str, key: str) -> list[Problem]:
    problems = []
    reported: set[str] = set()
    for start in sorted(parent_of):
        path_order: list[str] = []
        seen: set[str] = set()
        current: str | None = start
        while current is not None and current not in seen:
            seen.add(current)
            path_order.append(current)
            current = parent_of.get(current)
        if current is not None and current == start and start not in reported:
            loop = path_order
            reported.update(loop)
            entry = items[start]
            chain = " → ".join(loop + [start])
            problems.append(
                Problem(
                    entry.path,
                    entry.line_of(key),
                    f"'{key}' makes a cycle ({chain}); one of them must not be inside the other",
                )
            )
    return problems


def build_corpus(
    site: SiteConfig,
    events: list[Event],
    actors: list[Actor],
    places: list[Place],
    pages: list[Page],
    drafts: dict[str, set[str]] | None = None,
    broken: dict[str, set[str]] | None = None,
    sort_key: Callable[[str], Any] = str.casefold,
    periods: list[Period] | None = None,
) -> tuple[Corpus, list[Problem]]:
    """Index everything and check cross-references; problems are returned, not raised."""
    problems: list[Problem] = []
    pe, p = _by_kind(periods or [])
    problems += p
    ev, p = _by_kind(events)
    problems += p
    ac, p = _by_kind(actors)
    problems += p
    pl, p = _by_kind(places)
    problems += p
    pg, p = _by_kind(pages)
    problems += p
    resolve = _Resolver(problems, drafts or {}, broken or {})

    for page in pg.values():
        if page.slug in site.languages:
            problems.append(
                Problem(
                    page.path,
                    1,
                    f"page slug '{page.slug}' is a language code of the site, whose pages live under /{page.slug}/; rename the file",
                )
            )
        elif page.slug in RESERVED_PAGE_SLUGS:
            problems.append(
                Problem(
                    page.path,
                    1,
                    f"page slug '{page.slug}' clashes with the site's own /{page.slug}/ section; rename the file",
                )
            )

    for event in ev.values():
        for ref in event.actors:
            resolve.check(event.path, ref, ac, "actor", "actors")
        for ref in event.places:
            resolve.check(event.path, ref, pl, "place", "places")
        for held in event.responsible:
            resolve.check(event.path, held.actor, ac, "actor", "actors")
        for ref in event.related:
            if ref.slug == event.slug:
                problems.append(
                    Problem(event.path, ref.line, "an event cannot be related to itself; remove it from 'related'")
                )
            else:
                resolve.check(event.path, ref, ev, "event", "events")
        if site.tags:
            for ref in event.tags:
                if ref.slug not in site.tags:
                    hint = did_you_mean(ref.slug, set(site.tags))
                    fix = (
                        f" (tags are declared under 'tags:' in {site.path})"
                        if hint
                        else f"; declare it under 'tags:' in {site.path} or use a declared tag"
                    )
                    problems.append(Problem(event.path, ref.line, f"unknown tag '{ref.slug}'{hint}{fix}"))
        for source in event.sources:
            # A dated publication (a newspaper of 1994) can be found by its title, publisher and date.
            if not source.url and not source.read_at and source.publisher and source.date is None:
                problems.append(
                    Problem(
                        event.path,
                        source.line,
                        "source has no url and no date; add its address if it is online, or its date of publication",
                        "warning",
                    )
                )
        looks_back = any(t.slug in site.retrospective_tags for t in event.tags)
        for ref in event.actors:
            actor = ac.get(ref.slug)
            if actor is None or looks_back:
                continue
            year = event.date.year
            if (actor.active_from and year < actor.active_from) or (actor.active_to and year > actor.active_to):
                span = f"{actor.active_from or '…'}–{actor.active_to or '…'}"
                problems.append(
                    Problem(
                        event.path,
                        ref.line,
                        f"actor '{ref.slug}' was active {span}, but this event is in {event.date.year}; check the date or the actor's 'active' years",
                        "warning",
                    )
                )

    actor_parent: dict[str, str] = {}
    for actor in ac.values():
        if actor.part_of is not None:
            if actor.part_of.slug == actor.slug:
                problems.append(
                    Problem(actor.path, actor.part_of.line, "an actor cannot be part of itself; fix 'part_of'")
                )
            elif resolve.check(actor.path, actor.part_of, ac, "actor", "actors"):
                actor_parent[actor.slug] = actor.part_of.slug
    problems += _find_cycles(ac, actor_parent, "actor", "part_of")

    place_parent: dict[str, str] = {}
    for place in pl.values():
        if place.within is not None:
            if place.within.slug == place.slug:
                problems.append(Problem(place.path, place.within.line, "a place cannot be within itself; fix 'within'"))
            elif resolve.check(place.path, place.within, pl, "place", "places"):
                place_parent[place.slug] = place.within.slug
        for ref in place.regions:
            if resolve.check(place.path, ref, pl, "place", "places") and pl[ref.slug].kind != "region":
                problems.append(
                    Problem(
                        place.path,
                        ref.line,
                        f"'{ref.slug}' is a {pl[ref.slug].kind}, not a region; list it under 'within' or set its kind to region",
                    )
                )
        if place.coordinates_of is not None:
            if place.coordinates is None:
                problems.append(
                    Problem(
                        place.path,
                        place.coordinates_of.line,
                        "'coordinates_of' needs 'coordinates' (those of the larger place); add them or remove it",
                    )
                )
            resolve.check(place.path, place.coordinates_of, pl, "place", "places")
        if place.kind in NEEDS_COORDINATES and place.coordinates is None:
            problems.append(
                Problem(
                    place.path,
                    1,
                    f"this {place.kind} has no coordinates, so it cannot appear on maps; add coordinates: [lat, lon]",
                    "warning",
                )
            )
    problems += _find_cycles(pl, place_parent, "place", "within")

    problems += _check_periods(site, pe, ac, resolve)
    _check_body_links(
        list(ev.values()) + list(ac.values()) + list(pl.values()) + list(pg.values()) + list(pe.values()),
        {"events": ev, "actors": ac, "places": pl, "pages": pg, "periods": pe},
        resolve,
        problems,
    )

    problems += _check_old_slugs({"events": ev, "actors": ac, "places": pl, "pages": pg, "periods": pe})

    corpus = Corpus(site, sorted(ev.values(), key=Event.sort_key), ac, pl, pg, pe, events_by_slug=ev)
    _index(corpus, sort_key)  # safe even with cycles: hierarchy walks are bounded (see Corpus.ancestors)
    return corpus, problems


def _check_old_slugs(by_kind: Mapping[str, Mapping[str, Entry]]) -> list[Problem]:
    """An old slug redirects to one entry: it may not be a live slug of its kind, nor claimed twice."""
    problems = []
    for items in by_kind.values():
        claimed: dict[str, Entry] = {}
        for entry in sorted(items.values(), key=lambda e: e.path):
            for ref in entry.old_slugs:
                live = items.get(ref.slug)
                if live is not None:
                    what = "this entry's own slug" if live is entry else f"the slug of {live.path}"
                    problems.append(
                        Problem(
                            entry.path,
                            ref.line,
                            f"old slug '{ref.slug}' is {what}, so its URL cannot redirect; remove it from 'old_slugs'",
                        )
                    )
                elif ref.slug in claimed:
                    problems.append(
                        Problem(
                            entry.path,
                            ref.line,
                            f"old slug '{ref.slug}' is also claimed by {claimed[ref.slug].path}; one URL can redirect to one entry only",
                        )
                    )
                else:
                    claimed[ref.slug] = entry
    return problems


def _check_periods(
    site: SiteConfig, periods: Mapping[str, Period], actors: Mapping[str, Actor], resolve: _Resolver
) -> list[Problem]:
    """Declared series, known actors, and no two periods of one series overlapping."""
    problems: list[Problem] = []
    by_series: dict[str, list[Period]] = defaultdict(list)
    for period in periods.values():
        if period.actor is not None:
            resolve.check(period.path, period.actor, actors, "actor", "actors")
        if period.series.slug not in site.period_series:
            hint = did_you_mean(period.series.slug, set(site.period_series))
            fix = hint or f"; declare it under 'period_series:' in {site.path} with a one-line description"
            problems.append(Problem(period.path, period.series.line, f"unknown series '{period.series.slug}'{fix}"))
            continue
        by_series[period.series.slug].append(period)
    for items in by_series.values():
        ordered = sorted(items, key=lambda p: (p.start.sort_key(), p.slug))
        for before, after in zip(ordered, ordered[1:], strict=False):
            ends = before.end.latest() if before.end else None
            if ends is None or after.start.earliest() < ends:
                until = f"until {before.end}" if before.end else "with no end"
                problems.append(
                    Problem(
                        after.path,
                        after.line_of("start"),
                        f"this period starts {after.start}, inside {before.path} ({before.start} {until}); "
                        "periods of one series must not overlap: fix one of the dates",
                    )
                )
    return problems


RESERVED_PAGE_SLUGS = {
    "periods",
    "events",
    "years",
    "actors",
    "places",
    "tags",
    "data",
    "search",
    "static",
    "decades",
    "map",
    "404",
}


def _check_body_links(
    entries: list[Entry], indexes: Mapping[str, Mapping[str, object]], resolve: _Resolver, problems: list[Problem]
) -> None:
    for entry in entries:
        for kind, slug, line in find_links(entry.body, entry.body_line):
            if kind not in LINK_KINDS:
                hint = did_you_mean(kind, set(LINK_KINDS))
                problems.append(
                    Problem(
                        entry.path,
                        line,
                        f"link '@{kind}/{slug}' has an unknown kind '{kind}'{hint or '; use @events/, @actors/, @places/ or @pages/'}",
                    )
                )
                continue
            resolve.check(entry.path, Ref(slug, line), indexes[kind], kind[:-1], kind)


def _index(c: Corpus, sort_key: Callable[[str], Any]) -> None:
    """Fill every index in one pass over events; no index is quadratic."""
    by_actor: dict[str, list[Event]] = defaultdict(list)
    by_place: dict[str, list[Event]] = defaultdict(list)
    within: dict[str, list[Event]] = defaultdict(list)
    by_tag: dict[str, list[Event]] = defaultdict(list)
    by_year: dict[int, list[Event]] = defaultdict(list)

    rollup_cache: dict[str, tuple[str, ...]] = {}

    def rollup_targets(slug: str) -> tuple[str, ...]:
        cached = rollup_cache.get(slug)
        if cached is not None:
            return cached
        place = c.places[slug]
        chain = [place] + c.ancestors(place)
        targets: dict[str, None] = {}
        for p in chain:
            targets[p.slug] = None
            for region in p.regions:
                if region.slug in c.places:
                    targets[region.slug] = None
                    for q in c.ancestors(c.places[region.slug]):
                        targets[q.slug] = None
        rollup_cache[slug] = tuple(targets)
        return rollup_cache[slug]

    attributed: dict[str, list[Event]] = defaultdict(list)
    for event in c.events:
        by_year[event.date.year].append(event)
        for held in dict.fromkeys(r.actor.slug for r in event.responsible):
            if held in c.actors:
                attributed[held].append(event)
        for ref in event.actors:
            if ref.slug in c.actors:
                by_actor[ref.slug].append(event)
        seen: set[str] = set()
        for ref in event.places:
            if ref.slug in c.places:
                by_place[ref.slug].append(event)
                for target in rollup_targets(ref.slug):
                    if target not in seen:
                        seen.add(target)
                        within[target].append(event)
        for ref in event.tags:
            by_tag[ref.slug].append(event)

    members: dict[str, list[Actor]] = defaultdict(list)
    for actor in sorted(c.actors.values(), key=lambda a: (sort_key(a.sort_name or a.name), a.slug)):
        if actor.part_of and actor.part_of.slug in c.actors:
            members[actor.part_of.slug].append(actor)
    children: dict[str, list[Place]] = defaultdict(list)
    region_members: dict[str, list[Place]] = defaultdict(list)
    for place in sorted(c.places.values(), key=lambda p: (sort_key(p.name), p.slug)):
        if place.within and place.within.slug in c.places:
            children[place.within.slug].append(place)
        for region in place.regions:
            if region.slug in c.places:
                region_members[region.slug].append(place)

    c.events_by_actor = dict(by_actor)
    c.events_attributed = dict(attributed)
    c.events_by_place = dict(by_place)
    c.events_within_place = dict(within)
    c.events_by_tag = dict(by_tag)
    c.events_by_year = dict(by_year)
    c.members = dict(members)
    c.children = dict(children)
    c.region_members = dict(region_members)
    c.backlinks = _backlinks(c)
    _index_periods(c)


def _index_periods(c: Corpus) -> None:
    """Each series in date order; each period's events, and each event's periods (overlap of spans)."""
    series: dict[str, list[Period]] = defaultdict(list)
    for period in sorted(c.periods.values(), key=lambda p: (p.start.sort_key(), p.slug)):
        series[period.series.slug].append(period)
    by_period: dict[str, list[Event]] = {slug: [] for slug in c.periods}
    of_event: dict[str, list[Period]] = {}
    ordered = [p for name in sorted(series) for p in series[name]]
    for event in c.events:
        found = [p for p in ordered if p.contains(event.date, event.end_date)]
        of_event[event.slug] = found
        for p in found:
            by_period[p.slug].append(event)
    c.series = dict(series)
    c.events_by_period = by_period
    c.periods_of_event = of_event


class _Related(Mapping[str, list[Event]]):
    """Each event's related events: explicit links first, then events sharing a place or actor, nearest in time.

    Chosen when a page asks, event by event (a build after an edit makes a few event pages of thousands).
    For each group an event belongs to, only its neighbours in that group's date-ordered list are
    considered, so the cost is O(groups × k) an event. Candidates are kept by position in the date order.
    """

    def __init__(self, c: Corpus) -> None:
        self.c = c
        events = c.events
        self.order = {e.slug: i for i, e in enumerate(events)}
        self.day = [e.date.earliest().toordinal() for e in events]
        self.positions: dict[tuple[str, str], list[int]] = {}
        for kind, groups in (("place", c.events_by_place), ("actor", c.events_by_actor)):
            for slug, group in groups.items():
                self.positions[(kind, slug)] = [self.order[e.slug] for e in group]
        # An explicit link counts both ways: if A lists B, B's page shows A too.
        self.listed_by: dict[str, list[str]] = defaultdict(list)
        for event in events:
            for ref in event.related:
                self.listed_by[ref.slug].append(event.slug)
        self._chosen: dict[str, list[Event]] = {}

    def __getitem__(self, slug: str) -> list[Event]:
        found = self._chosen.get(slug)
        if found is None:
            if slug not in self.order:
                raise KeyError(slug)
            found = self._chosen[slug] = self._choose(self.order[slug])
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.order)

    def __len__(self) -> int:
        return len(self.order)

    def _choose(self, index: int) -> list[Event]:
        c, day, events, limit = self.c, self.day, self.c.events, RELATED_LIMIT
        event = events[index]
        explicit = [r.slug for r in event.related] + self.listed_by.get(event.slug, [])
        incoming = list(dict.fromkeys(s for s in explicit if s in c.events_by_slug and s != event.slug))
        chosen: dict[str, None] = dict.fromkeys(incoming)
        # Ranked by years apart, then the size of the group shared (smaller groups say more: a village beats
        # "Peru", a unit beats "the army"), then days apart, then date order; the best group shared counts.
        candidates: dict[int, tuple[int, int, int, int]] = {}
        today = day[index]
        memberships = [("place", r.slug) for r in event.places] + [("actor", r.slug) for r in event.actors]
        for key in memberships:
            pos = self.positions.get(key)
            if not pos:
                continue
            group_size = len(pos)
            at = bisect_left(pos, index)
            for other_index in pos[max(0, at - limit) : at + limit + 1]:
                if other_index == index:
                    continue
                apart = abs(day[other_index] - today)
                rank = (apart // 365, group_size, apart, other_index)
                previous = candidates.get(other_index)
                if previous is None or rank < previous:
                    candidates[other_index] = rank
        wanted = limit + len(incoming)
        for rank in sorted(candidates.values()):
            if len(chosen) >= wanted:
                break
            chosen.setdefault(events[rank[3]].slug, None)
        return [c.events_by_slug[s] for s in chosen if s != event.slug][: max(limit, len(incoming))]


def _backlinks(c: Corpus) -> dict[tuple[str, str], list[Entry]]:
    """Who mentions an entry in a body link, e.g. which events link to an actor."""
    out: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    entries: list[Entry] = [*c.events, *c.actors.values(), *c.places.values(), *c.pages.values(), *c.periods.values()]
    for entry in entries:
        seen: set[tuple[str, str]] = set()
        for kind, slug, _line in find_links(entry.body, entry.body_line):
            key = (kind, slug)
            if key not in seen:
                seen.add(key)
                out[key].append(entry)
    return dict(out)
