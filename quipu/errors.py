"""Problems found in content, collected and reported together.

Every problem names a file and a line so that a contributor can jump to it;
the build collects them all before deciding, so one run shows everything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, at a position in a file."""

    path: str
    line: int
    message: str
    severity: Severity = "error"

    def format(self) -> str:
        """One line, whatever the path and message hold (a file name may hold a line break)."""
        return f"{escaped(self.path, None)}:{self.line}: {self.severity}: {escaped(self.message, None)}"


@dataclass
class Report:
    """Problems gathered over a whole run, in a stable order."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, path: str, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message, "error"))

    def warning(self, path: str, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message, "warning"))

    def extend(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

    def sorted(self) -> list[Problem]:
        return sorted(set(self.problems), key=_sort_key)

    def lines(self) -> list[str]:
        return [p.format() for p in self.sorted()]

    def summary(self) -> str:
        e, w = len(self.errors), len(self.warnings)
        return f"{e} error{'s' if e != 1 else ''}, {w} warning{'s' if w != 1 else ''}"


def _sort_key(p: Problem) -> tuple[str, int, int, str]:
    return (p.path, p.line, 0 if p.severity == "error" else 1, p.message)


class TemplateProblem(Exception):
    """A problem in the templates or their catalogs, raised while rendering and reported like content."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.format())
        self.problem = problem


def escaped(value: str, limit: int | None = 60) -> str:
    """A value as a message shows it: on one line, with what does not show (line breaks, U+200B) as escapes, shortened."""
    if limit is not None and len(value) > limit:
        value = value[: limit - 1] + "…"
    if value.isprintable():
        return value
    return "".join(_ESCAPES.get(ch) or (ch if ch.isprintable() or ch == " " else _escape(ch)) for ch in value)


def quoted(value: str, limit: int | None = 60) -> str:
    """A contributor's value inside a message: 'armed\\ngroup', never a line break or a Python repr."""
    return f"'{escaped(value, limit)}'"


_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def did_you_mean(word: str, choices: list[str] | set[str]) -> str:
    """A ' did you mean …?' suffix, or '' when nothing is close."""
    close = get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def display_path(path: Path, cwd: Path | None = None) -> str:
    """The path as a contributor would type it: relative to the working dir when possible."""
    base = cwd or Path.cwd()
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# The reports for tools (check --format json, jsonl, github) carry each path and message as they are: only
# the framing escapes them, so no file name or message can move a problem to another file, line or record.


def problem_json(problem: Problem) -> dict[str, object]:
    return {"path": problem.path, "line": problem.line, "severity": problem.severity, "message": problem.message}


def json_text(value: object, indent: int | None = None) -> str:
    """JSON whose strings escape every line break, also the U+0085, U+2028 and U+2029 that JSON allows raw:
    a JSON line stays one line for any reader that splits lines."""
    return json.dumps(value, ensure_ascii=False, indent=indent).translate(_JSON_LINE_BREAKS)


def github_annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command, '::error file=…,line=…::message', escaped as the runner unescapes it."""
    where = f"file={problem.path.translate(_COMMAND_PROPERTY)},line={problem.line}"
    return f"::{problem.severity} {where}::{problem.message.translate(_COMMAND_DATA)}"


_JSON_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})
# The runner's escapes (actions/toolkit command.ts): messages %25 %0D %0A; properties also %3A %2C, since
# ':' ends and ',' separates them.
_COMMAND_DATA = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A"})
_COMMAND_PROPERTY = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"})
