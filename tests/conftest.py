"""Shared fixtures: build small sites from a dict of files, never in the working tree."""

from __future__ import annotations

import io
import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from quipu.cli import main

ROOT = Path(__file__).resolve().parent.parent

SITE_YAML = "title: Test timeline\nperiod: {start: 1980}\n"

ACTOR = """---
name: Shining Path
kind: armed-group
active: {from: 1980}
---
An armed group.
"""

PLACE = """---
name: Chuschi
kind: district
coordinates: [-13.58, -74.35]
---
A district.
"""


def event(
    title: str = "First action", date: str = "1980-05-17", extra: str = "", body: str = "Something happened."
) -> str:
    return (
        f"---\ntitle: {title}\ndate: {date}\nplaces: [chuschi]\nactors: [shining-path]\n{extra}"
        "sources:\n  - title: A report\n    publisher: A newspaper\n    url: https://example.org/a\n---\n"
        f"{body}\n"
    )


# The switches the README documents: skip the tests that need Chromium, or the Nu HTML checker (npm).
SKIP_SWITCHES = {
    "QUIPU_NO_BROWSER": ("browser", "QUIPU_NO_BROWSER is set: browser tests skipped on purpose"),
    "QUIPU_NO_NODE": ("test_html_valid", "QUIPU_NO_NODE is set: the HTML validity test skipped on purpose"),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for variable, (part, reason) in SKIP_SWITCHES.items():
        if not os.environ.get(variable):
            continue
        for item in items:
            if part in Path(str(item.fspath)).parts or Path(str(item.fspath)).stem == part:
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/expected from the current build"
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """Write a content folder from {relative path: text}; returns the content folder."""

    def make(files: dict[str, str | bytes] | None = None, defaults: bool = True) -> Path:
        content = tmp_path / "content"
        content.mkdir(exist_ok=True)
        base: dict[str, str | bytes] = {}
        if defaults:
            base = {
                "site.yaml": SITE_YAML,
                "actors/shining-path.md": ACTOR,
                "places/chuschi.md": PLACE,
                "events/1980/first-action.md": event(),
            }
        for rel, text in {**base, **(files or {})}.items():
            path = content / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
        return content

    return make


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    @property
    def problems(self) -> list[str]:
        return [line for line in self.err.splitlines() if ": error: " in line or ": warning: " in line]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Run]:
    """Run build.py's main() in tmp_path with the repository's templates."""
    monkeypatch.chdir(tmp_path)

    def run(*argv: str) -> Run:
        out, err = io.StringIO(), io.StringIO()
        args = list(argv)
        if args and args[0] in ("build", "check", "serve", "stats") and "--templates" not in args:
            args += ["--templates", str(ROOT / "templates")]
        if args and args[0] == "build" and "--search" not in args:
            args.append("--no-search")  # the index is tested on its own (test_search.py and the browser tests)
        code = main(args, stdout=out, stderr=err)
        return Run(code, out.getvalue(), err.getvalue())

    return run
