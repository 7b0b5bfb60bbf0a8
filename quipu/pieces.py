"""Each event's part of the large downloads, kept across builds in .cache/quipu/pieces.sqlite.

A one-event edit leaves every other event's line of events.csv, item of events.json and slide of each
timelinejs file as it was; making and encoding them all again was most of such a build's time at large
sizes. A part is kept under a digest of what it is made from: the tool, the site's outline (quipu.reach:
every entry but the bodies' text, so the places, actors and periods a part names) and that event's entries
in every language. Parts read back are checked (exports.piece_is_sound) before they are used; a damaged
file is deleted and the store starts again empty. Parts made for another outline are dropped when the
build ends, so the file holds about one site's parts.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from .corpus import Corpus
from .exports import Memo, piece_is_sound
from .fingerprint import Digester
from .stores import discard_database


class PieceStore:
    def __init__(self, folder: Path, tool: str, outline: str, read: bool = True) -> None:
        self.path = folder / "pieces.sqlite"
        self.tool = tool
        self.outline = outline
        self.read = read  # False (build --clean): make every part, and keep them for the next build
        self._new: list[tuple[str, int, bytes, str, str]] = []
        self._db: sqlite3.Connection | None = None
        self._writer: sqlite3.Connection | None = None
        self._rows: dict[str, Iterator[tuple[int, bytes, str]]] = {}  # each file's parts, read as they are asked for
        self._next: dict[str, tuple[int, bytes, str] | None] = {}
        try:
            folder.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            # A part by its file and its event's place in the date order: each file's parts are read in one
            # pass, in the order they are written.
            db.execute(
                "CREATE TABLE IF NOT EXISTS part (name TEXT NOT NULL, position INTEGER NOT NULL, key BLOB NOT NULL, "
                "outline TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (name, position)) WITHOUT ROWID"
            )
            db.execute("DROP TABLE IF EXISTS piece")
            self._db = db
        except (sqlite3.Error, OSError):
            self._discard()

    def _discard(self) -> None:
        discard_database(self.path, self._db)
        self._db = None

    def get(self, name: str, position: int, key: bytes, slug: str) -> str | None:
        """The part kept for this file at this position, if it was made from the same (`key`) and is sound."""
        if self._db is None or not self.read:
            return None
        try:
            if name not in self._rows:
                cursor = self._db.execute(
                    "SELECT position, key, text FROM part WHERE name = ? AND outline = ? ORDER BY position",
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
        if row is None or row[0] != position or row[1] != key:
            return None
        text = row[2]
        return text if isinstance(text, str) and piece_is_sound(name, slug, text) else None

    def put(self, name: str, position: int, key: bytes, text: str) -> None:
        if self._db is not None:
            self._new.append((name, position, key, self.outline, text))
            if len(self._new) >= self.BATCH:
                self._write()

    BATCH = 500  # parts held before they are written: a fresh build makes a whole site's (100 MB at 20,000 events)

    def _write(self) -> None:
        """Write the parts made so far, in the one transaction of this build's writes (on a connection of its
        own, so that the parts being read stay as they were when the build began)."""
        try:
            if self._writer is None:
                self._writer = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                self._writer.execute("BEGIN IMMEDIATE")
            self._writer.executemany(
                "INSERT OR REPLACE INTO part (name, position, key, outline, text) VALUES (?, ?, ?, ?, ?)", self._new
            )
        except sqlite3.Error:
            self._drop()
        self._new = []

    def close(self) -> None:
        """Keep the parts made this build, and let go of those made for another outline."""
        self._rows, self._next = {}, {}
        if self._db is None:
            return
        self._write()
        writer = self._writer
        try:
            if writer is None:
                writer = self._writer = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                writer.execute("BEGIN IMMEDIATE")
            writer.execute("DELETE FROM part WHERE outline != ?", (self.outline,))
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


def memo(store: PieceStore, digest: Digester, editions: dict[str, Corpus]) -> Memo:
    """The downloads' memo (exports.Memo): an event's part is looked up by what it is made from, else made."""
    events: dict[str, list[bytes]] = {}
    for corpus in editions.values():
        for event in corpus.events:
            events.setdefault(event.slug, []).append(digest(event))
    prefix = f"{store.tool}\0{store.outline}\0".encode()
    asked: dict[str, int] = {}  # parts asked for so far, by file: the next one's position

    def remember(name: str, slug: str, make: Callable[[], str]) -> str:
        position = asked[name] = asked.get(name, -1) + 1
        key = hashlib.blake2b(prefix + name.encode() + b"\0" + b"".join(events[slug]), digest_size=20).digest()
        text = store.get(name, position, key, slug)
        if text is None:
            text = make()
            store.put(name, position, key, text)
        return text

    return remember
