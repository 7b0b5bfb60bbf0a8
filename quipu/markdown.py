"""Markdown bodies to safe HTML.

Internal links (`@actors/slug`) are rewritten to relative URLs before
conversion, and the HTML is sanitised afterwards, so no script, event
handler or javascript: link from any entry can reach a page. A body over
the limits of quipu.limits is never converted: `check` refuses it, and the
renderer refuses it again rather than hang or overflow the stack.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import markdown as _markdown
import nh3

from .stores import ProcessStore
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


# Bodies of plain prose: paragraphs of words and punctuation, with links, and nothing else Markdown reads.
# Python-Markdown and the sanitiser make of such a body exactly `<p>` + its text + `</p>` per paragraph
# (joined by a line break), each link an `<a href>`; the property tests in tests/test_markdown.py check that
# for generated bodies. Made directly, such a body costs a twentieth as much. Anything else, down to one
# character this does not know, goes through Python-Markdown as before.
# Letters and digits of any script are \w less "_", which a plain body does not hold (checked first, so that
# the classes can hold \w and match a run of text at once).
_TEXT_RUN = r"[\w .,;:?'\"()%/\u2013\u2014\u2018\u2019\u201c\u201d-]++"
# Relative links only (an internal link resolved): whether the sanitiser keeps an absolute one is its to say.
_URL = r"(?!//)[A-Za-z0-9./#?=%~+-]+"
_PLAIN_LINK = re.compile(rf"\[([\w .,;:?'\"%/-]+)\]\(({_URL})\)")
_PLAIN_LINE = re.compile(
    rf"(?:[^\W\d]|[(\"'\u2018\u201c]|\[(?=[^\]]*\]\())(?:{_TEXT_RUN}|!(?!\[)|{_PLAIN_LINK.pattern})*+"
)


def plain_html(source: str) -> str | None:
    """The HTML of a body of plain prose (after its internal links were resolved), or None if it is not one."""
    if "_" in source:
        return None
    paragraphs = []
    for paragraph in re.split(r"\n{2,}", source.strip("\n")):
        lines = paragraph.split("\n")
        for line in lines:
            if not line or line[-1] == " " or _PLAIN_LINE.fullmatch(line) is None:
                return None
        paragraphs.append("<p>" + _PLAIN_LINK.sub(r'<a href="\2">\1</a>', paragraph) + "</p>")
    return "\n".join(paragraphs) if paragraphs and paragraphs != ["<p></p>"] else None


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
        made = plain_html(source)
        return made if made is not None else self.markdown_html(source)

    def markdown_html(self, source: str) -> str:
        """Python-Markdown's HTML for a body whose internal links are resolved, headings from h2, sanitised."""
        self._md.reset()
        html = self._md.convert(source)
        # The page title is the only h1; a '#' heading in a body becomes h2.
        html = html.replace("<h1", "<h2").replace("</h1>", "</h2>")
        return sanitize(html)


_PROCESS_RENDERER: Renderer | None = None
_HTML_CACHE: dict[tuple[str, str], str] | None = None


class BodyStore(ProcessStore):
    """Rendered bodies kept across builds in .cache/quipu/bodies.sqlite, keyed by what they are made from.

    The key is a digest of the tool's fingerprint, the Markdown source and where the page sits
    (links are relative). Each process writes what it rendered at the end of its share
    (quipu.stores.ProcessStore); a body read back is sanitised again, never trusted over rendering.
    """

    TABLE = "body (key BLOB PRIMARY KEY, html TEXT NOT NULL)"
    INSERT = "INSERT OR REPLACE INTO body (key, html) VALUES (?, ?)"

    def __init__(self, folder: Path, tool: str) -> None:
        super().__init__(folder / "bodies.sqlite", tool)

    def key(self, source: str, where: str) -> bytes:
        return hashlib.blake2b(f"{self.tool}\0{where}\0{source}".encode(), digest_size=20).digest()

    def get(self, key: bytes) -> str | None:
        row = self._one("SELECT html FROM body WHERE key = ?", (key,))
        # Sanitised again: a cache on disk is never trusted to hold only what this tool wrote.
        return None if row is None else sanitize(str(row[0]))

    def put(self, key: bytes, html: str) -> None:
        self.queue((key, html))


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
