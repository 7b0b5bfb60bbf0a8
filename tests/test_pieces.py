"""Each event's part of the large downloads is found again in the last build's file: an edit remakes only its
own parts, and a part is read back only from a file that is still exactly what the last build wrote."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from quipu import exports, pieces, pipeline, timelinejs

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
def made_parts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The parts that were not found again (so were made), by file."""
    made: list[str] = []
    get = pieces.PieceStore.get

    def counting(self: pieces.PieceStore, name: str, position: int, key: bytes) -> bytes | None:
        found = get(self, name, position, key)
        if found is None:
            made.append(name)
        return found

    monkeypatch.setattr(pieces.PieceStore, "get", counting)
    monkeypatch.setattr(pieces.PieceStore, "BATCH", 2)  # written as they come, while others are being read
    return made


def _same_as_clean(cli: Callable[..., Run], tmp_path: Path) -> None:
    assert cli("build", "--clean", "--out", str(tmp_path / "clean")).code == 0
    assert _tree(tmp_path / "site") == _tree(tmp_path / "clean")


def test_an_edit_remakes_only_its_own_parts(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, made_parts: list[str]
) -> None:
    content = make_site(FILES)
    assert cli("build").code == 0
    assert len(made_parts) == 3 * len(PARTS)  # three events
    made_parts.clear()
    (content / "events/1986/third.md").write_text(event("Third action", "1986-07-08", extra=NOTE, body="Changed."))
    assert cli("build").code == 0
    assert sorted(made_parts) == sorted(PARTS)  # the edited event's, one per file
    _same_as_clean(cli, tmp_path)
    made_parts.clear()
    (content / "events/1985/other.md").write_text(event("Other action", "1985-01-02", body="Longer, much longer."))
    assert cli("build").code == 0  # the parts after a longer one are found at their new places
    assert sorted(made_parts) == sorted(PARTS)
    _same_as_clean(cli, tmp_path)
    with sqlite3.connect(tmp_path / ".cache/quipu/parts.sqlite") as db:
        outlines = {row[0] for row in db.execute("SELECT DISTINCT outline FROM part")}
    assert len(outlines) == 1  # rows of another outline were let go


def _damage_rows(tmp_path: Path, query: str) -> None:
    with sqlite3.connect(tmp_path / ".cache/quipu/parts.sqlite") as db:
        db.execute(query)


