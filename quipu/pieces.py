"""Each event's part of the large downloads, found again in the download the last build wrote.

A one-event edit leaves every other event's line of events.csv, item of events.json and slide of each
timelinejs file as it was; making and encoding them all again was most of such a build's time at large
sizes. A part is known by a digest of what it is made from: the tool, the site's outline (quipu.reach: every
entry but the bodies' text, so the places, actors and periods a part names) and that event's entries in every
language. `.cache/quipu/parts.sqlite` records, for each file and each part's place in it, that digest and
the length of the part's bytes, and for each file the hash of the whole file those rows describe and its
layout (where the first part starts, and the bytes between one part and the next): a part starts where the
parts before it end. So an edit rewrites only the rows of the parts it changed; a part read back is the
same row in the new file. A later build reads a part back from the output itself, and only from a file the
manifest says has that hash and that is still as the last build left it (quipu.writer.Update.as_left): what
it copies is what this tool wrote, never text from the cache. Rows made for another outline are dropped
when the build ends, so the file holds about one site's rows; a damaged file is deleted and the store
starts again empty.
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

# A part's row, as read: its position in its file, key, length (of its bytes) and checksum
Row = tuple[int, bytes, int, bytes]
FORMAT = 2  # the store's user_version: a file of another format is emptied when opened
WINDOW = 1 << 20  # bytes of the last build's file read at once: parts are read in the order they lie in it


def _check(name: str, position: int, key: bytes, length: int) -> bytes:
    """A row's own checksum: a damaged row is not taken for a place in the file."""
    return hashlib.blake2b(f"{name}\0{position}\0{length}\0".encode() + key, digest_size=8).digest()


def _file_check(name: str, digest: str, first: int, between: int) -> bytes:
    """A file row's checksum: a damaged layout would place every part wrong."""
    return hashlib.blake2b(f"{name}\0{digest}\0{first}\0{between}".encode(), digest_size=8).digest()


