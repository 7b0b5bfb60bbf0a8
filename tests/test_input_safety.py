"""Text that is not text: control, format and private-use characters, and values that would break a message.

The check reports of each class are in tests/invalid/ (control-characters, bidi-controls, invisible-text,
scalar-alias, explicit-tag, quoted-numbers, values-in-messages); here are the rules behind them, the
scaffold, and a property test: any string in any text field is either accepted and read back as written,
or refused with one-line messages that carry file:line.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quipu import chars
from quipu.cli import main
from quipu.errors import Problem, quoted
from quipu.pipeline import Loaded, Options, load
from quipu.source import EntryCache, RawEntry, parse_entry
from quipu.specs import slugify
from quipu.yamlsafe import YamlProblem
from quipu.yamlsafe import load as load_yaml

from .conftest import Run

LINE = re.compile(r"^\S[^\n\r]*:[0-9]+: (error|warning): [^\n\r]+$")


def parse(text: str, yaml_only: bool = False) -> RawEntry | Problem:
    return parse_entry("events", "an-event", "x.md", "1980", text.encode("utf-8"), yaml_only)


# -- the character rule ---------------------------------------------------------------------------


def test_the_refused_characters_are_the_unicode_categories_the_rule_names() -> None:
    """The fast pattern agrees with unicodedata on every code point, so the rule really is by category."""
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        category = unicodedata.category(ch)
        expected = (
            (category == "Cc" and ch not in "\t\n")
            or category in ("Zl", "Zp", "Cs", "Co")
            or 0x202A <= code <= 0x202E
            or 0x2066 <= code <= 0x2069
            or 0xE0000 <= code <= 0xE007F
            or 0xFDD0 <= code <= 0xFDEF
            or (code & 0xFFFE) == 0xFFFE
        )
        assert (chars.first_refused(ch) is not None) == expected, f"U+{code:04X} {category}"


def test_what_real_spanish_and_quechua_text_needs_is_allowed() -> None:
    real = "Ñuñoa, «Sendero Luminoso», Qhapaq Ñan, Ayacu\u00adcho, 1983\u00a0–\u00a01984, ¿qué?\tcolumn\nline"
    assert chars.first_refused(real) is None
    assert not chars.is_invisible(real)
    assert chars.is_invisible(" \u200b\ufeff\u2060\u00ad\u200e ")
    assert not chars.is_invisible("\u200ba")


# -- the loader ----------------------------------------------------------------------------------


def test_a_raw_control_character_is_refused_at_its_line_and_column_after_wide_characters() -> None:
    """libyaml counts bytes in its 'position N'; the report counts characters, as editors do."""
    problem = parse("---\nñandú: ñandú\ntitle: ñañañá\x01\n---\n")
    assert isinstance(problem, Problem)
    assert problem.line == 3
    assert "a control character (U+0001) at column 14;" in problem.message
    assert "position" not in problem.message and "\n" not in problem.message


def test_an_escape_is_refused_at_the_line_it_is_written_on() -> None:
    text = 'title: "a\n  b\n  c \\x0b d"\n'
    with_error = _yaml_problem(text)
    assert with_error.line == 3
    assert "at column 5, written as the escape \\x0b" in with_error.message


def test_a_block_scalar_is_refused_at_the_line_of_the_character() -> None:
    problem = _yaml_problem("body: |\n  one\n  two\n  th\u202eree\n")
    assert problem.line == 4
    assert "U+202E RIGHT-TO-LEFT OVERRIDE at column 5" in problem.message


def test_keys_holding_line_breaks_are_refused() -> None:
    problem = _yaml_problem('ok: 1\n"a\\nb": 2\n')
    assert problem.line == 2
    assert "a key holds a control character (U+000A)" in problem.message


def test_characters_in_comments_are_refused_too() -> None:
    """People read comments too: a bidirectional override there hides what the file says."""
    problem = parse("---\ntitle: x\n# an innocent note\u202e\n---\n")
    assert isinstance(problem, Problem)
    assert problem.line == 3
    assert problem.message.startswith("this line holds the bidirectional control U+202E")


def test_a_plain_value_broken_by_a_line_separator_names_the_character() -> None:
    problem = parse("---\ntitle: a\u2028b\n---\n")
    assert isinstance(problem, Problem)
    assert problem.line == 2
    assert "U+2028 LINE SEPARATOR at column 9" in problem.message and "syntax" not in problem.message


def test_a_second_document_is_refused_in_one_line() -> None:
    problem = _yaml_problem("title: a\n...\n---\ntitle: b\n")
    assert problem.line == 3
    assert "\n" not in problem.message


def _yaml_problem(text: str) -> YamlProblem:
    try:
        load_yaml(text)
    except YamlProblem as exc:
        return exc
    raise AssertionError(f"not refused: {text!r}")


# -- messages ------------------------------------------------------------------------------------


def test_quoted_values_are_one_line_and_show_invisible_characters() -> None:
    assert quoted("plain") == "'plain'"
    assert quoted("a\nb\tc\u200bd\x00") == "'a\\nb\\tc\\u200bd\\x00'"
    assert quoted("x" * 100, limit=10) == "'xxxxxxxxx…'"


def test_a_file_name_with_a_line_break_gives_one_line_messages(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    make_site({"events/1980/bad\nname.md": "---\ntitel: x\n---\n"})
    run = cli("check")
    assert run.code == 1
    problems = [line for line in run.err.splitlines() if "name" in line]
    assert len(problems) >= 3  # the unknown field, the missing ones and the file name, each on its one line
    assert all(LINE.match(line) and "bad\\nname" in line for line in problems), problems


# -- build.py new --------------------------------------------------------------------------------


def test_new_refuses_a_title_with_line_breaks_and_writes_nothing(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    content = make_site()
    run = cli("new", "event", "Attack\n---\ndraft: true", "--date", "1983-04-03", "--slug", "attack")
    assert run.code == 2
    assert run.err.count("\n") == 1 and run.err.startswith("error: the title must be a single line")
    assert not (content / "events/1983/attack.md").exists()


def test_new_writes_a_title_with_dashes_and_quotes_as_it_was_given(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    content = make_site()
    title = 'Before --- after: "quoted" \\ #not a comment'
    assert cli("new", "event", title, "--date", "1983-04-03").code == 0
    written = parse((content / "events/1983/before-after-quoted-not-a-comment.md").read_text(encoding="utf-8"))
    assert isinstance(written, RawEntry)
    assert written.data.items["title"].text == title  # type: ignore[union-attr]


def test_new_says_a_given_slug_is_invalid(make_site: Callable[..., Path], cli: Callable[..., Run]) -> None:
    make_site()
    run = cli("new", "place", "Etc", "--slug", "../../etc")
    assert run.code == 2
    assert run.err == (
        "error: '../../etc' is not a valid slug for --slug; use lowercase letters, digits and single hyphens, "
        "such as 'etc'\n"
    )


def test_new_refuses_a_title_that_is_not_text(make_site: Callable[..., Path], cli: Callable[..., Run]) -> None:
    """A terminal in another encoding gives Python undecodable bytes (surrogates): 'ñandú' must not become 'and'."""
    make_site()
    run = cli("new", "place", "\udcf1and\udcfa")
    assert run.code == 2
    assert run.err.startswith("error: the title holds U+DCF1, which is not a character")
    assert "UTF-8" in run.err


def test_slugs_keep_the_letters_of_spanish_and_other_latin_names() -> None:
    assert slugify("ñandú") == "nandu"
    assert slugify("Ñuñoa") == "nunoa"
    assert slugify("Ayacucho–Huanta") == "ayacucho-huanta"
    assert slugify("Straße") == "strasse"
    assert slugify("Łódź Œuvre Ærø") == "lodz-oeuvre-aero"
    assert slugify("\u200bCapture of Guzmán in Ayacu\u00adcho") == "capture-of-guzman-in-ayacucho"


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.lists(st.characters(codec="utf-8") | st.sampled_from(["\n", "\t", '"', "\\", "---", "#", ": "])).map("".join))
def test_new_writes_any_title_it_accepts_so_that_it_reads_back(title: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        content = Path(folder) / "content"
        content.mkdir()
        (content / "site.yaml").write_text("title: T\n", encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        code = main(["new", "actor", "--slug", "x", "--content", str(content), "--", title], out, err)
        if code != 0:
            assert code == 2 and err.getvalue().count("\n") == 1 and err.getvalue().startswith("error: ")
            return
        written = parse((content / "actors/x.md").read_text(encoding="utf-8"))
        assert isinstance(written, RawEntry), written
        assert written.data.items["name"].text == title  # type: ignore[union-attr]


# -- any string in any text field ----------------------------------------------------------------

BASE_SITE = {
    "site.yaml": (
        "title: {site.title}\ndescription: {site.description}\nintro: {site.intro}\nlanguages: [en, es]\n"
        "period: {{start: 1980}}\ntags:\n  massacre: {site.tags}\ntag_names:\n  massacre: {site.tag_names}\n"
        "period_series:\n  phase: {site.period_series}\n"
    ),
    "site.es.yaml": (
        "title: {site_es.title}\ndescription: {site_es.description}\nintro: {site_es.intro}\n"
        "tags:\n  massacre: {site_es.tags}\ntag_names:\n  massacre: {site_es.tag_names}\n"
        "period_series:\n  phase: {site_es.period_series}\n"
    ),
    "actors/shining-path.md": (
        "---\nname: {actor.name}\nkind: armed-group\naliases: [{actor.alias}]\nsort_name: {actor.sort_name}\n"
        "sources:\n  - title: {actor.source_title}\n    publisher: {actor.publisher}\n---\n{actor.body}\n"
    ),
    "actors/shining-path.es.md": "---\nname: {actor_es.name}\n---\n{actor_es.body}\n",
    "places/chuschi.md": (
        "---\nname: {place.name}\nkind: district\ncoordinates: [-13.58, -74.35]\naliases: [{place.alias}]\n"
        "---\n{place.body}\n"
    ),
    "events/1980/first-action.md": (
        "---\ntitle: {event.title}\ndate: 1980-05-17\nsummary: {event.summary}\ndate_note: {event.date_note}\n"
        "places: [chuschi]\nactors: [shining-path]\ntags: [massacre]\n"
        "responsible:\n  - {{actor: shining-path, according_to: {event.according_to}, source: 1}}\n"
        "casualties:\n  killed: 3\n  note: {event.casualty_note}\n"
        "sources:\n  - title: {event.source_title}\n    publisher: {event.publisher}\n"
        "    url: https://example.org/a\n    locator: {event.locator}\n    quote: {event.quote}\n---\n{event.body}\n"
    ),
    "events/1980/first-action.es.md": (
        "---\ntitle: {event_es.title}\nsummary: {event_es.summary}\ndate_note: {event_es.date_note}\n"
        "casualties:\n  note: {event_es.casualty_note}\n---\n{event_es.body}\n"
    ),
    "pages/about.md": "---\ntitle: {page.title}\nsummary: {page.summary}\n---\n{page.body}\n",
    "pages/contact.yaml": "title: {page_yaml.title}\nbody: {page_yaml.text}\n",
    "pages/contact.es.yaml": "title: {page_yaml_es.title}\nbody: {page_yaml_es.text}\n",
    "periods/first-phase.md": (
        "---\nname: {period.name}\nseries: phase\nstart: 1980\ndate_note: {period.date_note}\n"
        "sources:\n  - title: A report\n    publisher: A newspaper\n---\n{period.body}\n"
    ),
}


@dataclass(frozen=True)
class TextField:
    """Where a field sits in the test site, and how to read its value back from what `check` loaded."""

    name: str  # the placeholder in BASE_SITE
    read: Callable[[Loaded], Any]
    stripped: bool = True  # text fields are read without their surrounding spaces; a body under 'body:' is not

    @property
    def is_body(self) -> bool:
        return self.name.endswith(".body")


def _event(loaded: Loaded, language: str = "en") -> Any:
    return loaded.editions[language].events_by_slug["first-action"]


FIELDS = [
    TextField("site.title", lambda x: x.editions["en"].site.title),
    TextField("site.description", lambda x: x.editions["en"].site.description),
    TextField("site.intro", lambda x: x.editions["en"].site.intro),
    TextField("site.tags", lambda x: x.editions["en"].site.tags["massacre"]),
    TextField("site.tag_names", lambda x: x.editions["en"].site.tag_names["massacre"]),
    TextField("site.period_series", lambda x: x.editions["en"].site.period_series["phase"]),
    TextField("site_es.title", lambda x: x.editions["es"].site.title),
    TextField("site_es.description", lambda x: x.editions["es"].site.description),
    TextField("site_es.intro", lambda x: x.editions["es"].site.intro),
    TextField("site_es.tags", lambda x: x.editions["es"].site.tags["massacre"]),
    TextField("site_es.tag_names", lambda x: x.editions["es"].site.tag_names["massacre"]),
    TextField("site_es.period_series", lambda x: x.editions["es"].site.period_series["phase"]),
    TextField("actor.name", lambda x: x.corpus.actors["shining-path"].name),
    TextField("actor.alias", lambda x: next(iter(x.corpus.actors["shining-path"].aliases), None)),
    TextField("actor.sort_name", lambda x: x.corpus.actors["shining-path"].sort_name),
    TextField("actor.source_title", lambda x: x.corpus.actors["shining-path"].sources[0].title),
    TextField("actor.publisher", lambda x: x.corpus.actors["shining-path"].sources[0].publisher),
    TextField("actor.body", lambda x: x.corpus.actors["shining-path"].body),
    TextField("actor_es.name", lambda x: x.editions["es"].actors["shining-path"].name),
    TextField("actor_es.body", lambda x: x.editions["es"].actors["shining-path"].body),
    TextField("place.name", lambda x: x.corpus.places["chuschi"].name),
    TextField("place.alias", lambda x: next(iter(x.corpus.places["chuschi"].aliases), None)),
    TextField("place.body", lambda x: x.corpus.places["chuschi"].body),
    TextField("event.title", lambda x: _event(x).title),
    TextField("event.summary", lambda x: _event(x).summary),
    TextField("event.date_note", lambda x: _event(x).date_note),
    TextField("event.according_to", lambda x: _event(x).responsible[0].according_to),
    TextField("event.casualty_note", lambda x: _event(x).casualties.note),
    TextField("event.source_title", lambda x: _event(x).sources[0].title),
    TextField("event.publisher", lambda x: _event(x).sources[0].publisher),
    TextField("event.locator", lambda x: _event(x).sources[0].locator),
    TextField("event.quote", lambda x: _event(x).sources[0].quote),
    TextField("event.body", lambda x: _event(x).body),
    TextField("event_es.title", lambda x: _event(x, "es").title),
    TextField("event_es.summary", lambda x: _event(x, "es").summary),
    TextField("event_es.date_note", lambda x: _event(x, "es").date_note),
    TextField("event_es.casualty_note", lambda x: _event(x, "es").casualties.note),
    TextField("event_es.body", lambda x: _event(x, "es").body),
    TextField("page.title", lambda x: x.corpus.pages["about"].title),
    TextField("page.summary", lambda x: x.corpus.pages["about"].summary),
    TextField("page.body", lambda x: x.corpus.pages["about"].body),
    TextField("page_yaml.title", lambda x: x.corpus.pages["contact"].title),
    TextField("page_yaml.text", lambda x: x.corpus.pages["contact"].body, stripped=False),
    TextField("page_yaml_es.title", lambda x: x.editions["es"].pages["contact"].title),
    TextField("page_yaml_es.text", lambda x: x.editions["es"].pages["contact"].body, stripped=False),
    TextField("period.name", lambda x: x.corpus.periods["first-phase"].name),
    TextField("period.date_note", lambda x: x.corpus.periods["first-phase"].date_note),
    TextField("period.body", lambda x: x.corpus.periods["first-phase"].body),
]


def yaml_escaped(text: str) -> str:
    """A double-quoted YAML scalar that spells every character outside printable ASCII as an escape."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code < 0x100:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def write_site(folder: Path, field: TextField, text: str, encoding: str) -> dict[str, str]:
    """The test site with `text` in one field (escaped, raw in quotes, or as written); the others hold plain words."""
    values = {}
    for template in BASE_SITE.values():
        for name in re.findall(r"\{([a-z_]+\.[a-z_]+)\}", template):
            values[name] = "Words of " + name.replace(".", " ").replace("_", " ")
    if field.is_body:
        values[field.name] = text
    elif encoding == "escaped":
        values[field.name] = yaml_escaped(text)
    elif encoding == "quoted":
        values[field.name] = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        values[field.name] = text
    written = {}
    for rel, template in BASE_SITE.items():
        plain = template.replace("{{", "{").replace("}}", "}")
        written[rel] = re.sub(r"\{([a-z_]+\.[a-z_]+)\}", lambda m: values[m.group(1)], plain)
        path = folder / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(written[rel], encoding="utf-8")
    return written


