"""Every command the README and CONTRIBUTING show works as written, from a shell whose Python lacks the
dependencies (as on a fresh machine after the quick start): no traceback, no missing module."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT

DOCS = ("README.md", "CONTRIBUTING.md")
RUNNABLE = ("python3 build.py", "quipu ", ".venv/bin/python", ".venv/bin/pybabel")
COPY = (
    "content",
    "templates",
    "quipu",
    "schemas",
    "build.py",
    "babel.cfg",
    "pyproject.toml",
    "README.md",
    "CONTRIBUTING.md",
)
# Placeholders the docs use, and what stands for them here.
PLACEHOLDERS = {
    "<slug>": "lucanamarca-massacre",
    "[site]": "site",
    " [--port 8000]": "",
    " [--copy base.html]": "",
    "init DIR": "init another-timeline",
}
# What a command needs done first, as its description says ("of a built site").
NEEDS_FIRST = {"python3 build.py links": "python3 build.py build --no-search"}


def documented_commands() -> list[list[str]]:
    """The runnable commands, grouped: the lines of one shell block run in order, an inline command alone."""
    groups: list[list[str]] = []
    seen: set[str] = set()
    for name in DOCS:
        text = (ROOT / name).read_text(encoding="utf-8")
        blocks = [body for lang, body in re.findall(r"```(\w*)\n(.*?)```", text, flags=re.S) if lang in ("", "sh")]
        candidates = [[line.split("  #")[0].strip() for line in block.splitlines()] for block in blocks]
        candidates += [[span] for span in re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))]
        for lines in candidates:
            group = [
                part.strip()
                for line in lines
                for part in line.split(" && ")
                if part.strip().startswith(RUNNABLE) and part.strip() not in seen
            ]
            seen.update(group)
            if group:
                groups.append(group)
    return groups


def _expand(command: str) -> str:
    for placeholder, value in PLACEHOLDERS.items():
        command = command.replace(placeholder, value)
    return command


def test_the_docs_show_the_commands_that_matter() -> None:
    commands = [c for group in documented_commands() for c in group]
    for needed in ("python3 build.py check", "python3 build.py links", "quipu init", "python3 build.py new event"):
        assert any(c.startswith(needed) for c in commands), needed


@pytest.mark.slow
def test_every_documented_command_runs_as_written(tmp_path: Path) -> None:
    if not (ROOT / ".venv/bin/quipu").exists():
        pytest.skip("needs the .venv that python3 tasks.py creates")
    # A shell as after the quick start: `python3` is the machine's, `quipu` is on PATH only in .venv.
    env = {**os.environ, "PATH": f"{ROOT / '.venv/bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("VIRTUAL_ENV", None)
    python3 = shutil.which("python3", path=os.environ.get("PATH", "")) or "python3"
    ran = 0
    for number, group in enumerate(documented_commands()):
        work = tmp_path / f"repo-{number}"  # each group starts from a fresh copy, as a reader would
        work.mkdir()
        for name in COPY:
            source = ROOT / name
            (shutil.copytree if source.is_dir() else shutil.copyfile)(source, work / name)  # type: ignore[operator]
        (work / ".venv").symlink_to(ROOT / ".venv")
        cwd = work
        first = [need for prefix, need in NEEDS_FIRST.items() if group[0].startswith(prefix)]
        for command in [*first, *map(_expand, group)]:
            if " serve" in command or "--update-golden" in command:
                continue  # the server runs until stopped (tests/test_serve.py); the golden refresh is the suite itself
            shell = command.replace("python3 ", f"{python3} ", 1) if command.startswith("python3 ") else command
            done = subprocess.run(["bash", "-c", shell], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
            output = done.stdout + done.stderr
            assert "Traceback" not in output and "ModuleNotFoundError" not in output, f"{command}\n{output[-1500:]}"
            refused_on_purpose = done.returncode == 1 and "already exists" in output
            assert done.returncode == 0 or refused_on_purpose, f"{command} exited {done.returncode}\n{output[-1500:]}"
            if command.startswith("quipu init "):
                cwd = work / command.split()[2]  # the block goes on inside the new project: cd my-timeline
            ran += 1
    assert ran >= 20
