"""Cross-entry integrity and indexes: built from model objects, no files."""

from __future__ import annotations

from datetime import date

from quipu.corpus import build_corpus
from quipu.dates import parse_date
from quipu.model import Actor, Event, Place, SiteConfig, Source
from quipu.specs import Ref
from quipu.text import find_links

SITE = SiteConfig(title="T")
SOURCE = (Source("t", "p", "https://example.org", None, None, 1),)


def ev(
    slug: str, when: str, places: tuple[str, ...] = (), actors: tuple[str, ...] = (), related: tuple[str, ...] = ()
) -> Event:
    return Event(
        slug=slug, path=f"{slug}.md", body="", body_line=5, lines={}, draft=False, title=slug, date=parse_date(when),
        end_date=None, date_note=None, actors=tuple(Ref(a, 3) for a in actors), places=tuple(Ref(p, 4) for p in places),
        tags=(), related=tuple(Ref(r, 6) for r in related), casualties=None, sources=SOURCE, summary=None,
    )  # fmt: skip


def place(slug: str, within: str | None = None, kind: str = "district", regions: tuple[str, ...] = ()) -> Place:
    return Place(
        slug=slug, path=f"{slug}.md", body="", body_line=5, lines={"within": 4}, draft=False, name=slug.title(), kind=kind,
        within=Ref(within, 4) if within else None, regions=tuple(Ref(r, 5) for r in regions), coordinates=(-12.0, -74.0), coordinates_of=None,
        aliases=(), sources=(),
    )  # fmt: skip


def actor(slug: str, part_of: str | None = None, active: tuple[int | None, int | None] = (None, None)) -> Actor:
    return Actor(
        slug=slug, path=f"{slug}.md", body="", body_line=5, lines={"part_of": 4}, draft=False, name=slug, kind="armed-group",
        aliases=(), part_of=Ref(part_of, 4) if part_of else None, active_from=active[0], active_to=active[1], sources=(),
    )  # fmt: skip


def test_related_prefers_explicit_then_nearest_in_time() -> None:
    events = [ev(f"e{i}", f"{1980 + i}-01-01", places=("village",)) for i in range(10)]
    events.append(ev("x", "1985-06-01", places=("village",), related=("e0",)))
    corpus, problems = build_corpus(SITE, events, [], [place("village")], [])
    assert problems == []
    related = [e.slug for e in corpus.related["x"]]
    assert related[0] == "e0"
    assert set(related[1:3]) == {"e5", "e6"}
    assert "x" not in related


def test_related_is_bounded_per_event_on_large_groups() -> None:
    events = [ev(f"e{i:05d}", f"{1980 + i % 40}-01-01", places=("village",), actors=("army",)) for i in range(3000)]
    corpus, _ = build_corpus(SITE, events, [actor("army")], [place("village")], [])
    assert all(len(v) <= 6 for v in corpus.related.values())


def test_region_roll_up_includes_places_within_members() -> None:
    places = [
        place("peru", kind="country"),
        place("vraem", "peru", kind="region"),
        place("junin", "peru", kind="department"),
        place("satipo", "junin", kind="province", regions=("vraem",)),
        place("vizcatan", "satipo"),
        place("town", "vizcatan", kind="town"),
    ]
    corpus, problems = build_corpus(SITE, [ev("clash", "2023-03", places=("town",))], [], places, [])
    assert problems == []
    for slug in ("town", "vizcatan", "satipo", "junin", "peru", "vraem"):
        assert [e.slug for e in corpus.events_within_place[slug]] == ["clash"], slug
    assert [p.slug for p in corpus.ancestors(corpus.places["town"])] == ["peru", "junin", "satipo", "vizcatan"]


def test_region_must_be_a_region() -> None:
    places = [place("a", kind="province"), place("b", regions=("a",))]
    _, problems = build_corpus(SITE, [], [], places, [])
    assert [p.message for p in problems] == [
        "'a' is a province, not a region; list it under 'within' or set its kind to region"
    ]


def test_cycles_are_reported_once() -> None:
    places = [place("a", "b"), place("b", "c"), place("c", "a")]
    _, problems = build_corpus(SITE, [], [], places, [])
    assert len([p for p in problems if "cycle" in p.message]) == 1


def test_actor_active_years_warning() -> None:
    _, problems = build_corpus(SITE, [ev("late", "1999", actors=("g",))], [actor("g", active=(1980, 1992))], [], [])
    assert [(p.severity, p.line) for p in problems] == [("warning", 3)]


def test_drafts_are_named_as_such() -> None:
    _, problems = build_corpus(SITE, [ev("a", "1990", related=("wip",))], [], [], [], drafts={"events": {"wip"}})
    assert "is a draft" in problems[0].message


def test_find_links_lines() -> None:
    body = "One [a](@actors/x).\nTwo\n[b](@places/y#top) and [c][ref]\n\n[ref]: @events/z\n"
    assert find_links(body, 10) == [("actors", "x", 10), ("places", "y", 12), ("events", "z", 14)]


def test_today_is_an_input_not_a_clock() -> None:
    from quipu.model import build_event
    from quipu.schema import validate
    from quipu.source import parse_entry

    raw = parse_entry(
        "events", "e", "e.md", "2030", b"---\ntitle: t\ndate: 2030\nsources: [{title: t, publisher: p}]\n---\n", False
    )
    values, _ = validate("events", raw.data, "e.md")  # type: ignore[union-attr]
    _, problems = build_event(raw, values, SITE, date(2031, 1, 1))  # type: ignore[arg-type]
    assert problems == []
    _, problems = build_event(raw, values, SITE, date(2029, 1, 1))  # type: ignore[arg-type]
    assert "in the future" in problems[0].message


def test_retrospective_tags_allow_defunct_actors() -> None:
    from dataclasses import replace

    site = replace(SITE, retrospective_tags=frozenset({"trial"}))
    trial = replace(ev("trial", "2009", actors=("g",)), tags=(Ref("trial", 7),))
    _, problems = build_corpus(site, [trial], [actor("g", active=(1991, 1992))], [], [])
    assert problems == []


def test_explicit_related_links_count_both_ways() -> None:
    events = [ev("a", "1983", related=("b",)), ev("b", "1990"), ev("c", "2000")]
    corpus, _ = build_corpus(SITE, events, [], [], [])
    assert [e.slug for e in corpus.related["b"]] == ["a"]
    assert [e.slug for e in corpus.related["a"]] == ["b"]
