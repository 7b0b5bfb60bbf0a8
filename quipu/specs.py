"""Value types of the content schema: how one YAML value is checked and described.

Each Spec checks a located YAML value, reports problems at its line with a fix,
and describes itself as JSON Schema; schema.py composes them into entry kinds.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from .chars import invisible_list, is_invisible
from .dates import DateError, parse_date
from .errors import Problem, did_you_mean, escaped, quoted
from .yamlsafe import YMap, YScalar, YSeq, YValue

INVALID: Any = object()
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# A slug is a URL path segment and a folder of the built site, and a file system takes at most 255
# bytes per name; 80 is what slugify() and `build.py new` give, and URLs stay readable.
MAX_SLUG_LENGTH = 80
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


# Latin letters that do not decompose into an ASCII letter and a mark.
_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d"}
    | {"Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ı": "i", "ŋ": "ng", "Ŋ": "ng"}
)


def slug_too_long(slug: str) -> str | None:
    """'is 300 characters long (at most 80)' for a slug over the limit, else None."""
    if len(slug) <= MAX_SLUG_LENGTH:
        return None
    return f"is {len(slug)} characters long (at most {MAX_SLUG_LENGTH})"


def shorten_slug(slug: str) -> str:
    """A valid slug's first words that fit the limit (a word is cut only when the first is too long)."""
    if len(slug) <= MAX_SLUG_LENGTH:
        return slug
    head = slug[:MAX_SLUG_LENGTH]
    if slug[MAX_SLUG_LENGTH] != "-" and "-" in head:  # the cut falls inside a word: leave that word out
        head = head.rsplit("-", 1)[0]
    return head.strip("-")


