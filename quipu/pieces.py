"""Each event's part of the large downloads, found again in the download the last build wrote.

A one-event edit leaves every other event's line of events.csv, item of events.json and slide of each
timelinejs file as it was; making and encoding them all again was most of such a build's time at large
sizes. A part is known by a digest of what it is made from: the tool, the site's outline (quipu.reach: every
entry but the bodies' text, so the places, actors and periods a part names) and that event's entries in every
language. `.cache/quipu/parts.sqlite` records, for each file and each part's place in it, that digest and
where the part's bytes are in the file, with the hash of the whole file those places describe. A later build
reads a part back from the output itself, and only from a file the manifest says has that hash and that is
still as the last build left it (quipu.writer.Update.as_left): what it copies is what this tool wrote, never
text from the cache. Rows made for another outline are dropped when the build ends, so the file holds about
one site's rows; a damaged file is deleted and the store starts again empty.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from .corpus import Corpus
from .exports import Memo
from .fingerprint import Digester
from .stores import discard_database

# A part's row, as read: its position in its file, key, start, length (of its bytes) and checksum
Row = tuple[int, bytes, int, int, bytes]


def _check(name: str, position: int, key: bytes, start: int, length: int) -> bytes:
    """A row's own checksum: a damaged row is not taken for a place in the file."""
    return hashlib.blake2b(f"{name}\0{position}\0{start}\0{length}\0".encode() + key, digest_size=8).digest()


