"""The downloads: TimelineJS3 JSON against that tool's documented format, and the conflict-data CSV columns."""

from __future__ import annotations

import calendar
import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quipu.exports import _dumps, csv_columns, dumps_streamed, item_text

from .conftest import ROOT, Run

# From the TimelineJS3 JSON format documentation: the keys each object may have.
TIMELINE_KEYS = {"events", "title", "eras", "scale"}
SLIDE_KEYS = {"start_date", "end_date", "text", "media", "group", "display_date", "background", "autolink", "unique_id"}
DATE_KEYS = {"year", "month", "day", "hour", "minute", "second", "millisecond", "display_date"}
TEXT_KEYS = {"headline", "text"}
ERA_KEYS = {"start_date", "end_date", "text"}


def _check_date(d: dict[str, object]) -> tuple[int, int, int]:
    assert set(d) <= DATE_KEYS, d
    year = d["year"]
    assert isinstance(year, int)
    month, day = d.get("month"), d.get("day")
    if day is not None:
        assert month is not None, "a day needs its month"
    if month is not None:
        assert isinstance(month, int) and 1 <= month <= 12
    if day is not None:
        assert isinstance(day, int) and isinstance(month, int) and 1 <= day <= calendar.monthrange(year, month)[1]
    assert isinstance(d.get("display_date", ""), str)
    return (year, month or 1, day or 1)  # type: ignore[return-value]


def check_timelinejs(data: dict[str, object]) -> None:
    """The documented rules: events need a start_date (year required), eras need both dates, ids are unique."""
    assert set(data) <= TIMELINE_KEYS and isinstance(data["events"], list) and data["events"]
    assert data.get("scale", "human") in ("human", "cosmological")
    title = data["title"]
    assert isinstance(title, dict) and set(title) <= SLIDE_KEYS and set(title["text"]) <= TEXT_KEYS
    ids = set()
    for slide in data["events"]:
        assert set(slide) <= SLIDE_KEYS, slide
        start = _check_date(slide["start_date"])
        if "end_date" in slide:
            assert _check_date(slide["end_date"]) >= start
        assert set(slide["text"]) <= TEXT_KEYS and slide["text"]["headline"]
        assert re.fullmatch(r"[a-z0-9-]+", slide["unique_id"]) and slide["unique_id"] not in ids
        ids.add(slide["unique_id"])
    for era in data.get("eras", []):
        assert set(era) == ERA_KEYS or set(era) == ERA_KEYS - {"text"}
        assert _check_date(era["end_date"]) >= _check_date(era["start_date"])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from quipu.cli import main

    out = tmp_path_factory.mktemp("site")
    args = ["build", "--content", str(ROOT / "tests/golden-bilingual/content"), "--out", str(out)]
    assert main([*args, "--templates", str(ROOT / "templates"), "--no-search"], io.StringIO(), io.StringIO()) == 0
    return out


@pytest.mark.parametrize("language", ["en", "es"])
def test_timelinejs_files_follow_the_documented_format(built: Path, language: str) -> None:
    data = json.loads((built / f"data/timelinejs.{language}.json").read_text(encoding="utf-8"))
    check_timelinejs(data)
    by_id = {s["unique_id"]: s for s in data["events"]}
    # A date known to the month has no day, and says so in the page's language.
    clash = by_id["undisclosed-clash"]["start_date"]
    assert clash == {"year": 2023, "month": 3, "display_date": "March 2023" if language == "en" else "marzo de 2023"}
    assert [e["text"]["headline"] for e in data["eras"]][0] == (
        "Start of the violence" if language == "en" else "Inicio de la violencia"
    )


def test_the_checker_refuses_what_timelinejs_would() -> None:
    good = {
        "events": [{"start_date": {"year": 1980}, "text": {"headline": "x"}, "unique_id": "a"}],
        "title": {"text": {}},
    }
    check_timelinejs(good)
    for broken in (
        {"events": [{"start_date": {"year": 1980, "day": 3}, "text": {"headline": "x"}, "unique_id": "a"}]},
        {"events": [{"start_date": {"year": "1980"}, "text": {"headline": "x"}, "unique_id": "a"}]},
        {
            "events": [
                {"start_date": {"year": 1980, "month": 2, "day": 30}, "text": {"headline": "x"}, "unique_id": "a"}
            ]
        },
        {"events": [{"start_date": {"year": 1980}, "text": {"headline": "x"}, "unique_id": "a", "colour": 1}]},
    ):
        with pytest.raises(AssertionError):
            check_timelinejs({**broken, "title": {"text": {}}})


def test_csv_has_the_documented_columns_and_locations(built: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((built / "data/events.csv").read_text(encoding="utf-8"))))
    assert list(rows[0]) == [name for name, _doc in csv_columns(["es"])]
    first = next(r for r in rows if r["slug"] == "first-action")
    assert first["url"] == "https://example.org/timeline/events/first-action/"
    assert (first["start_earliest"], first["start_latest"]) == ("1980-05-17", "1980-05-17")
    # The village has no coordinates of its own: the district's are given, and say so.
    assert (first["place"], first["district"], first["coordinates_precision"]) == (
        "village",
        "Vizcatán District",
        "district",
    )
    clash = next(r for r in rows if r["slug"] == "undisclosed-clash")
    assert (clash["start_earliest"], clash["start_latest"], clash["killed_min"]) == ("2023-03-01", "2023-03-31", "6")


def test_the_data_page_documents_every_column_in_both_languages(built: Path) -> None:
    for prefix in ("", "es/"):
        page = (built / f"{prefix}data/index.html").read_text(encoding="utf-8")
        for name, _doc in csv_columns(["es"]):
            assert f"<code>{name}</code>" in page
        assert "timelinejs.es.json" in page and "timelinejs.en.json" in page
    assert "Significado" in (built / "es/data/index.html").read_text(encoding="utf-8")


def test_data_page_is_linked_from_every_footer(cli: Callable[..., Run], built: Path) -> None:
    assert 'href="../../data/"' in (built / "events/first-action/index.html").read_text(encoding="utf-8")


_JSON_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | _JSON_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_JSON_TEXT, inner, max_size=3),
    max_leaves=12,
)


@given(
    head=st.dictionaries(_JSON_TEXT, _JSON_VALUE, max_size=4),
    key=_JSON_TEXT,
    items=st.lists(st.dictionaries(_JSON_TEXT, _JSON_VALUE, max_size=4), max_size=4),
)
def test_a_download_written_in_pieces_has_the_bytes_of_the_whole_document(
    head: dict[str, object], key: str, items: list[dict[str, object]]
) -> None:
    head = {k: v for k, v in head.items() if k != key}
    assert b"".join(dumps_streamed(head, key, iter(items))) == _dumps({**head, key: items})


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(
    st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=6)
    | st.dictionaries(st.integers(), JSON_VALUES, max_size=3)
)
@settings(max_examples=500, deadline=None)
def test_a_download_item_is_written_as_json_writes_it(item: dict) -> None:  # type: ignore[type-arg]
    """item_text writes what json.dumps with indent=1 writes (two more spaces a line), keys that are not strings too."""
    expected = json.dumps(item, ensure_ascii=False, sort_keys=True, indent=1).replace("\n", "\n  ")
    assert item_text(item) == expected
