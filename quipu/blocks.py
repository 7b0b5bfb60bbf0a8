"""Where the memo blocks of long pages are, kept across builds in .cache/quipu/blocks.sqlite.

A one-event edit re-renders every list that shows the event: at 20,000 events, the list of all events and
the country's page hold 20,000 items each, in each language, and rendering them again was a quarter of such
a build. A page that holds many `{% call memo(...) %}` blocks (quipu.render.PageBlocks) has each block's key,
start and length in its bytes recorded here, with the hash of those bytes. When the page is rendered again,
its file in the output is read back if it is still as the last build left it and the manifest gives it that
hash; each block whose key comes again is then copied from it instead of rendered.

The file is a quipu.stores.ProcessStore (each process writes what it recorded at the end of its share); a
row that does not match the page it describes, or its own checksum, is not used.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from pathlib import Path

from .stores import ProcessStore

MANY = 500  # blocks a page must hold for their places to be kept: a shorter list renders again in no time
_SPAN = struct.Struct("<16sII")  # key, start, length (in bytes of the page)

Spans = list[tuple[bytes, int, int]]


def _packed(spans: Spans) -> bytes:
    packed = b"".join(_SPAN.pack(*span) for span in spans)
    return hashlib.blake2b(packed, digest_size=16).digest() + packed


def _unpacked(blob: bytes) -> Spans | None:
    check, packed = blob[:16], blob[16:]
    if len(packed) % _SPAN.size or hashlib.blake2b(packed, digest_size=16).digest() != check:
        return None
    return list(_SPAN.iter_unpack(packed))


class BlockStore(ProcessStore):
    TABLE = "page (file TEXT PRIMARY KEY, hash TEXT NOT NULL, spans BLOB NOT NULL)"
    INSERT = "INSERT OR REPLACE INTO page (file, hash, spans) VALUES (?, ?, ?)"

    def __init__(self, folder: Path, tool: str, read: bool = True) -> None:
        super().__init__(folder / "blocks.sqlite", tool)
        self.read = read  # False (build --clean): use nothing kept, but keep what this build makes

    def previous(self, rel: str, left: tuple[Path, str] | None) -> Callable[[bytes], memoryview | None] | None:
        """The blocks of the page `rel` as its last build wrote them (their UTF-8 bytes), by key; None if not kept,
        or if `left` (quipu.writer.Update.as_left: the file, if still as that build left it, and the hash the
        manifest gives it) is not the file the places were recorded in."""
        if left is None or not self.read:
            return None
        path, digest = left
        row = self._one("SELECT hash, spans FROM page WHERE file = ?", (rel,))
        if row is None or row[0] != digest:
            return None
        spans = _unpacked(bytes(row[1]))
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if spans is None:
            return None
        view = memoryview(data)
        where = {key: (start, start + length) for key, start, length in spans if start + length <= len(data)}

        def find(key: bytes) -> memoryview | None:
            span = where.get(key)
            return None if span is None else view[span[0] : span[1]]

        return find

    def put(self, rel: str, digest: str, spans: Spans) -> None:
        self.queue((rel, digest, _packed(spans)))
