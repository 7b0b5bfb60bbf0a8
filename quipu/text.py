"""Markdown source text: the one home of what validation and rendering both need.

The internal link syntax (`[text](@actors/slug)`), the limits that keep the
renderer from hanging, the FILL IN placeholder, the first sentence used as a
summary and the plain text used for search and downloads.
"""

from __future__ import annotations

import re

from .source import KINDS

# [text](@kind/slug#anchor) and reference definitions [x]: @kind/slug
LINK_RE = re.compile(r"(\]\(\s*|\]:\s*)@([A-Za-z]*)/([^)\s#]*)(#[^)\s]*)?")
LINK_KINDS = KINDS  # every content kind can be linked to


def find_links(body: str, body_line: int) -> list[tuple[str, str, int]]:
    """Every @kind/slug link in a Markdown body, with the line it is on."""
    found = []
    for match in LINK_RE.finditer(body):
        line = body_line + body.count("\n", 0, match.start())
        found.append((match.group(2), match.group(3), line))
    return found


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


PLACEHOLDER = "FILL IN"


def placeholder_problem(body: str, body_line: int) -> tuple[int, str] | None:
    """The line of a FILL IN placeholder left by `build.py new`, with the fix."""
    if PLACEHOLDER not in body:
        return None
    at = body_line + body[: body.index(PLACEHOLDER)].count("\n")
    return at, "the text still holds a FILL IN placeholder from 'build.py new'; write the entry"
