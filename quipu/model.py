"""The validated content model: frozen dataclasses, no I/O.

`build_*` functions turn one validated entry into a model object and add the
checks that need more than one field (end before start, year folder, sources
with neither url nor publisher). Checks that need other entries live in corpus.py.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from . import hosts
from .dates import PartialDate
from .errors import Problem, quoted
from .locales import known_format
from .source import SLUG_RE, RawEntry
from .specs import Ref, shorten_slug, slug_too_long
from .text import first_sentence

NEEDS_COORDINATES = ("district", "town", "site")  # kinds that belong on a map as points
COUNT_KINDS = ("killed", "wounded", "disappeared", "captured")


@dataclass(frozen=True)
class Count:
    """A head count; low == high when the figure is not disputed."""

    low: int
    high: int

    @property
    def exact(self) -> bool:
        return self.low == self.high


@dataclass(frozen=True)
class Casualties:
    killed: Count | None = None
    wounded: Count | None = None
    disappeared: Count | None = None
    captured: Count | None = None
    note: str | None = None
    aggregate: bool = False

    def items(self) -> list[tuple[str, Count]]:
        return [(k, c) for k in COUNT_KINDS if (c := getattr(self, k)) is not None]


@dataclass(frozen=True)
class Deaths:
    """Recorded deaths over a set of events, as a range; conflict-wide estimates are never added in."""

    low: int
    high: int
    events_with_counts: int


def deaths(events: Iterable[Event]) -> Deaths:
    low = high = counted = 0
    for event in events:
        if event.casualties and event.casualties.killed and not event.casualties.aggregate:
            low += event.casualties.killed.low
            high += event.casualties.killed.high
            counted += 1
    return Deaths(low, high, counted)


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str | None
    url: str | None
    date: PartialDate | None
    quote: str | None
    line: int
    language: str | None = None
    read_at: str | None = None  # where it was read, when that was a copy of the original
    locator: str | None = None  # volume, chapter, page of a long document


@dataclass(frozen=True)
class Responsibility:
    """An actor held responsible for an event, by whom, and the source that says so."""

    actor: Ref
    according_to: str | None
    source: int | None  # 1-based index into the event's sources
    line: int


@dataclass(frozen=True)
class Entry:
    """What every entry has: identity, file position, body."""

    slug: str
    path: str
    body: str
    body_line: int
    lines: dict[str, int] = field(compare=False, hash=False, repr=False)
    draft: bool
    # Language of the text fields and body: the site's default, or a translation's.
    lang: str = field(default="", kw_only=True)
    # The base entry's file, also when the text comes from a translation (errors in fields point there).
    base_path: str = field(default="", kw_only=True)
    old_slugs: tuple[Ref, ...] = field(default=(), kw_only=True)  # former slugs, redirected to this entry

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


@dataclass(frozen=True)
class Event(Entry):
    title: str
    date: PartialDate
    end_date: PartialDate | None
    date_note: str | None
    actors: tuple[Ref, ...]
    places: tuple[Ref, ...]
    tags: tuple[Ref, ...]
    related: tuple[Ref, ...]
    responsible: tuple[Responsibility, ...] = field(default=(), kw_only=True)
    casualties: Casualties | None
    sources: tuple[Source, ...]
    summary: str | None

    def sort_key(self) -> tuple[tuple[int, int, int], str]:
        return (self.date.sort_key(), self.slug)

    @functools.cached_property
    def topic_slugs(self) -> str:
        """Its topics' slugs, space-separated: what a list item gives the topic filter (one call, where the
        template's map and join took about a quarter of a list of thousands; kept, as lists show the same
        event on many pages)."""
        return " ".join(ref.slug for ref in self.tags)

    @functools.cached_property
    def summary_line(self) -> str:
        """The one-line summary shown in lists, feeds and downloads: the summary, or the body's first sentence.

        Cached on the entry: lists show the same event on many pages.
        """
        return self.summary or first_sentence(self.body)


@dataclass(frozen=True)
class Actor(Entry):
    name: str
    kind: str
    aliases: tuple[str, ...]
    part_of: Ref | None
    sort_name: str | None = field(default=None, kw_only=True)
    active_from: int | None
    active_to: int | None
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Place(Entry):
    name: str
    kind: str
    within: Ref | None
    regions: tuple[Ref, ...]
    coordinates: tuple[float, float] | None
    coordinates_of: Ref | None
    aliases: tuple[str, ...]
    sources: tuple[Source, ...]
    coordinates_precision: str | None = None


@dataclass(frozen=True)
class Page(Entry):
    title: str
    summary: str | None


@dataclass(frozen=True)
class Period(Entry):
    """A span of time in one series (a phase of the conflict, a presidential term)."""

    name: str
    series: Ref
    start: PartialDate
    end: PartialDate | None  # None: it lasts
    date_note: str | None
    actor: Ref | None
    sources: tuple[Source, ...]

    def contains(self, start: PartialDate, end: PartialDate | None) -> bool:
        """True when an event's span (as precise as known) overlaps the period."""
        last = (end or start).latest()
        return start.earliest() <= (self.end.latest() if self.end else date.max) and last >= self.start.earliest()


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str | None = None
    base_url: str = "/"
    period_start: int = 1980
    language: str = "en"  # the default language: the first of `languages`
    languages: tuple[str, ...] = ("en",)
    formats: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    intro: str | None = None
    author: str | None = None
    license: str | None = None
    repository: str | None = None
    branch: str = "main"  # the repository's branch that edit links open
    coverage: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    retrospective_tags: frozenset[str] = frozenset()
    period_series: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    tags: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    path: str = "content/site.yaml"
    lang: str = ""  # language of title, description, intro and tags when it is not the page's
    tag_names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def tag_name(self, slug: str) -> str:
        """A topic's name as shown: its translation, or the slug itself."""
        return self.tag_names.get(slug, slug)

    @property
    def base_path(self) -> str:
        """The path part of base_url, always starting and ending with '/'."""
        url = self.base_url
        if "://" in url:
            rest = url.split("://", 1)[1]
            url = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        return "/" + url.strip("/") + "/" if url.strip("/") else "/"

    @property
    def absolute_base(self) -> str | None:
        """base_url when it is absolute, with a trailing slash; None for a bare path."""
        if "://" not in self.base_url:
            return None
        return self.base_url.rstrip("/") + "/"


