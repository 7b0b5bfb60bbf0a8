"""Markdown bodies: internal links, sanitising (including fuzzed hostile input), summaries."""

from __future__ import annotations

import contextlib
import re
import sqlite3
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from quipu.markdown import FASTER_PATTERNS, Body, Renderer, faster, markdown_parser, plain_html
from quipu.text import first_sentence, plain_text


def link(kind: str, slug: str) -> str:
    return f"../../{kind}/{slug}/"


def render(text: str) -> str:
    return Renderer().render(text, link)


def test_internal_links_become_relative_urls() -> None:
    html = render("See [Guzmán](@actors/abimael-guzman) and [the VRAEM](@places/vraem#events).\n\n[ref]: @events/x")
    hrefs = [a["href"] for a in BeautifulSoup(html, "html.parser").find_all("a")]
    assert hrefs == ["../../actors/abimael-guzman/", "../../places/vraem/#events"]


def test_headings_start_at_h2() -> None:
    html = render("# Background\n\n## Aftermath\n")
    assert "<h1" not in html
    assert '<h2 id="background">Background</h2>' in html and '<h2 id="aftermath">' in html


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src='https://evil.example'></iframe>",
    "<style>body{display:none}</style>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "<a href='vbscript:msgbox'>v</a>",
    "{: onclick=alert(1) }",
    "<form action=https://evil.example><input name=a></form>",
    "<object data=x></object>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    '<a href="java&#x09;script:alert(1)">t</a>',
    "<div style='background:url(javascript:alert(1))'>s</div>",
]


def assert_safe(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name not in {"script", "iframe", "style", "object", "embed", "form", "input", "svg", "math"}, html
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), html
            assert name != "style", html
            values = value if isinstance(value, list) else [value]
            for v in values:
                compact = re.sub(r"\s", "", str(v)).lower()
                assert not compact.startswith(("javascript:", "vbscript:", "data:")), html


def test_known_attacks_are_removed() -> None:
    for attack in HOSTILE:
        assert_safe(render(attack))
        assert_safe(render(f"Text {attack} more text\n\n- {attack}\n\n> {attack}"))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from([*HOSTILE, "text", "\n\n", "**bold**", "[a](@actors/x)", "<p>", "</p>", "<a ", ">", '"', "'"]),
        max_size=12,
    )
)
def test_fuzzed_bodies_stay_safe(parts: list[str]) -> None:
    assert_safe(render("".join(parts)))


def test_lazy_body_renders_once_and_is_falsy_when_empty() -> None:
    body = Body("Hello *world*.", link)
    assert str(body) == "<p>Hello <em>world</em>.</p>"
    assert body.__html__() is body.__html__()
    assert not Body("  \n", link)


def test_first_sentence_and_plain_text() -> None:
    body = (
        "On 3 April 1983 a column of [the Shining Path](@actors/shining-path) killed 69 people. Later, more.\n\nSecond."
    )
    assert first_sentence(body) == "On 3 April 1983 a column of the Shining Path killed 69 people."
    assert first_sentence("## Heading\n\nText here. More.") == "Text here."
    assert plain_text("**A** [b](@x/y)\n# C") == "A b C"


PATHOLOGICAL = {
    "brackets": "[" * 50_000,
    "images": "![" * 20_000,
    "open links": "[a](" * 20_000,
    "footnote refs": "[^" * 20_000,
    "angles": "<a " * 20_000,
    "same-line lists": "1. " * 4_000,
    "quotes": "> " * 4_000 + "x",
    "indented lists": "".join("  " * i + "- x\n" for i in range(300)),
    "many paragraphs of brackets": ("[" * 150 + "\n\n") * 30,
}


def test_pathological_bodies_are_refused_or_fast() -> None:
    """Inputs that make Python-Markdown quadratic or recursive are refused before rendering."""
    import time

    from quipu.text import body_problems

    for name, body in PATHOLOGICAL.items():
        problems = body_problems(body, 5)
        if problems:
            assert all(line >= 5 for line, _ in problems), name
            continue
        started = time.perf_counter()
        render(body)
        assert time.perf_counter() - started < 5, f"{name} renders too slowly and is not refused"


def test_real_prose_is_not_refused() -> None:
    from quipu.text import body_problems

    prose = "See [a](@actors/x) and [b](https://example.org).\n\n- one\n  - two\n    - three\n\n> quoted\n"
    assert body_problems(prose * 20, 1) == []


def test_bodies_of_another_tool_version_are_dropped_not_kept(tmp_path: Path) -> None:
    from quipu.markdown import BodyStore

    old = BodyStore(tmp_path, "tool-1")
    key = old.key("Some *text*.", "events/x/")
    old.put(key, "<p>Some <em>text</em>.</p>")
    old.close()
    again = BodyStore(tmp_path, "tool-1")
    assert again.get(key) == "<p>Some <em>text</em>.</p>"
    again.close()
    newer = BodyStore(tmp_path, "tool-2")
    assert newer.get(newer.key("Some *text*.", "events/x/")) is None
    newer.close()
    with contextlib.closing(sqlite3.connect(tmp_path / "bodies.sqlite")) as db:
        assert db.execute("SELECT count(*) FROM body").fetchone() == (0,)