class _Old:
    """The last build's file, read forward a window at a time, and where its next row's part starts."""

    def __init__(self, name: str, fd: int, first: int, between: int, rows: Iterator[Row]) -> None:
        self.name, self.fd, self.between, self.rows = name, fd, between, rows
        self.row: Row | None = next(rows, None)
        self.expected = 0  # the position the next row must have: rows are every part's, in order
        self.start = first  # where that row's part starts
        self.window, self.window_start = b"", 0

    def take(self) -> tuple[int, bytes, int] | None:
        """The current row's part (its start, key and length), stepping to the next row; None, and no more rows,
        when the row is damaged or not the next position: no later part can be placed then."""
        row = self.row
        if row is None:
            return None
        position, key, length, checksum = row
        if position != self.expected or checksum != _check(self.name, position, key, length):
            self.row = None
            return None
        start = self.start
        self.start += length + self.between
        self.expected += 1
        self.row = next(self.rows, None)
        return start, key, length

    def read(self, start: int, length: int) -> bytes | None:
        end = self.window_start + len(self.window)
        if not (self.window_start <= start and start + length <= end):
            self.window, self.window_start = os.pread(self.fd, max(length, WINDOW), start), start
        at = start - self.window_start
        if at + length > len(self.window):
            return None  # the file is shorter than its rows say
        return self.window[at : at + length]


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
        self._new: list[tuple[str, int, bytes, str, int, bytes]] = []
        self._files: dict[str, str] = {}  # file -> the hash of the bytes its new rows describe (see `wrote`)
        self._layouts: dict[str, tuple[int, int]] = {}  # file -> this build's layout (see `lay_out`)
        self._counts: dict[str, int] = {}  # file -> the parts asked for
        self._db: sqlite3.Connection | None = None
        self._writer: sqlite3.Connection | None = None
        self._old: dict[str, _Old | None] = {}  # each file in the output, None if it cannot be used
        discard_database(folder / "pieces.sqlite")  # the format before, which kept each part's text
        try:
            folder.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("BEGIN IMMEDIATE")
            if db.execute("PRAGMA user_version").fetchone() != (FORMAT,):
                db.execute("DROP TABLE IF EXISTS part")
                db.execute("DROP TABLE IF EXISTS file")
                db.execute(f"PRAGMA user_version = {FORMAT}")
            # A part by its file and its event's place in the date order: each file's rows are read in one
            # pass, in the order they are written.
            db.execute(
                "CREATE TABLE IF NOT EXISTS part (name TEXT NOT NULL, position INTEGER NOT NULL, key BLOB NOT NULL, "
                "outline TEXT NOT NULL, length INTEGER NOT NULL, checksum BLOB NOT NULL, "
                "PRIMARY KEY (name, position)) WITHOUT ROWID"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS file (name TEXT PRIMARY KEY, hash TEXT NOT NULL, "
                "first_start INTEGER NOT NULL, separator INTEGER NOT NULL, checksum BLOB NOT NULL)"
            )
            db.execute("COMMIT")
            self._db = db
        except (sqlite3.Error, OSError):
            self._discard()

    def _discard(self) -> None:
        discard_database(self.path, self._db)
        self._db = None

    def _source(self, name: str) -> _Old | None:
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
            found = self._db.execute(
                "SELECT hash, first_start, separator, checksum FROM file WHERE name = ?", (name,)
            ).fetchone()
            if found is None or found[0] != digest or found[3] != _file_check(name, *found[:3]):
                return None
            rows = self._db.execute(
                "SELECT position, key, length, checksum FROM part WHERE name = ? AND outline = ? ORDER BY position",
                (name, self.outline),
            )
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            self._old[name] = _Old(name, fd, int(found[1]), int(found[2]), iter(rows))
        except (sqlite3.Error, OSError, TypeError, ValueError):
            return None
        return self._old[name]

    def get(self, name: str, position: int, key: bytes) -> bytes | None:
        """The part the last build wrote at this place of this file, if it was made from the same (`key`).
        Asked once for each part of a file, in order."""
        self._counts[name] = max(self._counts.get(name, 0), position + 1)
        if self._db is None or not self.read:
            return None
        old = self._source(name)
        if old is None:
            return None
        try:
            while old.row is not None and old.row[0] < position:
                old.take()
            taken = old.take() if old.row is not None and old.row[0] == position else None
        except sqlite3.Error:
            self._drop()
            return None
        if taken is None or taken[1] != key:
            return None
        try:
            return old.read(taken[0], taken[2])
        except OSError:
            return None

    def lay_out(self, name: str, first: int, between: int) -> None:
        """Where this build's file `name` has its first part, and the bytes between one part and the next."""
        self._layouts[name] = (first, between)

    def put(self, name: str, position: int, key: bytes, length: int) -> None:
        """A part made (not read back) in this build: its row, for the next build (of a file laid out: a part
        of one that is not cannot be found again)."""
        if self._db is not None and name in self._layouts:
            self._new.append((name, position, key, self.outline, length, _check(name, position, key, length)))
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
                "INSERT OR REPLACE INTO part (name, position, key, outline, length, checksum) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                self._new,
            )
        except sqlite3.Error:
            self._drop()
        self._new = []

    def wrote(self, name: str, digest: str) -> None:
        """The file `name` this build made has bytes of this hash: the rows written for it describe those."""
        self._files[name] = digest

    def close(self) -> None:
        """Keep where this build's parts are, and let go of rows made for another outline or for parts that are
        no more. A file whose parts were asked for but that was not written (the build stopped on the way) keeps
        no layout: some of its rows may be this build's, so they describe neither its old bytes nor new ones."""
        for old in self._old.values():
            if old is not None:
                with contextlib.suppress(OSError):
                    os.close(old.fd)
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
            writer.executemany("DELETE FROM part WHERE name = ? AND position >= ?", self._counts.items())
            placed = {name: digest for name, digest in self._files.items() if name in self._layouts}
            writer.executemany(
                "DELETE FROM file WHERE name = ?", [(name,) for name in self._counts if name not in placed]
            )
            writer.executemany(
                "INSERT OR REPLACE INTO file (name, hash, first_start, separator, checksum) VALUES (?, ?, ?, ?, ?)",
                [
                    (name, digest, *self._layouts[name], _file_check(name, digest, *self._layouts[name]))
                    for name, digest in placed.items()
                ],
            )
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
        self.lay_out = store.lay_out

    def __call__(self, name: str, slug: str, make: Callable[[], str]) -> bytes:
        position = self.asked[name] = self.asked.get(name, -1) + 1
        key = hashlib.blake2b(
            self.prefix + name.encode() + b"\0" + b"".join(self.events[slug]), digest_size=20
        ).digest()
        data = self.store.get(name, position, key)
        if data is None:  # made, so its row is new; a part read back keeps its row as it is
            data = make().encode("utf-8")
            self.store.put(name, position, key, len(data))
        return data


def memo(store: PieceStore, digest: Digester, editions: dict[str, Corpus]) -> Memo:
    return _Parts(store, digest, editions)
