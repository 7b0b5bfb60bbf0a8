"""Pelican plugin of the benchmark's Pelican site: actors and places, which Pelican has no kind for.

Actors and places are Markdown files (content/actors/, content/places/) read like pages, with the
same reader cache as articles. Their entries go into the context (`actor_entries`, `place_entries`)
for the templates: an actor's page is Pelican's author page (the events name their actors as authors),
showing the actor's name, kind and text from its entry. Places get their own pages here: every place,
with the events at it or anywhere within it (grouped in one pass), and the places list.
"""

from __future__ import annotations

from collections import defaultdict
from operator import attrgetter

from pelican import signals
from pelican.contents import Page
from pelican.generators import CachingGenerator


def split(value: object) -> list[str]:
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


class EntriesGenerator(CachingGenerator):
    def generate_context(self) -> None:
        self.entries: dict[str, dict[str, Page]] = {"actors": {}, "places": {}}
        for folder, store in self.entries.items():
            for path in self.get_files([folder]):
                entry = self.get_cached_data(path, None)
                if entry is None:
                    entry = self.readers.read_file(
                        base_path=self.path, path=path, content_class=Page, context=self.context
                    )
                    self.cache_data(path, entry)
                store[entry.slug] = entry
        self.context["actor_entries"] = self.entries["actors"]
        self.context["place_entries"] = self.entries["places"]
        self.save_cache()
        self.readers.save_cache()

    def containers(self, slug: str) -> list[str]:
        """The place and every place it lies within (parents and regions)."""
        places = self.entries["places"]
        seen: list[str] = []
        todo = [slug]
        while todo:
            current = todo.pop(0)
            if current in seen:
                continue
            seen.append(current)
            place = places[current]
            todo.extend(split(getattr(place, "within", "")))
            todo.extend(split(getattr(place, "regions", "")))
        return seen

    def generate_output(self, writer) -> None:  # type: ignore[no-untyped-def]
        places = self.entries["places"]
        children: dict[str, list[Page]] = defaultdict(list)
        for place in places.values():
            for parent in split(getattr(place, "within", "")):
                children[parent].append(place)
        by_place: dict[str, list[object]] = defaultdict(list)
        memo: dict[str, list[str]] = {}
        for article in sorted(self.context["articles"], key=attrgetter("date")):
            seen: set[str] = set()
            for slug in split(getattr(article, "places", "")):
                if slug not in memo:
                    memo[slug] = self.containers(slug)
                for container in memo[slug]:
                    if container not in seen:
                        seen.add(container)
                        by_place[container].append(article)
        relative = self.settings["RELATIVE_URLS"]
        template = self.get_template("place")
        for slug, place in places.items():
            writer.write_file(
                f"places/{slug}/index.html",
                template,
                self.context,
                relative_urls=relative,
                url=f"places/{slug}/",
                place=place,
                children=children[slug],
                dates=by_place[slug],
            )
        writer.write_file(
            "places/index.html",
            self.get_template("places"),
            self.context,
            relative_urls=relative,
            url="places/",
            places=sorted(places.values(), key=attrgetter("title")),
            counts={slug: len(events) for slug, events in by_place.items()},
        )


def get_generators(pelican):  # type: ignore[no-untyped-def]
    return EntriesGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
