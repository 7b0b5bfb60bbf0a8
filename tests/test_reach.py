"""An edit makes again only the pages that read what changed (quipu.reach): the same bytes as a clean build,
and every page whose inputs could have changed is made again."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quipu import pipeline
from quipu.fingerprint import Digester
from quipu.reach import UNKNOWN, Names, Plan, _links, _spans, _unspan, entries_of
from quipu.writer import MANIFEST

from .conftest import ROOT, SITE_YAML, Run, event
from .test_incremental import _tree

BILINGUAL = SITE_YAML + "languages: [en, es]\n"
FILES = {
    "site.yaml": BILINGUAL,
    "events/1985/other.md": event("Other action", "1985-01-02", body="Other things happened. Later, more."),
    "events/1986/third.md": event("Third action", "1986-07-08", body="A third thing."),
    # Nothing in common with the others (no related events), and not their neighbour.
    "places/lima.md": "---\nname: Lima\nkind: department\ncoordinates: [-12.05, -77.04]\n---\nA city.\n",
    "events/1990/far.md": event("Far action", "1990-07-08")
    .replace("[chuschi]", "[lima]")
    .replace("actors: [shining-path]\n", ""),
    "events/1991/farther.md": event("Farther action", "1991-07-08"),
}


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages whose context was made (fingerprinted), in the order made."""
    pages: list[str] = []
    make = pipeline._make_page

    def counting(job: pipeline._PageJob, page: pipeline.Page) -> pipeline.Made:
        pages.append(page.url)
        return make(job, page)

    monkeypatch.setattr(pipeline, "_make_page", counting)
    return pages