def _common(raw: RawEntry, v: dict[str, Any]) -> dict[str, Any]:
    return {
        "slug": raw.slug,
        "path": raw.path,
        "body": raw.body,
        "body_line": raw.body_line,
        "lines": v["__lines__"],
        "draft": v.get("draft", False),
        "old_slugs": tuple(v.get("old_slugs", ())),
    }


def source_problems(items: list[dict[str, Any]], path: str) -> list[Problem]:
    problems = []
    for item in items:
        line = item["__line__"]
        if not item.get("url") and not item.get("publisher"):
            problems.append(
                Problem(path, line, "source needs a 'url' or a 'publisher' so readers can find it; add one")
            )
        problems += hosts.host_problems(item, path)
    return problems


def make_sources(items: list[dict[str, Any]]) -> tuple[Source, ...]:
    return tuple(
        Source(
            item["title"],
            item.get("publisher"),
            item.get("url"),
            item.get("date"),
            item.get("quote"),
            item["__line__"],
            item.get("language"),
            item.get("read_at"),
            item.get("locator"),
        )
        for item in items
    )


def check_slug(raw: RawEntry) -> list[Problem]:
    if SLUG_RE.match(raw.slug):
        too_long = slug_too_long(raw.slug)  # the slug names a folder of the built site
        if too_long is None:
            return []
        fix = f"rename it to {quoted(shorten_slug(raw.slug), None)}"
        return [Problem(raw.path, 1, f"file name {quoted(raw.slug)} {too_long}; {fix}")]
    suggestion = shorten_slug(
        "-".join(
            part
            for part in "".join(c if c.isalnum() and c.isascii() else "-" for c in raw.slug.lower()).split("-")
            if part
        )
    )
    fix = f"; rename it to '{suggestion}'" if suggestion else ""
    return [
        Problem(
            raw.path,
            1,
            f"file name {quoted(raw.slug)} is not a valid slug (lowercase a-z, 0-9 and single hyphens){fix}",
        )
    ]


