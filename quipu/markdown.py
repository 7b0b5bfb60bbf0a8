"""Markdown bodies to safe HTML.

Internal links (`@actors/slug`) are rewritten to relative URLs before
conversion, and the HTML is sanitised afterwards, so no script, event
handler or javascript: link from any entry can reach a page. A body over
the limits of quipu.limits is never converted: `check` refuses it, and the
renderer refuses it again rather than hang or overflow the stack.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import markdown as _markdown
import nh3

from .text import LINK_RE, body_problems

_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "section",
    "div",
}
_ATTRIBUTES = {
    "*": {"id", "title", "lang"},
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start", "reversed"},
    "abbr": {"title"},
    "div": {"class"},
    "sup": {"class"},
    "li": {"id"},
}


class BodyRefused(ValueError):
    """A body that `check` refuses reached the renderer."""


def markdown_parser() -> _markdown.Markdown:
    """Python-Markdown as the bodies are written for, as it comes."""
    return _markdown.Markdown(
        extensions=["extra", "sane_lists", "toc"],
        extension_configs={"toc": {"permalink": False}},
        output_format="html",
    )


# Inline patterns that begin with a look-behind, which makes the regex engine try them at every character of
# a paragraph (a third of the time of a body of plain prose), written again to begin with the character they
# need and look behind it: they match exactly where, and what, the originals match (tests/test_markdown.py).
# Each replaces only the very pattern it was written from: another version of Python-Markdown keeps its own.
_NOT_AN_IMAGE = (r"(?<!\!)\[", r"\[(?<!\!\[)")
FASTER_PATTERNS = {
    "reference": _NOT_AN_IMAGE,
    "link": _NOT_AN_IMAGE,
    "short_reference": _NOT_AN_IMAGE,
    # an even run of backslashes before a backtick, or a backtick, neither after a backslash
    "backtick": (r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)", r"(?:(\\(?<!\\\\)\\(?:\\{2})*)(?=`+)|`(?<!\\`))"),
}


def faster(md: _markdown.Markdown) -> _markdown.Markdown:
    """The parser with the patterns of FASTER_PATTERNS replaced, where they are the ones they replace."""
    for name, (original, replacement) in FASTER_PATTERNS.items():
        if name in md.inlinePatterns:
            pattern = md.inlinePatterns[name]
            compiled = getattr(pattern, "compiled_re", None)
            if compiled is not None and compiled.pattern == original:
                pattern.compiled_re = re.compile(replacement, compiled.flags)
    return md


class Renderer:
    """One Markdown parser reused for every body (building one per call is slow)."""

    def __init__(self) -> None:
        self._md = faster(markdown_parser())

    def render(self, body: str, link: Callable[[str, str], str]) -> str:
        """HTML for a body; `link(kind, slug)` gives the URL of an internal link."""
        refused = body_problems(body, 1, remembered=False)
        if refused:
            line, message = refused[0]
            raise BodyRefused(f"line {line} of the body: {message}")

        def replace(match: re.Match[str]) -> str:
            anchor = match.group(4) or ""
            return f"{match.group(1)}{link(match.group(2), match.group(3))}{anchor}"

        source = LINK_RE.sub(replace, body)
        self._md.reset()
        html = self._md.convert(source)
        # The page title is the only h1; a '#' heading in a body becomes h2.
        html = html.replace("<h1", "<h2").replace("</h1>", "</h2>")
        return sanitize(html)


_PROCESS_RENDERER: Renderer | None = None
_HTML_CACHE: dict[tuple[str, str], str] | None = None


class BodyStore:
    """Rendered bodies kept across builds in .cache/quipu/bodies.sqlite, keyed by what they are made from.

    The key is a digest of the tool's fingerprint, the Markdown source and where the page sits
    (links are relative). Each process opens its own connection (a forked one must not reuse
    its parent's) and writes what it rendered at the end of its share. A damaged file is
    deleted and the cache starts again empty; it is never trusted over rendering.
    """

    def __init__(self, folder: Path, tool: str) -> None:
        self.path = folder / "bodies.sqlite"
        self.tool = tool
        self._pid = -1
        self._db: sqlite3.Connection | None = None
        self._new: list[tuple[bytes, str]] = []

    def _connection(self) -> sqlite3.Connection | None:
        if self._pid != os.getpid():
            self._pid, self._db, self._new = os.getpid(), None, []
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("CREATE TABLE IF NOT EXISTS body (key BLOB PRIMARY KEY, html TEXT NOT NULL)")
                db.execute("CREATE TABLE IF NOT EXISTS meta (tool TEXT NOT NULL)")
                # Bodies rendered by another version of the tool are never read again: drop them, so the
                # file does not grow by a whole site's bodies with every new version.
                db.execute("BEGIN IMMEDIATE")
                if db.execute("SELECT tool FROM meta").fetchall() != [(self.tool,)]:
                    db.execute("DELETE FROM body")
                    db.execute("DELETE FROM meta")
                    db.execute("INSERT INTO meta VALUES (?)", (self.tool,))
                db.execute("COMMIT")
                self._db = db
            except (sqlite3.Error, OSError):
                self._discard()
        return self._db

    def _discard(self) -> None:
        self._db = None
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(str(self.path) + suffix).unlink()

    def key(self, source: str, where: str) -> bytes:
        return hashlib.blake2b(f"{self.tool}\0{where}\0{source}".encode(), digest_size=20).digest()

    def get(self, key: bytes) -> str | None:
        db = self._connection()
        if db is None:
            return None
        try:
            row = db.execute("SELECT html FROM body WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            self._discard()
            return None
        # Sanitised again: a cache on disk is never trusted to hold only what this tool wrote.
        return None if row is None else sanitize(str(row[0]))

    def put(self, key: bytes, html: str) -> None:
        if self._connection() is not None:
            self._new.append((key, html))

    def flush(self) -> None:
        db = self._db if self._pid == os.getpid() else None
        if db is None or not self._new:
            return
        try:
            db.execute("BEGIN")
            db.executemany("INSERT OR REPLACE INTO body (key, html) VALUES (?, ?)", self._new)
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


_BODIES: BodyStore | None = None


def open_bodies(folder: Path | None, tool: str) -> None:
    """Use (or, with None, stop using) the persistent store of rendered bodies for this build."""
    global _BODIES
    close_bodies()
    _BODIES = BodyStore(folder, tool) if folder is not None else None


def bodies_flush() -> None:
    if _BODIES is not None:
        _BODIES.flush()


def close_bodies() -> None:
    global _BODIES
    if _BODIES is not None:
        _BODIES.close()
    _BODIES = None


def enable_cache() -> None:
    """Keep rendered bodies for the life of the process (serve: rebuilds re-render only what changed)."""
    global _HTML_CACHE
    if _HTML_CACHE is None:
        _HTML_CACHE = {}


class Body:
    """A Markdown body rendered when a template first shows it.

    Deferring the work lets page rendering (and its Markdown) run in worker
    processes; each process keeps one parser of its own.
    """

    __slots__ = ("source", "link", "_html")

    def __init__(self, source: str, link: Callable[[str, str], str]) -> None:
        self.source = source
        self.link = link
        self._html: str | None = None

    def __html__(self) -> str:
        if self._html is None:
            # Links are relative, so the HTML depends on the body and on where the page sits.
            where = f"{getattr(self.link, 'page_url', id(self.link))}\0{getattr(self.link, 'prefix', '')}"
            key = (self.source, where)
            cached = _HTML_CACHE.get(key) if _HTML_CACHE is not None else None
            stored_key = _BODIES.key(self.source, where) if _BODIES is not None and self.source.strip() else None
            if cached is None and stored_key is not None and _BODIES is not None:
                cached = _BODIES.get(stored_key)
            if cached is None:
                global _PROCESS_RENDERER
                if _PROCESS_RENDERER is None:
                    _PROCESS_RENDERER = Renderer()
                cached = _PROCESS_RENDERER.render(self.source, self.link) if self.source.strip() else ""
                if stored_key is not None and _BODIES is not None:
                    _BODIES.put(stored_key, cached)
            if _HTML_CACHE is not None:
                if len(_HTML_CACHE) > 100_000:
                    _HTML_CACHE.clear()
                _HTML_CACHE[key] = cached
            self._html = cached
        return self._html

    __str__ = __html__

    def __bool__(self) -> bool:
        return bool(self.source.strip())


def sanitize(html: str) -> str:
    """Keep structure and links; drop scripts, styles, handlers and unsafe URLs."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
