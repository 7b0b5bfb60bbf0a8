"""The synthetic corpus: one model, written in quipu's format (and, by hugo_site and pelican_site, in theirs).

N events of about 300 words, each with two actors, two places, a tag, a disputed toll and a source;
N/20 actors; N/10 towns in departments of one country, every seventh town also in a region.
The same seed always gives the same corpus, so every tool gets the same entries.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

WORDS = (
    "the patrol column village district report commission soldiers peasants rondas attack ambush valley "
    "river province authorities according witnesses later court ruling investigation remains families"
).split()


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


@dataclass
class Actor:
    slug: str
    name: str
    kind: str
    aliases: list[str]
    body: str


@dataclass
class Place:
    slug: str
    name: str
    kind: str
    body: str
    within: str | None = None
    regions: list[str] = field(default_factory=list)
    coordinates: tuple[float, float] | None = None


@dataclass
class Event:
    slug: str
    title: str
    date: str  # YYYY, YYYY-MM or YYYY-MM-DD, as known
    actors: list[str]
    places: list[str]
    tags: list[str]
    killed: tuple[int, int]
    note: str
    source: tuple[str, str, str]  # title, publisher, url
    body: str

    @property
    def year(self) -> str:
        return self.date[:4]

    @property
    def full_date(self) -> str:
        """The date with unknown parts set to the first month or day (for tools that need a full date)."""
        parts = self.date.split("-")
        return "-".join([parts[0], *(parts[1:] + ["01", "01"])[:2]])


@dataclass
class Corpus:
    title: str
    actors: list[Actor]
    places: list[Place]
    events: list[Event]

    def __post_init__(self) -> None:
        self.place_by_slug = {p.slug: p for p in self.places}

    def containers(self, slug: str) -> list[str]:
        """The place and every place it lies within (parents and regions), nearest first, no repeats."""
        seen: list[str] = []
        todo = [slug]
        while todo:
            current = todo.pop(0)
            if current in seen:
                continue
            seen.append(current)
            place = self.place_by_slug[current]
            if place.within:
                todo.append(place.within)
            todo.extend(place.regions)
        return seen

    def rollup(self, event: Event) -> list[str]:
        """Every place an event is at or within, for place pages that list the events within them."""
        out: list[str] = []
        for slug in event.places:
            for container in self.containers(slug):
                if container not in out:
                    out.append(container)
        return out


def generate(events: int, seed: int = 1) -> Corpus:
    """The corpus of `events` events (the same random sequence as the benchmark has always used)."""
    rng = random.Random(seed)
    n_actors = max(10, events // 20)
    n_places = max(20, events // 10)
    actors = [Actor(f"actor-{i}", f"Actor {i}", "armed-group", [f"A{i}"], paragraph(rng, 40)) for i in range(n_actors)]
    places = [
        Place("country", "Country", "country", "A country."),
        Place("region", "Region", "region", "A region.", within="country"),
    ]
    departments = max(5, n_places // 50)
    places += [Place(f"dept-{d}", f"Department {d}", "department", "D.", within="country") for d in range(departments)]
    towns = []
    for p in range(n_places):
        slug = f"town-{p}"
        towns.append(slug)
        regions = ["region"] if p % 7 == 0 else []
        lat, lon = -5 - rng.random() * 10, -70 - rng.random() * 8
        body = paragraph(rng, 20)
        places.append(
            Place(
                slug,
                f"Town {p}",
                "town",
                body,
                within=f"dept-{p % departments}",
                regions=regions,
                coordinates=(lat, lon),
            )
        )
    out = []
    for i in range(events):
        year = 1980 + rng.randrange(45)
        month, day = rng.randrange(1, 13), rng.randrange(1, 29)
        date = rng.choice([f"{year}", f"{year}-{month:02d}", f"{year}-{month:02d}-{day:02d}"])
        event_actors = sorted({f"actor-{rng.randrange(n_actors)}" for _ in range(2)})
        event_places = sorted({rng.choice(towns) for _ in range(2)})
        killed = rng.randrange(0, 60)
        body = "\n\n".join(paragraph(rng, 100) for _ in range(3))
        high = killed + rng.randrange(5)
        out.append(
            Event(
                slug=f"event-{i}",
                title=f"Event {i}",
                date=date,
                actors=event_actors,
                places=event_places,
                tags=[f"tag-{i % 30}"],
                killed=(killed, high),
                note="Estimated.",
                source=(f"Report {i}", "Publisher", f"https://example.org/{i}"),
                body=body,
            )
        )
    return Corpus("Benchmark", actors, places, out)


# The link every event body ends with, in each tool's own terms: quipu's @kind/slug link, and a plain
# relative link for the others (event pages are at events/<slug>/ in all three sites).
QUIPU_LINK = "See [actor](@actors/actor-0)."
RELATIVE_LINK = "See [actor](../../actors/actor-0/)."


# quipu's format -------------------------------------------------------------------------------


def quipu_event_path(root: Path, event: Event) -> Path:
    return root / "content" / "events" / event.year / f"{event.slug}.md"


def write_quipu_event(root: Path, event: Event) -> None:
    low, high = event.killed
    title, publisher, url = event.source
    path = quipu_event_path(root, event)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\ntitle: {event.title}\ndate: {event.date}\nactors: [{', '.join(event.actors)}]\n"
        f"places: [{', '.join(event.places)}]\ntags: [{', '.join(event.tags)}]\n"
        f"casualties:\n  killed: {{min: {low}, max: {high}}}\n  note: {event.note}\n"
        f"sources:\n  - title: {title}\n    publisher: {publisher}\n    url: {url}\n---\n"
        f"{event.body} {QUIPU_LINK}\n",
        encoding="utf-8",
    )


def write_quipu_actor(root: Path, actor: Actor) -> None:
    (root / "content" / "actors" / f"{actor.slug}.md").write_text(
        f"---\nname: {actor.name}\nkind: {actor.kind}\naliases: [{', '.join(actor.aliases)}]\n---\n{actor.body}\n",
        encoding="utf-8",
    )


def write_quipu_place(root: Path, place: Place) -> None:
    lines = [f"name: {place.name}", f"kind: {place.kind}"]
    if place.within:
        lines.append(f"within: {place.within}")
    if place.regions:
        lines.append(f"regions: [{', '.join(place.regions)}]")
    if place.coordinates:
        lines.append(f"coordinates: [{place.coordinates[0]:.4f}, {place.coordinates[1]:.4f}]")
    (root / "content" / "places" / f"{place.slug}.md").write_text(
        "---\n" + "\n".join(lines) + f"\n---\n{place.body}\n", encoding="utf-8"
    )


def write_quipu(corpus: Corpus, root: Path) -> None:
    """A content folder in quipu's format under root/content."""
    content = root / "content"
    (content / "actors").mkdir(parents=True)
    (content / "places").mkdir()
    (content / "site.yaml").write_text(f"title: {corpus.title}\nperiod: {{start: 1980}}\n", encoding="utf-8")
    for actor in corpus.actors:
        write_quipu_actor(root, actor)
    for place in corpus.places:
        write_quipu_place(root, place)
    for event in corpus.events:
        write_quipu_event(root, event)
