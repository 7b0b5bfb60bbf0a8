"""Read the content folder into raw entries: bytes → text → front matter → located YAML.

This is the only module that reads content files. Each file is turned into a
RawEntry by a pure function of its bytes (`parse_entry`), so reading can be
cached or parallelised without changing anything downstream.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import pickle
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from frontmatter.default_handlers import YAMLHandler

from .errors import Problem, did_you_mean, display_path
from .tree import Item, not_plain, walk
from .yamlsafe import YamlProblem, YMap, YScalar, load

MAX_BYTES = 1_000_000
KINDS = ("events", "actors", "places", "pages", "periods")  # the folders of content/; quipu.kinds says what each holds
ENTRY_SUFFIXES = (".md", ".yaml", ".yml")
SITE_TRANSLATIONS = "site.*.yaml"  # content/site.<lang>.yaml
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# python-frontmatter's own delimiter rule, so files it writes are files we read.
_BOUNDARY = YAMLHandler.FM_BOUNDARY


@dataclass(frozen=True)
class RawEntry:
    """One content file after YAML, before validation."""

    kind: str  # events | actors | places | pages | periods | site
    slug: str
    path: str  # as shown to the user
    folder: str  # the folder under content/<kind>/, '' if none (events use the year)
    data: YMap
    body: str
    body_line: int  # line of the body's first line in the file
    language: str | None = None  # set for a translation (lucanamarca.es.md), None for a base entry


@dataclass(frozen=True)
class SourceFile:
    """A content file located on disk, before it is read."""

    kind: str
    path: Path
    shown: str
    folder: str

    @property
    def slug_and_language(self) -> tuple[str, str | None]:
        """'lucanamarca-massacre.md' → (slug, None); 'lucanamarca-massacre.es.md' → (slug, 'es')."""
        stem = self.path.name.rsplit(".", 1)[0]
        if "." in stem:
            slug, language = stem.rsplit(".", 1)
            return slug, language
        return stem, None


def find_files(content: Path, cwd: Path | None = None) -> tuple[list[SourceFile], list[Problem]]:
    """Every entry file under content/, in a stable order, plus problems with the layout.

    Nothing is passed over in silence: links and special files are errors (see quipu.tree), and so is a
    folder named like an entry; whatever else content/ holds that the build does not read is a warning.
    """
    files: list[SourceFile] = []
    items, problems = walk(content, display_path(content, cwd), "the content folder")
    for item in items:
        top, *rest = item.parts
        if not rest:
            problem = _top_level_problem(item)
            if problem is not None:
                problems.append(problem)
            continue
        if top == MAP_FOLDER:
            if len(rest) == 1 and rest[0] != MAP_FILE:
                problems.append(
                    Problem(
                        item.shown,
                        1,
                        f"ignored: content/{MAP_FOLDER}/ holds only {MAP_FILE}; move or remove it",
                        "warning",
                    )
                )
            continue
        if top not in KINDS:
            continue  # its folder is reported once, above
        kind, name, rel_parts = top, item.path.name, tuple(rest[:-1])
        if item.folder:
            if name.endswith(ENTRY_SUFFIXES):
                problems.append(
                    Problem(
                        item.shown,
                        1,
                        "a folder named like an entry is not read; an entry is a file: rename or remove the folder",
                    )
                )
            continue
        if not name.endswith(ENTRY_SUFFIXES):
            problems.append(Problem(item.shown, 1, "ignored: not an entry (entries end in .md or .yaml)", "warning"))
            continue
        if kind == "events" and len(rel_parts) != 1:
            problems.append(
                Problem(
                    item.shown, 1, "events live in content/events/<YYYY>/<slug>.md; move this file into its year folder"
                )
            )
            continue
        if kind != "events" and rel_parts:
            problems.append(Problem(item.shown, 1, f"{kind} live directly in content/{kind}/; move this file there"))
            continue
        files.append(SourceFile(kind, item.path, item.shown, "/".join(rel_parts)))
    return files, problems


MAP_FOLDER, MAP_FILE = "map", "departments.geojson"  # the base map (quipu.maps.BASEMAP), the one file read there


def _top_level_problem(item: Item) -> Problem | None:
    """What content/ itself may hold: site.yaml and its translations, map/ and the kinds' folders."""
    name = item.path.name
    if name in KINDS or name == MAP_FOLDER:
        if item.folder:
            return None
        return Problem(item.shown, 1, f"content/{name} must be a folder; move the file away and make it a folder")
    if name == "site.yaml" or fnmatch(name, SITE_TRANSLATIONS):
        if not item.folder:
            return None
        return Problem(item.shown, 1, f"content/{name} must be a file, not a folder; rename or remove the folder")
    known = [*KINDS, MAP_FOLDER, "site.yaml"]
    hint = did_you_mean(name, known)
    return Problem(
        item.shown,
        1,
        f"ignored: content/ holds only site.yaml, site.<lang>.yaml, {MAP_FOLDER}/ and the folders "
        f"{', '.join(KINDS)}{hint}; move or remove it",
        "warning",
    )


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or its first MAX_BYTES + 1 (enough to refuse it). It asks for its own size, plus one:
    asking for MAX_BYTES + 1 makes (and then shrinks) a megabyte's buffer for every file, three times slower."""
    with open(path, "rb") as handle:
        return handle.read(min(os.fstat(handle.fileno()).st_size, MAX_BYTES) + 1)


