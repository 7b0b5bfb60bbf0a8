"""Every Markdown construct a body can repeat, as a unit that grows a body to any size.

Shared by tests/test_render_budget.py (each construct once, at the largest body allowed)
and tools/markdown_scaling.py (timings at growing sizes). A construct is unit(i) -> text;
the body is unit(0) + unit(1) + ... cut at the size wanted. The units cover Python-Markdown's
block and inline syntax, the extensions quipu enables (extra: tables, fenced code,
footnotes, abbreviations, definition lists, attribute lists, Markdown in HTML; sane_lists;
toc) and quipu's own @kind/slug links, each alone and run together.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path

from quipu.limits import (
    MAX_ANGLES,
    MAX_BLOCK_STARTS,
    MAX_BRACKETS,
    MAX_BRACKETS_PER_PARAGRAPH,
    MAX_FENCES,
    MAX_MARKUP,
    MAX_NESTING,
    MAX_TOC,
    MAX_UNCLOSED_TAGS,
)
from quipu.yamlsafe import YScalar

Unit = Callable[[int], str]

WORDS = "On 3 April 1983 a column entered the village and killed 69 people, among them children."


def _nested(depth: int, marker: str) -> Unit:
    return lambda i: "".join("    " * level + marker + f"item {i}\n" for level in range(depth)) + "\n"


CONSTRUCTS: dict[str, Unit] = {
    # Prose and whitespace
    "paragraphs": lambda i: WORDS + "\n\n",
    "one-paragraph": lambda i: WORDS + "\n",
    "one-line": lambda i: WORDS + " ",
    "one-word": lambda i: "abcdefghij",
    "accented-text": lambda i: "Ñuñoa, Ayacucho, Huamanga: pequeñas comunidades campesinas. ",
    "blank-lines": lambda i: "\n",
    "space-lines": lambda i: "   \n",
    "tabs": lambda i: "\t",
    "crlf-lines": lambda i: f"line {i}\r\n",
    "spaces": lambda i: " ",
    # Headings
    "atx-headings": lambda i: f"## Heading {i}\n\n",
    "atx-headings-tight": lambda i: f"## Heading {i}\n",
    "atx-same-heading": lambda i: "## Background\n\n",
    "atx-closed": lambda i: f"### Heading {i} ###\n",
    "heading-then-text": lambda i: f"## Heading {i}\ntext {i}\n",
    "hash-words": lambda i: f"#tag{i}\n",
    "hashes": lambda i: "#",
    "setext-headings": lambda i: f"Heading {i}\n=========\n",
    "setext-same-heading": lambda i: "Heading\n---\n",
    "setext-spaced": lambda i: f"Heading {i}\n=========\n\n",
    "equals-lines": lambda i: "=\n",
    # Rules
    "rules": lambda i: "---\n",
    "rules-spaced": lambda i: "* * *\n\n",
    "rule-then-text": lambda i: f"***\ntext {i}\n",
    "dashes": lambda i: "-",
    # Lists
    "bullet-list": lambda i: f"- item {i}\n",
    "bullet-list-loose": lambda i: f"- item {i}\n\n",
    "ordered-list": lambda i: f"{i + 1}. item\n",
    "list-markers-only": lambda i: "-\n",
    "list-paragraphs": lambda i: f"- item {i}\n\n    more about item {i}\n\n",
    "nested-lists": _nested(15, "- "),
    "nested-ordered": _nested(15, "1. "),
    "same-line-lists": lambda i: "- " * 15 + "x\n",
    "list-then-text": lambda i: f"- item {i}\ntext {i}\n",
    # Quotes
    "quote-lines": lambda i: f"> line {i}\n",
    "quotes-spaced": lambda i: f"> quote {i}\n\n",
    "quote-blank-lines": lambda i: ">\n",
    "nested-quotes": lambda i: "> " * 15 + f"deep {i}\n\n",
    "quote-markers": lambda i: ">",
    "quote-then-text": lambda i: f"> quote {i}\ntext {i}\n",
    "quoted-headings": lambda i: f"> ## Heading {i}\n",
    # Code
    "fenced-blocks": lambda i: f"```\ncode {i}\n```\n",
    "fenced-blocks-spaced": lambda i: f"```\ncode {i}\n```\n\n",
    "fence-lines": lambda i: "```\n",
    "tilde-fences": lambda i: "~~~\n",
    "fence-with-lang": lambda i: f"```python\nx = {i}\n```\n\n",
    "unclosed-fences": lambda i: "`" * (3 + i % 40) + "\n",
    "fence-junk": lambda i: f"``` a b {i}\n",
    "one-fenced-block": lambda i: "```\n" if i == 0 else f"code line {i}\n",
    "indented-code": lambda i: f"    code {i}\n",
    "indented-code-spaced": lambda i: f"    code {i}\n\n",
    "code-then-text": lambda i: f"    code {i}\ntext {i}\n",
    "code-spans": lambda i: f"`c{i}` ",
    "backticks": lambda i: "`",
    "backtick-pairs": lambda i: "``x",
    # Emphasis
    "emphasis": lambda i: f"*a{i}* ",
    "strong": lambda i: f"**b{i}** ",
    "strong-emphasis": lambda i: f"***c{i}*** ",
    "underscores": lambda i: f"_a{i}_ __b{i}__ ",
    "nested-emphasis": lambda i: "*a **b *c **d** c* b** a* ",
    "asterisks": lambda i: "*",
    "asterisk-words": lambda i: "*a ",
    "underscore-runs": lambda i: "_",
    "emphasis-open": lambda i: "**a ",
    "emphasis-lines": lambda i: "*a\n",
    # Escapes, breaks, entities
    "backslash-escapes": lambda i: "\\*",
    "backslashes": lambda i: "\\",
    "backslash-lines": lambda i: "\\\n",
    "hard-breaks": lambda i: f"line {i}  \n",
    "hard-breaks-short": lambda i: "a  \n",
    "entities": lambda i: "&amp; ",
    "numeric-entities": lambda i: "&#233;",
    "hex-entities": lambda i: "&#x00e9;",
    "ampersands": lambda i: "&",
    "html-comment-like": lambda i: "&lt;!-- ",
    # Links and images
    "links": lambda i: f"[link {i}](https://example.org/{i}) ",
    "internal-links": lambda i: "[actor](@actors/shining-path) ",
    "internal-links-anchor": lambda i: "[place](@places/vraem#events) ",
    "images": lambda i: f"![image {i}](https://example.org/{i}.png) ",
    "reference-links": lambda i: f"[a][r{i}]\n\n[r{i}]: https://example.org/{i}\n\n",
    "reference-definitions": lambda i: f"[r{i}]: https://example.org/{i}\n",
    "link-titles": lambda i: f'[a](https://example.org/{i} "title {i}") ',
    "open-parens": lambda i: "(",
    "close-parens": lambda i: ")",
    "bracket-paren": lambda i: "](",
    "brackets": lambda i: "[",
    "closing-brackets": lambda i: "]",
    "bang-brackets": lambda i: "![",
    "link-open": lambda i: "[a](",
    "bare-urls": lambda i: f"https://example.org/{i} ",
    "autolinks": lambda i: f"<https://example.org/{i}> ",
    "email-autolinks": lambda i: f"<a{i}@example.org> ",
    "at-words": lambda i: "@actors/x ",
    # HTML
    "html-blocks": lambda i: f"<div>\nblock {i}\n</div>\n\n",
    "html-inline": lambda i: f"<span>s{i}</span> ",
    "html-comments": lambda i: f"<!-- c{i} -->\n\n",
    "angles": lambda i: "<",
    "angle-words": lambda i: "<a ",
    "closing-angles": lambda i: ">",
    "markdown-in-html": lambda i: f'<div markdown="1">\n*x{i}*\n</div>\n\n',
    "nested-markdown-divs": lambda i: '<div markdown="1">\n' * 20 + "x\n" + "</div>\n" * 20 + "\n",
    "nested-divs": lambda i: "<div>" * 20 + "x" + "</div>" * 20 + "\n\n",
    "nested-spans": lambda i: "<span>" * 20 + "x" + "</span>" * 20 + " ",
    "html-unclosed": lambda i: "<div>\n",
    "html-then-text": lambda i: f"<div>x{i}</div>\ntext {i}\n",
    # Extensions
    "tables": lambda i: "| a | b |\n|---|---|\n" if i == 0 else f"| {i} | x |\n",
    "tables-spaced": lambda i: f"| a | b |\n|---|---|\n| {i} | x |\n\n",
    "pipes": lambda i: "|",
    "footnote-refs": lambda i: f"Text[^{i}] ",
    "footnotes": lambda i: f"Text[^{i}].\n\n[^{i}]: Note {i}.\n\n",
    "footnote-definitions": lambda i: f"[^{i}]: Note {i}.\n",
    "abbreviations": lambda i: f"*[AB{i}]: Abbreviation {i}\n",
    "abbreviation-uses": lambda i: "*[CVR]: Comisión de la Verdad\n\n" if i == 0 else "CVR ",
    "abbreviations-spaced": lambda i: f"*[AB{i}]: Abbreviation {i}\n\nAB{i} text.\n\n",
    "definitions-tight": lambda i: f"Term {i}\n: Definition {i}\n",
    "definition-lists": lambda i: f"Term {i}\n: Definition {i}\n\n",
    "definition-colons": lambda i: ": x\n",
    "attribute-lists": lambda i: f"Para {i}\n{{: #id{i} }}\n\n",
    "attribute-braces": lambda i: "{: ",
    "toc-markers": lambda i: "[TOC]\n\n",
    "toc-with-headings": lambda i: f"## Heading {i}\n\n[TOC]\n\n",
    "attribute-lists-tight": lambda i: f"text {i}\n{{: #id{i} }}\n",
    # Everything at once, as real prose mixes it
    "mixed": lambda i: (
        f"## Part {i}\n\nOn *3 April* the **column** entered [Lucanamarca](@places/lucanamarca) "
        f"and [others](https://example.org/{i}) &amp; `code`.  \nA new line.\n\n"
        f"- one\n- two\n    - three\n\n> a quote\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    ),
}


def _then_words(head: Callable[[int], str | None]) -> Unit:
    """head(i) while it gives text, then words in the same paragraph: the most text after the construct."""
    return lambda i: head(i) or "word "


_EDGE = MAX_MARKUP - 1
_STARTS = MAX_BLOCK_STARTS

# The worst bodies `check` still accepts: each limit's construct just under it, with the
# longest text after it, since Python-Markdown's extra work is over what follows.
AT_LIMITS: dict[str, Unit] = {
    "brackets-at-limit": _then_words(
        lambda i: (
            "[" * (MAX_BRACKETS_PER_PARAGRAPH - 1) + "\n\n" if i < MAX_BRACKETS // MAX_BRACKETS_PER_PARAGRAPH else None
        )
    ),
    "links-at-limit": _then_words(
        lambda i: f"[a{i}](https://example.org/{i}) " if i < MAX_BRACKETS_PER_PARAGRAPH - 1 else None
    ),
    "angles-at-limit": _then_words(lambda i: "<b>x</b> " * (_EDGE // 2) + "\n\n" if i < MAX_ANGLES // _EDGE else None),
    "unclosed-tags-at-limit": _then_words(lambda i: "<a " if i < MAX_UNCLOSED_TAGS else None),
    "unclosed-quotes-at-limit": _then_words(lambda i: '<a x="' if i < MAX_UNCLOSED_TAGS else None),
    "block-tags-at-limit": _then_words(lambda i: "x <div>y</div> " if i < MAX_ANGLES // 2 - 1 else None),
    "long-tags-at-limit": lambda i: "<a " + "b " * 480 + "> ",
    "quoted-tags-at-limit": _then_words(
        lambda i: (
            f'<abbr title="Comisión {i}">C</abbr> ' + ("\n\n" if i % 100 == 99 else "") if i < MAX_ANGLES // 2 else None
        )
    ),
    "escapes-at-limit": _then_words(lambda i: "\\*" * (_EDGE // 2) if i == 0 else None),
    "entities-at-limit": _then_words(lambda i: "&amp;" * _EDGE if i == 0 else None),
    "code-spans-at-limit": _then_words(lambda i: "`c` " * (_EDGE // 2) if i == 0 else None),
    "emphasis-at-limit": _then_words(lambda i: "*a* " * (_EDGE // 2) if i == 0 else None),
    "hard-breaks-at-limit": _then_words(lambda i: "a  \n" * _EDGE if i == 0 else None),
    "html-inline-at-limit": _then_words(lambda i: "<b>x</b>" * (_EDGE // 2) if i == 0 else None),
    "headings-at-limit": _then_words(lambda i: "# h\n" * _STARTS if i == 0 else None),
    "setext-at-limit": _then_words(lambda i: "h\n=\n" * (_STARTS // 2) if i == 0 else None),
    "rules-at-limit": _then_words(lambda i: "***\n" * _STARTS if i == 0 else None),
    "definitions-at-limit": _then_words(lambda i: "Term\n: definition\n" * _STARTS if i == 0 else None),
    "references-at-limit": _then_words(lambda i: f"[r{i}]: https://example.org/{i}\n" if i < _STARTS else None),
    "paragraphs-at-limit": lambda i: "# h\n" * _STARTS + "\\*" * (_EDGE // 2) + "word " * 50 + "\n\n",
    "fences-at-limit": _then_words(
        lambda i: (
            "`" * (3 + i) + "\n"
            if i < MAX_FENCES // 2
            else "```\nx\n```\n"
            if i < MAX_FENCES // 2 + MAX_FENCES // 4
            else None
        )
    ),
    "toc-at-limit": lambda i: "[TOC]\n\n" if i < MAX_TOC else "## Heading\n\n",
    "nesting-at-limit": lambda i: "> " * (MAX_NESTING // 2) + "- " * (MAX_NESTING // 2) + f"item {i}\n\n",
    "indent-at-limit": _nested(MAX_NESTING - 1, "- "),
    "html-depth-at-limit": _then_words(
        lambda i: '<div markdown="1">\n' * MAX_NESTING + "*x*\n" + "</div>\n" * MAX_NESTING + "\n" if i == 0 else None
    ),
}


def grow(unit: Unit, size: int) -> str:
    """The body made of unit(0), unit(1), ... until it holds `size` characters."""
    parts, length, index = [], 0, 0
    while length < size:
        part = unit(index)
        parts.append(part)
        length += len(part)
        index += 1
    return "".join(parts)[:size]


def real_bodies(content: Path) -> list[tuple[str, str]]:
    """(path, text) of every Markdown text in a content folder: entry bodies and the site's intros."""
    from quipu.source import RawEntry, find_files, read_entry, read_site_file, site_translation_languages

    found = []
    for raw in [
        read_site_file(content),
        *(read_site_file(content, language=lang) for lang in site_translation_languages(content)),
    ]:
        intro = raw.data.items.get("intro") if isinstance(raw, RawEntry) else None
        if isinstance(intro, YScalar):
            found.append((raw.path, intro.text))
    for source in find_files(content)[0]:
        entry = read_entry(source)
        if isinstance(entry, RawEntry):
            found.append((entry.path, entry.body))
    return found


