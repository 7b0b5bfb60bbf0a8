"""Limits on a Markdown body that keep rendering it fast and shallow.

Python-Markdown does part of its work per construct over the rest of the text: each inline
match rebuilds its paragraph, each heading, rule or definition splits its paragraph and
searches what follows, each fenced block rescans the body, each [TOC] copies the table of
contents. A body that repeats one construct therefore renders in a time that grows with
its square, and nesting (lists, quotes, definitions, HTML with markdown="1") recurses.
Each such class has a limit here, found by measuring every construct at growing sizes
(tools/markdown_scaling.py) and set many times above what real entries use. Within them
the work is at most linear in the body, with a small factor, and the recursion is shallow.

`check` reports a body over a limit at its line (quipu.text.body_problems); `build` and
`serve` render only what `check` accepted, and the renderer refuses the rest itself.
The scan is one pass over the lines, conservative where it differs from Python-Markdown:
it may count more than the renderer sees, never less.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from markdown.util import BLOCK_LEVEL_ELEMENTS

MAX_BODY = 100_000  # characters in a body; the longest real body has about 3,200
MAX_BRACKETS = 2000  # '[' in a body: each starts a search for the end of a link
MAX_BRACKETS_PER_PARAGRAPH = 200
MAX_ANGLES = 2000  # '<' in a body: each starts an HTML tag
MAX_UNCLOSED_TAGS = 20  # '<' and a letter not closed by a '>' soon after: the HTML parser reads on to the end
MAX_NESTING = 16  # levels of lists, quotes, definitions, or HTML elements
MAX_BLOCK_STARTS = 16  # lines in one paragraph that start a heading, rule, definition or reference
MAX_MARKUP = 400  # inline markup in one paragraph: each match rebuilds the paragraph
MAX_FENCES = 100  # ``` and ~~~ lines in a body: each block found rescans the body
MAX_TOC = 1  # [TOC] markers in a body: each one is replaced by a copy of the whole table

LIMITS = {
    "characters": MAX_BODY,
    "brackets": MAX_BRACKETS,
    "angles": MAX_ANGLES,
    "unclosed tags": MAX_UNCLOSED_TAGS,
    "fences": MAX_FENCES,
    "toc": MAX_TOC,
    "html nesting": MAX_NESTING,
    "paragraph brackets": MAX_BRACKETS_PER_PARAGRAPH,
    "block starts": MAX_BLOCK_STARTS,
    "markup": MAX_MARKUP,
    "nesting": MAX_NESTING,
}

_MESSAGES: dict[str, Callable[[int], str]] = {
    "characters": lambda n: (
        f"the text is {n:,} characters long (at most {MAX_BODY:,}); shorten it or split it into several entries"
    ),
    "brackets": lambda n: f"the text has {n} '[' characters (at most {MAX_BRACKETS}); write \\[ for a literal bracket",
    "angles": lambda n: f"the text has {n} '<' characters (at most {MAX_ANGLES}); write &lt; for a literal '<'",
    "unclosed tags": lambda n: (
        f"the text has {n} '<' that do not start a complete HTML tag (at most "
        f"{MAX_UNCLOSED_TAGS}); write &lt; for a literal '<', or close the tag with '>'"
    ),
    "fences": lambda n: (
        f"the text has {n} fence lines (``` or ~~~; at most {MAX_FENCES}); put the code in fewer blocks"
    ),
    "toc": lambda n: f"the text has {n} [TOC] markers (at most {MAX_TOC}); keep one",
    "html nesting": lambda n: f"HTML elements nested more than {MAX_NESTING} deep; flatten them",
    "paragraph brackets": lambda n: (
        f"this paragraph has {n} '[' characters (at most {MAX_BRACKETS_PER_PARAGRAPH}); "
        "split it or write \\[ for a literal bracket"
    ),
    "block starts": lambda n: (
        f"this paragraph has {n} lines that start a heading, rule, definition or reference "
        f"with no blank line between them (at most {MAX_BLOCK_STARTS}); put a blank line before and after each"
    ),
    "markup": lambda n: (
        f"this paragraph has {n} markup characters (\\, &, <, runs of `, * or _, line breaks; "
        f"at most {MAX_MARKUP}); split it into paragraphs with blank lines"
    ),
    "nesting": lambda n: f"lists, quotes or definitions nested more than {MAX_NESTING} levels deep; flatten them",
}

# Container markers at the start of a line: quotes, list items, definitions (possessive: no backtracking).
_MARKER = re.compile(r"[ \t]*+(?:>|[-*+:][ \t]|[0-9]{1,9}[.)][ \t])")
_PREFIX = re.compile(_MARKER.pattern.join(["(?:", ")*+"]))
# What splits a paragraph once its container markers are removed: an ATX heading, a setext underline,
# a definition, a reference, footnote or abbreviation definition.
_BLOCK_START = re.compile(r"[ \t]*+(?:#|[=-]++[ \t]*+$|:[ \t]|\*?\[.*\] ?:)")
_RULE = re.compile(r"[ \t]*+(?:[-*_][ \t]*+){3,}+$")
_BLOCK_TAGS = frozenset(BLOCK_LEVEL_ELEMENTS)  # the elements whose nesting md_in_html follows
# Inline markup: each is where an inline pattern is tried (escapes, entities, HTML, code, emphasis). The
# tags of block-level elements are not: Python-Markdown takes them out of the text as HTML blocks.
# Written as one character class and then what each character needs, so that the regex engine skips the
# plain text between them (five times as fast on prose as the same matches written as alternatives:
# `[\\&]|<(?!/?tag\b)|`++|[*_]++`, which the tests compare it with).
_MARKUP = re.compile(
    r"[\\&<`*_](?:(?<=[\\&])|(?<=<)(?!/?(?i:" + "|".join(sorted(_BLOCK_TAGS)) + r")\b)|(?<=`)`*+|(?<=[*_])[*_]*+)"
)
_FENCE = re.compile(r"[ \t]*+(?:```|~~~)")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*+)([^<>]*+)>")
# Where html.parser tries a start tag, and how far it may read: to the first '>' when no quote comes before
# it, else to the end of a well-formed tag whose quoted values hold the quotes; past that it may read to
# the end of the body, every time.
_TAG_START = re.compile(r"<[A-Za-z]")
_PLAIN_TAG = re.compile(r"<[^>\"']*+>")
_QUOTED_TAG = re.compile(
    r"<[A-Za-z][A-Za-z0-9:-]*+(?:\s++[^\s\"'<>/=]++(?:\s*+=\s*+(?:\"[^\"]*+\"|'[^']*+'|[^\s\"'<>=`]++))?+)*+\s*+/?>"
)
_TAG_REACH = 1000  # characters: a longer tag counts as not closed
_VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})


@dataclass(frozen=True)
class Finding:
    """One measure of a body: its value and the line (from the body's start) to report it at."""

    name: str  # a key of LIMITS
    line: int
    value: int


def render_problems(body: str, first_line: int) -> list[tuple[int, str]]:
    """(line, message) for every limit the body goes over."""
    return [
        (first_line + found.line, _MESSAGES[found.name](found.value))
        for found in scan(body)
        if found.value > LIMITS[found.name]
    ]


def usage(body: str) -> dict[str, int]:
    """The largest value of each measure in the body, to compare real content with the limits."""
    most = dict.fromkeys(LIMITS, 0)
    for found in scan(body):
        most[found.name] = max(most[found.name], found.value)
    return most


def scan(body: str) -> Iterator[Finding]:
    """Every measure of the body: the body's own, then each paragraph's."""
    yield Finding("characters", 0, len(body))
    yield Finding("brackets", 0, body.count("["))
    angles = body.count("<")
    yield Finding("angles", 0, angles)
    if 0 < angles <= MAX_ANGLES:  # over it, the body is refused already, and these scans would not be linear
        yield _html_nesting(body)
        yield _unclosed_tags(body)
    lines = body.split("\n")
    fences: list[int] = [number for number, text in enumerate(lines) if _FENCE.match(text)]
    yield Finding("fences", fences[min(MAX_FENCES, len(fences) - 1)] if fences else 0, len(fences))
    tocs = [number for number, text in enumerate(lines) for _ in range(text.count("[TOC]"))]
    yield Finding("toc", tocs[min(MAX_TOC, len(tocs) - 1)] if tocs else 0, len(tocs))
    start: int | None = None
    for number, text in enumerate([*lines, ""]):
        if text.strip(" \t"):  # Python-Markdown's blank lines hold only spaces and tabs
            if start is None:
                start = number
        elif start is not None:
            yield from _paragraph(lines[start:number], start)
            start = None


def _paragraph(lines: list[str], start: int) -> Iterator[Finding]:
    """The measures of one run of lines with no blank line between them (a block, or several)."""
    brackets = markup = starts = deepest = 0
    deepest_line = start
    for offset, text in enumerate(lines):
        brackets += text.count("[")
        markup += len(_MARKUP.findall(text)) + text.endswith("  ")
        prefix = _PREFIX.match(text)
        inner = text[prefix.end() :] if prefix else text
        if _BLOCK_START.match(text) or _BLOCK_START.match(inner) or _RULE.match(text):
            starts += 1
        if prefix and prefix.end():
            depth = _depth(text[: prefix.end()])
            if depth > deepest and deepest <= MAX_NESTING:
                deepest, deepest_line = depth, start + offset
    yield Finding("paragraph brackets", start, brackets)
    yield Finding("markup", start, markup)
    yield Finding("block starts", start, starts)
    yield Finding("nesting", deepest_line, deepest)


def _depth(prefix: str) -> int:
    """Levels of nesting a line's container markers open: one per marker, one per four columns of indent
    (the one space a quote marker takes, '> ', is not indent)."""
    depth, after_quote = 0, False
    for marker in _MARKER.finditer(prefix):
        text = marker.group()
        indent = text[: len(text) - len(text.lstrip(" \t"))]
        if after_quote and indent.startswith(" "):
            indent = indent[1:]
        depth += 1 + sum(4 if ch == "\t" else 1 for ch in indent) // 4
        after_quote = text.endswith(">")
    return depth


def _html_nesting(body: str) -> Finding:
    """How deep block-level HTML elements nest, as md_in_html opens them (an unclosed <p> closes at the next block)."""
    open_tags: list[str] = []
    deepest, deepest_at = 0, 0
    for match in _TAG.finditer(body):
        closing, name, rest = match.group(1), match.group(2).lower(), match.group(3)
        if name not in _BLOCK_TAGS or name in _VOID_TAGS:
            continue
        if closing:
            if name in open_tags:
                del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name) :]
            continue
        if rest.endswith("/"):
            continue
        if "p" in open_tags:
            del open_tags[len(open_tags) - 1 - open_tags[::-1].index("p") :]
        open_tags.append(name)
        if len(open_tags) > deepest and deepest <= MAX_NESTING:
            deepest, deepest_at = len(open_tags), match.start()
    return Finding("html nesting", body.count("\n", 0, deepest_at), deepest)


def _unclosed_tags(body: str) -> Finding:
    """How many '<' start a tag that the HTML parser cannot see the end of within _TAG_REACH characters."""
    unclosed: list[int] = []
    for match in _TAG_START.finditer(body):
        at, end = match.start(), min(len(body), match.start() + _TAG_REACH)
        if not (_PLAIN_TAG.match(body, at, end) or _QUOTED_TAG.match(body, at, end)):
            unclosed.append(at)
    at = unclosed[min(MAX_UNCLOSED_TAGS, len(unclosed) - 1)] if unclosed else 0
    return Finding("unclosed tags", body.count("\n", 0, at), len(unclosed))
