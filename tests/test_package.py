"""The generator others can use: a project's templates over the default theme, `init`, and the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from collections.abc import Callable
from pathlib import Path

import pytest

from quipu.cli import main

from .conftest import ROOT, Run


def _run(cwd: Path, *argv: str) -> Run:
    import io

    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        code = main(list(argv), stdout=out, stderr=err)
    finally:
        os.chdir(previous)
    return Run(code, out.getvalue(), err.getvalue())


def test_a_project_template_overrides_the_theme_file_by_file(make_site: Callable[..., Path], tmp_path: Path) -> None:
    make_site()
    own = tmp_path / "templates"
    (own / "static").mkdir(parents=True)
    (own / "404.html").write_text("<!doctype html><title>gone</title><p>Our own 404</p>\n", encoding="utf-8")
    (own / "static/style.css").write_text("body { color: teal }\n", encoding="utf-8")
    run = _run(tmp_path, "build", "--no-search", "--out", "site")
    assert run.code == 0, run.err
    site = tmp_path / "site"
    assert "Our own 404" in (site / "404.html").read_text(encoding="utf-8")
    assert (site / "static/style.css").read_text(encoding="utf-8") == "body { color: teal }\n"
    assert (site / "static/favicon.svg").is_file()  # not overridden: the theme's
    assert "First action" in (site / "events/first-action/index.html").read_text(encoding="utf-8")


def test_templates_lists_and_copies_theme_files(tmp_path: Path) -> None:
    listed = _run(tmp_path, "templates")
    assert "base.html" in listed.out.split() and "static/style.css" in listed.out.split()
    copied = _run(tmp_path, "templates", "--copy", "base.html")
    assert copied.code == 0 and (tmp_path / "templates/base.html").is_file()
    assert _run(tmp_path, "templates", "--copy", "base.html").code == 1  # never overwrites


def test_init_starts_a_project_that_checks_and_builds(tmp_path: Path) -> None:
    run = _run(tmp_path, "init", "new-timeline", "--title", 'A "quoted" conflict', "--language", "es")
    assert run.code == 0, run.err
    project = tmp_path / "new-timeline"
    for rel in (
        "content/site.yaml",
        "content/events/2000/example-event.md",
        "content/actors/example-actor.md",
        "content/places/example-place.md",
        "content/pages/about.md",
        "content/periods/example-phase.md",
        "templates/README.md",
        ".github/workflows/deploy.yml",
        ".github/workflows/check.yml",
        ".github/ISSUE_TEMPLATE/correction.yml",
        ".github/pull_request_template.md",
        "requirements.txt",
    ):
        assert (project / rel).is_file(), rel
    checked = _run(project, "check", "--strict", "--stats")
    assert checked.code == 0, checked.err
    built = _run(project, "build", "--no-search")
    assert built.code == 0, built.err
    home = (project / "site/index.html").read_text(encoding="utf-8")
    assert '<html lang="es">' in home and 'A "quoted" conflict' in home.replace("&#34;", '"')
    assert _run(tmp_path, "init", "new-timeline").code == 2  # refuses a folder that is not empty


@pytest.mark.slow
def test_a_wheel_in_a_fresh_environment_inits_and_builds(tmp_path: Path) -> None:
    """Non-editable: the wheel carries the theme and the starter; nothing comes from this checkout."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("quipu-*.whl")
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    quipu = [str(env_dir / ("Scripts/quipu.exe" if os.name == "nt" else "bin/quipu"))]
    done = subprocess.run([*quipu, "init", "t"], cwd=work, env=clean, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    built = subprocess.run([*quipu, "build"], cwd=work / "t", env=clean, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert (work / "t/site/events/example-event/index.html").is_file()
    assert (work / "t/site/static/style.css").is_file()
    located = subprocess.run(
        [str(python), "-c", "import quipu.theme as t; print(t.default_theme())"],
        cwd=work,
        env=clean,
        capture_output=True,
        text=True,
    )
    assert str(env_dir) in located.stdout, "the theme must come from the installed package"


# pyproject.toml's dependencies by the name they are imported as (None: optional at run time)
IMPORTED_AS = {"pyyaml": "yaml", "python-frontmatter": "frontmatter", "pagefind": None}


def test_the_modules_build_py_looks_for_are_the_projects_dependencies() -> None:
    import re
    import tomllib

    from quipu import REQUIRED_MODULES

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = [re.match(r"[A-Za-z0-9_.-]+", requirement)[0].lower() for requirement in declared]  # type: ignore[index]
    expected = [IMPORTED_AS.get(name, name) for name in names]
    assert sorted(REQUIRED_MODULES) == sorted(m for m in expected if m is not None)
