"""The entries cache keeps what validation made of each unchanged file: a warm check validates nothing it
validated before, yet every problem is reported every time and nothing stale is ever used."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

import quipu.pipeline
from quipu.pipeline import Loaded, Options, load

from .conftest import SITE_YAML, event


def _load(content: Path, today: dt.date | None = None, drafts: bool = False) -> Loaded:
    """A load as `check` does it, with the cache on disk beside the content."""
    options = Options(
        content=content,
        out=content.parent / "site",
        cache_dir=content.parent / ".cache",
        today=today or dt.date.today(),
        drafts=drafts,
    )
    return load(options)


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the entries validated from their YAML, in order."""
    seen: list[str] = []
    real = quipu.pipeline.validate_all

    def counted(kind, data, path):  # type: ignore[no-untyped-def]
        seen.append(path)
        return real(kind, data, path)

    monkeypatch.setattr(quipu.pipeline, "validate_all", counted)
    return seen


def test_a_warm_load_validates_only_what_changed_and_gives_the_same_corpus(
    make_site: Callable[..., Path], validations: list[str]
) -> None:
    content = make_site({"events/1981/second.md": event("Second action", "1981-03-04")})
    cold = _load(content)
    assert cold.corpus is not None and len(validations) == 4
    validations.clear()
    warm = _load(content)
    assert validations == []
    assert warm.corpus is not None
    assert warm.corpus.events == cold.corpus.events
    assert list(warm.corpus.actors) == list(cold.corpus.actors)
    assert warm.raw_count == cold.raw_count
    (content / "events/1981/second.md").write_text(event("Second action, retitled", "1981-03-04"))
    edited = _load(content)
    assert [Path(p).name for p in validations] == ["second.md"]
    assert edited.corpus is not None
    assert [e.title for e in edited.corpus.events] == ["First action", "Second action, retitled"]


def test_a_touched_file_with_the_same_bytes_is_not_validated_again(
    make_site: Callable[..., Path], validations: list[str]
) -> None:
    content = make_site()
    _load(content)
    validations.clear()
    path = content / "events/1980/first-action.md"
    path.write_bytes(path.read_bytes())
    assert _load(content).corpus is not None
    assert validations == []


def test_a_change_to_the_site_settings_validates_every_entry_again(
    make_site: Callable[..., Path], validations: list[str]
) -> None:
    content = make_site()
    _load(content)
    validations.clear()
    # The same entries are now before the period the site covers: kept entries must not hide that.
    (content / "site.yaml").write_text(SITE_YAML.replace("1980", "1985"))
    loaded = _load(content)
    assert len(validations) == 3
    assert any("before the period covered" in p.message for p in loaded.report.problems)


def test_a_new_day_validates_again(make_site: Callable[..., Path], validations: list[str]) -> None:
    content = make_site()
    today = dt.date(2026, 1, 10)
    assert _load(content, today).corpus is not None
    validations.clear()
    assert _load(content, dt.date(1980, 1, 1)).corpus is None  # the event is now in the future
    assert len(validations) == 3


def test_an_entry_with_a_warning_is_checked_and_warned_about_every_time(
    make_site: Callable[..., Path], validations: list[str]
) -> None:
    # A copy given as the source's address: a warning of the entry's own validation.
    warned = event("Warned", "1981-02-02").replace("https://example.org/a", "https://www.scribd.com/document/1/a")
    content = make_site({"events/1981/warned.md": warned})
    first = _load(content)
    assert [p for p in first.report.problems if p.path.endswith("warned.md") and "not the original" in p.message]
    validations.clear()
    second = _load(content)
    assert [Path(p).name for p in validations] == ["warned.md"]
    assert [str(p) for p in second.report.problems] == [str(p) for p in first.report.problems]


