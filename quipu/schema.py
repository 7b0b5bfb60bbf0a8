"""The content schema: one declarative description per kind of entry.

The same field specs validate entries, produce the JSON Schema that editors
use, and generate the field reference in CONTRIBUTING.md, so the three can
never drift apart.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from .dates import DateError, parse_date
from .errors import Problem, did_you_mean
from .yamlsafe import YMap, YScalar, YSeq, YValue

INVALID: Any = object()
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_SLUG_RE = re.compile(SLUG_PATTERN)
_INT_RE = re.compile(r"^[+-]?[0-9]+$")
_NUM_RE = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_PLACEHOLDER = "FILL IN"
_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Ref:
    """A reference to another entry by slug, remembering where it was written."""

    slug: str
    line: int


class Ctx:
    """Where validation is: the file, for problems."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def error(self, line: int, message: str) -> Any:
        self.problems.append(Problem(self.path, line, message))
        return INVALID


def _kind_name(value: YValue) -> str:
    if isinstance(value, YSeq):
        return "a list"
    if isinstance(value, YMap):
        return "a mapping"
    return {"null": "empty", "bool": "true/false", "int": "a number", "float": "a number"}.get(value.kind, "text")


class Spec:
    """A type of value in an entry."""

    label = "value"

    def check(self, value: YValue, name: str, ctx: Ctx) -> Any:
        raise NotImplementedError

    def json(self) -> dict[str, Any]:
        raise NotImplementedError

    def scalar(self, value: YValue, name: str, ctx: Ctx) -> YScalar | None:
        if not isinstance(value, YScalar):
            ctx.error(value.line, f"'{name}' must be {self.label}, not {_kind_name(value)}")
            return None
        if value.kind == "null" and not value.quoted:
            ctx.error(value.line, f"'{name}' is empty; write {self.label} or remove the line")
            return None
        return value


@dataclass(frozen=True)
class Text(Spec):
    """Any text; numbers and yes/no are kept as the text written."""

    one_line: bool = False
    max_length: int | None = None
    label: str = "text"

    def check(self, value: YValue, name: str, ctx: Ctx) -> Any:
        scalar = self.scalar(value, name, ctx)
        if scalar is None:
            return INVALID
        text = scalar.text.strip()
        if not text:
            return ctx.error(scalar.line, f"'{name}' is empty; write the text or remove the line")
        if _PLACEHOLDER in text.upper():
            return ctx.error(scalar.line, f"'{name}' still holds a FILL IN placeholder from 'build.py new'; replace it")
        if self.one_line and "\n" in text:
            return ctx.error(scalar.line, f"'{name}' must be a single line; shorten it")
        if self.max_length and len(text) > self.max_length:
            return ctx.error(scalar.line, f"'{name}' is {len(text)} characters long; keep it under {self.max_length}")
        return text

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": ["string", "number", "boolean"]}
        if self.max_length:
            out["maxLength"] = self.max_length
        return out


@dataclass(frozen=True)
class Url(Spec):
    label: str = "an http(s) URL"

    def check(self, value: YValue, name: str, ctx: Ctx) -> Any:
        scalar = self.scalar(value, name, ctx)
        if scalar is None:
            return INVALID
        text = scalar.text.strip()
        if "FILL-IN" in text.upper():
            return ctx.error(
                scalar.line, f"'{name}' still holds a FILL-IN placeholder from 'build.py new'; put the real URL"
            )
        if not _URL_RE.match(text):
            return ctx.error(scalar.line, f"'{name}' must be an http:// or https:// URL, not '{text[:80]}'")
        return text

    def json(self) -> dict[str, Any]:
        return {"type": "string", "pattern": "^https?://", "format": "uri"}


@dataclass(frozen=True)
class Slug(Spec):
    """The slug of another entry; resolved later against the corpus."""

    target: str = "entry"
    label: str = "a slug"

    def check(self, value: YValue, name: str, ctx: Ctx) -> Any:
        scalar = self.scalar(value, name, ctx)
        if scalar is None:
            return INVALID
        text = scalar.text.strip()
        if not _SLUG_RE.match(text):
            return ctx.error(
                scalar.line,
                f"'{text}' in '{name}' is not a slug; use lowercase letters, digits and hyphens "
                f"(the file name of the {self.target} without .md)",
            )
        return Ref(text, scalar.line)

    def json(self) -> dict[str, Any]:
        return {"type": "string", "pattern": SLUG_PATTERN}


