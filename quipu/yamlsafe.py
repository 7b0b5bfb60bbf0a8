"""Plain YAML read into values that remember their line.

We compose PyYAML's parse events ourselves, so nothing is ever constructed from
a tag and only plain YAML gets through: an explicit tag (`!!python/...`, but
also `!!bool` or `!!str`), an anchor or an alias (so no alias bomb), a merge
key or a duplicate key is refused at its line. Each scalar keeps its raw text,
so that the schema decides types: `title: no` stays the text 'no'. Every key
and scalar is held to the character rule of quipu.chars, reported at the line
and column where the character is written (raw or as an escape such as "\\0").
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Protocol

import yaml

from .chars import first_refused, refusal
from .errors import escaped, quoted

try:  # the C loader is several times faster and still gives marks
    from yaml import CSafeLoader as _Loader

    _POSITIONS_IN_BYTES = True  # libyaml's reader errors count UTF-8 bytes; the pure reader counts characters
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

    _POSITIONS_IN_BYTES = False

_STD = "tag:yaml.org,2002:"


@dataclass(slots=True)
class YScalar:
    """A scalar with its raw text, the type YAML would give it, and its line."""

    text: str
    kind: str  # str, int, float, bool, null, timestamp
    line: int
    quoted: bool = False


@dataclass(slots=True)
class YSeq:
    items: list[YValue]
    line: int


@dataclass(slots=True)
class YMap:
    """A mapping with string keys; key_lines gives the line of each key."""

    items: dict[str, YValue]
    key_lines: dict[str, int] = field(default_factory=dict)
    line: int = 1


YValue = YScalar | YSeq | YMap


class YamlProblem(Exception):
    """Unreadable YAML, with the 1-based line it was found at."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_OTHER_BREAKS = ("\u2028", "\u2029", "\x85")


class _Mark(Protocol):
    """Where an event is: PyYAML's and libyaml's marks both have these."""

    line: int
    index: int


class _Lines:
    """Line numbers as editors and grep count them (only '\n' ends a line).

    YAML also breaks lines at U+2028, U+2029 and U+0085; when the text holds
    any of them, marks are mapped through their character index instead.
    """

    def __init__(self, text: str, first_line: int) -> None:
        self.first_line = first_line
        self.text = text
        self.newlines: list[int] | None = None
        if any(ch in text for ch in _OTHER_BREAKS):
            self.newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def of(self, mark: _Mark) -> int:
        if self.newlines is None:
            return self.first_line + mark.line
        return self.first_line + bisect_left(self.newlines, mark.index)

    def line_and_column(self, index: int) -> tuple[int, int]:
        """The line and 1-based column of a character index, as an editor shows them."""
        return self.first_line + self.text.count("\n", 0, index), index - self.text.rfind("\n", 0, index)


def load(text: str, first_line: int = 1) -> YValue | None:
    """Compose one YAML document into located values; None for an empty document."""
    lines = _Lines(text, first_line)
    try:
        loader = _Loader(text)
    except UnicodeEncodeError as exc:  # lone surrogates, which no file decoded as UTF-8 holds
        raise _raw_character(text, exc.start, lines) from None
    try:
        value = _Composer(loader, text, lines).document()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raw = first_refused(text)
        if raw is not None and (mark is None or raw <= mark.index):  # the cause, as U+2028 in a plain value is
            raise _raw_character(text, raw, lines) from None
        line = lines.of(mark) if mark else first_line
        what = escaped(exc.problem or "YAML syntax error", None)
        context = ""
        if exc.context and exc.context_mark is not None:
            started = lines.of(exc.context_mark)
            context = f" ({exc.context} that starts at line {started})" if started != line else f" ({exc.context})"
        raise YamlProblem(line, f"YAML syntax error: {what}{context}; check indentation, quotes and colons") from None
    except yaml.reader.ReaderError as exc:
        # A character YAML refuses as it reads; libyaml gives its position in UTF-8 bytes.
        raise _raw_character(text, _character_index(text, exc.position), lines) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(first_line, f"YAML error: {escaped(str(exc), 200)}") from None
    finally:
        loader.dispose()
    raw = first_refused(text)  # every value passed; what is left is in a comment, which people read too
    if raw is not None:
        raise _raw_character(text, raw, lines)
    return value


def _raw_character(text: str, index: int, lines: _Lines) -> YamlProblem:
    """A character of quipu.chars' rule written as itself, at its line and column."""
    line, column = lines.line_and_column(index)
    what, fix = refusal(text[index]) if index < len(text) else ("a character YAML cannot read", "remove it")
    return YamlProblem(line, f"this line holds {what} at column {column}; {fix}")


def _character_index(text: str, position: int) -> int:
    if not _POSITIONS_IN_BYTES:  # pragma: no cover
        return position
    return len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))


ALIASES = "YAML anchors and aliases (&name, *name) are not allowed; write the value out"
MAX_DEPTH = 50