def test_a_draft_kept_in_the_cache_stays_out_unless_drafts_are_asked_for(make_site: Callable[..., Path]) -> None:
    content = make_site({"events/1981/draft.md": event("A draft", "1981-03-04", extra="draft: true\n")})
    for _ in range(2):  # cold, then from the cache
        loaded = _load(content)
        assert loaded.corpus is not None and [e.slug for e in loaded.corpus.events] == ["first-action"]
    with_drafts = _load(content, drafts=True)
    assert with_drafts.corpus is not None and len(with_drafts.corpus.events) == 2


def test_a_cache_of_another_layout_is_replaced_and_then_used(
    make_site: Callable[..., Path], validations: list[str]
) -> None:
    content = make_site()
    cache = content.parent / ".cache" / "entries.sqlite"
    cache.parent.mkdir(parents=True)
    with contextlib.closing(sqlite3.connect(cache)) as db, db:  # an older release's tables
        db.execute("CREATE TABLE meta (format INTEGER NOT NULL, tool TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES (2, 'an older tool')")
        db.execute("CREATE TABLE entry (name TEXT PRIMARY KEY, item BLOB NOT NULL)")
        db.execute("INSERT INTO entry VALUES ('x', x'00')")
    assert _load(content).corpus is not None
    validations.clear()
    assert _load(content).corpus is not None
    assert validations == []


def test_files_read_ahead_by_workers_give_the_same_load_and_a_warm_cache(
    make_site: Callable[..., Path], validations: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes read and validate the files the cache lacks; what is reported, and in what order, is what
    one process reports, and the next load validates again only what had a problem."""
    monkeypatch.setattr(quipu.pipeline, "READ_AHEAD_THRESHOLD", 2)
    files: dict[str, str | bytes] = {
        "site.yaml": SITE_YAML + "languages: [en, es]\n",
        "events/1980/first-action.es.md": "---\ntitle: Primera acción\n---\nAlgo pasó.\n",
        "events/1981/no-date.md": event("No date", "1981-13-40"),
        "events/1981/bad-body.md": event("Bad body", "1981-02-03", body="Text with a \x07 bell."),
        "events/1981/unknown.md": event("Unknown actor", "1981-02-04").replace("[shining-path]", "[nobody]"),
        "events/1981/broken.md": "---\ntitle: [unclosed\n---\nBody.\n",
    }
    files.update({f"events/1982/e{n:02}.md": event(f"Event {n}", f"1982-01-{n:02}") for n in range(1, 25)})
    content = make_site(files)

    def fresh_load(workers: int) -> Loaded:
        for cache in (content.parent / ".cache").glob("entries.sqlite*"):
            cache.unlink()
        options = Options(content=content, out=content.parent / "site", cache_dir=content.parent / ".cache")
        return load(dataclasses.replace(options, workers=workers))

    alone = fresh_load(1)
    assert len(validations) == 30  # every entry but the one whose YAML does not parse
    validations.clear()
    ahead = fresh_load(2)
    broken = ["bad-body.md", "no-date.md"]  # the unknown actor is only found once every entry is read
    assert sorted(Path(p).name for p in validations) == broken  # the rest came from the workers
    assert [str(p) for p in ahead.report.problems] == [str(p) for p in alone.report.problems]
    assert len(ahead.report.errors) == 4
    assert ahead.raw_count == alone.raw_count and ahead.translation_count == alone.translation_count == 1
    validations.clear()
    warm = _load(content)
    assert sorted(Path(p).name for p in validations) == broken
    assert [str(p) for p in warm.report.problems] == [str(p) for p in alone.report.problems]

    for name in ("no-date", "bad-body", "unknown", "broken"):
        (content / f"events/1981/{name}.md").unlink()
    alone, ahead = fresh_load(1), fresh_load(2)
    assert alone.corpus is not None and ahead.corpus is not None and not ahead.report.errors
    assert ahead.corpus.events == alone.corpus.events and len(ahead.corpus.events) == 25
    assert ahead.editions["es"].events == alone.editions["es"].events
    assert ahead.digests == alone.digests