def outcome(field: TextField, text: str, encoding: str) -> str:
    """'accepted' (and read back as written) or 'refused' (with one-line file:line messages); anything else fails."""
    with tempfile.TemporaryDirectory() as folder:
        written = write_site(Path(folder), field, text, encoding)
        options = Options(content=Path(folder) / "content", cache=EntryCache())
        loaded = load(options)
    for problem in loaded.report.problems:
        line = problem.format()
        assert LINE.match(line), line
        rel = problem.path.removeprefix(str(Path(folder) / "content") + "/")
        assert rel in written, problem
        assert 1 <= problem.line <= written[rel].replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1, problem
    if loaded.report.errors:
        return "refused"
    stale = {p.path.rsplit("/", 1)[-1] for p in loaded.report.warnings}
    assert loaded.corpus is not None, loaded.report.lines()
    assert stale <= {"site.es.yaml", "shining-path.es.md", "first-action.es.md", "contact.es.yaml"}, (
        loaded.report.lines()
    )
    value = field.read(loaded)
    if value is None:  # written as YAML that holds no value, such as 'aliases: []'
        assert encoding == "plain", (text, encoding)
        return "accepted"
    assert chars.first_refused(value) is None, value  # what is accepted is text that HTML, JSON, CSV and XML can hold
    if field.is_body:  # files are read with their line ends made '\n'
        assert value.strip("\n") == text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    elif field.stripped:  # a text field, not a body
        assert value.strip() and not chars.is_invisible(value), value
    if encoding == "escaped" and not field.is_body:
        assert value == (text.strip() if field.stripped else text), (text, value)
    return "accepted"


