"""Plain YAML read into values that remember their line.

PyYAML's composer builds a node graph without constructing any object, so
tags that would build Python objects are never run, and aliases stay
references (an alias bomb cannot expand). We then convert nodes ourselves,
keeping each scalar's raw text so that the schema decides types: `title: no`
stays the text 'no'.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

import yaml

try:  # the C loader is several times faster and still gives node marks
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}


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


class _Lines:
    """Line numbers as editors and grep count them (only '\n' ends a line).

    YAML also breaks lines at U+2028, U+2029 and U+0085; when the text holds
    any of them, marks are mapped through their character index instead.
    """

    def __init__(self, text: str, first_line: int) -> None:
        self.first_line = first_line
        self.newlines: list[int] | None = None
        if any(ch in text for ch in _OTHER_BREAKS):
            self.newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def of(self, mark: yaml.Mark) -> int:
        if self.newlines is None:
            return self.first_line + mark.line
        return self.first_line + bisect_left(self.newlines, mark.index)


def load(text: str, first_line: int = 1) -> YValue | None:
    """Compose one YAML document into located values; None for an empty document."""
    lines = _Lines(text, first_line)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = lines.of(mark) if mark else first_line
        what = exc.problem or "YAML syntax error"
        context = ""
        if exc.context and exc.context_mark is not None:
            started = lines.of(exc.context_mark)
            context = f" ({exc.context} that starts at line {started})" if started != line else f" ({exc.context})"
        raise YamlProblem(line, f"YAML syntax error: {what}{context}; check indentation, quotes and colons") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(first_line, f"YAML error: {exc}") from None
    except RecursionError:
        raise YamlProblem(first_line, "YAML nesting is too deep") from None
    if node is None:
        return None
    return _convert(node, lines, set(), 0)


def _convert(node: yaml.Node, lines: _Lines, seen: set[int], depth: int) -> YValue:
    line = lines.of(node.start_mark)
    if depth > 50:
        raise YamlProblem(line, "YAML nesting is too deep (more than 50 levels)")
    if node.tag not in _ALLOWED_TAGS:
        raise YamlProblem(line, f"YAML tag '{node.tag}' is not allowed; entries use plain YAML only, remove the tag")
    if id(node) in seen:
        raise YamlProblem(line, "YAML anchors and aliases (&name, *name) are not allowed; write the value out")
    if isinstance(node, yaml.ScalarNode):
        return YScalar(str(node.value), node.tag[len(_STD) :], line, quoted=node.style not in (None, ""))
    seen.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        return YSeq([_convert(n, lines, seen, depth + 1) for n in node.value], line)
    assert isinstance(node, yaml.MappingNode)
    items: dict[str, YValue] = {}
    key_lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key_line = lines.of(key_node.start_mark)
        if not isinstance(key_node, yaml.ScalarNode):
            raise YamlProblem(key_line, "a key must be a plain name, not a list or mapping")
        if key_node.tag == _STD + "merge" or key_node.value == "<<":
            raise YamlProblem(key_line, "YAML merge keys (<<) are not allowed; write the keys out")
        if key_node.tag not in _ALLOWED_TAGS:
            raise YamlProblem(key_line, f"YAML tag '{key_node.tag}' is not allowed; remove the tag")
        key = str(key_node.value)
        if key in items:
            raise YamlProblem(key_line, f"duplicate key '{key}' (first at line {key_lines[key]}); keep only one")
        items[key] = _convert(value_node, lines, seen, depth + 1)
        key_lines[key] = key_line
    return YMap(items, key_lines, line)