def check_event(raw: RawEntry, v: dict[str, Any], site: SiteConfig, today: date) -> list[Problem]:
    """Problems across an event's fields; `v` may hold only the valid ones, so each check needs only its own."""
    problems = check_slug(raw) + source_problems(v.get("sources", []), raw.path)
    lines = v["__lines__"]
    start: PartialDate | None = v.get("date")
    end: PartialDate | None = v.get("end_date")
    if start is not None:
        if start.earliest() > today:
            problems.append(Problem(raw.path, lines["date"], f"date {start} is in the future; check the year"))
        if start.year < site.period_start:
            problems.append(
                Problem(
                    raw.path,
                    lines["date"],
                    f"date {start} is before the period covered by the site ({site.period_start}); this timeline starts in {site.period_start}",
                )
            )
        if raw.folder and raw.folder != f"{start.year:04d}":
            problems.append(
                Problem(
                    raw.path,
                    lines["date"],
                    f"the event starts in {start.year} but is in content/events/{raw.folder}/; move this file to content/events/{start.year:04d}/",
                )
            )
    if end is not None:
        if start is not None and end.latest() < start.earliest():
            problems.append(
                Problem(
                    raw.path, lines["end_date"], f"end_date {end} is before date {start}; swap them or fix the year"
                )
            )
        elif end.earliest() > today:
            problems.append(
                Problem(
                    raw.path,
                    lines["end_date"],
                    f"end_date {end} is in the future; leave it out while the event is ongoing",
                )
            )
    for item in v.get("responsible", []):
        line = item["__line__"]
        if "according_to" not in item and "source" not in item:
            problems.append(
                Problem(
                    raw.path,
                    line,
                    "say who held the actor responsible: add according_to (e.g. the CVR) or source (its number)",
                )
            )
        count = len(v["sources"]) if "sources" in v else None
        if "source" in item and count is not None and item["source"] > count:
            problems.append(
                Problem(
                    raw.path,
                    item["__lines__"].get("source", line),
                    f"source {item['source']} does not exist: the event lists {count}; use the number of one of its sources",
                )
            )
    return problems


def build_event(raw: RawEntry, v: dict[str, Any], site: SiteConfig, today: date) -> tuple[Event | None, list[Problem]]:
    """An Event, plus problems with its dates and sources."""
    problems = check_event(raw, v, site, today)
    responsible = tuple(
        Responsibility(item["actor"], item.get("according_to"), item.get("source"), item["__line__"])
        for item in v.get("responsible", [])
    )
    casualties = None
    if "casualties" in v:
        c = v["casualties"]
        casualties = Casualties(
            **{k: Count(*c[k]) for k in COUNT_KINDS if k in c},
            note=c.get("note"),
            aggregate=c.get("aggregate", False),
        )
    event = Event(
        **_common(raw, v),
        title=v["title"],
        date=v["date"],
        end_date=v.get("end_date"),
        date_note=v.get("date_note"),
        actors=tuple(v.get("actors", ())),
        places=tuple(v.get("places", ())),
        tags=tuple(v.get("tags", ())),
        related=tuple(v.get("related", ())),
        responsible=responsible,
        casualties=casualties,
        sources=make_sources(v["sources"]),
        summary=v.get("summary"),
    )
    return event, problems


def check_actor(raw: RawEntry, v: dict[str, Any]) -> list[Problem]:
    problems = check_slug(raw) + source_problems(v.get("sources", []), raw.path)
    active = v.get("active", {})
    if "from" in active and "to" in active and active["to"] < active["from"]:
        problems.append(
            Problem(
                raw.path,
                active["__lines__"]["to"],
                f"active.to {active['to']} is before active.from {active['from']}; swap them",
            )
        )
    return problems


def build_actor(raw: RawEntry, v: dict[str, Any]) -> tuple[Actor | None, list[Problem]]:
    problems = check_actor(raw, v)
    active = v.get("active", {})
    actor = Actor(
        **_common(raw, v),
        name=v["name"],
        kind=v["kind"],
        aliases=tuple(v.get("aliases", ())),
        part_of=v.get("part_of"),
        sort_name=v.get("sort_name"),
        active_from=active.get("from"),
        active_to=active.get("to"),
        sources=make_sources(v.get("sources", [])),
    )
    return actor, problems


def check_place(raw: RawEntry, v: dict[str, Any]) -> list[Problem]:
    return check_slug(raw) + source_problems(v.get("sources", []), raw.path)


def build_place(raw: RawEntry, v: dict[str, Any]) -> tuple[Place | None, list[Problem]]:
    problems = check_place(raw, v)
    place = Place(
        **_common(raw, v),
        name=v["name"],
        kind=v["kind"],
        within=v.get("within"),
        regions=tuple(v.get("regions", ())),
        coordinates=v.get("coordinates"),
        coordinates_of=v.get("coordinates_of"),
        coordinates_precision=v.get("coordinates_precision"),
        aliases=tuple(v.get("aliases", ())),
        sources=make_sources(v.get("sources", [])),
    )
    return place, problems