def slugify(text: str) -> str:
    """'Masacre de Lucanamarca' → 'masacre-de-lucanamarca'; accents are dropped, other characters separate words."""
    decomposed = unicodedata.normalize("NFKD", text).translate(_LETTERS)
    ascii_text = "".join(
        ch if ch.isascii() else "" if unicodedata.combining(ch) or unicodedata.category(ch) == "Cf" else " "
        for ch in decomposed
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")


class Ctx:
    """Where validation is: the file, for problems, and the references it met (checked later)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.refs: list[tuple[str, Ref]] = []  # (target, ref): 'actor', Ref('shining-path', 5)

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


class ScalarSpec(Spec):
    """A single value: refuses lists, mappings and empty values, then converts the text."""

    def check(self, value: YValue, name: str, ctx: Ctx) -> Any:
        scalar = self.scalar(value, name, ctx)
        return INVALID if scalar is None else self.convert(scalar, name, ctx)

    def convert(self, scalar: YScalar, name: str, ctx: Ctx) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class Text(ScalarSpec):
    """Any text; numbers and yes/no are kept as the text written."""

    one_line: bool = False
    max_length: int | None = None
    label: str = "text"

    def convert(self, scalar: YScalar, name: str, ctx: Ctx) -> Any:
        text = scalar.text.strip()
        if not text:
            return ctx.error(scalar.line, f"'{name}' is empty; write the text or remove the line")
        if is_invisible(text):
            return ctx.error(
                scalar.line,
                f"'{name}' holds only invisible characters ({invisible_list(text)}); write the text or remove the line",
            )
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


LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"
_LANGUAGE_RE = re.compile(LANGUAGE_PATTERN)


@dataclass(frozen=True)
class LanguageCode(ScalarSpec):
    """An ISO 639 language code in lower case, as used in file names (lucanamarca.es.md)."""

    label: str = "a language code such as en or es"

    def convert(self, scalar: YScalar, name: str, ctx: Ctx) -> Any:
        text = scalar.text.strip()
        if not _LANGUAGE_RE.match(text):
            return ctx.error(
                scalar.line,
                f"'{name}' must be a language code of two or three lowercase letters such as en, es or es-PE, not {quoted(text, 40)}",
            )
        return text

    def json(self) -> dict[str, Any]:
        return {"type": "string", "pattern": LANGUAGE_PATTERN}


@dataclass(frozen=True)
class Url(ScalarSpec):
    label: str = "an http(s) URL"

    def convert(self, scalar: YScalar, name: str, ctx: Ctx) -> Any:
        text = scalar.text.strip()
        if "FILL-IN" in text.upper():
            return ctx.error(
                scalar.line, f"'{name}' still holds a FILL-IN placeholder from 'build.py new'; put the real URL"
            )
        if not _URL_RE.match(text):
            return ctx.error(scalar.line, f"'{name}' must be an http:// or https:// URL, not {quoted(text, 80)}")
        return text

    def json(self) -> dict[str, Any]:
        return {"type": "string", "pattern": "^https?://", "format": "uri"}


@dataclass(frozen=True)
class Slug(ScalarSpec):
    """The slug of another entry; resolved later against the corpus."""

    target: str = "entry"
    label: str = "a slug"

    def convert(self, scalar: YScalar, name: str, ctx: Ctx) -> Any:
        text = scalar.text.strip()
        if not _SLUG_RE.match(text):
            suggestion = slugify(text)
            fix = (
                f"did you mean '{suggestion}'? (a slug is"
                if suggestion
                else "use lowercase letters, digits and hyphens (a slug is"
            )
            what = (
                "the topic's key under 'tags:' in site.yaml"
                if self.target == "tag"
                else f"the file name of the {self.target} without .md"
            )
            return ctx.error(scalar.line, f"{quoted(text)} in '{name}' is not a slug; {fix} {what})")
        too_long = slug_too_long(text)
        if too_long:
            return ctx.error(
                scalar.line,
                f"{quoted(text)} in '{name}' {too_long}; shorten it, e.g. to {quoted(shorten_slug(text), None)}",
            )
        ref = Ref(text, scalar.line)
        ctx.refs.append((self.target, ref))
        return ref

    def json(self) -> dict[str, Any]:
        return {"type": "string", "pattern": SLUG_PATTERN, "maxLength": MAX_SLUG_LENGTH}


@dataclass(frozen=True)
class Choice(ScalarSpec):
    values: tuple[str, ...] = ()

    @property
    def label(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(self.values)

    def convert(self, scalar: YScalar, name: str, ctx: Ctx) -> Any:
        text = scalar.text.strip()
        if text not in self.values:
            return ctx.error(
                scalar.line,
                f"'{name}' must be one of {', '.join(self.values)}, not {quoted(text)}"
                + did_you_mean(text, set(self.values)),
            )
        return text

    def json(self) -> dict[str, Any]:
        return {"enum": list(self.values)}


@dataclass(frozen=True)
class Integer(ScalarSpec):
    minimum: int | None = None
    maximum: int | None = None
    label: str = "a whole number"

    def convert(self, scalar: YScalar, name: str, ctx: Ctx) -> Any:
        text = scalar.text.strip().replace("_", "")
        if scalar.quoted and _INT_RE.match(text):
            return ctx.error(
                scalar.line,
                f"'{name}' must be a whole number, not the text {quoted(scalar.text, 40)}; remove the quotes",
            )
        if not _INT_RE.match(text) or len(text) > 12:
            return ctx.error(scalar.line, f"'{name}' must be a whole number, not {quoted(scalar.text, 40)}")
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
class Number(ScalarSpec):
    minimum: float = -math.inf
    maximum: float = math.inf
    label: str = "a number"

    def convert(self, scalar: YScalar, name: str, ctx: Ctx) -> Any:
        text = scalar.text.strip()
        if scalar.quoted and _NUM_RE.match(text):
            return ctx.error(
                scalar.line, f"'{name}' must be a number, not the text {quoted(scalar.text, 40)}; remove the quotes"
            )
        if not _NUM_RE.match(text):
            return ctx.error(scalar.line, f"'{name}' must be a number, not {quoted(scalar.text, 40)}")
        number = float(text)
        if not self.minimum <= number <= self.maximum:
            return ctx.error(
                scalar.line, f"'{name}' must be between {self.minimum:g} and {self.maximum:g}, not {number:g}"
            )
        return number

    def json(self) -> dict[str, Any]:
        return {"type": "number", "minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True)
class Boolean(ScalarSpec):
    label: str = "true or false"

    def convert(self, scalar: YScalar, name: str, ctx: Ctx) -> Any:
        if scalar.kind != "bool" or scalar.quoted:
            return ctx.error(scalar.line, f"'{name}' must be true or false, not {quoted(scalar.text, 40)}")
        return scalar.text.lower() in ("true", "yes", "on", "y")

    def json(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass(frozen=True)
class Date(ScalarSpec):
    label: str = "a date (YYYY, YYYY-MM or YYYY-MM-DD)"

    def convert(self, scalar: YScalar, name: str, ctx: Ctx) -> Any:
        try:
            return parse_date(scalar.text)
        except DateError as exc:
            return ctx.error(scalar.line, f"{name} {escaped(scalar.text.strip(), 40)} is not a valid date ({exc})")

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
                    ctx.error(
                        item.line, f"{quoted(key)} appears twice in '{name}' (first at line {seen[key]}); remove one"
                    )
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
                ctx.error(line, f"{quoted(key)} in '{name}' is not a slug; use lowercase letters, digits and hyphens")
                ok = False
                continue
            too_long = slug_too_long(key)
            if too_long:
                ctx.error(
                    line, f"{quoted(key)} in '{name}' {too_long}; shorten it, e.g. to {quoted(shorten_slug(key), None)}"
                )
                ok = False
                continue
            checked = self.value.check(item, f"{name}.{key}", ctx)
            if checked is INVALID:
                ok = False
            else:
                out[key] = (checked, line)
        return out if ok else INVALID

    def json(self) -> dict[str, Any]:
        return {
            "type": "object",
            "propertyNames": {"pattern": SLUG_PATTERN, "maxLength": MAX_SLUG_LENGTH},
            "additionalProperties": self.value.json(),
        }


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
        out, ok = self.collect(value, ctx, start_line, prefix)
        return out if ok else INVALID

    def collect(self, value: YMap, ctx: Ctx, start_line: int, prefix: str = "") -> tuple[dict[str, Any], bool]:
        """Every valid field (wrong ones left out), and whether all were valid: lets later checks still run."""
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
                    f"unknown field {quoted(prefix + key)}{hint or '; remove it (known fields: ' + ', '.join(known) + ')'}",
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
        return out, ok

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