class PieceStore:
    def __init__(
        self, folder: Path, tool: str, outline: str, left: Callable[[str], tuple[Path, str] | None], read: bool = True
    ) -> None:
        """`left(name)`: the file the last build wrote for `name`, and its hash, if it is still as it was left."""
        self.path = folder / "parts.sqlite"
        self.tool = tool
        self.outline = outline
        self.left = left
        self.read = read  # False (build --clean): make every part, and keep where they are for the next build
        self._new: list[tuple[str, int, bytes, str, int, int, bytes]] = []
        self._files: dict[str, str] = {}  # file -> the hash of the bytes its new rows describe (see `wrote`)
        self._db: sqlite3.Connection | None = None
        self._writer: sqlite3.Connection | None = None
        self._rows: dict[str, Iterator[Row]] = {}  # each file's rows, read as they are asked for
        self._next: dict[str, Row | None] = {}
        self._old: dict[str, int | None] = {}  # each file's descriptor in the output, None if it cannot be used
        discard_database(folder / "pieces.sqlite")  # the format before, which kept each part's text
        try:
            folder.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            # A part by its file and its event's place in the date order: each file's rows are read in one
            # pass, in the order they are written.
            db.execute(
                "CREATE TABLE IF NOT EXISTS part (name TEXT NOT NULL, position INTEGER NOT NULL, key BLOB NOT NULL, "
                "outline TEXT NOT NULL, start INTEGER NOT NULL, length INTEGER NOT NULL, checksum BLOB NOT NULL, "
                "PRIMARY KEY (name, position)) WITHOUT ROWID"
            )
            db.execute("CREATE TABLE IF NOT EXISTS file (name TEXT PRIMARY KEY, hash TEXT NOT NULL)")
            self._db = db
        except (sqlite3.Error, OSError):
            self._discard()

    def _discard(self) -> None:
        discard_database(self.path, self._db)
        self._db = None

    def _source(self, name: str) -> int | None:
        """The last build's file `name`, opened, if the rows describe it: the hash they were written for is the
        one the manifest gives it, and it is still as that build left it."""
        if name in self._old:
            return self._old[name]
        self._old[name] = None
        left = self.left(name)
        if left is None or self._db is None:
            return None
        path, digest = left
        try:
            if self._db.execute("SELECT hash FROM file WHERE name = ?", (name,)).fetchone() != (digest,):
                return None
            self._old[name] = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except (sqlite3.Error, OSError):
            return None
        return self._old[name]

    def get(self, name: str, position: int, key: bytes) -> str | None:
        """The part the last build wrote at this place of this file, if it was made from the same (`key`)."""
        if self._db is None or not self.read:
            return None
        source = self._source(name)
        if source is None:
            return None
        try:
            if name not in self._rows:
                cursor = self._db.execute(
                    "SELECT position, key, start, length, checksum FROM part WHERE name = ? AND outline = ? "
                    "ORDER BY position",
                    (name, self.outline),
                )
                self._rows[name] = iter(cursor)
                self._next[name] = next(self._rows[name], None)
            row = self._next[name]
            while row is not None and row[0] < position:
                row = next(self._rows[name], None)
            self._next[name] = row
        except sqlite3.Error:
            self._drop()
            return None
        if row is None or row[0] != position or row[1] != key or row[4] != _check(name, *row[:4]):
            return None
        _position, _key, start, length, _checksum = row
        try:
            data = os.pread(source, length, start)
            return data.decode("utf-8") if len(data) == length else None
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, name: str, position: int, key: bytes, start: int, length: int) -> None:
        if self._db is not None:
            self._new.append(
                (name, position, key, self.outline, start, length, _check(name, position, key, start, length))
            )
            if len(self._new) >= self.BATCH:
                self._write()

    BATCH = 5000  # rows held before they are written

    def _write(self) -> None:
        """Write the rows made so far, in the one transaction of this build's writes (on a connection of its
        own, so that the rows being read stay as they were when the build began)."""
        try:
            if self._writer is None:
                self._writer = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                self._writer.execute("BEGIN IMMEDIATE")
            self._writer.executemany(
                "INSERT OR REPLACE INTO part (name, position, key, outline, start, length, checksum) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                self._new,
            )
        except sqlite3.Error:
            self._drop()
        self._new = []

    def wrote(self, name: str, digest: str) -> None:
        """The file `name` this build made has bytes of this hash: the rows written for it describe those."""
        self._files[name] = digest

    def close(self) -> None:
        """Keep where this build's parts are, and let go of rows made for another outline."""
        self._rows, self._next = {}, {}
        for fd in self._old.values():
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._old = {}
        if self._db is None:
            return
        self._write()
        writer = self._writer
        try:
            if writer is None:
                writer = self._writer = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                writer.execute("BEGIN IMMEDIATE")
            writer.execute("DELETE FROM part WHERE outline != ?", (self.outline,))
            writer.executemany("INSERT OR REPLACE INTO file (name, hash) VALUES (?, ?)", self._files.items())
            writer.execute("COMMIT")
        except sqlite3.Error:
            self._drop()
            return
        for db in (self._db, writer):
            with contextlib.suppress(sqlite3.Error):
                db.close()
        self._db = self._writer = None

    def _drop(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(sqlite3.Error):
                self._writer.close()
        self._writer = None
        self._discard()


class _Parts:
    """The downloads' memo (exports.Memo): an event's part is read back from where the last build wrote it,
    if it was made from the same, else made; where each part goes in its file is recorded for the next build."""

    def __init__(self, store: PieceStore, digest: Digester, editions: dict[str, Corpus]) -> None:
        self.store = store
        self.events: dict[str, list[bytes]] = {}
        for corpus in editions.values():
            for event in corpus.events:
                self.events.setdefault(event.slug, []).append(digest(event))
        self.prefix = f"{store.tool}\0{store.outline}\0".encode()
        self.asked: dict[str, int] = {}  # parts asked for so far, by file: the next one's position
        self.at: dict[str, int] = {}  # by file: where the next part's bytes start
        self.between: dict[str, int] = {}

    def lay_out(self, name: str, first: int, between: int) -> None:
        self.at[name], self.between[name] = first, between

    def __call__(self, name: str, slug: str, make: Callable[[], str]) -> str:
        position = self.asked[name] = self.asked.get(name, -1) + 1
        key = hashlib.blake2b(
            self.prefix + name.encode() + b"\0" + b"".join(self.events[slug]), digest_size=20
        ).digest()
        text = self.store.get(name, position, key)
        if text is None:
            text = make()
        if name in self.at:
            length = len(text.encode("utf-8"))
            self.store.put(name, position, key, self.at[name], length)
            self.at[name] += length + self.between[name]
        return text


def memo(store: PieceStore, digest: Digester, editions: dict[str, Corpus]) -> Memo:
    return _Parts(store, digest, editions)
