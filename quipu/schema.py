"""The content schema: one declarative description per kind of entry.

The same field specs validate entries, produce the JSON Schema that editors
use, and generate the field reference in CONTRIBUTING.md, so the three can
never drift apart. The value types live in specs.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import Problem, quoted
from .specs import (
    INVALID,
    SLUG_PATTERN,
    Boolean,
    Choice,
    Coordinates,
    Count,
    Ctx,
    Date,
    Field,
    Integer,
    LanguageCode,
    ListOf,
    Mapping,
    Number,
    Ref,
    Slug,
    SlugMap,
    Spec,
    Text,
    Url,
)
from .yamlsafe import YMap, YScalar

__all__ = ["INVALID", "SLUG_PATTERN", "Field", "Mapping", "Ref", "Spec", "json_schema", "validate"]

SOURCE = Mapping(
    fields=(
        Field("title", Text(), "Title of the document, article or page.", required=True, example='"Informe Final"'),
        Field("publisher", Text(), "Who published it (newspaper, agency, institution, court)."),
        Field(
            "url",
            Url(),
            "The original's own address (the publisher's page), when a page you read gives it. Needed unless a publisher is given.",
        ),
        Field(
            "read_at",
            Url(),
            "Where you read it, when that was a copy (a document-sharing site, an archive, a mirror); the original is named by title, publisher and url.",
        ),
        Field(
            "locator",
            Text(one_line=True, max_length=200),
            "Where in a long document: volume, chapter, page (e.g. Tomo V, capítulo 2.6, p. 45).",
        ),
        Field("date", Date(), "Publication date of the source, at the precision known."),
        Field("quote", Text(), "A short passage, quoted exactly, that supports the entry."),
        Field(
            "language",
            LanguageCode(),
            "Language the source is written in (e.g. es), so pages can mark its title; leave out for the site's default language.",
        ),
    )
)

CASUALTIES = Mapping(
    fields=(
        Field("killed", Count(), "People killed: a number or {min, max} when sources disagree."),
        Field("wounded", Count(), "People wounded."),
        Field("disappeared", Count(), "People forcibly disappeared."),
        Field("captured", Count(), "People captured, detained or taken hostage."),
        Field("note", Text(), "Who counted, and what is disputed."),
        Field(
            "aggregate",
            Boolean(),
            "true when the figures are an estimate over many events (e.g. a commission's total); shown, never added to totals.",
        ),
    )
)

RESPONSIBLE = Mapping(
    fields=(
        Field("actor", Slug("actor"), "Slug of the actor held responsible.", required=True, example="shining-path"),
        Field("according_to", Text(one_line=True), "Who held it responsible: a commission, a court, a prosecutor."),
        Field(
            "source", Integer(minimum=1), "Number of the event's source that says so (1 is the first under sources)."
        ),
    )
)

COUNT_KINDS_LABELS = ("Killed", "Wounded", "Disappeared", "Captured")
ACTOR_KINDS = ("armed-group", "state-force", "government", "person", "civil-society", "international", "other")
# In the spirit of UCDP's where_prec: how closely the coordinates locate the place.
COORDINATE_PRECISIONS = ("exact", "settlement", "district", "province", "department", "area")
PLACE_KINDS = ("country", "region", "department", "province", "district", "town", "site")

EVENT = Mapping(
    fields=(
        Field(
            "title",
            Text(one_line=True, max_length=200),
            "What happened, in a few words.",
            required=True,
            example="Lucanamarca massacre",
        ),
        Field(
            "date",
            Date(),
            "When it happened or began: YYYY, YYYY-MM or YYYY-MM-DD, only as precise as known.",
            required=True,
            example="1983-04-03",
        ),
        Field("end_date", Date(), "When it ended, for events that lasted; not before date."),
        Field("date_note", Text(), "How the date is known, e.g. not disclosed by the authorities."),
        Field("actors", ListOf(Slug("actor")), "Slugs of content/actors/* involved."),
        Field("places", ListOf(Slug("place")), "Slugs of content/places/* where it happened."),
        Field("tags", ListOf(Slug("tag")), "Lowercase topic slugs."),
        Field("related", ListOf(Slug("event")), "Slugs of other events closely related."),
        Field(
            "responsible",
            ListOf(RESPONSIBLE, unique=False),
            "Who was held responsible, and by whom: [{actor: shining-path, according_to: the CVR's Final Report, source: 1}].",
        ),
        Field("casualties", CASUALTIES, "Head counts: killed, wounded, disappeared, captured, and a note."),
        Field(
            "sources",
            ListOf(
                SOURCE,
                min_items=1,
                unique=False,
                hint="add a source you have read: - title: ..., publisher: ..., url: https://...",
            ),
            "At least one source that supports the entry.",
            required=True,
            example="[{title: ..., publisher: ..., url: https://...}]",
        ),
        Field(
            "summary", Text(one_line=True, max_length=300), "One line for lists; defaults to the body's first sentence."
        ),
        Field(
            "old_slugs",
            ListOf(Slug("entry")),
            "Former slugs of this entry: each old URL gets a page that redirects here, so published links keep working.",
        ),
        Field("draft", Boolean(), "true keeps the entry out of the build unless --drafts is given."),
    )
)

ACTIVE = Mapping(
    fields=(
        Field("from", Integer(minimum=1800, maximum=2100), "First year of activity."),
        Field("to", Integer(minimum=1800, maximum=2100), "Last year of activity (leave out if still active)."),
    )
)

ACTOR = Mapping(
    fields=(
        Field(
            "name",
            Text(one_line=True, max_length=200),
            "Name in English, or the person's full name.",
            required=True,
            example="Shining Path",
        ),
        Field("kind", Choice(ACTOR_KINDS), "What sort of actor this is.", required=True, example="armed-group"),
        Field("aliases", ListOf(Text(one_line=True)), "Other names: Spanish names, acronyms, noms de guerre."),
        Field(
            "sort_name",
            Text(one_line=True, max_length=200),
            "How the name is alphabetised, surnames first for people: 'Guzmán Reynoso, Manuel Abimael'.",
        ),
        Field("part_of", Slug("actor"), "Slug of the organisation this actor belongs to."),
        Field("active", ACTIVE, "Years of activity: {from: YYYY, to: YYYY}."),
        Field("sources", ListOf(SOURCE, unique=False), "Sources for the description."),
        Field(
            "old_slugs",
            ListOf(Slug("entry")),
            "Former slugs of this entry: each old URL gets a page that redirects here, so published links keep working.",
        ),
        Field("draft", Boolean(), "true keeps the entry out of the build unless --drafts is given."),
    )
)

PLACE = Mapping(
    fields=(
        Field(
            "name",
            Text(one_line=True, max_length=200),
            "Name, with Spanish diacritics.",
            required=True,
            example="Vizcatán del Ene",
        ),
        Field("kind", Choice(PLACE_KINDS), "Administrative level or sort of place.", required=True, example="district"),
        Field("within", Slug("place"), "Slug of the place that contains this one."),
        Field("regions", ListOf(Slug("place")), "Slugs of places of kind 'region' it also belongs to (e.g. vraem)."),
        Field("coordinates", Coordinates(), "[latitude, longitude] in decimal degrees (south and west negative)."),
        Field(
            "coordinates_of",
            Slug("place"),
            "When only a larger place's coordinates could be sourced: the slug of that place (marks them as approximate).",
        ),
        Field(
            "coordinates_precision",
            Choice(COORDINATE_PRECISIONS),
            "How closely the coordinates locate it: exact (the site itself), settlement (the town's centre), "
            "district, province or department (somewhere within it), area (a region known only roughly).",
        ),
        Field("aliases", ListOf(Text(one_line=True)), "Other names and spellings."),
        Field("sources", ListOf(SOURCE, unique=False), "Sources for the description and coordinates."),
        Field(
            "old_slugs",
            ListOf(Slug("entry")),
            "Former slugs of this entry: each old URL gets a page that redirects here, so published links keep working.",
        ),
        Field("draft", Boolean(), "true keeps the entry out of the build unless --drafts is given."),
    )
)

PAGE = Mapping(
    fields=(
        Field("title", Text(one_line=True, max_length=200), "Page title.", required=True, example="About"),
        Field("summary", Text(one_line=True), "One line description."),
        Field(
            "old_slugs",
            ListOf(Slug("entry")),
            "Former slugs of this entry: each old URL gets a page that redirects here, so published links keep working.",
        ),
        Field("draft", Boolean(), "true keeps the page out of the build unless --drafts is given."),
    )
)

PERIOD_ENTRY = Mapping(
    fields=(
        Field(
            "name",
            Text(one_line=True, max_length=200),
            "Name of the period, e.g. a phase of the conflict or a presidential term.",
            required=True,
            example="Militarisation of the conflict",
        ),
        Field(
            "series",
            Slug("series"),
            "Which periodisation it belongs to: a series declared under 'period_series' in site.yaml.",
            required=True,
            example="cvr-phase",
        ),
        Field("start", Date(), "First day (or month, or year) of the period.", required=True, example="1983-01"),
        Field("end", Date(), "Last day of the period; leave out while it lasts."),
        Field("date_note", Text(), "How the boundaries are known, or where sources differ."),
        Field("actor", Slug("actor"), "Slug of the actor the period is named after, e.g. a president."),
        Field(
            "sources",
            ListOf(SOURCE, min_items=1, unique=False, hint="add the source that gives the period's dates"),
            "At least one source for the period and its dates.",
            required=True,
            example="[{title: ..., publisher: ..., url: https://...}]",
        ),
        Field(
            "old_slugs",
            ListOf(Slug("entry")),
            "Former slugs of this entry: each old URL gets a page that redirects here, so published links keep working.",
        ),
        Field("draft", Boolean(), "true keeps the entry out of the build unless --drafts is given."),
    )
)

PERIOD = Mapping(
    fields=(
        Field(
            "start", Integer(minimum=1, maximum=9999), "First year covered; earlier events are refused.", required=True
        ),
    )
)

YEAR_RULE = Mapping(
    fields=(
        Field("from", Integer(minimum=1, maximum=9999), "First year the rule applies to.", required=True),
        Field("to", Integer(minimum=1, maximum=9999), "Last year the rule applies to.", required=True),
        Field("min", Integer(minimum=0), "Fewest events each of those years must have.", required=True),
    )
)

COVERAGE = Mapping(
    fields=(
        Field("events", Integer(minimum=0), "Fewest events the site must have."),
        Field("actors", Integer(minimum=0), "Fewest actors."),
        Field("places", Integer(minimum=0), "Fewest places."),
        Field("years", ListOf(YEAR_RULE, unique=False), "Per-year minimums: [{from: 1980, to: 2000, min: 4}]."),
        Field("sources_per_event", Integer(minimum=0), "Fewest sources each event must cite."),
        Field(
            "original_sources",
            Number(minimum=0, maximum=1),
            "Share of events that must cite at least one original (not a copy, mirror or encyclopedia): 1.0 for all.",
        ),
        Field(
            "translations",
            SlugMap(Number(minimum=0, maximum=1)),
            "Share of entries that must have a current translation, per language: {es: 1.0}.",
        ),
        Field("coordinates", Boolean(), "true: every district, town and site must have coordinates."),
    )
)

# base_url goes into every page, the feeds and the sitemap, in attributes and in text: only a plain path or
# http(s) address is accepted, so no quote, space, '<', query or fragment can reach them.
BASE_URL_PATTERN = (
    r"^(?!//)(https?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?)?(/([A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})*)*$"
)
_BASE_URL_RE = re.compile(BASE_URL_PATTERN)
_BASE_URL_CHARS = re.compile(r"[^A-Za-z0-9._~/%:-]")


def base_url_problem(name: str, text: str) -> str | None:
    """What is wrong with a base_url, with the fix; None when it is a plain path or http(s) address."""
    shown = quoted(text, 80)
    if not text.startswith(("/", "http://", "https://")):
        return f"{name} {shown} must start with '/' or be an http(s) URL, e.g. /peru-timeline/"
    if text.startswith("//"):
        return f"{name} {shown} starts with '//', which browsers read as another host's address; write the whole https:// address, or a path with one '/'"
    bad = list(dict.fromkeys(_BASE_URL_CHARS.findall(text)))
    if bad:
        return (
            f"{name} {shown} holds {', '.join(quoted(ch) for ch in bad[:5])}, which a base URL cannot; use letters, "
            "digits, - . _ ~ / and %XX escapes (no spaces, quotes, ? or #), e.g. https://example.org/peru-timeline/"
        )
    if not _BASE_URL_RE.match(text):
        return f"{name} {shown} is not a path such as /peru-timeline/ or an address such as https://example.org/peru-timeline/; fix it"
    return None


@dataclass(frozen=True)
class BaseUrl(Text):
    """Where the site is served: a plain path or http(s) address (see base_url_problem)."""

    one_line: bool = True
    label: str = "a path such as /peru-timeline/ or an http(s) URL"

    def convert(self, scalar: YScalar, name: str, ctx: Ctx) -> Any:
        text = super().convert(scalar, name, ctx)
        if text is INVALID:
            return INVALID
        problem = base_url_problem(name, text)
        return text if problem is None else ctx.error(scalar.line, problem)

    def json(self) -> dict[str, Any]:
        return {"type": "string", "pattern": BASE_URL_PATTERN}


SITE = Mapping(
    fields=(
        Field("title", Text(one_line=True), "Site title.", required=True, example="Peru's internal armed conflict"),
        Field("description", Text(), "One or two sentences for the home page and metadata."),
        Field("base_url", BaseUrl(), "Path or absolute URL the site is served under; default '/'."),
        Field("period", PERIOD, "Years covered: {start: YYYY}; the end is today."),
        Field(
            "language",
            LanguageCode(),
            "Language code of a one-language site, e.g. en or es; default en. Use 'languages' for several.",
        ),
        Field(
            "languages",
            ListOf(LanguageCode(), min_items=1),
            "Languages the site is published in, the default first: [en, es]. The others live under /<code>/.",
        ),
        Field(
            "formats",
            SlugMap(Text(one_line=True)),
            "CLDR locale for dates and numbers per language, e.g. {en: en_GB, es: es_PE}; default the language itself.",
        ),
        Field("intro", Text(), "Markdown introduction shown on the home page."),
        Field("author", Text(one_line=True), "Who maintains the site (for metadata and the footer)."),
        Field("license", Text(one_line=True), "Licence of the content, shown in the footer."),
        Field(
            "repository",
            Url(),
            "URL of the source repository (GitHub), for the 'edit this entry' and 'suggest a correction' links.",
        ),
        Field("branch", Text(one_line=True), "The repository's branch those links open; default main."),
        Field("coverage", COVERAGE, "Coverage rules checked by `build.py check --stats`."),
        Field(
            "tags",
            SlugMap(Text(one_line=True)),
            "The topics events may use, each with a one-line description; when given, other tags are errors.",
        ),
        Field(
            "tag_names",
            SlugMap(Text(one_line=True)),
            "How each topic is named on pages (the slug stays in the URL): {armed-action: armed actions}.",
        ),
        Field(
            "period_series",
            SlugMap(Text(one_line=True)),
            "The series of periods (content/periods/) and what each is: {cvr-phase: Phases of the conflict according to the CVR}.",
        ),
        Field(
            "retrospective_tags",
            ListOf(Slug("tag")),
            "Tags of events that look back on actors (trials, laws, reparations); they may name actors outside their active years.",
        ),
    )
)

SCHEMAS: dict[str, Mapping] = {
    "events": EVENT,
    "actors": ACTOR,
    "places": PLACE,
    "pages": PAGE,
    "periods": PERIOD_ENTRY,
    "site": SITE,
}


def validate(kind: str, data: YMap, path: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Check one entry's fields against its schema; None if any field is wrong."""
    checked = validate_all(kind, data, path)
    return (checked.values if checked.ok else None), checked.problems


@dataclass(frozen=True)
class Checked:
    """One entry's fields as far as they are valid, so later checks can still run on a broken entry."""

    values: dict[str, Any]  # the valid fields only, when not ok
    ok: bool
    problems: list[Problem]
    refs: list[tuple[str, Ref]]  # every slug it names: (target, ref)


def validate_all(kind: str, data: YMap, path: str) -> Checked:
    ctx = Ctx(path)
    values, ok = SCHEMAS[kind].collect(data, ctx, start_line=1)
    return Checked(values, ok, ctx.problems, ctx.refs)


def json_schema(kind: str) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one kind's front matter, for editors."""
    schema = SCHEMAS[kind].json()
    if kind != "site":
        schema["properties"]["body"] = {"type": "string", "description": "Markdown body (only in .yaml entries)."}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{kind} entry",
        **schema,
    }