def parse_entry(
    kind: str, slug: str, shown: str, folder: str, raw: bytes, yaml_only: bool, language: str | None = None
) -> RawEntry | Problem:
    """Turn one file's bytes into a RawEntry, or the Problem that stops it.

    A translation (language set) may have empty front matter: a place whose name
    is the same in both languages translates only its body.
    """
    if len(raw) > MAX_BYTES:
        return Problem(shown, 1, f"file is larger than {MAX_BYTES // 1000} kB; split it or shorten it")
    text_or_problem = decode(raw, shown)
    if isinstance(text_or_problem, Problem):
        return text_or_problem
    text = text_or_problem
    if not text.strip():
        return Problem(shown, 1, "file is empty; start it with a '---' line, the fields, and a closing '---'")
    if yaml_only:
        yaml_text, body, yaml_line, body_line = text, None, 1, 1
    else:
        split = split_front_matter(text, shown)
        if isinstance(split, Problem):
            return split
        yaml_text, body, yaml_line, body_line = split
    try:
        data = load(yaml_text, yaml_line)
    except YamlProblem as exc:
        return Problem(shown, exc.line, exc.message)
    if data is None and language is not None:
        data = YMap(items={}, line=yaml_line)
    if data is None:
        return Problem(shown, yaml_line, "front matter is empty; add the required fields (see CONTRIBUTING.md)")
    if not isinstance(data, YMap):
        return Problem(
            shown, data.line, "front matter must be a mapping of 'key: value' lines, not a list or a single value"
        )
    if body is None:
        body_node = data.items.pop("body", None)
        body_line = data.key_lines.pop("body", 1)
        if body_node is None:
            body = ""
        elif isinstance(body_node, YScalar):
            body = body_node.text
            body_line += 1
        else:
            return Problem(shown, body_line, "'body' must be text (use 'body: |' and indent the lines)")
    return RawEntry(kind, slug, shown, folder, data, body, body_line, language)