@given(st.text(alphabet="#*_`[]()!@ \nab/", max_size=60))
def test_plain_text_is_the_four_passes_it_stands_for(body: str) -> None:
    """The fast paths (a pass only where its syntax occurs) change nothing."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", body)
    text = re.sub(r"^#+\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"[*_`]+", "", text)
    assert plain_text(body) == " ".join(text.split())


MARKDOWN_TEXT = st.text(alphabet="![]()\\`*_<>&:/ \n\tab1^{}#-", max_size=80)


@given(MARKDOWN_TEXT)
@settings(max_examples=600, deadline=None)
def test_the_faster_inline_patterns_match_where_and_what_the_originals_match(text: str) -> None:
    for original, replacement in FASTER_PATTERNS.values():
        old, new = re.compile(original, re.DOTALL | re.UNICODE), re.compile(replacement, re.DOTALL | re.UNICODE)
        for start in range(len(text) + 1):
            found = [(m.span(), m.groups()) for m in old.finditer(text, start)]
            assert [(m.span(), m.groups()) for m in new.finditer(text, start)] == found


@given(MARKDOWN_TEXT)
@settings(max_examples=300, deadline=None)
def test_the_faster_parser_gives_what_python_markdown_gives(text: str) -> None:
    stock, fast = markdown_parser(), faster(markdown_parser())
    assert fast.convert(text) == stock.convert(text)


def test_the_installed_python_markdown_has_the_patterns_that_are_replaced() -> None:
    """If an upgrade changed them, the stock ones are kept (and this says so): write the new ones again."""
    fast = faster(markdown_parser())
    for name, (_original, replacement) in FASTER_PATTERNS.items():
        assert fast.inlinePatterns[name].compiled_re.pattern == replacement


_LETTERS = st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Nd"))
_WORDS = st.text(_LETTERS, min_size=1, max_size=8)
_PUNCTUATION = st.sampled_from(
    [" ", ", ", ". ", "; ", ": ", "? ", "! ", " (", ") ", "'", '"', " - ", " – ", "%", "/", "’", "“", "”"]
)
_URLS = st.one_of(
    st.from_regex(r"(\.\./)*[a-z0-9-]{1,8}/([a-z0-9-]{1,8}/)?(#[a-z0-9-]{1,6})?", fullmatch=True),
    st.from_regex(r"[a-zA-Z0-9./#?=%~+-]{1,16}", fullmatch=True).filter(lambda url: not url.startswith("//")),
)
_LINKS = st.builds(lambda text, url: f"[{text}]({url})", st.text(_LETTERS, min_size=1, max_size=6), _URLS)
_LINES = st.builds(
    lambda first, rest: first + "".join(rest),
    _WORDS.filter(lambda w: not w[0].isdigit()),
    st.lists(st.one_of(_WORDS, _PUNCTUATION, _LINKS), max_size=12),
).filter(lambda line: not line.endswith(" "))
PLAIN_BODIES = st.lists(st.lists(_LINES, min_size=1, max_size=3).map("\n".join), min_size=1, max_size=4).map(
    "\n\n".join
)


@given(PLAIN_BODIES)
@settings(max_examples=400, deadline=None)
def test_a_body_of_plain_prose_is_made_as_python_markdown_and_the_sanitiser_make_it(body: str) -> None:
    made = plain_html(body)
    assert made is not None, body
    assert made == Renderer().markdown_html(body)


ABSOLUTE_LINKS = st.builds(
    lambda body, url: f"{body} [x]({url})",
    PLAIN_BODIES,
    st.from_regex(r"(https?:|mailto:|javascript:)?//?[a-z.0-9]{0,8}"),
)


@given(
    st.one_of(
        MARKDOWN_TEXT,
        st.text(alphabet="ab1 .,;:!?'\"()%/-–[]\n=#*_>|{}&<", max_size=60),
        PLAIN_BODIES,
        ABSOLUTE_LINKS,
    )
)
@settings(max_examples=600, deadline=None)
def test_a_body_is_made_directly_only_when_that_gives_what_python_markdown_gives(text: str) -> None:
    made = plain_html(text)
    if made is not None:
        assert made == Renderer().markdown_html(text)


def test_a_plain_body_skips_python_markdown_and_any_other_goes_through_it(monkeypatch: pytest.MonkeyPatch) -> None:
    renderer = Renderer()
    converted: list[str] = []
    convert = renderer.markdown_html
    monkeypatch.setattr(renderer, "markdown_html", lambda source: converted.append(source) or convert(source))
    link = lambda kind, slug: f"../../{kind}/{slug}/"  # noqa: E731
    assert renderer.render("Plain words, and [a link](@actors/x).\n\nMore.", link) == (
        '<p>Plain words, and <a href="../../actors/x/">a link</a>.</p>\n<p>More.</p>'
    )
    assert converted == []
    assert renderer.render("Some *emphasis*.", link) == "<p>Some <em>emphasis</em>.</p>"
    assert converted == ["Some *emphasis*."]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["!", "[", "]", "(", ")", "![", "](", "a", " ", "\n", "é"]), max_size=40).map("".join))
def test_links_are_found_as_the_optional_bang_pattern_finds_them(text: str) -> None:
    from quipu.text import _MD_LINK

    written_plainly = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
    assert _MD_LINK.sub(r"\1", text) == written_plainly.sub(r"\1", text)
