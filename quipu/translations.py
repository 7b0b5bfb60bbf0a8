"""Translations: sibling files that hold only an entry's text in another language.

`content/events/1983/lucanamarca-massacre.es.md` translates the text fields of
`lucanamarca-massacre.md` (title, summary, date_note, the casualty note and
the body); dates, references, figures and sources stay single-sourced in the
base entry. A translation records which version of the base text it
translates (`translates: title=3f2a9c body=81d0e4`), so that a later change
to the base is reported as a stale translation, naming the fields that changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, replace
from typing import Any

from .errors import Problem, did_you_mean, quoted
from .model import Actor, Entry, Event, Page, Period, Place, SiteConfig
from .schema import ACTOR, EVENT, PAGE, PERIOD_ENTRY, PLACE, SITE
from .source import RawEntry
from .specs import INVALID, Ctx, Field, Mapping, SlugMap, Text
from .text import LINK_KINDS, body_problems, find_links, placeholder_problem
from .yamlsafe import YMap

# The text fields of each kind, in the order `translates:` lists them. 'body' is the Markdown body.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "events": ("title", "summary", "date_note", "casualties.note", "body"),
    "actors": ("name", "body"),
    "places": ("name", "body"),
    "pages": ("title", "summary", "body"),
    "periods": ("name", "date_note", "body"),
    "site": ("title", "description", "intro", "tags", "tag_names", "period_series"),
}
# Fields a translation must have whenever the base has them (names of people and places may stay as they are).
OPTIONAL_IN_TRANSLATION = {"name"}
HASH_LENGTH = 6

TRANSLATES = Field(
    "translates",
    Text(one_line=True),
    "Which version of the base text this translates, as written by `build.py new translation`; update it after revising.",
)


def _field(schema: Mapping, name: str, required: bool = False) -> Field:
    found = next(f for f in schema.fields if f.name == name)
    return replace(found, required=required)


TRANSLATION_SCHEMAS: dict[str, Mapping] = {
    "events": Mapping(
        fields=(
            _field(EVENT, "title", required=True),
            _field(EVENT, "summary"),
            _field(EVENT, "date_note"),
            Field(
                "casualties",
                Mapping(fields=(Field("note", Text(), "Who counted, and what is disputed, translated."),)),
                "Only the casualty note; the figures stay in the base entry.",
            ),
            TRANSLATES,
        )
    ),
    "actors": Mapping(
        fields=(replace(_field(ACTOR, "name"), doc="Name in this language, when it differs."), TRANSLATES)
    ),
    "places": Mapping(
        fields=(replace(_field(PLACE, "name"), doc="Name in this language, when it differs."), TRANSLATES)
    ),
    "pages": Mapping(fields=(_field(PAGE, "title", required=True), _field(PAGE, "summary"), TRANSLATES)),
    "periods": Mapping(
        fields=(
            replace(_field(PERIOD_ENTRY, "name", required=True), doc="Name of the period in this language."),
            _field(PERIOD_ENTRY, "date_note"),
            TRANSLATES,
        )
    ),
    "site": Mapping(
        fields=(
            _field(SITE, "title", required=True),
            _field(SITE, "description"),
            _field(SITE, "intro"),
            Field("tags", SlugMap(Text(one_line=True)), "The description of each declared topic, translated."),
            Field(
                "period_series",
                SlugMap(Text(one_line=True)),
                "The description of each declared series of periods, translated.",
            ),
            Field(
                "tag_names",
                SlugMap(Text(one_line=True)),
                "How each topic is named in this language (the slug stays in the URL): {massacre: masacres}.",
            ),
            TRANSLATES,
        )
    ),
}
BASE_SCHEMAS = {"events": EVENT, "actors": ACTOR, "places": PLACE, "pages": PAGE, "periods": PERIOD_ENTRY, "site": SITE}


@dataclass(frozen=True)
class Translation:
    """The validated text of one entry in one language."""

    kind: str
    slug: str
    language: str
    path: str
    texts: dict[str, str]  # field name (as in TEXT_FIELDS, without 'body') → text
    maps: dict[str, dict[str, str]]  # site translations only: tags, tag_names, period_series by slug
    body: str
    body_line: int
    lines: dict[str, int]
    translates: str | None

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


# The site's text fields that are mappings of a slug to a line of text.
SITE_MAPPINGS = ("tags", "tag_names", "period_series")


def _mapping_text(mapping: AbcMapping[str, str]) -> str | None:
    """A slug → text mapping as one text ('slug: text' lines, sorted), so it can be compared and fingerprinted."""
    return "\n".join(f"{k}: {v}" for k, v in sorted(mapping.items())) or None


def base_texts(entry: Entry | SiteConfig) -> dict[str, str]:
    """The base's text fields that a translation must follow, by name ('body' included)."""
    out: dict[str, str] = {}
    if isinstance(entry, SiteConfig):
        values: dict[str, str | None] = {
            "title": entry.title,
            "description": entry.description,
            "intro": entry.intro,
            **{name: _mapping_text(getattr(entry, name)) for name in SITE_MAPPINGS},
        }
    elif isinstance(entry, Event):
        values = {
            "title": entry.title,
            "summary": entry.summary,
            "date_note": entry.date_note,
            "casualties.note": entry.casualties.note if entry.casualties else None,
            "body": entry.body,
        }
    elif isinstance(entry, Actor | Place):
        values = {"name": entry.name, "body": entry.body}
    elif isinstance(entry, Period):
        values = {"name": entry.name, "date_note": entry.date_note, "body": entry.body}
    else:
        assert isinstance(entry, Page)
        values = {"title": entry.title, "summary": entry.summary, "body": entry.body}
    for key, value in values.items():
        if value is not None and value.strip():
            out[key] = value.strip() if key != "body" else value.strip("\n")
    return out