def decode(raw: bytes, shown: str) -> str | Problem:
    """UTF-8 with or without BOM, LF or CRLF; anything else names the bad line."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Problem(shown, line, "file is not UTF-8 text; save it as UTF-8 in your editor")
    if "\x00" in text:
        return Problem(
            shown, text[: text.index("\x00")].count("\n") + 1, "file contains a NUL byte; it is not a text file"
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str, shown: str) -> tuple[str, str, int, int] | Problem:
    """Split '---\\nyaml\\n---\\nbody' and give the first line of the YAML and of the body."""
    lines = text.split("\n")
    if not _BOUNDARY.match(lines[0]):
        return Problem(shown, 1, "no front matter: the file must start with a '---' line; did you forget it?")
    for index in range(1, len(lines)):
        if _BOUNDARY.match(lines[index]):
            yaml_text = "\n".join(lines[1:index]) + "\n"
            body = "\n".join(lines[index + 1 :])
            return yaml_text, body, 2, index + 2
    return Problem(shown, 1, "front matter is not closed: add a '---' line after the last field")


def read_entry(source: SourceFile) -> RawEntry | Problem:
    """Read and parse one content file (a base entry or a translation)."""
    try:
        raw = read_bytes(source.path)
    except OSError as exc:
        return Problem(source.shown, 1, f"cannot read the file: {exc.strerror}")
    return parse_source(source, raw)


def parse_source(source: SourceFile, raw: bytes) -> RawEntry | Problem:
    slug, language = source.slug_and_language
    yaml_only = not source.path.name.endswith(".md")
    return parse_entry(source.kind, slug, source.shown, source.folder, raw, yaml_only, language)


StatKey = tuple[int, int, str, str, str]  # modification time, size, shown path, kind, folder
# A row as a worker sends it (EntryCache.export): name, stat, digest, pickled parse (None: unchanged), context, pickled entry
Exported = tuple[str, StatKey, str, bytes | None, str | None, bytes | None]


@dataclass
class _Row:
    """One file's row: its parse, and what the validation made of it in one context, each unpickled when needed."""

    stat: StatKey
    digest: str  # of the file's bytes
    parse: RawEntry | Problem | None  # None: pickled, or still in the database (read only when the file needs it)
    parse_blob: bytes | None = None  # a parse made this run, pickled at once (a large site's parses are large)
    context: str | None = None  # what `checked` was validated against (see EntryCache.checked)
    checked: Any = None
    checked_blob: bytes | None = None


