"""`build.py new`: write a correctly placed entry with every field, commented."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TextIO

import yaml

from .chars import first_refused, refusal
from .dates import DateError, parse_date
from .errors import quoted
from .schema import ACTOR_KINDS, EVENT, PLACE_KINDS
from .source import SLUG_RE
from .specs import INVALID, Ctx, slugify
from .yamlsafe import YScalar

TITLE = next(f.spec for f in EVENT.fields if f.name == "title")  # actors' and places' names follow the same rule

EVENT_TEMPLATE = """\
---
# What happened, in a few words.
title: {title}
# When: YYYY, YYYY-MM or YYYY-MM-DD, only as precise as the sources allow.
date: {date}
# When it ended, for events that lasted (same forms); remove if not needed.
# end_date: {date}
# How the date is known, e.g. "The communiqué did not give the date."
# date_note:
# Slugs of files in content/places/ and content/actors/.
places: []
actors: []
# Lowercase topic slugs, e.g. [massacre, vraem].
tags: []
# Slugs of closely related events.
related: []
# Who was held responsible, and by whom (a commission, a court), with the number of the source that says so.
# responsible:
#   - {{actor: slug, according_to: "the CVR's Final Report", source: 1}}
# Head counts: a number, or {{min: N, max: M}} when sources disagree.
# casualties:
#   killed: {{min: 0, max: 0}}
#   note: Who counted, and what is disputed.
# At least one source you have read; each needs a url or a publisher.
sources:
  - title: FILL IN the title of the article, report or ruling
    publisher: FILL IN who published it
    url: https://FILL-IN.example/the-page-you-read
    # When you read a copy (Scribd, an archive, a mirror): its address; url above is then the original's, if known.
    # read_at: https://...
    # Where in a long document: volume, chapter, page.
    # locator: Tomo V, capítulo 2.6
    # date: YYYY-MM-DD
# One line for lists (default: the first sentence of the text below).
# summary:
# Former slugs of this entry, after a rename: their URLs redirect here.
# old_slugs: []
# true keeps the entry out of the build until it is ready.
draft: false
# Below: 60-250 words in your own words (what happened, who was responsible
# according to whom, why it matters). Link other entries with
# [text](@actors/slug), [text](@places/slug) or [text](@events/slug).
---
FILL IN the text of the entry.
"""

ACTOR_TEMPLATE = """\
---
# Name in English, or the person's full name.
name: {title}
# One of: {kinds}
kind: {kind}
# Other names: the Spanish name, acronyms, noms de guerre.
aliases: []
# How the name is alphabetised, surnames first for people (e.g. "Guzmán Reynoso, Manuel Abimael").
# sort_name:
# Slug of the organisation this actor belongs to, e.g. shining-path.
# part_of:
# Years of activity; leave out 'to' if still active.
# active: {{from: 1980, to: 1992}}
sources:
  - title: FILL IN the title of the source
    publisher: FILL IN who published it
    url: https://FILL-IN.example/the-page-you-read
draft: false
---
A short, neutral description (40-150 words) in your own words.
"""

PLACE_TEMPLATE = """\
---
# Name with its Spanish diacritics.
name: {title}
# One of: {kinds}
kind: {kind}
# Slug of the place that contains this one (e.g. the province of a district).
# within:
# Slugs of regions (places of kind region) it also belongs to, e.g. [vraem].
regions: []
# [latitude, longitude] in decimal degrees; south and west are negative, from a source that gives them.
# coordinates: [-12.0, -74.0]
# How closely they locate it: exact, settlement, district, province, department or area.
# coordinates_precision: settlement
# When only a larger place's coordinates could be sourced: that place's slug.
# coordinates_of:
aliases: []
sources:
  - title: FILL IN the title of the source
    publisher: FILL IN who published it
    url: https://FILL-IN.example/the-page-you-read
draft: false
---
One or two sentences: what this place is and why it matters here.
"""


def _yaml_text(text: str) -> str:
    """The title as a double-quoted YAML scalar, which reads back as exactly this text."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") + '"'


def title_problem(title: str) -> str | None:
    """Why `check` would refuse this title (or name), in its words; None when it would take it."""
    if "\n" in title:
        return "the title must be a single line; give it on one line"
    bad = first_refused(title)
    if bad is not None:
        what, fix = refusal(title[bad])
        if 0xD800 <= ord(title[bad]) <= 0xDFFF:
            fix = "the terminal did not send UTF-8; set it to UTF-8 (or pass --slug and fix the title in the file)"
        return f"the title holds {what} at column {bad + 1}; {fix}"
    ctx = Ctx("title")
    if TITLE.check(YScalar(title, "str", 1, quoted=True), "title", ctx) is INVALID:
        return ctx.problems[0].message
    return None


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.kind == "translation":
        return new_translation(args.content, args.title, args.language, out, err)
    problem = title_problem(args.title)
    if problem is not None:
        print(f"error: {problem}", file=err)
        return 2
    if args.slug is not None and not SLUG_RE.match(args.slug):
        suggestion = slugify(args.slug)
        such_as = f", such as {quoted(suggestion)}" if suggestion else ""
        print(
            f"error: {quoted(args.slug)} is not a valid slug for --slug; "
            f"use lowercase letters, digits and single hyphens{such_as}",
            file=err,
        )
        return 2
    slug = args.slug or slugify(args.title)
    if not slug or not SLUG_RE.match(slug):
        print(f"error: cannot make a slug from the title {quoted(args.title)}; pass --slug lowercase-words", file=err)
        return 2
    content: Path = args.content
    if args.kind == "event":
        if not args.date:
            print("error: an event needs --date YYYY, YYYY-MM or YYYY-MM-DD", file=err)
            return 2
        try:
            start = parse_date(args.date)
        except DateError as exc:
            print(f"error: --date: {exc}", file=err)
            return 2
        existing = list((content / "events").glob(f"*/{slug}.md"))
        if existing:
            print(f"error: {existing[0]} already exists; choose another --slug", file=err)
            return 1
        target = content / "events" / f"{start.year:04d}" / f"{slug}.md"
        text = EVENT_TEMPLATE.format(title=_yaml_text(args.title), date=start.iso())
    else:
        kinds = ACTOR_KINDS if args.kind == "actor" else PLACE_KINDS
        kind = args.entry_kind or ("person" if args.kind == "actor" else "town")
        if kind not in kinds:
            print(f"error: --kind must be one of {', '.join(kinds)}", file=err)
            return 2
        folder = "actors" if args.kind == "actor" else "places"
        target = content / folder / f"{slug}.md"
        template = ACTOR_TEMPLATE if args.kind == "actor" else PLACE_TEMPLATE
        text = template.format(title=_yaml_text(args.title), kind=kind, kinds=", ".join(kinds))
    if target.exists():
        print(f"error: {target} already exists; choose another --slug", file=err)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}: replace every FILL IN, then run: python build.py check", file=out)
    return 0


