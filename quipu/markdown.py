"""Markdown bodies to safe HTML.

Internal links (`@actors/slug`) are rewritten to relative URLs before
conversion, and the HTML is sanitised afterwards, so no script, event
handler or javascript: link from any entry can reach a page.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import markdown as _markdown
import nh3

from .corpus import LINK_RE

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


class Renderer:
    """One Markdown parser reused for every body (building one per call is slow)."""

    def __init__(self) -> None:
        self._md = _markdown.Markdown(
            extensions=["extra", "sane_lists", "toc"],
            extension_configs={"toc": {"permalink": False}},
            output_format="html",
        )

    def render(self, body: str, link: Callable[[str, str], str]) -> str:
        """HTML for a body; `link(kind, slug)` gives the URL of an internal link."""

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
            key = (self.source, self.link("pages", ""))
            cached = _HTML_CACHE.get(key) if _HTML_CACHE is not None else None
            if cached is None:
                global _PROCESS_RENDERER
                if _PROCESS_RENDERER is None:
                    _PROCESS_RENDERER = Renderer()
                cached = _PROCESS_RENDERER.render(self.source, self.link) if self.source.strip() else ""
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


# Python-Markdown is quadratic on some inputs (runs of '[' or '<') and recursive on deeply
# nested lists and quotes, so a hostile body could hang or crash a build. Bodies beyond
# these limits are refused with a line number; real prose stays far below them.
MAX_BRACKETS_PER_PARAGRAPH = 200
MAX_BRACKETS = 2000
MAX_ANGLES = 2000
MAX_NESTING = 16
_NESTED_START = re.compile(r"^(?:[ \t]*(?:>|[-*+][ \t]|[0-9]{1,9}[.)][ \t])){" + str(MAX_NESTING + 1) + ",}")
_DEEP_INDENT = re.compile(r"^[ \t]{" + str(4 * MAX_NESTING) + r",}(?:>|[-*+][ \t]|[0-9]{1,9}[.)][ \t])")


def body_problems(body: str, first_line: int) -> list[tuple[int, str]]:
    """(line, message) for constructs that would make Markdown rendering hang or crash."""
    found: list[tuple[int, str]] = []
    if body.count("[") > MAX_BRACKETS:
        found.append(
            (
                first_line,
                f"the text has {body.count('[')} '[' characters (at most {MAX_BRACKETS}); write \\[ for a literal bracket",
            )
        )
    if body.count("<") > MAX_ANGLES:
        found.append(
            (
                first_line,
                f"the text has {body.count('<')} '<' characters (at most {MAX_ANGLES}); write &lt; for a literal '<'",
            )
        )
    line = first_line
    for block in body.split("\n\n"):
        if block.count("[") > MAX_BRACKETS_PER_PARAGRAPH:
            found.append(
                (
                    line,
                    f"this paragraph has {block.count('[')} '[' characters (at most {MAX_BRACKETS_PER_PARAGRAPH}); split it or write \\[ for a literal bracket",
                )
            )
        for offset, text in enumerate(block.split("\n")):
            if _NESTED_START.match(text) or _DEEP_INDENT.match(text):
                found.append(
                    (line + offset, f"lists or quotes nested more than {MAX_NESTING} levels deep; flatten them")
                )
        line += block.count("\n") + 2
    return found


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“(¿¡A-ZÁÉÍÓÚÑ0-9])")


def first_sentence(body: str, limit: int = 300) -> str:
    """Plain text of the body's first sentence, for lists and metadata."""
    paragraph = ""
    for block in body.strip().split("\n\n"):
        block = block.strip()
        if block and not block.startswith(("#", "|", "```", ">", "<")):
            paragraph = block
            break
    text = _MD_LINK.sub(r"\1", paragraph)
    text = re.sub(r"[*_`]+", "", text)
    text = " ".join(text.split())
    sentence = _SENTENCE_END.split(text, maxsplit=1)[0] if text else ""
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rsplit(" ", 1)[0] + "…"
    return sentence


def plain_text(body: str) -> str:
    """The body without Markdown syntax, for search and data exports."""
    text = _MD_LINK.sub(r"\1", body)
    text = re.sub(r"^#+\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"[*_`]+", "", text)
    return " ".join(text.split())
