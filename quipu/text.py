"""Markdown source text: the one home of what validation and rendering both need.

The internal link syntax (`[text](@actors/slug)`), the checks that keep the
renderer from hanging (their limits are in quipu.limits), the FILL IN
placeholder, the first sentence used as a summary and the plain text used for
search and downloads.
"""

from __future__ import annotations

import hashlib
import re

from .chars import first_refused, invisible_list, is_invisible, refusal
from .limits import render_problems
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


def body_problems(body: str, first_line: int, remembered: bool = True) -> list[tuple[int, str]]:
    """(line, message) for constructs that would make Markdown rendering hang or crash (see quipu.limits), and for characters that are not text.

    Each body is scanned once per process (the renderer checks again what `check` accepted), and, with the
    results kept in the entry cache, once per change: they are kept by the body's digest, as offsets from
    its first line, which is all a problem's line depends on. `remembered=False` (the renderer's own guard)
    takes only what this process scanned, never what a file on disk says.
    """
    key = hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    found = _CHECKED.get(key)
    if found is None and remembered:
        found = _REMEMBERED.get(key)
    if found is None:
        found = tuple(_scan(body, 0))
        _CHECKED[key] = found
    return [(first_line + offset, message) for offset, message in found]


def _scan(body: str, first_line: int) -> list[tuple[int, str]]:
    return character_problems(body, first_line) + render_problems(body, first_line)


_CHECKED: dict[bytes, tuple[tuple[int, str], ...]] = {}  # scanned in this process
_REMEMBERED: dict[bytes, tuple[tuple[int, str], ...]] = {}  # read from the entry cache


def checked_bodies() -> dict[bytes, tuple[tuple[int, str], ...]]:
    """The body checks made or remembered in this process (the entry cache keeps them between runs)."""
    return {**_REMEMBERED, **_CHECKED}


def remember_checked_bodies(checks: dict[bytes, tuple[tuple[int, str], ...]]) -> None:
    _REMEMBERED.update(checks)


def take_scanned_bodies() -> dict[bytes, tuple[tuple[int, str], ...]]:
    """The scans made in this process since the last call (a worker of this run sends them to its parent)."""
    taken = dict(_CHECKED)
    _CHECKED.clear()
    return taken


def add_scanned_bodies(checks: dict[bytes, tuple[tuple[int, str], ...]]) -> None:
    """Scans made by this run's own workers, with this same code: they count as made in this process."""
    _CHECKED.update(checks)


MAX_CHARACTER_PROBLEMS = 20  # lines reported one by one; the rest are counted in one more line


def character_problems(body: str, first_line: int) -> list[tuple[int, str]]:
    """(line, message) for characters the text may not hold (see quipu.chars), the first of each line; and for text that shows nothing."""
    found: list[tuple[int, str]] = []
    if first_refused(body) is not None:
        lines = body.split("\n")
        bad = [(number, text, at) for number, text in enumerate(lines) if (at := first_refused(text)) is not None]
        for number, text, at in bad[:MAX_CHARACTER_PROBLEMS]:
            what, fix = refusal(text[at])
            found.append((first_line + number, f"the text holds {what} at column {at + 1}; {fix}"))
        if len(bad) > MAX_CHARACTER_PROBLEMS:
            more = len(bad) - MAX_CHARACTER_PROBLEMS
            found.append(
                (
                    first_line + bad[MAX_CHARACTER_PROBLEMS][0],
                    f"{more} more lines hold characters that are not text; remove them too",
                )
            )
    elif body.strip() and is_invisible(body):
        line = first_line + body[: len(body) - len(body.lstrip("\n"))].count("\n")
        found.append(
            (
                line,
                f"the text holds only invisible characters ({invisible_list(body)}); write the text or leave the body empty",
            )
        )
    return found


# A link or an image, its text kept. Written with two literal starts rather than "!?\[": a pattern that can
# start only with '!' or '[' lets the regex engine skip the text between them (half the time on a body).
_MD_LINK = re.compile(r"(?:!\[|\[)([^\]]*)\]\([^)]*\)")
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


_HEADING = re.compile(r"^#+\s*", re.MULTILINE)
_MARKS = str.maketrans("", "", "*_`")


def plain_text(body: str) -> str:
    """The body without Markdown syntax, for the data exports.

    Each pass only where its syntax occurs: a large site exports tens of thousands of bodies. Not memoised:
    a build converts each body once (a clean build of 5,000 events: 5,000 calls, no repeat), and later builds
    take the unchanged events' parts from the parts store (quipu.pieces); the memo kept every body's plain
    text (without it, the parent's peak at 20,000 events fell from 354 to 293 MiB)."""
    text = _MD_LINK.sub(r"\1", body) if "](" in body else body
    if "#" in text:
        text = _HEADING.sub("", text)
    return " ".join(text.translate(_MARKS).split())


PLACEHOLDER = "FILL IN"


def placeholder_problem(body: str, body_line: int) -> tuple[int, str] | None:
    """The line of a FILL IN placeholder left by `build.py new`, with the fix."""
    if PLACEHOLDER not in body:
        return None
    at = body_line + body[: body.index(PLACEHOLDER)].count("\n")
    return at, "the text still holds a FILL IN placeholder from 'build.py new'; write the entry"
