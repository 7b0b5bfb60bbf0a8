"""Problems found in content, collected and reported together.

Every problem names a file and a line so that a contributor can jump to it;
the build collects them all before deciding, so one run shows everything.
"""

from __future__ import annotations

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
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


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