def fingerprint(texts: AbcMapping[str, str], kind: str) -> str:
    """`title=3f2a9c body=81d0e4`: a short hash per text field, so a change can be named field by field."""
    parts = []
    for name in TEXT_FIELDS[kind]:
        if name in texts:
            digest = hashlib.sha256(texts[name].encode("utf-8")).hexdigest()[:HASH_LENGTH]
            parts.append(f"{name}={digest}")
    return " ".join(parts)


def changed_fields(recorded: str, current: str, kind: str) -> list[str]:
    """Names of the fields whose hash differs between two fingerprints (added and removed fields too), in field order."""
    old = dict(part.split("=", 1) for part in recorded.split() if "=" in part)
    new = dict(part.split("=", 1) for part in current.split() if "=" in part)
    order = {name: i for i, name in enumerate(TEXT_FIELDS[kind])}
    changed = [k for k in old.keys() | new.keys() if old.get(k) != new.get(k)]
    return sorted(changed, key=lambda k: (order.get(k, len(order)), k))


@dataclass(frozen=True)
class Bases:
    """What translations are checked against: the base entries by kind and slug, and the site."""

    entries: dict[str, dict[str, Entry]]
    site: SiteConfig
    broken: dict[str, set[str]]  # base entries with errors of their own: their translations are not judged


