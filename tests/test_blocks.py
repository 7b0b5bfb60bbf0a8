"""Memo blocks: a long list re-rendered after an edit copies its unchanged items from the page's last rendering,
and gives the same bytes as rendering them all."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest

import quipu.pipeline
from quipu import blocks, render
from quipu.fingerprint import Digester
from quipu.i18n import Catalog
from quipu.locales import Locale
from quipu.pages import Page

from .conftest import Run, event
from .test_incremental import BILINGUAL, _edits, _tree

LIST = """{% for e in items %}{% set n = e | length %}{% call memo(e, n) %}<li><a href="{{ link('events/' ~ e ~ '/') }}">{{ e | upper }}</a> {{ t("killed") }}</li>{% endcall %}
{% endfor %}"""


def _environment(tmp_path: Path, source: str) -> jinja2.Environment:
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "list.html").write_text(source, encoding="utf-8")
    return render.make_environment([folder])


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("{% call memo(e) %}{{ other }}{% endcall %}", 1),  # a name that is not a key
        ("{% call memo(e) %}\n{% for x in e %}{% endfor %}{{ x }}{% endcall %}", 2),  # a loop's name, after it
        ("{% call memo(e) %}{% if e %}{% set c = 1 %}{% endif %}\n{{ c }}{% endcall %}", 2),  # set on one branch
        ("{% call memo(e) %}{{ loop.index }}{% endcall %}", 1),  # the loop around the block
        ("{% call memo(e.title) %}{{ e }}{% endcall %}", 1),  # an expression is a key, not a name to read
        ("{% call memo(e) %}{% include 'other.html' %}{% endcall %}", 1),
        ("{% call memo(e, key=1) %}{% endcall %}", 1),
    ],
)
def test_a_memo_block_may_read_nothing_but_its_keys(tmp_path: Path, source: str, line: int) -> None:
    env = _environment(tmp_path, source)
    with pytest.raises(jinja2.TemplateSyntaxError) as caught:
        env.get_template("list.html")
    assert caught.value.lineno == line


@pytest.mark.parametrize(
    "source",
    [
        LIST,
        "{% call memo(e) %}{% for x in e %}{{ loop.index }}{{ x }}{% endfor %}{% endcall %}",
        "{% call memo(e) %}{% if e %}{% set c = 1 %}{% else %}{% set c = 2 %}{% endif %}{{ c }}{% endcall %}",
        "{% call memo(e) %}{% with c = e %}{{ c }}{% endwith %}{{ urls.event(e) }}{% endcall %}",
    ],
)
def test_a_memo_block_that_reads_only_its_keys_is_accepted(tmp_path: Path, source: str) -> None:
    _environment(tmp_path, source).get_template("list.html").render(e="x", items=[])


def _page(items: list[str]) -> tuple[Page, dict[str, Any]]:
    return Page("events/", "list.html", {}, "Events"), {"items": items}


def test_kept_blocks_give_the_same_page_as_rendering_them(tmp_path: Path) -> None:
    env = _environment(tmp_path, LIST)
    page, values = _page([f"event-{i}" for i in range(50)])
    first = render.PageBlocks(Digester(quipu.pipeline.FINGERPRINT_TYPES))
    data = render.render_page(env, page, values, first).encode()
    spans = first.spans(data)
    assert len(spans) == 50 and all(data[s : s + n].startswith(b"<li>") for _, s, n in spans)
    where = {key: memoryview(data)[s : s + n] for key, s, n in spans}

    edited = [*values["items"][:10], "a-new-one", *values["items"][11:]]
    again = render.PageBlocks(Digester(quipu.pipeline.FINGERPRINT_TYPES), where.get)
    copied = render.render_page(env, page, {"items": edited}, again)
    assert copied == render.render_page(env, page, {"items": edited})  # no blocks: everything rendered
    assert again.copied == 49  # all but the new item
    # Another language is another key: nothing is copied across languages.
    spanish = render.PageBlocks(Digester(quipu.pipeline.FINGERPRINT_TYPES), where.get)
    spanish_page = dataclasses.replace(page, url="es/events/", locale=Locale("es", False, "es", Catalog("es", {})))
    render.render_page(env, spanish_page, values, spanish)
    assert spanish.copied == 0


@pytest.fixture
def many(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Keep the blocks of every page (not only of long ones), and count the blocks copied."""
    monkeypatch.setattr(quipu.pipeline, "MANY_BLOCKS", 1)
    copied: list[int] = []
    original = render.PageBlocks.block

    def counting(self: render.PageBlocks, block: str, keys: tuple[Any, ...], caller: Callable[[], str]) -> str:
        before = self.copied
        html = original(self, block, keys, caller)
        copied.append(self.copied - before)
        return html

    monkeypatch.setattr(render.PageBlocks, "block", counting)
    return copied