def link(kind: str, slug: str) -> str:
    return f"../../{kind}/{slug}/"


def check_and_render(
    body: str, render: Callable[[str], str], render_refused: bool = False
) -> tuple[float, int, float | None]:
    """What `check` does with a body, then what `build` does with it if `check` accepts it (or if
    render_refused): (seconds checking, problems found, seconds rendering or None when not rendered), in
    processor time, which other processes on a busy machine do not inflate as they do the clock's."""
    from quipu.text import body_problems, first_sentence, plain_text

    started = time.process_time()
    problems = body_problems(body, 1)
    checked = time.process_time() - started
    if problems and not render_refused:
        return checked, len(problems), None
    started = time.process_time()
    render(body)
    first_sentence(body)
    plain_text(body)
    return checked, len(problems), time.process_time() - started


def _worker(conn: Connection) -> None:
    """Times the constructs it is sent, one at a time, with one renderer (as a build process keeps one)."""
    from quipu.markdown import Renderer

    renderer = Renderer()
    everything = {**CONSTRUCTS, **AT_LIMITS}
    while True:
        request = conn.recv()
        if request is None:
            return
        name, size, render_refused = request
        try:
            body = grow(everything[name], size)
            conn.send(check_and_render(body, lambda text: renderer.render(text, link), render_refused))
        except RecursionError:
            conn.send("RecursionError")


Timing = tuple[float, int, float | None] | str  # or 'RecursionError', or '>Ns' when it was stopped


def time_constructs(
    requests: Iterable[tuple[str, int]], timeout: float, render_refused: bool = False
) -> Iterator[tuple[str, int, Timing]]:
    """(name, size, timing) for each request, in a child process stopped (and replaced) after `timeout` seconds
    of the clock."""
    context = mp.get_context("spawn")  # no fork of a process that may run threads
    process: mp.process.BaseProcess | None = None
    conn: Connection | None = None
    try:
        for name, size in requests:
            if process is None or conn is None:
                conn, child_conn = context.Pipe()
                process = context.Process(target=_worker, args=(child_conn,), daemon=True)
                process.start()
                child_conn.close()
            conn.send((name, size, render_refused))
            if conn.poll(timeout):
                try:
                    yield name, size, conn.recv()
                    continue
                except EOFError:
                    result: Timing = "crashed"
            else:
                result = f">{timeout:g}s"
            process.kill()
            process.join()
            process, conn = None, None
            yield name, size, result
    finally:
        if process is not None and conn is not None:
            conn.send(None)
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