def build_page(raw: RawEntry, v: dict[str, Any]) -> tuple[Page | None, list[Problem]]:
    page = Page(**_common(raw, v), title=v["title"], summary=v.get("summary"))
    return page, check_slug(raw)


def check_period(raw: RawEntry, v: dict[str, Any], site: SiteConfig, today: date) -> list[Problem]:
    problems = check_slug(raw) + source_problems(v.get("sources", []), raw.path)
    lines = v["__lines__"]
    start: PartialDate | None = v.get("start")
    end: PartialDate | None = v.get("end")
    if start is not None:
        if start.year < site.period_start:
            problems.append(
                Problem(
                    raw.path,
                    lines["start"],
                    f"start {start} is before the period covered by the site ({site.period_start}); start it in {site.period_start} or later",
                )
            )
        if start.earliest() > today:
            problems.append(Problem(raw.path, lines["start"], f"start {start} is in the future; check the year"))
        if end is not None and end.latest() < start.earliest():
            problems.append(
                Problem(raw.path, lines["end"], f"end {end} is before start {start}; swap them or fix the year")
            )
    return problems


def build_period(
    raw: RawEntry, v: dict[str, Any], site: SiteConfig, today: date
) -> tuple[Period | None, list[Problem]]:
    problems = check_period(raw, v, site, today)
    period = Period(
        **_common(raw, v),
        name=v["name"],
        series=v["series"],
        start=v["start"],
        end=v.get("end"),
        date_note=v.get("date_note"),
        actor=v.get("actor"),
        sources=make_sources(v["sources"]),
    )
    return period, problems


def build_site(
    v: dict[str, Any], path: str, base_url_override: str | None, repository_override: str | None = None
) -> tuple[SiteConfig, list[Problem]]:
    problems: list[Problem] = []
    base_url = base_url_override if base_url_override is not None else v.get("base_url", "/")
    if not (base_url.startswith("/") or base_url.startswith(("http://", "https://"))):
        problems.append(
            Problem(
                path,
                v["__lines__"].get("base_url", 1),
                f"base_url '{base_url}' must start with '/' or be an http(s) URL, e.g. /peru-timeline/",
            )
        )
        base_url = "/"
    lines = v["__lines__"]
    languages: tuple[str, ...] = tuple(v["languages"]) if "languages" in v else (v.get("language", "en"),)
    if "languages" in v and "language" in v and v["language"] != languages[0]:
        problems.append(
            Problem(
                path,
                lines["language"],
                f"language '{v['language']}' is not the first of languages ({', '.join(languages)}); remove 'language' (the first of 'languages' is the default)",
            )
        )
    if len(set(languages)) != len(languages):
        problems.append(Problem(path, lines["languages"], "a language is listed twice in 'languages'; list each once"))
    formats = {code: text for code, (text, _line) in v.get("formats", {}).items()}
    for code, (text, line) in v.get("formats", {}).items():
        if code not in languages:
            problems.append(
                Problem(
                    path,
                    line,
                    f"formats for '{code}', which is not one of the site's languages ({', '.join(languages)})",
                )
            )
        elif not known_format(text):
            problems.append(
                Problem(path, line, f"'{text}' is not a CLDR locale Babel knows; use a name such as en_GB or es_PE")
            )
    for rule_code, (_share, line) in v.get("coverage", {}).get("translations", {}).items():
        if rule_code not in languages[1:]:
            problems.append(
                Problem(
                    path,
                    line,
                    f"translation rule for '{rule_code}', which is not one of the site's other languages ({', '.join(languages[1:])}); fix the code",
                )
            )
    config = SiteConfig(
        title=v["title"],
        description=v.get("description"),
        base_url=base_url,
        period_start=v.get("period", {}).get("start", 1980),
        language=languages[0],
        languages=languages,
        formats=formats,
        intro=v.get("intro"),
        author=v.get("author"),
        license=v.get("license"),
        repository=repository_override or v.get("repository"),
        branch=v.get("branch", "main"),
        coverage=v.get("coverage", {}),
        tags={slug: text for slug, (text, _line) in v.get("tags", {}).items()},
        retrospective_tags=frozenset(r.slug for r in v.get("retrospective_tags", ())),
        period_series={slug: text for slug, (text, _line) in v.get("period_series", {}).items()},
        tag_names={slug: text for slug, (text, _line) in v.get("tag_names", {}).items()},
        path=path,
    )
    return config, problems
