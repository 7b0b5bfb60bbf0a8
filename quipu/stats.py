"""Coverage figures of the content, and the rules they must keep.

The rules live in content/site.yaml under `coverage:`, so that a later
change cannot quietly thin out the timeline: `check --stats` fails if one
is broken.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .corpus import Corpus
from .errors import Problem
from .model import NEEDS_COORDINATES


def stats(corpus: Corpus) -> dict[str, Any]:
    """Counts a reviewer wants at a glance: per year, sources, coordinates."""
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
    }


def coverage_problems(corpus: Corpus, figures: dict[str, Any]) -> list[Problem]:
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
    if rules.get("coordinates"):
        for place in sorted(corpus.places.values(), key=lambda p: p.path):
            if place.kind in NEEDS_COORDINATES and place.coordinates is None:
                problems.append(
                    Problem(
                        place.path, 1, f"coverage: this {place.kind} has no coordinates; add coordinates: [lat, lon]"
                    )
                )
    return problems