def validate_translation(raw: RawEntry, bases: Bases) -> tuple[Translation | None, list[Problem]]:
    """Check one translation file: its language, its base, its keys, its text; None if it cannot be used."""
    problems: list[Problem] = []
    site = bases.site
    language = raw.language or ""
    kind = raw.kind
    base_file = _base_name(raw)
    if language not in site.languages:
        hint = did_you_mean(language, set(site.languages))
        return None, [
            Problem(
                raw.path,
                1,
                f"{quoted(language)} is not one of the site's languages ({', '.join(site.languages)}){hint}; "
                f"rename the file, or add the language to 'languages' in {site.path}",
            )
        ]
    if language == site.language:
        return None, [
            Problem(
                raw.path,
                1,
                f"{quoted(language)} is the site's default language, whose text is the base entry {base_file} itself; "
                "move this text there and remove this file",
            )
        ]
    base: Entry | SiteConfig | None
    if kind == "site":
        base = site
    else:
        base = bases.entries.get(kind, {}).get(raw.slug)
        if base is None:
            if raw.slug in bases.broken.get(kind, set()):
                return None, []  # the base's own errors are reported; this one waits for it
            hint = did_you_mean(raw.slug, set(bases.entries.get(kind, {})))
            return None, [
                Problem(
                    raw.path,
                    1,
                    f"this translation has no base entry: {base_file} does not exist{hint}; "
                    "rename the file to '<slug of the entry>.<language>.md' or create the base entry first",
                )
            ]
        if kind == "events" and base.path.rsplit("/", 2)[-2] != raw.folder:
            return None, [Problem(raw.path, 1, f"the base entry is {base.path}; move this translation next to it")]

    ctx = Ctx(raw.path)
    base_schema = BASE_SCHEMAS[kind]
    schema = TRANSLATION_SCHEMAS[kind]
    translatable = set(schema.field_names())
    structured = YMap(items={}, line=raw.data.line)
    for key, value in raw.data.items.items():
        line = raw.data.key_lines.get(key, raw.data.line)
        if key not in translatable and key in base_schema.field_names():
            problems.append(
                Problem(
                    raw.path,
                    line,
                    f"'{key}' is not translated: dates, slugs, references, figures and sources stay in the base entry "
                    f"({base.path}); remove it here (a translation holds only {_text_list(kind)})",
                )
            )
            continue
        if key == "casualties" and isinstance(value, YMap):
            for inner in value.items:
                if inner != "note":
                    problems.append(
                        Problem(
                            raw.path,
                            value.key_lines.get(inner, line),
                            f"'casualties.{inner}' is not translated: the figures stay in the base entry; "
                            "a translation holds only casualties.note",
                        )
                    )
            value = YMap(
                items={k: v for k, v in value.items.items() if k == "note"},
                key_lines={k: v for k, v in value.key_lines.items() if k == "note"},
                line=value.line,
            )
        structured.items[key] = value
        structured.key_lines[key] = line
    checked = schema.check_map(structured, ctx, start_line=1)
    problems += ctx.problems
    if raw.kind != "site":
        for at, message in body_problems(raw.body, raw.body_line):
            problems.append(Problem(raw.path, at, message))
        placeholder = placeholder_problem(raw.body, raw.body_line)
        if placeholder is not None:
            problems.append(Problem(raw.path, placeholder[0], placeholder[1]))
        problems += _link_problems(raw.path, raw.body, raw.body_line, bases)
    if checked is INVALID:
        return None, problems

    texts: dict[str, str] = {}
    for name in ("title", "summary", "date_note", "name", "description", "intro"):
        if name in checked:
            texts[name] = checked[name]
    if "casualties" in checked and "note" in checked["casualties"]:
        texts["casualties.note"] = checked["casualties"]["note"]
    maps = {name: {k: v for k, (v, _line) in checked[name].items()} for name in SITE_MAPPINGS if name in checked}
    for name, values in maps.items():
        texts[name] = _mapping_text(values) or ""
    if raw.kind == "site" and "intro" in texts:
        line = raw.data.key_lines.get("intro", 1)
        for at, message in body_problems(texts["intro"], line):
            problems.append(Problem(raw.path, at, message))
        problems += _link_problems(raw.path, texts["intro"], line + 1, bases)

    wanted = base_texts(base)
    for name in TEXT_FIELDS[kind]:
        if name in wanted and name not in OPTIONAL_IN_TRANSLATION:
            present = bool(raw.body.strip()) if name == "body" else name in texts
            if not present:
                shown = "the body (the text after the closing '---')" if name == "body" else f"'{name}'"
                problems.append(
                    Problem(
                        raw.path,
                        raw.body_line if name == "body" else 1,
                        f"the base entry has {shown} but this translation does not; translate it here",
                    )
                )
    declared_maps = (
        ("tags", site.tags, "tag"),
        ("tag_names", site.tags, "tag"),
        ("period_series", site.period_series, "series"),
    )
    for mapping, declared, what in declared_maps:
        if raw.kind != "site" or mapping not in checked:
            continue
        missing = sorted(set(declared) - set(checked[mapping]))
        if missing and mapping != "tag_names":  # a topic without a translated name keeps its slug
            problems.append(
                Problem(
                    raw.path,
                    raw.data.key_lines.get(mapping, 1),
                    f"{mapping} without a translation: {', '.join(missing)}; add them",
                )
            )
        for slug in sorted(set(checked[mapping]) - set(declared)):
            problems.append(
                Problem(
                    raw.path,
                    checked[mapping][slug][1],
                    f"{what} '{slug}' is not declared in {site.path}{did_you_mean(slug, set(declared))}; fix or remove it",
                )
            )
    translation = Translation(
        kind,
        raw.slug,
        language,
        raw.path,
        texts,
        maps,
        raw.body,
        raw.body_line,
        dict(raw.data.key_lines),
        checked.get("translates"),
    )
    if any(p.severity == "error" for p in problems):
        return None, problems
    return translation, problems + staleness(translation, base)