@dataclass(frozen=True)
class Choice(Spec):
    values: tuple[str, ...] = ()

    @property
    def label(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(self.values)

    def check(self, value: YValue, name: str, ctx: Ctx) -> Any:
        scalar = self.scalar(value, name, ctx)
        if scalar is None:
            return INVALID
        text = scalar.text.strip()
        if text not in self.values:
            return ctx.error(
                scalar.line,
                f"'{name}' must be one of {', '.join(self.values)}, not '{text}'"
                + did_you_mean(text, set(self.values)),
            )
        return text

    def json(self) -> dict[str, Any]:
        return {"enum": list(self.values)}


@dataclass(frozen=True)
class Integer(Spec):
    minimum: int | None = None
    maximum: int | None = None
    label: str = "a whole number"

    def check(self, value: YValue, name: str, ctx: Ctx) -> Any:
        scalar = self.scalar(value, name, ctx)
        if scalar is None:
            return INVALID
        text = scalar.text.strip().replace("_", "")
        if not _INT_RE.match(text) or len(text) > 12:
            return ctx.error(scalar.line, f"'{name}' must be a whole number, not '{scalar.text[:40]}'")
        number = int(text)
        if self.minimum is not None and number < self.minimum:
            return ctx.error(scalar.line, f"'{name}' must be at least {self.minimum}, not {number}")
        if self.maximum is not None and number > self.maximum:
            return ctx.error(scalar.line, f"'{name}' must be at most {self.maximum}, not {number}")
        return number

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


@dataclass(frozen=True)
class Number(Spec):
    minimum: float = -math.inf
    maximum: float = math.inf
    label: str = "a number"

    def check(self, value: YValue, name: str, ctx: Ctx) -> Any:
        scalar = self.scalar(value, name, ctx)
        if scalar is None:
            return INVALID
        text = scalar.text.strip()
        if not _NUM_RE.match(text):
            return ctx.error(scalar.line, f"'{name}' must be a number, not '{scalar.text[:40]}'")
        number = float(text)
        if not self.minimum <= number <= self.maximum:
            return ctx.error(
                scalar.line, f"'{name}' must be between {self.minimum:g} and {self.maximum:g}, not {number:g}"
            )
        return number

    def json(self) -> dict[str, Any]:
        return {"type": "number", "minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True)
class Boolean(Spec):
    label: str = "true or false"

    def check(self, value: YValue, name: str, ctx: Ctx) -> Any:
        scalar = self.scalar(value, name, ctx)
        if scalar is None:
            return INVALID
        if scalar.kind != "bool" or scalar.quoted:
            return ctx.error(scalar.line, f"'{name}' must be true or false, not '{scalar.text[:40]}'")
        return scalar.text.lower() in ("true", "yes", "on", "y")

    def json(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass(frozen=True)
class Date(Spec):
    label: str = "a date (YYYY, YYYY-MM or YYYY-MM-DD)"

    def check(self, value: YValue, name: str, ctx: Ctx) -> Any:
        scalar = self.scalar(value, name, ctx)
        if scalar is None:
            return INVALID
        try:
            return parse_date(scalar.text)
        except DateError as exc:
            return ctx.error(scalar.line, f"{name} {scalar.text.strip()[:40]} is not a valid date ({exc})")

    def json(self) -> dict[str, Any]:
        return {
            "type": ["string", "integer"],
            "pattern": r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$",
        }


@dataclass(frozen=True)
class ListOf(Spec):
    item: Spec = field(default_factory=Text)
    min_items: int = 0
    unique: bool = True
    hint: str = "add one"

    @property
    def label(self) -> str:  # type: ignore[override]
        return "a list"

    def check(self, value: YValue, name: str, ctx: Ctx) -> Any:
        if isinstance(value, YScalar) and value.kind == "null" and not value.quoted:
            items: list[YValue] = []
        elif not isinstance(value, YSeq):
            return ctx.error(value.line, f"'{name}' must be a list ([a, b] or '- a' lines), not {_kind_name(value)}")
        else:
            items = value.items
        if len(items) < self.min_items:
            return ctx.error(
                value.line,
                f"'{name}' needs at least {self.min_items} item{'s' if self.min_items > 1 else ''}; {self.hint}",
            )
        out = []
        seen: dict[str, int] = {}
        ok = True
        for item in items:
            checked = self.item.check(item, name, ctx)
            if checked is INVALID:
                ok = False
                continue
            key = checked.slug if isinstance(checked, Ref) else (checked if isinstance(checked, str) else None)
            if self.unique and key is not None:
                if key in seen:
                    ctx.error(item.line, f"'{key}' appears twice in '{name}' (first at line {seen[key]}); remove one")
                    ok = False
                    continue
                seen[key] = item.line
            out.append(checked)
        return out if ok else INVALID

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": self.item.json()}
        if self.min_items:
            out["minItems"] = self.min_items
        if self.unique:
            out["uniqueItems"] = True
        return out


@dataclass(frozen=True)
class SlugMap(Spec):
    """A mapping from slugs the contributor chooses to values of one type (e.g. tag → description)."""

    value: Spec = field(default_factory=Text)
    label: str = "a mapping of slug: value lines"

    def check(self, value: YValue, name: str, ctx: Ctx) -> Any:
        if not isinstance(value, YMap):
            return ctx.error(value.line, f"'{name}' must be a mapping of 'slug: text' lines, not {_kind_name(value)}")
        out: dict[str, Any] = {}
        ok = True
        for key, item in value.items.items():
            line = value.key_lines.get(key, value.line)
            if not _SLUG_RE.match(key):
                ctx.error(line, f"'{key}' in '{name}' is not a slug; use lowercase letters, digits and hyphens")
                ok = False
                continue
            checked = self.value.check(item, f"{name}.{key}", ctx)
            if checked is INVALID:
                ok = False
            else:
                out[key] = (checked, line)
        return out if ok else INVALID

    def json(self) -> dict[str, Any]:
        return {"type": "object", "propertyNames": {"pattern": SLUG_PATTERN}, "additionalProperties": self.value.json()}


@dataclass(frozen=True)
class Field:
    """One key of a mapping, documented."""

    name: str
    spec: Spec
    doc: str
    required: bool = False
    example: str = ""


@dataclass(frozen=True)
class Mapping(Spec):
    """A mapping with known keys; unknown keys are errors."""

    fields: tuple[Field, ...] = ()
    label: str = "a mapping (key: value lines)"

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def check(self, value: YValue, name: str, ctx: Ctx) -> Any:
        if not isinstance(value, YMap):
            return ctx.error(value.line, f"'{name}' must be a mapping of key: value lines, not {_kind_name(value)}")
        return self.check_map(value, ctx, value.line, prefix=f"{name}.")

    def check_map(self, value: YMap, ctx: Ctx, start_line: int, prefix: str = "") -> Any:
        known = {f.name: f for f in self.fields}
        out: dict[str, Any] = {"__lines__": dict(value.key_lines), "__line__": value.line}
        ok = True
        for key, item in value.items.items():
            line = value.key_lines.get(key, value.line)
            spec_field = known.get(key)
            if spec_field is None:
                hint = did_you_mean(key, set(known))
                ctx.error(
                    line,
                    f"unknown field '{prefix}{key}'{hint or '; remove it (known fields: ' + ', '.join(known) + ')'}",
                )
                ok = False
                continue
            checked = spec_field.spec.check(item, prefix + key, ctx)
            if checked is INVALID:
                ok = False
            else:
                out[key] = checked
        for spec_field in self.fields:
            if spec_field.required and spec_field.name not in value.items:
                example = f" (e.g. {spec_field.name}: {spec_field.example})" if spec_field.example else ""
                ctx.error(start_line, f"missing required field '{prefix}{spec_field.name}'; add it{example}")
                ok = False
        return out if ok else INVALID

    def json(self) -> dict[str, Any]:
        props = {}
        for f in self.fields:
            props[f.name] = {**f.spec.json(), "description": f.doc}
        out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
        required = [f.name for f in self.fields if f.required]
        if required:
            out["required"] = required
        return out


@dataclass(frozen=True)
class Count(Spec):
    """A head count: an exact integer or a disputed range {min, max}."""

    label: str = "a whole number or {min: N, max: M}"

    def check(self, value: YValue, name: str, ctx: Ctx) -> Any:
        if isinstance(value, YMap):
            checked = RANGE.check(value, name, ctx)
            if checked is INVALID:
                return INVALID
            low, high = checked["min"], checked["max"]
            if high < low:
                return ctx.error(value.line, f"'{name}' range is inverted: min {low} is above max {high}; swap them")
            return (low, high)
        number = Integer(minimum=0).check(value, name, ctx)
        return INVALID if number is INVALID else (number, number)

    def json(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "integer", "minimum": 0}, RANGE.json()]}


RANGE = Mapping(
    fields=(
        Field("min", Integer(minimum=0), "Lowest figure given by a credible source.", required=True),
        Field("max", Integer(minimum=0), "Highest figure given by a credible source.", required=True),
    )
)


@dataclass(frozen=True)
class Coordinates(Spec):
    label: str = "[latitude, longitude]"

    def check(self, value: YValue, name: str, ctx: Ctx) -> Any:
        if not isinstance(value, YSeq) or len(value.items) != 2:
            return ctx.error(value.line, f"'{name}' must be [latitude, longitude], e.g. [-13.16, -74.22]")
        lat = Number(-90, 90).check(value.items[0], f"{name} latitude", ctx)
        lon = Number(-180, 180).check(value.items[1], f"{name} longitude", ctx)
        if lat is INVALID or lon is INVALID:
            return INVALID
        return (lat, lon)

    def json(self) -> dict[str, Any]:
        return {
            "type": "array",
            "prefixItems": [
                {"type": "number", "minimum": -90, "maximum": 90},
                {"type": "number", "minimum": -180, "maximum": 180},
            ],
            "items": False,
            "minItems": 2,
        }


SOURCE = Mapping(
    fields=(
        Field("title", Text(), "Title of the document, article or page.", required=True, example='"Informe Final"'),
        Field("publisher", Text(), "Who published it (newspaper, agency, institution, court)."),
        Field("url", Url(), "Where to read it: an http(s) URL. Needed unless a publisher is given."),
        Field("date", Date(), "Publication date of the source, at the precision known."),
        Field("quote", Text(), "A short passage, quoted exactly, that supports the entry."),
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

COUNT_KINDS_LABELS = ("Killed", "Wounded", "Disappeared", "Captured")
ACTOR_KINDS = ("armed-group", "state-force", "government", "person", "civil-society", "international", "other")
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
        Field("part_of", Slug("actor"), "Slug of the organisation this actor belongs to."),
        Field("active", ACTIVE, "Years of activity: {from: YYYY, to: YYYY}."),
        Field("sources", ListOf(SOURCE, unique=False), "Sources for the description."),
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
        Field("aliases", ListOf(Text(one_line=True)), "Other names and spellings."),
        Field("sources", ListOf(SOURCE, unique=False), "Sources for the description and coordinates."),
        Field("draft", Boolean(), "true keeps the entry out of the build unless --drafts is given."),
    )
)

PAGE = Mapping(
    fields=(
        Field("title", Text(one_line=True, max_length=200), "Page title.", required=True, example="About"),
        Field("summary", Text(one_line=True), "One line description."),
        Field("draft", Boolean(), "true keeps the page out of the build unless --drafts is given."),
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
        Field("coordinates", Boolean(), "true: every district, town and site must have coordinates."),
    )
)

SITE = Mapping(
    fields=(
        Field("title", Text(one_line=True), "Site title.", required=True, example="Peru's internal armed conflict"),
        Field("description", Text(), "One or two sentences for the home page and metadata."),
        Field("base_url", Text(one_line=True), "Path or absolute URL the site is served under; default '/'."),
        Field("period", PERIOD, "Years covered: {start: YYYY}; the end is today."),
        Field("language", Text(one_line=True), "Language code of the content, e.g. en or es; default en."),
        Field("intro", Text(), "Markdown introduction shown on the home page."),
        Field("author", Text(one_line=True), "Who maintains the site (for metadata and the footer)."),
        Field("license", Text(one_line=True), "Licence of the content, shown in the footer."),
        Field("repository", Url(), "URL of the source repository, for 'edit this page' links."),
        Field("coverage", COVERAGE, "Coverage rules checked by `build.py check --stats`."),
        Field(
            "tags",
            SlugMap(Text(one_line=True)),
            "The topics events may use, each with a one-line description; when given, other tags are errors.",
        ),
        Field(
            "retrospective_tags",
            ListOf(Slug("tag")),
            "Tags of events that look back on actors (trials, laws, reparations); they may name actors outside their active years.",
        ),
    )
)

SCHEMAS: dict[str, Mapping] = {"events": EVENT, "actors": ACTOR, "places": PLACE, "pages": PAGE, "site": SITE}


def validate(kind: str, data: YMap, path: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Check one entry's fields against its schema; None if any field is wrong."""
    ctx = Ctx(path)
    checked = SCHEMAS[kind].check_map(data, ctx, start_line=1)
    return (None if checked is INVALID else checked), ctx.problems


def json_schema(kind: str) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one kind's front matter, for editors."""
    schema = SCHEMAS[kind].json()
    if kind in ("events", "actors", "places", "pages"):
        schema["properties"]["body"] = {"type": "string", "description": "Markdown body (only in .yaml entries)."}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{kind} entry",
        **schema,
    }