hostile = st.sampled_from(
    ["\x00", "\x0b", "\x1b", "\x7f", "\x85", "\u2028", "\u202e", "\u2066", "\u200b", "\ufeff", "\u00ad", "\ue000",
     "\uffff", "\U000e0041", "\n", "\t", "\r", '"', "'", "\\", "#", ": ", "- ", "---", "&a ", "*a", "!!str ", "{", "[",
     "FILL IN", "ñ", "\u0301", "\u00a0"]
)  # fmt: skip
any_text = st.lists(st.characters(codec="utf-8") | hostile, max_size=12).map("".join)


@settings(
    max_examples=250, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.sampled_from(FIELDS), any_text, st.sampled_from(["escaped", "quoted", "plain"]))
def test_any_string_in_any_text_field_is_read_back_or_refused_in_one_line(
    field: TextField, text: str, encoding: str
) -> None:
    assert outcome(field, text, encoding) in ("accepted", "refused")


def test_the_test_site_is_valid_as_it_is() -> None:
    """So that a refusal in the property test is about the string under test, not the site around it."""
    for field in FIELDS:
        assert outcome(field, "Plain words", "escaped") == "accepted", field.name


def test_text_that_is_allowed_keeps_the_feed_and_the_data_well_formed(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    """What check lets through (tabs, soft hyphens, joiners, direction marks, astral letters) is valid XML and JSON."""
    title = "Ayacu\u00adcho\u00a01983\t<&> \u200d\u200e\u200f \U0001d54f \u00e9"
    make_site({"events/1980/allowed.md": event_text(yaml_escaped(title))})
    run = cli("build", "--out", "public", "--base-url", "https://example.org/")
    assert run.code == 0, run.err
    feed = ET.parse(tmp_path / "public/feed.xml").getroot()
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert title in titles
    data = json.loads((tmp_path / "public/data/events.json").read_text(encoding="utf-8"))
    assert title in [e["title"] for e in data["events"]]


def test_text_the_feed_cannot_hold_is_refused_before_it_is_built(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    make_site({"events/1980/refused.md": event_text('"Attack \\x0b on \\uffff the post"')})
    run = cli("build", "--out", "public", "--base-url", "https://example.org/")
    assert run.code == 1
    assert run.problems == [
        "content/events/1980/refused.md:2: error: 'title' holds a control character (U+000B) at column 16, "
        "written as the escape \\x0b; remove it: text may hold tabs and line breaks but no other control characters"
    ]
    assert not (tmp_path / "public/feed.xml").exists()


def event_text(title: str) -> str:
    return (
        f"---\ntitle: {title}\ndate: 1980-05-18\nplaces: [chuschi]\nactors: [shining-path]\n"
        "sources:\n  - title: A report\n    publisher: A newspaper\n    url: https://example.org/b\n---\nText.\n"
    )