def test_an_incremental_build_with_kept_blocks_equals_a_clean_one(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, many: list[int]
) -> None:
    content = make_site({"site.yaml": BILINGUAL, "events/1980/another.md": event("Another action", "1980-06-01")})
    site = tmp_path / "site"
    assert cli("build", "--jobs", "1").code == 0
    assert (tmp_path / ".cache/quipu/blocks.sqlite").is_file() and sum(many) == 0
    _edits(content)
    assert cli("build", "--jobs", "1").code == 0
    assert sum(many) > 0  # the unchanged event's items were copied
    clean = tmp_path / "clean"
    assert cli("build", "--clean", "--out", str(clean)).code == 0
    assert _tree(site) == _tree(clean)


@pytest.mark.parametrize("damage", ["page", "spans", "file"])
def test_a_page_changed_by_hand_or_a_damaged_store_is_rendered_whole(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, many: list[int], damage: str
) -> None:
    content = make_site({"events/1980/another.md": event("Another action", "1980-06-01")})
    site = tmp_path / "site"
    assert cli("build").code == 0
    store = tmp_path / ".cache/quipu/blocks.sqlite"
    if damage == "page":
        listing = site / "events/index.html"
        listing.write_bytes(listing.read_bytes().replace(b"Another action", b"Planted text!!"))
    elif damage == "spans":
        with sqlite3.connect(store) as db:  # spans that no longer match their checksum
            db.execute("UPDATE page SET spans = substr(spans, 1, 16) || zeroblob(length(spans) - 16)")
    else:
        for leftover in store.parent.glob("blocks.sqlite-*"):
            leftover.unlink()
        store.write_bytes(b"\x00 not a database \xff" * 100)
    (content / "events/1980/first-action.md").write_text(event(body="Something else happened."))
    run = cli("build")
    assert run.code == 0
    assert "Traceback" not in run.err
    if damage != "page":
        assert sum(many) == 0  # the defaced page's own blocks are not copied, but other pages' are
    clean = tmp_path / "clean"
    assert cli("build", "--clean", "--out", str(clean)).code == 0
    assert _tree(site) == _tree(clean)


def test_spans_are_refused_when_they_do_not_match_their_checksum() -> None:
    packed = blocks._packed([(b"k" * 16, 0, 10), (b"j" * 16, 10, 5)])
    assert blocks._unpacked(packed) == [(b"k" * 16, 0, 10), (b"j" * 16, 10, 5)]
    assert blocks._unpacked(packed[:-1]) is None
    assert blocks._unpacked(packed[:16] + bytes(len(packed) - 16)) is None


def test_only_a_page_with_many_blocks_has_them_recorded(tmp_path: Path) -> None:
    env = _environment(tmp_path, LIST)
    page, values = _page([f"event-{i}" for i in range(10)])
    short = render.PageBlocks(Digester(quipu.pipeline.FINGERPRINT_TYPES), many=11)
    assert short.spans(render.render_page(env, page, values, short).encode()) == []
    long = render.PageBlocks(Digester(quipu.pipeline.FINGERPRINT_TYPES), many=10)
    data = render.render_page(env, page, values, long).encode()
    assert [data[s : s + n] for _, s, n in long.spans(data)] == [
        f'<li><a href="{e}/">{e.upper()}</a> killed</li>'.encode() for e in values["items"]
    ]


@pytest.mark.parametrize("new", [0, 4, 9])
def test_a_page_becomes_long_on_a_copied_block_or_a_rendered_one(tmp_path: Path, new: int) -> None:
    env = _environment(tmp_path, LIST)
    page, values = _page([f"event-{i}" for i in range(10)])
    first = render.PageBlocks(Digester(quipu.pipeline.FINGERPRINT_TYPES), many=5)
    data = render.render_page(env, page, values, first).encode()
    where = {key: memoryview(data)[s : s + n] for key, s, n in first.spans(data)}
    edited = list(values["items"])
    edited[new] = "a-new-one"
    again = render.PageBlocks(Digester(quipu.pipeline.FINGERPRINT_TYPES), where.get, many=5)
    text = render.render_page(env, page, {"items": edited}, again)
    assert text == render.render_page(env, page, {"items": edited}) and again.copied == 9
    spans = again.spans(text.encode())
    assert [text.encode()[s : s + n] for _, s, n in spans] == [
        f'<li><a href="{e}/">{e.upper()}</a> killed</li>'.encode() for e in edited
    ]
