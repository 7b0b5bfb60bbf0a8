"""No body that `check` accepts can make `build` or `serve` hang or crash.

Python-Markdown does some of its work per construct over the rest of the paragraph or of
the body, so a body that repeats one construct renders in a time that grows with its
square; nesting recurses. quipu.limits refuses each class of such input at the body's line.
The scaling test runs every construct once, at the largest body allowed, against a
generous budget (tools/markdown_scaling.py measures the curves); the other tests hold each
class to its report, the real content far below every limit, and build to the same guard.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quipu import limits
from quipu.markdown import Renderer
from quipu.text import body_problems

from .conftest import ROOT, Run, event
from .markdown_constructs import AT_LIMITS, CONSTRUCTS, grow, link, real_bodies, time_constructs

# Processor seconds for `check` and `build` of one body at the limit: every construct takes
# under 1.5 s (tools/markdown_scaling.py); without the limits, a dozen took minutes. One that
# runs four times the budget on the clock is stopped and counts as a hang.
BUDGET = 8.0


def test_every_construct_at_the_largest_body_checks_and_renders_within_budget() -> None:
    requests = [(name, limits.MAX_BODY) for name in [*CONSTRUCTS, *AT_LIMITS]]
    over = []
    for name, size, timing in time_constructs(requests, timeout=4 * BUDGET):
        if isinstance(timing, str):
            over.append(f"{name} at {size} characters: {timing}")
        elif timing[0] + (timing[2] or 0) > BUDGET:
            over.append(f"{name} at {size} characters: {timing[0] + (timing[2] or 0):.1f} s")
    assert not over, "over the render budget:\n" + "\n".join(over)


def test_every_construct_at_the_file_size_limit_is_refused_within_a_few_seconds() -> None:
    """A body of 1 MB (the largest file read) of any construct: `check` refuses it quickly, so neither `build`
    nor `serve`, which check first, ever renders it."""
    slow = []
    for name, unit in {**CONSTRUCTS, **AT_LIMITS}.items():
        body = grow(unit, 1_000_000)
        started = time.process_time()
        found = body_problems(body, 1)
        spent = time.process_time() - started
        if not found or spent > 4.0:
            slow.append(f"{name}: {'accepted' if not found else f'{spent:.1f} s'}")
    assert not slow, "a 1 MB body not refused within budget:\n" + "\n".join(slow)


def test_the_worst_accepted_bodies_are_accepted() -> None:
    """The at-limit constructs sit just under each limit: they test the renderer, not the refusal."""
    refused = {name: body_problems(grow(unit, limits.MAX_BODY), 1) for name, unit in AT_LIMITS.items()}
    assert {name: found for name, found in refused.items() if found} == {}


def _problems(body: str, first_line: int = 10) -> list[tuple[int, str]]:
    return body_problems(body, first_line)


def test_a_body_longer_than_the_limit_is_refused_at_its_first_line() -> None:
    found = _problems("word " * (limits.MAX_BODY // 5 + 1))
    assert found == [
        (
            10,
            f"the text is {limits.MAX_BODY + 5:,} characters long (at most {limits.MAX_BODY:,}); "
            "shorten it or split it into several entries",
        )
    ]


@pytest.mark.parametrize(
    "line",
    ["## Heading", "Heading\n=======", "***", "- - -", "Term\n: definition", "[r]: https://example.org", "> # Quoted"],
    ids=["atx", "setext", "rule", "spaced-rule", "definition", "reference", "quoted-heading"],
)
def test_headings_rules_and_definitions_packed_in_one_paragraph_are_refused(line: str) -> None:
    packed = "\n".join([line] * (limits.MAX_BLOCK_STARTS + 1))
    spaced = "\n\n".join([line] * (limits.MAX_BLOCK_STARTS + 1))
    found = _problems("First paragraph.\n\n" + packed)
    assert len(found) == 1 and found[0][0] == 12, found
    assert "lines that start a heading, rule, definition or reference with no blank line between them" in found[0][1]
    assert found[0][1].endswith("; put a blank line before and after each")
    assert _problems(spaced) == []


@pytest.mark.parametrize(
    "markup",
    ["\\*", "&amp;", "&#233;", "`c`", "*a*", "__b__", "a  \n", "<b>x</b>"],
    ids=["escape", "entity", "numeric-entity", "code", "emphasis", "strong", "hard-break", "html"],
)
def test_markup_packed_in_one_paragraph_is_refused(markup: str) -> None:
    body = "Intro.\n\n" + "text " + markup * (limits.MAX_MARKUP + 1)
    found = _problems(body)
    assert [line for line, _ in found] == [12], found
    assert "markup characters" in found[0][1] and found[0][1].endswith("; split it into paragraphs with blank lines")
    assert _problems(body.replace(markup, markup + "\n\n")) == []


# Where an inline pattern is tried, written as plain alternatives: the definition limits._MARKUP keeps.
_MARKUP_AS_ALTERNATIVES = re.compile(r"[\\&]|<(?!/?(?i:" + "|".join(sorted(limits._BLOCK_TAGS)) + r")\b)|`++|[*_]++")
_MARKUP_PIECES = st.sampled_from(
    ["\\", "&", "<", "</", ">", "`", "``", "*", "_", "**", " ", "a", "\n", "div", "DiV", "p", "pre", "span", "/", "é"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_MARKUP_PIECES | st.text(max_size=3), max_size=40).map("".join))
def test_markup_is_counted_as_the_plain_alternatives_count_it(text: str) -> None:
    assert limits._MARKUP.findall(text) == _MARKUP_AS_ALTERNATIVES.findall(text)


def test_too_many_fences_are_refused_at_the_first_fence_over_the_limit() -> None:
    body = "Intro.\n\n" + "```\ncode\n```\n\n" * (limits.MAX_FENCES // 2) + "~~~\n"
    found = _problems(body)
    assert found == [
        (
            12 + (limits.MAX_FENCES // 2) * 4,
            f"the text has {limits.MAX_FENCES + 1} fence lines (``` or ~~~; at most {limits.MAX_FENCES}); "
            "put the code in fewer blocks",
        )
    ]


def test_a_second_table_of_contents_is_refused() -> None:
    found = _problems("[TOC]\n\n## A\n\n[TOC]\n")
    assert found == [(14, f"the text has 2 [TOC] markers (at most {limits.MAX_TOC}); keep one")]


def test_deeply_nested_html_is_refused_at_the_tag_too_deep() -> None:
    depth = 500
    body = "Intro.\n\n" + '<div markdown="1">\n' * depth + "x\n" + "</div>\n" * depth
    found = _problems(body)
    assert found == [
        (12 + limits.MAX_NESTING, f"HTML elements nested more than {limits.MAX_NESTING} deep; flatten them")
    ]
    one_line = '<div markdown="1">' * depth + "x" + "</div>" * depth
    assert _problems(one_line, 1) == [(1, f"HTML elements nested more than {limits.MAX_NESTING} deep; flatten them")]
    # Closed elements, unclosed paragraphs and elements that hold nothing do not nest.
    flat = '<div markdown="1">\n<p>a\n<p>b\n<br>\n<hr/>\n</div>\n' * depth
    assert [m for _, m in _problems(flat) if "nested" in m] == []


def test_definitions_nested_by_indentation_are_refused() -> None:
    body = "".join("    " * level + f"Term {level}\n" + "    " * level + ": definition\n\n" for level in range(40))
    found = _problems(body, 1)
    assert found and all("nested more than" in message for _, message in found), found
    assert found[0][0] == 2 + 3 * limits.MAX_NESTING  # the definition of level 16


def _deepest_accepted_bodies() -> dict[str, str]:
    depth, inline = limits.MAX_NESTING, limits.MAX_MARKUP // 2 - 1
    blocks = (
        "> " * (depth // 2)
        + "- " * (depth // 2)
        + "item\n\n"
        + "".join("    " * level + "- deeper\n" for level in range(depth - 1))
        + "\n"
        + "Term\n: definition\n" * (limits.MAX_BLOCK_STARTS // 2)
    )
    return {
        "blocks in HTML": '<div markdown="1">\n' * depth + blocks + "</div>\n" * depth,
        "emphasis": "".join("*a " if i % 2 else "_a " for i in range(inline))
        + "".join(" a*" if i % 2 else " a_" for i in reversed(range(inline))),
        "links": "[a " * (limits.MAX_BRACKETS_PER_PARAGRAPH - 1)
        + "x"
        + "](u)" * (limits.MAX_BRACKETS_PER_PARAGRAPH - 1),
        "spans": '<span markdown="1">' * inline + "x" + "</span>" * inline,
    }


@pytest.mark.parametrize("name", list(_deepest_accepted_bodies()))
def test_the_deepest_accepted_bodies_render_with_stack_to_spare(name: str) -> None:
    """Nesting at its limits renders within half of Python's default stack (a build adds its templates')."""
    body = _deepest_accepted_bodies()[name]
    assert body_problems(body, 1) == []
    frames, frame = 0, sys._getframe()
    while frame.f_back is not None:
        frames, frame = frames + 1, frame.f_back
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(frames + 500)
    try:
        Renderer().render(body, link)
    finally:
        sys.setrecursionlimit(old)


def test_the_renderer_refuses_what_check_refuses() -> None:
    """build and serve run check first; the renderer holds the same line if it ever were not."""
    with pytest.raises(ValueError, match="fence lines"):
        Renderer().render("```\n" * (limits.MAX_FENCES + 1), link)


def test_real_content_uses_a_small_part_of_every_limit() -> None:
    bodies = real_bodies(ROOT / "content")
    most = dict.fromkeys(limits.LIMITS, 0)
    for _, text in bodies:
        for name, value in limits.usage(text).items():
            most[name] = max(most[name], value)
    assert len(bodies) > 100 and set(most) == set(limits.LIMITS)
    assert {name: value for name, value in most.items() if value * 4 > limits.LIMITS[name]} == {}


def test_check_build_and_serve_refuse_a_hostile_body_at_its_line(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    """The 500 nested divs that used to crash the build, blamed on templates/event.html."""
    depth = 500
    body = "Fine.\n\n" + '<div markdown="1">\n' * depth + "x\n" + "</div>\n" * depth
    make_site({"events/1980/nested.md": event(body=body)})
    line = 13 + limits.MAX_NESTING  # the body starts at line 11: 'Fine.', a blank line, then the divs
    expected = f"content/events/1980/nested.md:{line}: error: HTML elements nested more than {limits.MAX_NESTING} deep; flatten them"
    check = cli("check")
    assert check.code == 1 and check.problems == [expected]
    build = cli("build")
    assert build.code == 1 and build.problems == [expected]
    assert "Traceback" not in build.err and "templates/" not in build.err
    assert not (tmp_path / "site").exists()

    from quipu import pipeline

    report, built = pipeline.build(
        pipeline.Options(content=tmp_path / "content", out=tmp_path / "preview", search=False)
    )
    assert report.lines() == [expected] and built is None


NESTED = '<div markdown="1">\n' * 40 + "x\n" + "</div>\n" * 40


@pytest.mark.parametrize(
    "files",
    [
        {"events/1980/first-action.es.md": "---\ntitle: Primera acción\n---\n" + NESTED},
        {"pages/about.yaml": "title: About\nbody: |\n" + "".join("  " + line + "\n" for line in NESTED.splitlines())},
        {
            "site.yaml": "title: T\nperiod: {start: 1980}\nintro: |\n"
            + "".join("  " + line + "\n" for line in NESTED.splitlines())
        },
    ],
    ids=["translation", "yaml-body", "site-intro"],
)
def test_every_kind_of_body_goes_through_the_limits(
    make_site: Callable[..., Path], cli: Callable[..., Run], files: dict[str, str]
) -> None:
    if "events/1980/first-action.es.md" in files:
        files = {**files, "site.yaml": "title: T\nperiod: {start: 1980}\nlanguages: [en, es]\n"}
    make_site(files)
    run = cli("check")
    assert run.code == 1 and "Traceback" not in run.err
    assert [p for p in run.problems if "HTML elements nested more than" in p], run.err
