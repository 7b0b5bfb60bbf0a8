"""`build.py new`: write a correctly placed entry with every field, commented."""

from __future__ import annotations

import argparse
import re
import unicodedata
from pathlib import Path
from typing import TextIO

from .dates import DateError, parse_date
from .schema import ACTOR_KINDS, PLACE_KINDS
from .source import SLUG_RE

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
# Head counts: a number, or {{min: N, max: M}} when sources disagree.
# casualties:
#   killed: {{min: 0, max: 0}}
#   note: Who counted, and what is disputed.
# At least one source you have read; each needs a url or a publisher.
sources:
  - title: FILL IN the title of the article, report or ruling
    publisher: FILL IN who published it
    url: https://FILL-IN.example/the-page-you-read
    # date: YYYY-MM-DD
# One line for lists (default: the first sentence of the text below).
# summary:
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
# [latitude, longitude] in decimal degrees; south and west are negative.
# coordinates: [-12.0, -74.0]
aliases: []
sources:
  - title: FILL IN the title of the source
    publisher: FILL IN who published it
    url: https://FILL-IN.example/the-page-you-read
draft: false
---
One or two sentences: what this place is and why it matters here.
"""


def slugify(text: str) -> str:
    """'Masacre de Lucanamarca' → 'masacre-de-lucanamarca'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")


def _yaml_text(text: str) -> str:
    """Quote a value when YAML would read it as something other than text."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    slug = args.slug or slugify(args.title)
    if not slug or not SLUG_RE.match(slug):
        print(f"error: cannot make a slug from '{args.title}'; pass --slug lowercase-words", file=err)
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
