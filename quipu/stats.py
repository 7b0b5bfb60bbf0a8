"""Coverage figures of the content, and the rules they must keep.

The rules live in content/site.yaml under `coverage:`, so that a later
change cannot quietly thin out the timeline: `check --stats` fails if one
is broken.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from . import hosts
from .corpus import Corpus
from .errors import Problem
from .model import NEEDS_COORDINATES, Entry, Event, SiteConfig
from .translations import Translation, is_current


def stats(corpus: Corpus, translations: TranslationsByLanguage | None = None) -> dict[str, Any]:
    """Counts a reviewer wants at a glance: per year, sources, coordinates, translations."""
    per_year = Counter(e.date.year for e in corpus.events)
    sources = [len(e.sources) for e in corpus.events]
    located = [p for p in corpus.places.values() if p.kind in NEEDS_COORDINATES]
    return {
        "events": len(corpus.events),
        "actors": len(corpus.actors),
        "places": len(corpus.places),
        "events_per_year": {str(y): per_year[y] for y in sorted(per_year)},
        "sources_per_event_min": min(sources) if sources else 0,
        "sources_total": sum(sources),
        "events_with_casualties": sum(1 for e in corpus.events if e.casualties and e.casualties.items()),
        "events_with_date_note": sum(1 for e in corpus.events if e.date_note),
        "places_needing_coordinates": len(located),
        "places_with_coordinates": sum(1 for p in located if p.coordinates),
        "distinct_source_urls": len({s.url for e in corpus.events for s in e.sources if s.url}),
        "events_with_original_source": sum(1 for e in corpus.events if has_original(e)),
        "share_events_with_original_source": round(
            sum(1 for e in corpus.events if has_original(e)) / len(corpus.events), 4
        )
        if corpus.events
        else 1.0,
        "sources_read_at_copies": sum(1 for e in corpus.events for s in e.sources if s.read_at),
        "translations": translation_figures(corpus, translations or {}),
    }


def has_original(event: Event) -> bool:
    """Does the event cite at least one original: the publisher's own page, or a named print original?"""
    return any(hosts.is_original(s.url, s.publisher) for s in event.sources)


TranslationsByLanguage = dict[str, dict[tuple[str, str], Translation]]


def translation_state(
    corpus: Corpus, translations: TranslationsByLanguage
) -> dict[str, dict[str, dict[str, list[str]]]]:
    """language → kind → {'current', 'stale', 'missing'} → the entries' base paths, sorted."""
    bases: dict[str, list[Entry | SiteConfig]] = {
        "events": list(corpus.events),
        "actors": list(corpus.actors.values()),
        "places": list(corpus.places.values()),
        "pages": list(corpus.pages.values()),
        "periods": list(corpus.periods.values()),
        "site": [corpus.site],
    }
    out: dict[str, dict[str, dict[str, list[str]]]] = {}
    for language in corpus.site.languages[1:]:
        done = translations.get(language, {})
        per_kind: dict[str, dict[str, list[str]]] = {}
        for kind, entries in bases.items():
            state: dict[str, list[str]] = {"current": [], "stale": [], "missing": []}
            for entry in entries:
                slug = "site" if isinstance(entry, SiteConfig) else entry.slug
                found = done.get((kind, slug))
                if found is None:
                    state["missing"].append(entry.path)
                elif is_current(found, entry):
                    state["current"].append(entry.path)
                else:
                    state["stale"].append(found.path)
            per_kind[kind] = {k: sorted(v) for k, v in state.items()}
        out[language] = per_kind
    return out


def translation_figures(corpus: Corpus, translations: TranslationsByLanguage) -> dict[str, Any]:
    """Per language and kind: how many entries have a current, a stale or no translation."""
    figures: dict[str, Any] = {}
    for language, kinds in translation_state(corpus, translations).items():
        counts = {kind: {k: len(v) for k, v in state.items()} for kind, state in kinds.items()}
        total = sum(sum(c.values()) for c in counts.values())
        current = sum(c["current"] for c in counts.values())
        figures[language] = {**counts, "share_current": round(current / total, 4) if total else 1.0}
    return figures


def coverage_problems(
    corpus: Corpus, figures: dict[str, Any], translations: TranslationsByLanguage | None = None
) -> list[Problem]:
    """Every broken coverage rule, reported against site.yaml."""
    rules = corpus.site.coverage
    if not rules:
        return []
    path = corpus.site.path
    lines = rules.get("__lines__", {})
    problems = []
    for key in ("events", "actors", "places"):
        if key in rules and figures[key] < rules[key]:
            problems.append(
                Problem(
                    path,
                    lines.get(key, 1),
                    f"coverage: {figures[key]} {key}, the rule asks for at least {rules[key]}; add {key} or lower the rule with care",
                )
            )
    per_year = figures["events_per_year"]
    for rule in rules.get("years", []):
        thin = [
            f"{y} ({per_year.get(str(y), 0)})"
            for y in range(rule["from"], rule["to"] + 1)
            if per_year.get(str(y), 0) < rule["min"]
        ]
        if thin:
            problems.append(
                Problem(
                    path,
                    rule["__line__"],
                    f"coverage: years {rule['from']}-{rule['to']} need at least {rule['min']} events each; short: {', '.join(thin)}",
                )
            )
    if "sources_per_event" in rules:
        for event in corpus.events:
            if len(event.sources) < rules["sources_per_event"]:
                problems.append(
                    Problem(
                        event.path,
                        event.line_of("sources"),
                        f"coverage: {len(event.sources)} sources, the rule asks for {rules['sources_per_event']}; add a source",
                    )
                )
    if "original_sources" in rules:
        without = sorted(e.path for e in corpus.events if not has_original(e))
        share = 1 - len(without) / len(corpus.events) if corpus.events else 1.0
        if share < rules["original_sources"]:
            listed = ", ".join(without[:5]) + (" …" if len(without) > 5 else "")
            problems.append(
                Problem(
                    path,
                    lines.get("original_sources", 1),
                    f"coverage: {share:.1%} of events cite an original source, the rule asks for "
                    f"{rules['original_sources']:.0%}; {len(without)} cite only copies or encyclopedias ({listed}): "
                    "add the publisher's own source",
                )
            )
    if "translations" in rules:
        state = translation_state(corpus, translations or {})
        for language, (share, line) in sorted(rules["translations"].items()):
            kinds = state.get(language, {})
            missing = [p for k in kinds.values() for p in k["missing"]]
            stale = [p for k in kinds.values() for p in k["stale"]]
            current = sum(len(k["current"]) for k in kinds.values())
            total = current + len(missing) + len(stale)
            if total and current / total < share:
                listed = ", ".join((missing + stale)[:5]) + (" …" if len(missing) + len(stale) > 5 else "")
                problems.append(
                    Problem(
                        path,
                        line,
                        f"coverage: {current} of {total} entries have a current '{language}' translation "
                        f"({current / total:.1%}), the rule asks for {share:.0%}; {len(missing)} missing, {len(stale)} stale "
                        f"({listed}); write them with 'build.py new translation <kind>/<slug> {language}'",
                    )
                )
    if rules.get("coordinates"):
        for place in sorted(corpus.places.values(), key=lambda p: p.path):
            if place.kind in NEEDS_COORDINATES and place.coordinates is None:
                problems.append(
                    Problem(
                        place.path, 1, f"coverage: this {place.kind} has no coordinates; add coordinates: [lat, lon]"
                    )
                )
    return problems
