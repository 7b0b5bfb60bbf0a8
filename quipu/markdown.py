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

from .text import LINK_RE

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
            key = (self.source, str(getattr(self.link, "page_url", id(self.link))))
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