DAMAGES: dict[str, Callable[[Path], None]] = {
    # a row whose length is not the one its checksum says (every later part would be placed wrong)
    "row": lambda tmp: _damage_rows(tmp, "UPDATE part SET length = length + 1 WHERE position = 0"),
    # a missing row: the parts after it cannot be placed
    "gap": lambda tmp: _damage_rows(tmp, "DELETE FROM part WHERE position = 0"),
    # a layout that is not the file's
    "layout": lambda tmp: _damage_rows(tmp, "UPDATE file SET first_start = first_start + 1"),
    # rows that describe another file than the one in the output
    "file": lambda tmp: _damage_rows(tmp, "UPDATE file SET hash = 'another'"),
    # the output's download changed by hand
    "output": lambda tmp: [
        (tmp / "site" / name).write_bytes((tmp / "site" / name).read_bytes().replace(b"Third", b"Fifth"))
        for name in PARTS
    ],
    # not a database
    "store": lambda tmp: (tmp / ".cache/quipu/parts.sqlite").write_bytes(b"\x00 not a database \xff" * 100),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_part_is_read_back_only_from_the_file_the_last_build_wrote(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, made_parts: list[str], damage: str
) -> None:
    content = make_site(FILES)
    assert cli("build").code == 0
    for leftover in (tmp_path / ".cache/quipu").glob("parts.sqlite-*"):
        os.unlink(leftover)  # the log is checkpointed: the damage reaches the rows themselves
    DAMAGES[damage](tmp_path)
    made_parts.clear()
    (content / "events/1985/other.md").write_text(event("Other action", "1985-01-02", body="Edited."))
    run = cli("build")
    assert run.code == 0 and "Traceback" not in run.err
    assert sorted(made_parts) == sorted(PARTS * 3)  # nothing was read back: every part was made
    _same_as_clean(cli, tmp_path)


class _Recording:
    def __init__(self) -> None:
        self.made: list[tuple[str, str, str]] = []
        self.at: dict[str, int] = {}
        self.between: dict[str, int] = {}
        self.places: list[tuple[str, int, str]] = []

    def lay_out(self, name: str, first: int, between: int) -> None:
        self.at[name], self.between[name] = first, between

    def __call__(self, name: str, slug: str, make: Callable[[], str]) -> bytes:
        text = make()
        self.made.append((name, slug, text))
        self.places.append((name, self.at[name], text))
        self.at[name] += len(text.encode()) + self.between[name]
        return text.encode()


def test_each_part_is_where_its_layout_says_and_the_files_are_the_whole_documents(
    make_site: Callable[..., Path],
) -> None:
    content = make_site(FILES)
    loaded = pipeline.load(pipeline.Options(content=content, templates=ROOT / "templates", git_dates=False))
    assert loaded.corpus is not None
    remember = _Recording()
    locales = pipeline.load_locales([ROOT / "templates"], loaded.corpus.site)
    files = {
        **exports.export_files(loaded.editions, remember),
        **timelinejs.timeline_files(loaded.editions, locales, remember),
    }
    joined = {name: data if isinstance(data, bytes) else b"".join(data) for name, data in files.items()}
    assert {name for name, _slug, _text in remember.made} == set(PARTS)
    for name, start, text in remember.places:
        data = text.encode()
        assert joined[name][start : start + len(data)] == data, (name, text)
    plain = exports.export_files(loaded.editions)
    assert joined["data/events.json"] == b"".join(plain["data/events.json"])  # type: ignore[arg-type]
    for locale in locales:
        whole = timelinejs.timeline(loaded.editions[locale.code], locale)
        assert joined[f"data/timelinejs.{locale.code}.json"] == exports._dumps(whole)


def test_an_edit_writes_only_the_rows_of_the_parts_it_changed(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = make_site(FILES)
    assert cli("build").code == 0
    rows: list[tuple[str, int]] = []
    put = pieces.PieceStore.put

    def counting(self: pieces.PieceStore, name: str, position: int, key: bytes, length: int) -> None:
        rows.append((name, position))
        put(self, name, position, key, length)

    monkeypatch.setattr(pieces.PieceStore, "put", counting)
    (content / "events/1985/other.md").write_text(event("Other action", "1985-01-02", body="Longer, much longer."))
    assert cli("build").code == 0
    assert sorted(name for name, _position in rows) == sorted(PARTS)  # the others' rows stand: they start later
    rows.clear()
    assert cli("build", "--clean").code == 0  # nothing read back: every row written again
    assert len(rows) == 3 * len(PARTS)
    _same_as_clean(cli, tmp_path)


def test_rows_of_a_download_the_build_did_not_finish_are_not_trusted(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that stops after making an edited part's row but before writing its file leaves rows that
    describe neither the old file nor a new one: the next build must not place parts by them."""
    content = make_site(FILES)
    assert cli("build").code == 0
    write = pipeline.Update.write

    def failing(self: pipeline.Update, rel: str, data: object, fingerprint: str | None = None) -> None:
        if rel == "data/events.json":
            list(data)  # type: ignore[call-overload]  # every part asked for (and its row made), then the disk is full
            raise OSError(28, "No space left on device")
        write(self, rel, data, fingerprint)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline.Update, "write", failing)
    (content / "events/1985/other.md").write_text(event("Other action", "1985-01-02", body="Longer, much longer."))
    run = cli("build")
    assert run.code != 0 and "Traceback" not in run.err
    monkeypatch.setattr(pipeline.Update, "write", write)
    assert cli("build").code == 0
    _same_as_clean(cli, tmp_path)