def staleness(translation: Translation, base: Entry | SiteConfig) -> list[Problem]:
    """A warning when the base text changed since the translation was made (or it does not say)."""
    current = fingerprint(base_texts(base), translation.kind)
    base_path = base.path
    if translation.translates is None:
        return [
            Problem(
                translation.path,
                1,
                f"no 'translates:' line, so a later change to {base_path} cannot be detected; "
                f"after checking it against the base, add: translates: {current}",
                "warning",
            )
        ]
    if translation.translates != current:
        changed = changed_fields(translation.translates, current, translation.kind)
        return [
            Problem(
                translation.path,
                translation.line_of("translates"),
                f"stale translation: {base_path} changed since it was translated ({', '.join(changed) or 'format'}); "
                f"update the translation, then set translates: {current}",
                "warning",
            )
        ]
    return []


def is_current(translation: Translation, base: Entry | SiteConfig) -> bool:
    return translation.translates == fingerprint(base_texts(base), translation.kind)


def _text_list(kind: str) -> str:
    names = [n for n in TEXT_FIELDS[kind] if n != "body"]
    return ", ".join(names) + (" and the body" if "body" in TEXT_FIELDS[kind] else "")


def _base_name(raw: RawEntry) -> str:
    """The base entry's file as the contributor would write it, for messages."""
    if raw.kind == "site":
        return raw.path.rsplit("/", 1)[0] + "/site.yaml"
    folder, name = raw.path.rsplit("/", 1)
    suffix = name.rsplit(".", 1)[1]
    return f"{folder}/{raw.slug}.{suffix}"


def _link_problems(path: str, body: str, body_line: int, bases: Bases) -> list[Problem]:
    problems = []
    for kind, slug, line in find_links(body, body_line):
        if kind not in LINK_KINDS:
            hint = did_you_mean(kind, set(LINK_KINDS))
            problems.append(
                Problem(
                    path,
                    line,
                    f"link '@{kind}/{slug}' has an unknown kind '{kind}'{hint or '; use @events/, @actors/, @places/ or @pages/'}",
                )
            )
        elif slug not in bases.entries.get(kind, {}) and slug not in bases.broken.get(kind, set()):
            hint = did_you_mean(slug, set(bases.entries.get(kind, {})))
            problems.append(
                Problem(
                    path,
                    line,
                    f"unknown {kind[:-1]} '{slug}'{hint or f'; create content/{kind}/{slug}.md or fix the slug'}",
                )
            )
    return problems


def localize_entry(entry: Entry, translation: Translation | None, default_language: str) -> Entry:
    """The entry with its text in the translation's language, or marked as being in the default language."""
    if translation is None:
        return replace(entry, lang=default_language, base_path=entry.path)
    t = translation.texts
    changes: dict[str, Any] = {
        "body": translation.body,
        "body_line": translation.body_line,
        "path": translation.path,
        "lang": translation.language,
        "base_path": entry.path,
    }
    if isinstance(entry, Event):
        changes.update(title=t["title"], summary=t.get("summary"), date_note=t.get("date_note"))
        if entry.casualties is not None:
            changes["casualties"] = replace(entry.casualties, note=t.get("casualties.note"))
    elif isinstance(entry, Actor | Place):
        changes["name"] = t.get("name", entry.name)
    elif isinstance(entry, Period):
        changes.update(name=t["name"], date_note=t.get("date_note"))
    elif isinstance(entry, Page):
        changes.update(title=t["title"], summary=t.get("summary"))
    return replace(entry, **changes)


def localize_site(site: SiteConfig, translation: Translation | None) -> SiteConfig:
    """The site's texts in the translation's language; a topic without a translated name shows its slug."""
    if translation is None:
        return site
    t, maps = translation.texts, translation.maps
    return replace(
        site,
        title=t["title"],
        description=t.get("description"),
        intro=t.get("intro"),
        tags=maps.get("tags", site.tags),
        period_series=maps.get("period_series", site.period_series),
        tag_names=maps.get("tag_names", {}),
        lang=translation.language,
    )


def translation_json_schema(kind: str) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a translation file of one kind, for editors."""
    schema = TRANSLATION_SCHEMAS[kind].json()
    if kind != "site":
        schema["properties"]["body"] = {"type": "string", "description": "Markdown body (only in .yaml translations)."}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"translation of a {kind} entry" if kind != "site" else "translation of site.yaml",
        **schema,
    }
