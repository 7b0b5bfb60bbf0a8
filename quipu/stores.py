"""A cache file of one kind of kept output in SQLite, opened by each process that uses it (quipu.markdown's
bodies, quipu.blocks' spans): a forked process must not reuse its parent's connection. What a process makes
is queued and written at the end of its share; rows written by another version of the tool are dropped when
the file is opened, and a damaged file is deleted so the cache starts again empty. Never trusted over making
the output again: a store that cannot be opened, read or written only makes the build slower."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Any


def discard_database(path: Path, db: sqlite3.Connection | None = None) -> None:
    """Close `db` and delete its SQLite file, with the write-ahead log and shared memory."""
    if db is not None:
        with contextlib.suppress(sqlite3.Error):
            db.close()
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            Path(str(path) + suffix).unlink()


class ProcessStore:
    TABLE = ""  # CREATE TABLE ... of the kept rows (its name is the first word after TABLE)
    INSERT = ""  # INSERT OR REPLACE ... of one row

    def __init__(self, path: Path, tool: str) -> None:
        self.path = path
        self.tool = tool
        self._pid = -1
        self._db: sqlite3.Connection | None = None
        self._new: list[tuple[Any, ...]] = []

    def _connection(self) -> sqlite3.Connection | None:
        if self._pid != os.getpid():
            self._pid, self._db, self._new = os.getpid(), None, []
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(f"CREATE TABLE IF NOT EXISTS {self.TABLE}")
                db.execute("CREATE TABLE IF NOT EXISTS meta (tool TEXT NOT NULL)")
                # Rows made by another version of the tool are never read again: drop them, so the file does
                # not grow by a whole site's rows with every new version.
                db.execute("BEGIN IMMEDIATE")
                if db.execute("SELECT tool FROM meta").fetchall() != [(self.tool,)]:
                    db.execute(f"DELETE FROM {self.TABLE.split()[0]}")
                    db.execute("DELETE FROM meta")
                    db.execute("INSERT INTO meta VALUES (?)", (self.tool,))
                db.execute("COMMIT")
                self._db = db
            except (sqlite3.Error, OSError):
                self._discard()
        return self._db

    def _discard(self) -> None:
        discard_database(self.path, self._db)
        self._db = None

    def _one(self, query: str, parameters: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The first row the query finds, or None (also when the file is damaged: it is then deleted)."""
        db = self._connection()
        if db is None:
            return None
        try:
            row: tuple[Any, ...] | None = db.execute(query, parameters).fetchone()
        except sqlite3.Error:
            self._discard()
            return None
        return row

    def queue(self, row: tuple[Any, ...]) -> None:
        if self._connection() is not None:
            self._new.append(row)

    def flush(self) -> None:
        """Write what this process queued."""
        db = self._db if self._pid == os.getpid() else None
        if db is None or not self._new:
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(self.INSERT, self._new)
            db.execute("COMMIT")
        except sqlite3.Error:
            self._discard()
        self._new = []

    def close(self) -> None:
        self.flush()
        if self._db is not None and self._pid == os.getpid():
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db, self._pid = None, -1
