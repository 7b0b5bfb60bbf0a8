"""Each event's part of the large downloads is kept across builds: an edit remakes only its own parts, and
a part read back is used only when it is what this tool writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from quipu import exports, pieces, pipeline, timelinejs
from quipu.exports import piece_is_sound

from .conftest import ROOT, SITE_YAML, Run, event
from .test_incremental import _tree

NOTE = "date_note: '-known <roughly>'\n"
BILINGUAL = SITE_YAML + "languages: [en, es]\n"
FILES = {
    "site.yaml": BILINGUAL,
    "events/1985/other.md": event("Other action", "1985-01-02", body="Other things. =1+1;@x"),
    "events/1985/other.es.md": "---\ntitle: Otra acción\n---\nOtras cosas <b>y</b> más.\n",
    "events/1986/third.md": event("Third action", "1986-07-08", extra=NOTE),
}
PARTS = ("data/events.json", "data/events.csv", "data/timelinejs.en.json", "data/timelinejs.es.json")


@pytest.fixture
def made_parts(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    kept: list[bytes] = []
    put = pieces.PieceStore.put

    def counting(self: pieces.PieceStore, name: str, position: int, key: bytes, text: str) -> None:
        kept.append(key)
        put(self, name, position, key, text)

    monkeypatch.setattr(pieces.PieceStore, "put", counting)
    monkeypatch.setattr(pieces.PieceStore, "BATCH", 2)  # written as they come, while others are being read
    return kept


def _same_as_clean(cli: Callable[..., Run], tmp_path: Path) -> None:
    assert cli("build", "--clean", "--out", str(tmp_path / "clean")).code == 0
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")


def test_an_edit_remakes_only_its_own_parts(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, made_parts: list[bytes]
) -> None:
    content = make_site(FILES)
    assert cli("build").code == 0
    assert len(made_parts) == 3 * len(PARTS)  # three events
    made_parts.clear()
    (content / "events/1986/third.md").write_text(event("Third action", "1986-07-08", extra=NOTE, body="Changed."))
    assert cli("build").code == 0
    assert len(made_parts) == len(PARTS)  # the edited event's, one per file
    _same_as_clean(cli, tmp_path)
    with sqlite3.connect(tmp_path / ".cache/quipu/pieces.sqlite") as db:
        outlines = {row[0] for row in db.execute("SELECT DISTINCT outline FROM part")}
    assert len(outlines) == 1  # parts of another outline were let go


@pytest.mark.parametrize(
    ("damage", "refused_in"),
    [
        (lambda text: text.replace("third", "other"), PARTS),  # another event's part under this one's key
        (lambda text: text[: len(text) // 2], PARTS),
        (lambda text: "", PARTS),
        # Text changed into other text is only detectable where it would be unsafe: HTML in a slide, or a
        # cell a spreadsheet would run (a changed entry cache row is no more detectable).
        (lambda text: text.replace("Something happened", "<script>alert(1)</script>"), PARTS[2:]),
        (lambda text: text.replace("Chuschi", "=HYPERLINK(1)"), PARTS[1:2]),
    ],
)
def test_a_part_read_back_is_used_only_when_sound(
    make_site: Callable[..., Path],
    cli: Callable[..., Run],
    tmp_path: Path,
    damage: Callable[[str], str],
    refused_in: tuple[str, ...],
) -> None:
    content = make_site(FILES)
    assert cli("build").code == 0
    with sqlite3.connect(tmp_path / ".cache/quipu/pieces.sqlite") as db:
        rows = list(db.execute("SELECT key, text FROM part"))
        db.executemany("UPDATE part SET text = ? WHERE key = ?", [(damage(text), key) for key, text in rows])
    (content / "events/1985/other.md").write_text(event("Other action", "1985-01-02", body="Edited."))
    assert cli("build").code == 0
    assert cli("build", "--clean", "--out", str(tmp_path / "clean")).code == 0
    built, clean = _tree(tmp_path / "site"), _tree(tmp_path / "clean")
    for name in refused_in:
        assert built[name] == clean[name], name


def test_every_part_this_tool_makes_is_sound_and_the_files_are_the_whole_documents(
    make_site: Callable[..., Path],
) -> None:
    content = make_site(FILES)
    loaded = pipeline.load(pipeline.Options(content=content, templates=ROOT / "templates", git_dates=False))
    assert loaded.corpus is not None
    made: list[tuple[str, str, str]] = []

    def remember(name: str, slug: str, make: Callable[[], str]) -> str:
        made.append((name, slug, make()))
        return made[-1][2]

    locales = pipeline.load_locales([ROOT / "templates"], loaded.corpus.site)
    files = {
        **exports.export_files(loaded.editions, remember),
        **timelinejs.timeline_files(loaded.editions, locales, remember),
    }
    joined = {name: data if isinstance(data, bytes) else b"".join(data) for name, data in files.items()}
    assert {name for name, _slug, _text in made} == set(PARTS)
    for name, slug, text in made:
        assert piece_is_sound(name, slug, text), (name, text)
        assert not piece_is_sound(name, "another-slug", text)
    plain = exports.export_files(loaded.editions)
    assert joined["data/events.json"] == b"".join(plain["data/events.json"])  # type: ignore[arg-type]
    for locale in locales:
        whole = timelinejs.timeline(loaded.editions[locale.code], locale)
        assert joined[f"data/timelinejs.{locale.code}.json"] == exports._dumps(whole)