TRANSLATION_HEAD = """\
---
# {language} translation of {base}. Translate the text of every field below and the body;
# dates, places, actors, figures and sources stay in the base entry and are not repeated here.
# 'translates' records which version of the base text this translates: leave it as it is.
"""


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line text as a literal block (|), the way contributors write it by hand."""


def _text_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _text_representer)


def new_translation(content: Path, entry: str, language: str | None, out: TextIO, err: TextIO) -> int:
    """Write <slug>.<language>.md beside the base entry, with the base's text as the starting point."""
    from .errors import Problem
    from .kinds import KINDS
    from .model import Entry, SiteConfig, build_site
    from .schema import validate
    from .source import find_files, read_entry, read_site_file
    from .translations import TEXT_FIELDS, base_texts, fingerprint

    if not language:
        print("error: name the language: build.py new translation events/<slug> es", file=err)
        return 2
    kind, _, slug = entry.partition("/")
    if entry == "site":
        kind, slug = "site", "site"
    if kind not in (*KINDS, "site") or not slug:
        print(f"error: name the entry as <kind>/<slug> (kinds: {', '.join(KINDS)}) or 'site', not '{entry}'", file=err)
        return 2
    site_raw = read_site_file(content)
    if isinstance(site_raw, Problem):
        print(site_raw.format(), file=err)
        return 1
    values, problems = validate("site", site_raw.data, site_raw.path)
    site = build_site(values, site_raw.path, None)[0] if values is not None else None
    if site is None:
        for problem in problems:
            print(problem.format(), file=err)
        return 1
    if language not in site.languages[1:]:
        print(
            f"error: {quoted(language)} is not one of the site's other languages ({', '.join(site.languages[1:])}); "
            f"add it to 'languages' in {site.path}",
            file=err,
        )
        return 2
    base: Entry | SiteConfig
    if kind == "site":
        base, base_path = site, content / "site.yaml"
        target = content / f"site.{language}.yaml"
    else:
        files, _problems = find_files(content)
        found = [f for f in files if f.kind == kind and f.slug_and_language == (slug, None)]
        if not found:
            print(f"error: no {KINDS[kind].singular} '{slug}' in {content / kind}; check the slug", file=err)
            return 1
        raw = read_entry(found[0])
        if isinstance(raw, Problem):
            print(raw.format(), file=err)
            return 1
        checked, problems = validate(kind, raw.data, raw.path)
        built = KINDS[kind].build(raw, checked, site, date.today())[0] if checked is not None else None
        if built is None:
            for problem in problems:
                print(problem.format(), file=err)
            print("error: fix the base entry first", file=err)
            return 1
        base, base_path = built, found[0].path
        suffix = ".yaml" if base_path.suffix != ".md" else ".md"
        target = base_path.with_name(f"{slug}.{language}{suffix}")
    texts = base_texts(base)
    if target.exists():
        print(
            f"error: {target} already exists; edit it, then set translates: {fingerprint(texts, kind)}",
            file=err,
        )
        return 1
    fields: dict[str, object] = {}
    for name in TEXT_FIELDS[kind]:
        if name in ("body", "tags") or name not in texts:
            continue
        if name == "casualties.note":
            fields["casualties"] = {"note": texts[name]}
        else:
            fields[name] = texts[name]
    if kind == "site" and isinstance(base, SiteConfig) and base.tags:
        fields["tags"] = dict(base.tags)
        fields["tag_names"] = {slug: slug for slug in base.tags}
    fields["translates"] = fingerprint(texts, kind)
    if kind == "site":  # no body to hold the reminder: the title holds it, so check fails until translated
        fields["title"] = f"FILL IN (translate every text below) {fields['title']}"
    head = TRANSLATION_HEAD.format(language=language, base=base_path.as_posix())
    front = yaml.dump(fields, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=10_000)
    note = "FILL IN: translate the text below into the new language, then remove this line."
    if kind == "site" or target.suffix == ".yaml":
        body = texts.get("body", "")
        text = (
            head[len("---\n") :]
            + front
            + (f"body: |\n  {note}\n" + "".join(f"  {line}\n" for line in body.split("\n")) if body else f"# {note}\n")
        )
    else:
        text = head + front + "---\n" + note + "\n\n" + texts.get("body", "") + "\n"
    target.write_text(text, encoding="utf-8")
    print(
        f"wrote {target}: translate every field and the body, remove the FILL IN line, then run: python build.py check",
        file=out,
    )
    return 0