def _same_as_clean(cli: Callable[..., Run], site: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    assert cli("build", "--clean", "--out", str(clean)).code == 0
    assert _tree(site) == _tree(clean)


def test_a_body_edit_makes_only_the_pages_that_show_its_entry(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, made: list[str]
) -> None:
    content = make_site(FILES)
    assert cli("build").code == 0
    everything = len(made)
    made.clear()
    # A new first sentence: the summary lists show changes too, and the page's description and citation.
    edited = event("Other action", "1985-01-02", body="Something else entirely. Later, more.")
    (content / "events/1985/other.md").write_text(edited)
    assert cli("build").code == 0
    assert "events/other/" in made and "es/events/other/" in made and "years/1985/" in made
    assert "events/far/" not in made and "years/1990/" not in made and "about/" not in made, made
    assert 0 < len(made) < everything / 2
    _same_as_clean(cli, tmp_path / "site", tmp_path)


def test_a_translation_edit_makes_its_language_pages_only(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, made: list[str]
) -> None:
    content = make_site({**FILES, "events/1985/other.es.md": "---\ntitle: Otra acción\n---\nOtras cosas.\n"})
    assert cli("build").code == 0
    made.clear()
    (content / "events/1985/other.es.md").write_text("---\ntitle: Otra acción\n---\nOtras cosas, distintas.\n")
    assert cli("build").code == 0
    assert "es/events/other/" in made and "events/other/" not in made
    _same_as_clean(cli, tmp_path / "site", tmp_path)


@pytest.mark.parametrize(
    "change",
    [
        # A link in a body puts the linking event in the actor's "mentioned in" list: the outline changed.
        ("events/1986/third.md", event("Third action", "1986-07-08", body="See [them](@actors/shining-path).")),
        # A field shown on other pages (a title in the neighbours' links and the lists).
        ("events/1986/third.md", event("Third action, renamed", "1986-07-08", body="A third thing.")),
        # An entry added.
        ("events/1987/fourth.md", event("Fourth action", "1987-01-01")),
    ],
)
def test_a_change_to_the_outline_makes_every_page_again(
    make_site: Callable[..., Path],
    cli: Callable[..., Run],
    tmp_path: Path,
    made: list[str],
    change: tuple[str, str],
) -> None:
    content = make_site(FILES)
    assert cli("build").code == 0
    everything = len(made)
    made.clear()
    path = content / change[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(change[1])
    assert cli("build").code == 0
    assert len(made) >= everything
    _same_as_clean(cli, tmp_path / "site", tmp_path)


@pytest.mark.parametrize(
    "plan",
    [
        "not a plan",
        {"version": 1},
        {"version": 1, "outline": "x", "names": ["*", "a"], "entries": ["1", "2", "3"], "reads": {}},
        {"version": 1, "outline": "x", "names": ["b", "a", "*"], "entries": ["", "1", "2"], "reads": {}},
        {"version": 1, "outline": "x", "names": ["*"], "entries": [""], "reads": {"index.html": [7]}},
        "wrong-reads",
        "keep-but-forget-reads",
    ],
)
def test_a_damaged_plan_is_ignored(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, made: list[str], plan: object
) -> None:
    content = make_site(FILES)
    assert cli("build").code == 0
    everything = len(made)
    manifest = tmp_path / "site" / MANIFEST
    document = json.loads(manifest.read_text())
    if plan == "keep-but-forget-reads":
        document["plan"]["reads"] = {}  # no page is known to stand: every one is made
    elif plan == "wrong-reads":
        document["plan"]["reads"] = {rel: "-1 x 99999" for rel in document["plan"]["reads"]}
    else:
        document["plan"] = plan
    manifest.write_text(json.dumps(document))
    (content / "events/1985/other.md").write_text(event("Other action", "1985-01-02", body="Changed."))
    made.clear()
    assert cli("build").code == 0
    assert len(made) == everything
    _same_as_clean(cli, tmp_path / "site", tmp_path)


def test_the_plan_survives_its_own_text_and_names_what_changed() -> None:
    names = Names(["b.md", "a.md"])
    plan = Plan("o", {"a.md": "1", "b.md": "2"}, names.names)
    plan.spans["x.html"] = names.spans(frozenset({"a.md"}))
    plan.spans["y.html"] = names.spans(frozenset({"b.md", "a.md"}))
    plan.spans["u.html"] = names.spans(frozenset({"a.md", UNKNOWN}))
    plan.spans["v.html"] = names.spans(frozenset({"not-an-entry.md"}))  # cannot be named: counts as UNKNOWN
    again = Plan.from_json(json.loads(json.dumps(plan.to_json())))
    assert again == plan and again is not None
    stands = again.still("o", {"a.md": "1", "b.md": "3"}, plan.names)
    assert stands("x.html") == plan.spans["x.html"]
    assert stands("y.html") is None and stands("z.html") is None
    assert stands("u.html") is None and stands("v.html") is None
    everything_same = again.still("o", {"a.md": "1", "b.md": "2"}, plan.names)
    assert everything_same("y.html") is not None and everything_same("u.html") is None
    assert again.still("other outline", plan.entries, plan.names)("x.html") is None
    assert again.still(None, plan.entries, plan.names)("x.html") is None
    assert again.still("o", plan.entries, [*plan.names, "c.md"])("x.html") is None
    again.spans["x.html"] = "0-99"  # beyond the names: damaged, so the page is made
    assert again.still("o", plan.entries, plan.names)("x.html") is None


@dataclass(frozen=True)
class _Item:
    name: str


@dataclass(frozen=True)
class _Holder:
    items: tuple[_Item, ...]


def test_a_digest_reads_tracked_values_also_inside_memoised_ones() -> None:
    digest = Digester(lasting=(_Item, _Holder), tracked=(_Item,), track=lambda item: item.name)
    a, b = _Item("a"), _Item("b")
    holder = _Holder((a, b))
    first, reads = digest.reading({"x": [holder]})
    assert reads == {"a", "b"}
    again, reads_again = digest.reading([holder])  # the holder's digest is memoised now: its reads are too
    assert reads_again == {"a", "b"}
    assert digest.reading(_Item("c"))[1] == {"c"}
    assert digest.reading(["plain", 1])[1] == frozenset()
    assert digest({"x": [holder]}) == first and again != first


def test_the_digests_kept_with_an_entry_are_those_a_build_gives_it(
    make_site: Callable[..., Path], tmp_path: Path
) -> None:
    content = make_site(FILES)
    options = pipeline.Options(content=content, templates=ROOT / "templates", git_dates=False)
    fresh = pipeline.load(options)  # validated now
    cached = pipeline.load(options)  # read back from the entry cache
    for loaded in (fresh, cached):
        assert loaded.corpus is not None and len(loaded.digests) == len(list(entries_of(loaded.corpus)))
        build_digest = Digester(pipeline.FINGERPRINT_TYPES, lasting=pipeline.LASTING)
        for entry, (whole, outline) in loaded.digests:
            assert whole == build_digest(entry)
            assert outline == build_digest.replacing(entry, {"body": _links(entry.body)})


@given(st.sets(st.integers(min_value=0, max_value=300)))
def test_spans_give_back_the_numbers_they_were_made_from(numbers: set[int]) -> None:
    text = _spans(sorted(numbers))
    assert set(_unspan(text, 301)) == numbers and len(text) <= 4 * len(numbers) + 1
    if numbers:
        with pytest.raises(ValueError):
            list(_unspan(text, max(numbers)))  # a number beyond the names is refused