class _Composer:
    """Located values from parse events, refusing what plain YAML does not need."""

    def __init__(self, loader: yaml.CSafeLoader, text: str, lines: _Lines) -> None:
        self.loader = loader
        self.text = text
        self.lines = lines

    def document(self) -> YValue | None:
        loader = self.loader
        self.next()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            return None
        self.next()  # document start
        value = self.value("", 0)
        self.next()  # document end
        if not loader.check_event(yaml.StreamEndEvent):
            raise YamlProblem(
                self.line(self.next()),
                "a second YAML document starts here (after a '---' or '...' line); keep one document",
            )
        return value

    def next(self) -> yaml.Event:
        event = self.loader.get_event()
        assert event is not None, "a stream ends with a stream end event, and nothing reads past it"
        return event

    def line(self, event: yaml.Event) -> int:
        assert event.start_mark is not None, "the parser marks every event"
        return self.lines.of(event.start_mark)

    def value(self, where: str, depth: int) -> YValue:
        event = self.next()
        line = self.line(event)
        if isinstance(event, yaml.AliasEvent) or (isinstance(event, yaml.NodeEvent) and event.anchor is not None):
            raise YamlProblem(line, ALIASES)
        if depth > MAX_DEPTH:
            raise YamlProblem(line, f"YAML nesting is too deep (more than {MAX_DEPTH} levels)")
        assert isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent), event
        if event.tag is not None:
            raise YamlProblem(
                line, f"YAML tag {quoted(event.tag)} is not allowed; entries use plain YAML only, remove the tag"
            )
        if isinstance(event, yaml.ScalarEvent):
            self.check_characters(event, where, key=False)
            tag: str = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
            kind = tag[len(_STD) :]
            quoted_style = event.style not in (None, "")
            return YScalar(event.value, kind if kind in _KINDS else "str", line, quoted=quoted_style)
        if isinstance(event, yaml.SequenceStartEvent):
            items = []
            while not self.loader.check_event(yaml.SequenceEndEvent):
                items.append(self.value(where, depth + 1))
            self.next()
            return YSeq(items, line)
        assert isinstance(event, yaml.MappingStartEvent)
        return self.mapping(where, depth, line)

    def mapping(self, where: str, depth: int, line: int) -> YMap:
        items: dict[str, YValue] = {}
        key_lines: dict[str, int] = {}
        while not self.loader.check_event(yaml.MappingEndEvent):
            key_event = self.next()
            key_line = self.line(key_event)
            if isinstance(key_event, yaml.AliasEvent) or (
                isinstance(key_event, yaml.NodeEvent) and key_event.anchor is not None
            ):
                raise YamlProblem(key_line, ALIASES)
            if not isinstance(key_event, yaml.ScalarEvent):
                raise YamlProblem(key_line, "a key must be a plain name, not a list or mapping")
            if key_event.tag is not None:
                raise YamlProblem(key_line, f"YAML tag {quoted(key_event.tag)} is not allowed; remove the tag")
            key = key_event.value
            if key == "<<":
                raise YamlProblem(key_line, "YAML merge keys (<<) are not allowed; write the keys out")
            self.check_characters(key_event, where, key=True)
            if key in items:
                raise YamlProblem(
                    key_line, f"duplicate key {quoted(key)} (first at line {key_lines[key]}); keep only one"
                )
            items[key] = self.value(f"{where}.{key}" if where else key, depth + 1)
            key_lines[key] = key_line
        self.next()
        return YMap(items, key_lines, line)

    def check_characters(self, event: yaml.ScalarEvent, where: str, key: bool) -> None:
        """Refuse a scalar holding a character of quipu.chars' rule, at the line and column it is written."""
        bad = first_refused(event.value, key=key)
        if bad is None:
            return
        subject = "a key" if key else quoted(where) if where else "the value"
        ch = event.value[bad]
        index, written = _written_at(self.text, event, ch, event.value[:bad].count(ch))
        line, column = self.lines.line_and_column(index)
        what, fix = refusal(ch, key=key)
        spelled = f", written as the escape {written}" if written != ch else ""
        raise YamlProblem(line, f"{subject} holds {what} at column {column}{spelled}; {fix}")


_KINDS = {"str", "int", "float", "bool", "null", "timestamp"}
_SHORT_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def _written_at(text: str, event: yaml.ScalarEvent, ch: str, before: int) -> tuple[int, str]:
    """Where the scalar's (before+1)-th `ch` is written in the source, and how: the character or its escape.

    Outside double quotes a character is written as itself; inside them it may be an escape.
    Falls back to the scalar's start when the source cannot be matched (it always can).
    """
    assert event.start_mark is not None and event.end_mark is not None, "the parser marks every event"
    start, end = event.start_mark.index, event.end_mark.index
    seen = 0
    if event.style == '"':
        at = text.index('"', start, end) + 1
        while at < end:
            written, produced = _double_quoted_unit(text, at)
            if produced == ch:
                if seen == before:
                    return at, written
                seen += 1
            at += len(written)
    else:
        at = text.find(ch, start, end)
        while at != -1:
            if seen == before:
                return at, ch
            seen += 1
            at = text.find(ch, at + 1, end)
    return start, ch


def _double_quoted_unit(text: str, at: int) -> tuple[str, str]:
    """(source text, the character it stands for) of one unit of a double-quoted scalar."""
    if text[at] != "\\" or at + 1 >= len(text):
        return text[at], text[at]
    sign = text[at + 1]
    if sign in _HEX_ESCAPES:
        digits = text[at + 2 : at + 2 + _HEX_ESCAPES[sign]]
        try:
            return text[at : at + 2 + len(digits)], chr(int(digits, 16))
        except ValueError:  # not an escape libyaml accepted; it would have refused the file
            return text[at : at + 2], ""
    return text[at : at + 2], _SHORT_ESCAPES.get(sign, "")
