"""The published content itself: it must check clean and keep its coverage.

The coverage rules (events per year, sources, coordinates) live in
content/site.yaml; this test stops a change from quietly eroding them.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from quipu.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_content_checks_clean_with_coverage_rules(in_root: None) -> None:
    err = io.StringIO()
    code = main(["check", "--strict", "--stats"], stdout=io.StringIO(), stderr=err)
    assert code == 0, err.getvalue()


def test_coverage_figures(in_root: None) -> None:
    out = io.StringIO()
    assert main(["stats"], stdout=out, stderr=io.StringIO()) == 0
    figures = json.loads(out.getvalue())
    assert figures["events"] >= 180
    assert figures["actors"] >= 50
    assert figures["places"] >= 70
    per_year = figures["events_per_year"]
    assert all(per_year.get(str(y), 0) >= 4 for y in range(1980, 2001)), per_year
    assert all(per_year.get(str(y), 0) >= 1 for y in range(2001, 2026)), per_year
    assert figures["sources_per_event_min"] >= 1
    assert figures["places_with_coordinates"] == figures["places_needing_coordinates"]


def test_the_undisclosed_2023_clash_is_marked_as_such(in_root: None) -> None:
    events = json.loads(_export("events.json"))["events"]
    march_2023 = [e for e in events if e["date"] == "2023-03" and "vizcatan-del-ene" in e["places"]]
    assert march_2023, "the Vizcatán del Ene clash of March 2023 (date not disclosed) must be in the timeline"
    assert all(e["date_precision"] == "month" and e["date_note"] for e in march_2023)


def _export(name: str) -> str:
    from quipu.exports import export_files
    from quipu.pipeline import Options, load

    loaded = load(Options(content=ROOT / "content"))
    assert loaded.corpus is not None, loaded.report.lines()
    data = export_files(loaded.editions)[f"data/{name}"]
    return (data if isinstance(data, bytes) else b"".join(data)).decode()


FIGURE = re.compile(r"\d+(?:[ ,.\u00a0\u202f]\d{3})*")


def _figures(text: str) -> set[str]:
    """Every number in a text, with thousands separators removed ('69,280' and '69 280' are both 69280)."""
    return {re.sub(r"[ ,.\u00a0\u202f]", "", m) for m in FIGURE.findall(text)}


def test_every_figure_and_year_of_a_base_text_is_in_its_translation(in_root: None) -> None:
    """A mistranslated toll or date cannot slip through: digits of the base's text fields must all reappear."""
    from quipu.pipeline import Options, load
    from quipu.translations import base_texts

    loaded = load(Options(content=ROOT / "content"))
    assert loaded.corpus is not None, loaded.report.lines()
    corpus = loaded.corpus
    bases = {("events", e.slug): e for e in corpus.events}
    bases |= {("actors", s): a for s, a in corpus.actors.items()} | {("places", s): p for s, p in corpus.places.items()}
    bases |= {("pages", s): p for s, p in corpus.pages.items()} | {("site", "site"): corpus.site}
    bases |= {("periods", s): p for s, p in corpus.periods.items()}
    lost = []
    for translations in loaded.translations.values():
        for key, translation in translations.items():
            base_text = "\n".join(base_texts(bases[key]).values())
            translated = "\n".join([*translation.texts.values(), translation.body])
            missing = _figures(base_text) - _figures(translated)
            if missing:
                lost.append(f"{translation.path}: {sorted(missing)}")
    assert lost == []


def test_every_entry_has_a_current_spanish_translation(in_root: None) -> None:
    from quipu.pipeline import Options, load
    from quipu.stats import translation_figures

    loaded = load(Options(content=ROOT / "content"))
    assert loaded.corpus is not None
    figures = translation_figures(loaded.corpus, loaded.translations)
    assert figures["es"]["share_current"] == 1.0, figures
    for kind in ("events", "actors", "places", "pages", "periods", "site"):
        assert figures["es"][kind]["missing"] == figures["es"][kind]["stale"] == 0, (kind, figures["es"][kind])
