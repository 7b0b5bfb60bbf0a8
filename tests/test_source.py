"""Reading files: encodings, front matter, hostile YAML; and a fuzz test that nothing crashes."""

from __future__ import annotations

import string
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from quipu.errors import Problem
from quipu.schema import validate
from quipu.source import MAX_BYTES, RawEntry, parse_entry, read_bytes
from quipu.yamlsafe import YMap, YScalar, YSeq

GOOD = "---\ntitle: An event\ndate: 1980-05-17\n---\nBody line one.\n"


def parse(raw: bytes | str, yaml_only: bool = False) -> RawEntry | Problem:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    return parse_entry("events", "an-event", "x.md", "1980", data, yaml_only)


def test_front_matter_and_body_lines() -> None:
    entry = parse(GOOD)
    assert isinstance(entry, RawEntry)
    assert entry.data.key_lines == {"title": 2, "date": 3}
    assert entry.body == "Body line one.\n"
    assert entry.body_line == 5


def test_bom_and_crlf_are_fine() -> None:
    entry = parse(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    assert isinstance(entry, RawEntry)
    assert entry.data.key_lines["date"] == 3
    assert "\r" not in entry.body


def test_scalars_keep_their_text() -> None:
    entry = parse("---\ntitle: no\nyear: 1992\ndate: 1980-05-17\nempty:\n---\n")
    assert isinstance(entry, RawEntry)
    items = entry.data.items
    assert items["title"] == YScalar("no", "bool", 2)
    assert items["year"] == YScalar("1992", "int", 3)
    assert items["date"] == YScalar("1980-05-17", "timestamp", 4)
    assert items["empty"].kind == "null"  # type: ignore[union-attr]


def test_title_no_stays_text_after_validation() -> None:
    entry = parse("---\ntitle: no\ndate: 1992\nsources: [{title: 1992, url: 'https://example.org'}]\n---\n")
    assert isinstance(entry, RawEntry)
    values, problems = validate("events", entry.data, "x.md")
    assert problems == []
    assert values is not None
    assert values["title"] == "no"
    assert values["sources"][0]["title"] == "1992"


def test_yaml_entry_with_body_key() -> None:
    entry = parse("title: An event\ndate: 1980\nbody: |\n  Hello.\n", yaml_only=True)
    assert isinstance(entry, RawEntry)
    assert entry.body == "Hello.\n"
    assert "body" not in entry.data.items
    assert entry.body_line == 4


def test_huge_file_is_refused_without_reading_it_all() -> None:
    problem = parse(b"---\ntitle: x\n---\n" + b"a" * (MAX_BYTES + 10))
    assert isinstance(problem, Problem)
    assert "larger than" in problem.message


def test_a_file_is_read_whole_up_to_one_byte_past_the_limit(tmp_path: Path) -> None:
    for size in (0, 1, 4096, MAX_BYTES, MAX_BYTES + 1, 3 * MAX_BYTES):
        path = tmp_path / f"{size}.md"
        path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
        assert read_bytes(path) == path.read_bytes()[: MAX_BYTES + 1]


def test_deep_nesting_is_refused() -> None:
    problem = parse("---\ntitle: " + "[" * 200 + "]" * 200 + "\n---\n")
    assert isinstance(problem, Problem)


def test_nul_byte_is_refused() -> None:
    problem = parse("---\ntitle: a\x00b\n---\n")
    assert isinstance(problem, Problem)
    assert problem.line == 2


def test_sequence_and_mapping_positions() -> None:
    entry = parse("---\nactors:\n  - a\n  - b\nsources:\n  - title: t\n    url: u\n---\n")
    assert isinstance(entry, RawEntry)
    actors = entry.data.items["actors"]
    assert isinstance(actors, YSeq)
    assert [i.line for i in actors.items] == [3, 4]
    sources = entry.data.items["sources"]
    assert isinstance(sources, YSeq) and isinstance(sources.items[0], YMap)
    assert sources.items[0].key_lines == {"title": 6, "url": 7}


yaml_chars = st.sampled_from(list(string.printable) + ["ñ", "á", "\ufeff", "\u2028", "&", "*", "!", "\t", "%"])
fragments = st.lists(
    st.sampled_from(
        ["<<: ", "---\n", "&a ", "*a ", "!!python/object:x ", "- ", ": ", "[", "{", "\n  ", "title: ", "date: "]
    )
    | st.text(yaml_chars, max_size=8)
).map("".join)
keys = st.sampled_from(
    [
        "title",
        "date",
        "end_date",
        "actors",
        "places",
        "sources",
        "casualties",
        "tags",
        "related",
        "summary",
        "draft",
        "x",
    ]
)
values = st.recursive(
    st.one_of(
        st.text(yaml_chars, max_size=15),
        st.integers(),
        st.booleans(),
        st.none(),
        st.sampled_from(["1980", "1980-05", "1992-13-40", "2999-01-01"]),
    ),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(fragments)
def test_random_text_never_crashes(text: str) -> None:
    result = parse("---\n" + text + "\n---\nbody\n")
    if isinstance(result, RawEntry):
        validate("events", result.data, "x.md")


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, values, max_size=8))
def test_random_front_matter_never_crashes(data: dict[str, object]) -> None:
    import yaml

    text = yaml.safe_dump(data, allow_unicode=True)
    result = parse("---\n" + text + "---\nbody\n")
    if isinstance(result, RawEntry):
        _values, problems = validate("events", result.data, "x.md")
        for problem in problems:
            assert problem.path == "x.md"
            assert 1 <= problem.line <= text.count("\n") + 3


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_crash(raw: bytes) -> None:
    result = parse(b"---\n" + raw + b"\n---\n")
    assert isinstance(result, (RawEntry, Problem))


def test_unicode_line_separators_do_not_shift_line_numbers() -> None:
    # YAML ends lines at U+2028, U+2029 and U+0085 too, editors do not. They are refused (see
    # test_input_safety.py), and every line is counted as an editor counts it.
    problem = parse('---\ntitle: x\nsummary: "a\u2028b\u2029c\x85d"\n---\n')
    assert isinstance(problem, Problem)
    assert problem.line == 3
    problem = parse("---\n# a\u2028\u2029\x85\ntitle: &x [x]\n---\n")
    assert isinstance(problem, Problem)
    assert problem.line == 3 and "anchors" in problem.message