class EntryCache:
    """Parsed and validated entries of unchanged files, reused across builds (in memory for serve, on disk for build).

    A file counts as unchanged while its modification time and size are; when they
    differ but its bytes hash the same (a checkout touched it), the parse is reused too.
    The parse is a pure function of the bytes, so reusing it changes nothing else.
    An entry that passed every check is kept too, with the context it was checked in (the site's
    settings and today's date): while file and context are the same, it is used as it is, so a warm
    `check` reads no YAML and validates nothing it validated before.
    On disk (`.cache/quipu/entries.sqlite`) each file has its own row, so a build that read one changed
    file writes one row, not the whole cache; a parse is only read from it when its file is not
    otherwise known. A file that is unreadable, damaged or written by another version of the tool is
    ignored and replaced, never trusted; a row is unpickled with only the cache's own types allowed.
    """

    def __init__(self, path: Path | None = None, tool: str = "", trust: bool = True) -> None:
        """`path`: where it is kept between runs; `trust=False` (a clean build) starts empty but still saves."""
        self.path = path
        self.tool = tool
        self.changed = False
        self._seen: set[str] = set()
        self._dirty: set[str] = set()  # rows whose parse changed
        self._dirty_checked: set[str] = set()  # rows whose validated entry changed
        self._fresh = not trust  # a clean build replaces every row
        self._items: dict[str, _Row] = {}
        self._known_checks: set[bytes] = set()
        self._reader: sqlite3.Connection | None = None
        # The transaction that rows read by workers go into as they come (see adopt), committed by save.
        self._writer: sqlite3.Connection | None = None
        self._unsaved = False  # writing failed: this run's rows are not saved (the next build reads again)
        if path is not None and trust:
            self._items = _load_rows(path, tool)
            self._fresh = not self._items

    def _current(self, source: SourceFile) -> tuple[str, StatKey | None, _Row | None]:
        name = str(source.path)
        self._seen.add(name)
        try:
            st = os.stat(source.path)
        except OSError:
            return name, None, None
        key = (st.st_mtime_ns, st.st_size, source.shown, source.kind, source.folder)
        hit = self._items.get(name)
        return name, key, hit

    def checked(self, source: SourceFile, context: str) -> Any:
        """The validated entry kept for this file in this context, or None (then read and validate it)."""
        name, key, hit = self._current(source)
        if key is None or hit is None or hit.stat != key or hit.context != context:
            return None
        if hit.checked is None and hit.checked_blob is not None:
            hit.checked = _unpickle_checked(hit.checked_blob)
            if hit.checked is None:  # damaged: the file is validated again
                hit.context = None
            hit.checked_blob = None
        return hit.checked

    def stale(self, source: SourceFile, context: str | None) -> bool:
        """Whether the file must be read again (its row is missing or its stat changed), or, given a context,
        validated again (it was not validated without problems in that context)."""
        _name, key, hit = self._current(source)
        if key is None:
            return False  # it cannot be read: whoever reads it reports that
        if hit is None or hit.stat != key:
            return True
        return context is not None and hit.context != context

    def export(self, source: SourceFile) -> Exported | None:
        """What this run changed in the file's row, as plain bytes (a worker sends it to its parent's `adopt`)."""
        name = str(source.path)
        row = self._items.get(name)
        if row is None or not (name in self._dirty or name in self._dirty_checked):
            return None
        parse = None
        if name in self._dirty:
            parse = row.parse_blob or pickle.dumps(row.parse, protocol=pickle.HIGHEST_PROTOCOL)
        context, checked = _checked_columns(row)
        return name, row.stat, row.digest, parse, context, checked

    def adopt(self, rows: Iterable[Exported]) -> None:
        """Take rows that a worker of this run read and validated (see `export`) as if read here.

        With a file to keep them in, they are written at once into the transaction that `save` commits, and
        only what this run still needs stays in memory: the validated entry, or the parse of a file that
        is to be validated again (one with a problem). So a clean build never holds every file's pickles."""
        names = []
        for name, stat, digest, parse, context, checked in rows:
            row = self._items.get(name)
            if parse is not None or row is None:
                row = self._items[name] = _Row(stat, digest, None, parse)
                self._dirty.add(name)
            else:  # the same parse, validated again in a new context
                self._dirty_checked.add(name)
            row.context, row.checked, row.checked_blob = context, None, checked
            if checked is not None:
                row.checked = _unpickle_checked(checked)
                if row.checked is None:  # as for a damaged row: the file is validated again
                    row.context = row.checked_blob = None
            names.append(name)
            self.changed = True
        if self.path is None or self._unsaved or not names:
            return
        written = set(names)
        try:
            _write_rows(self._writing(), self._items, self._dirty & written, self._dirty_checked & written, [])
        except (OSError, sqlite3.Error):
            self._unsaved = True
            self._close_writer()
            return
        self._dirty -= written
        self._dirty_checked -= written
        for name in names:  # in the transaction now
            row = self._items[name]
            row.checked_blob = None
            if row.checked is not None:
                row.parse_blob = None

    def _writing(self) -> sqlite3.Connection:
        """The open transaction of this run's writes, begun (and the table replaced if need be) on first use."""
        if self._writer is None:
            assert self.path is not None
            self._writer, replaced = _begin_writing(self.path, self.tool, self._fresh)
            if replaced:  # every row this run has is to be written again, and none read from the old table
                self._dirty |= {n for n, row in self._items.items() if row.parse is not None or row.parse_blob}
                self._fresh = True
        return self._writer

    def _close_writer(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(sqlite3.Error):
                if self._writer.in_transaction:
                    self._writer.execute("ROLLBACK")
            self._writer.close()
            self._writer = None

    def close_reader(self) -> None:
        """Close the connection that reads stored parses (a worker's own; it is opened again when needed)."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def keep_checked(self, source: SourceFile, context: str, value: Any) -> None:
        """Remember that this file, as just read, validated to `value` with no problem in `context`."""
        row = self._items.get(str(source.path))
        if row is None:
            return
        row.context, row.checked, row.checked_blob = context, value, None
        self._dirty_checked.add(str(source.path))
        self.changed = True

    def read(self, source: SourceFile) -> RawEntry | Problem:
        name, key, hit = self._current(source)
        if key is None:
            return read_entry(source)
        if hit is not None and hit.stat == key:
            parse = self._parse_of(name, hit)
            if parse is not None:
                return parse
        try:
            raw = read_bytes(source.path)
        except OSError as exc:
            return Problem(source.shown, 1, f"cannot read the file: {exc.strerror}")
        digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
        same = hit is not None and hit.digest == digest and hit.stat[2:] == key[2:]
        result = self._parse_of(name, hit) if same and hit is not None else None
        if result is None:
            result = parse_source(source, raw)
        row = _Row(key, digest, result)
        if self.path is not None:  # kept pickled until it is saved: the caller lets go of the parse when done
            row.parse, row.parse_blob = None, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        if same and hit is not None:  # the same bytes: what they validated to still holds
            row.context, row.checked, row.checked_blob = hit.context, hit.checked, hit.checked_blob
        self._items[name] = row
        self._dirty.add(name)
        self.changed = True
        return result

    def _parse_of(self, name: str, row: _Row) -> RawEntry | Problem | None:
        if row.parse is not None:
            return row.parse
        if row.parse_blob is not None:
            return _unpickle_parse(row.parse_blob)
        return self._stored_parse(name)

    def _stored_parse(self, name: str) -> RawEntry | Problem | None:
        if self.path is None or self._fresh:
            return None
        try:
            if self._reader is None:  # one connection for every parse read this run, closed by save()
                self._reader = _connect(self.path)
            found = self._reader.execute("SELECT item FROM entry WHERE name = ?", (name,)).fetchone()
        except sqlite3.Error:
            return None
        return None if found is None else _unpickle_parse(found[0])

    def body_checks(self) -> dict[bytes, tuple[tuple[int, str], ...]]:
        """The body checks kept by the last run (see quipu.text.body_problems); plain data, read as JSON."""
        if self.path is None or self._fresh or not self.path.is_file():
            return {}
        try:
            with contextlib.closing(_connect(self.path)) as db:
                rows = db.execute("SELECT key, problems FROM body_check").fetchall()
            checks = {
                bytes(key): () if text == "[]" else tuple((int(a), str(b)) for a, b in json.loads(text))
                for key, text in rows
            }
        except (sqlite3.Error, OSError, ValueError, TypeError):
            return {}
        self._known_checks = set(checks)
        return checks

    def save(self, body_checks: dict[bytes, tuple[tuple[int, str], ...]] | None = None) -> None:
        """Write what changed for the next run, in one transaction (a concurrent build sees all of it or none)."""
        self.close_reader()
        gone = [name for name in self._items if name not in self._seen]
        for name in gone:  # files deleted since: forget them
            del self._items[name]
        new_checks = {k: v for k, v in (body_checks or {}).items() if k not in self._known_checks}
        if self.path is None or not (self.changed or gone or new_checks):
            return
        if self._unsaved:
            self._close_writer()
            return
        try:
            db = self._writing()
            _write_rows(db, self._items, self._dirty, self._dirty_checked, gone)
            db.execute("COMMIT")
            _save_checks(self.path, new_checks, body_checks or {}, len(self._items))
        except (OSError, sqlite3.Error, pickle.PicklingError):
            return  # a cache that cannot be written is only a slower next build
        finally:
            self._close_writer()
        self._dirty.clear()
        self._dirty_checked.clear()
        self._known_checks |= set(new_checks)
        self._fresh = False
        for row in self._items.values():  # on disk now, and read again only for a file that needs it
            row.parse = row.parse_blob = None
            if row.checked is not None:
                row.checked_blob = None


CACHE_FORMAT = 5


def _unpickle_checked(blob: bytes) -> Any:
    """A kept validated entry, or None if it is damaged."""
    try:
        return _EntriesUnpickler(io.BytesIO(blob)).load()
    except Exception:  # noqa: BLE001 - a damaged row is only a file to validate again
        return None


def _unpickle_parse(blob: object) -> RawEntry | Problem | None:
    """A kept parse, or None if it is damaged (then the file is parsed again)."""
    try:
        item = _EntriesUnpickler(io.BytesIO(blob)).load()  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - damaged: parse the file again
        return None
    return item if isinstance(item, (RawEntry, Problem)) else None


class _EntriesUnpickler(pickle.Unpickler):
    """Builds only the cache's own types: a planted or damaged row cannot run code or make anything else."""

    ALLOWED = {
        ("quipu.source", "RawEntry"),
        ("quipu.errors", "Problem"),
        ("quipu.yamlsafe", "YMap"),
        ("quipu.yamlsafe", "YSeq"),
        ("quipu.yamlsafe", "YScalar"),
        # validated entries (quipu.model), by name: this module does not depend on the model
        *(
            ("quipu.model", name)
            for name in ("Event", "Actor", "Place", "Page", "Period", "Count", "Casualties", "Source", "Responsibility")
        ),
        ("quipu.dates", "PartialDate"),
        ("quipu.specs", "Ref"),
        ("copyreg", "_reconstructor"),
        ("builtins", "object"),
    }

    _found: dict[tuple[str, str], Any] = {}  # each allowed class, once looked up (a warm build unpickles thousands)

    def find_class(self, module: str, name: str) -> Any:
        found = self._found.get((module, name))
        if found is not None:
            return found
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        found = self._found[(module, name)] = super().find_class(module, name)
        return found


ENTRY_TABLE = (
    "CREATE TABLE IF NOT EXISTS entry (name TEXT PRIMARY KEY, mtime INTEGER NOT NULL, size INTEGER NOT NULL, "
    "place TEXT NOT NULL, digest TEXT NOT NULL, item BLOB NOT NULL, context TEXT, checked BLOB)"
)


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE IF NOT EXISTS meta (format INTEGER NOT NULL, tool TEXT NOT NULL)")
    db.execute(ENTRY_TABLE)
    db.execute("CREATE TABLE IF NOT EXISTS body_check (key BLOB PRIMARY KEY, problems TEXT NOT NULL)")
    return db


def _save_checks(
    path: Path,
    new: dict[bytes, tuple[tuple[int, str], ...]],
    every: dict[bytes, tuple[tuple[int, str], ...]],
    entries: int,
) -> None:
    """Add the new body checks; when old ones (of bodies since edited) outnumber the entries, keep only this run's."""
    with contextlib.closing(_connect(path)) as db:
        db.execute("BEGIN IMMEDIATE")
        (count,) = db.execute("SELECT count(*) FROM body_check").fetchone()
        rows = new
        if count + len(new) > 3 * max(entries, 100):
            db.execute("DELETE FROM body_check")
            rows = every
        db.executemany(
            "INSERT OR REPLACE INTO body_check VALUES (?, ?)",
            [(key, json.dumps(found, ensure_ascii=False)) for key, found in sorted(rows.items())],
        )
        db.execute("COMMIT")


def _stat_columns(stat: StatKey) -> tuple[int, int, str]:
    """A stat key as the row keeps it: modification time, size, and where the file is shown (three names)."""
    return stat[0], stat[1], "\0".join(stat[2:])


def _stat_key(mtime: object, size: object, place: object) -> StatKey:
    if not (isinstance(mtime, int) and isinstance(size, int) and isinstance(place, str)):
        raise ValueError("damaged stat")
    shown, kind, folder = place.split("\0")
    return (mtime, size, shown, kind, folder)


def _load_rows(path: Path, tool: str) -> dict[str, _Row]:
    """Every file's stat, digest and validated entry (still pickled); the parses stay in the database."""
    if not path.is_file():
        return {}
    try:
        db = _connect(path)
        try:
            if db.execute("SELECT format, tool FROM meta").fetchall() != [(CACHE_FORMAT, tool)]:
                return {}
            items: dict[str, _Row] = {}
            for name, mtime, size, place, digest, context, checked in db.execute(
                "SELECT name, mtime, size, place, digest, context, checked FROM entry"
            ):
                if not (isinstance(name, str) and isinstance(digest, str)):
                    return {}
                row = _Row(_stat_key(mtime, size, place), digest, None)
                if isinstance(context, str) and isinstance(checked, bytes):
                    row.context, row.checked_blob = context, checked
                items[name] = row
            return items
        finally:
            db.close()
    except Exception:  # noqa: BLE001 - any damage means: start again
        with contextlib.suppress(OSError):
            path.unlink()
        return {}


def _begin_writing(path: Path, tool: str, fresh: bool) -> tuple[sqlite3.Connection, bool]:
    """A connection in a write transaction, and whether the table was replaced (fresh, or another format)."""
    try:
        db = _connect(path)
    except sqlite3.DatabaseError:  # damaged: start again
        path.unlink(missing_ok=True)
        db = _connect(path)
    try:
        db.execute("BEGIN IMMEDIATE")
        replace = fresh or db.execute("SELECT format, tool FROM meta").fetchall() != [(CACHE_FORMAT, tool)]
        if replace:
            db.execute("DELETE FROM meta")
            db.execute("DROP TABLE entry")  # another format may have other columns
            db.execute(ENTRY_TABLE)
            db.execute("INSERT INTO meta VALUES (?, ?)", (CACHE_FORMAT, tool))
    except BaseException:
        db.close()  # not committed: nothing of it is kept
        raise
    return db, replace


def _write_rows(
    db: sqlite3.Connection, items: dict[str, _Row], dirty: set[str], dirty_checked: set[str], gone: list[str]
) -> None:
    db.executemany("DELETE FROM entry WHERE name = ?", [(name,) for name in gone])
    # One row at a time: a clean build writes every row, and their pickles together are larger than the site.
    rows = (
        (
            name,
            *_stat_columns(row.stat),
            row.digest,
            row.parse_blob or pickle.dumps(row.parse, protocol=pickle.HIGHEST_PROTOCOL),
            *_checked_columns(row),
        )
        for name in sorted(dirty)
        if (row := items.get(name)) is not None and (row.parse is not None or row.parse_blob is not None)
    )
    db.executemany("INSERT OR REPLACE INTO entry VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.executemany(
        "UPDATE entry SET mtime = ?, size = ?, place = ?, context = ?, checked = ? WHERE name = ?",
        [
            (*_stat_columns(items[name].stat), *_checked_columns(items[name]), name)
            for name in sorted(dirty_checked - dirty)
            if name in items
        ],
    )


def _checked_columns(row: _Row) -> tuple[str | None, bytes | None]:
    if row.context is None:
        return None, None
    if row.checked_blob is not None:
        return row.context, row.checked_blob
    return row.context, pickle.dumps(row.checked, protocol=pickle.HIGHEST_PROTOCOL)


def read_site_file(content: Path, cwd: Path | None = None, language: str | None = None) -> RawEntry | Problem:
    """content/site.yaml (or its translation site.<lang>.yaml) as a RawEntry of kind 'site'."""
    path = content / ("site.yaml" if language is None else f"site.{language}.yaml")
    shown = display_path(path, cwd)
    refused = not_plain(path, "the content folder")  # a link is never followed, a pipe never opened
    if refused is not None:
        return Problem(shown, 1, refused)
    if not path.is_file():
        return Problem(shown, 1, "site settings are missing: create content/site.yaml with at least 'title: ...'")
    try:
        raw = read_bytes(path)
    except OSError as exc:
        return Problem(shown, 1, f"cannot read the file: {exc.strerror}")
    return parse_entry("site", "site", shown, "", raw, True, language)


def site_translation_languages(content: Path) -> list[str]:
    """Languages that content/site.<lang>.yaml files exist for, sorted."""
    found = []
    for path in sorted(content.glob(SITE_TRANSLATIONS)):
        found.append(path.name[len("site.") : -len(".yaml")])
    return found
