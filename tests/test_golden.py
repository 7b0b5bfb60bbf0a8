"""The rendered pages of a small site, byte for byte.

Refresh with `pytest tests/test_golden.py --update-golden` and review the diff
in git: every change to a page is visible in review.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from quipu.writer import MANIFEST

from .conftest import Run

GOLDEN = Path(__file__).parent / "golden"


def _tree(root: Path) -> dict[str, bytes]:
    """Every file of a built site; the manifest, which records when each file was written, is the tool's own."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


SITES = {
    "one-language": GOLDEN,  # language: en, relative base_url
    "bilingual": Path(__file__).parent / "golden-bilingual",  # en + es, absolute base_url: feeds, sitemap, fallbacks
}


@pytest.mark.parametrize("name", sorted(SITES))
def test_golden_site(name: str, cli: Callable[..., Run], tmp_path: Path, update_golden: bool) -> None:
    root = SITES[name]
    out = tmp_path / "out"
    # Built from a copy outside the checkout: dates last changed come from git, and would change with each commit.
    shutil.copytree(root / "content", tmp_path / "content")
    run = cli("build", "--content", str(tmp_path / "content"), "--out", str(out))
    assert run.code == 0, run.err
    built = _tree(out)
    expected_dir = root / "expected"
    if update_golden:
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(out, expected_dir, ignore=shutil.ignore_patterns(MANIFEST))
    # A missing expectation fails: it is written only on request, and then reviewed in the diff.
    assert expected_dir.is_dir(), f"no golden pages in {expected_dir}; run pytest tests/test_golden.py --update-golden"
    expected = _tree(expected_dir)
    assert sorted(built) == sorted(expected), "pages were added or removed; run pytest --update-golden and review"
    for file in sorted(expected):
        assert built[file] == expected[file], (
            f"{file} differs from {expected_dir.relative_to(root.parent)}/{file}; run pytest --update-golden and review"
        )


@pytest.mark.parametrize("name", sorted(SITES))
def test_same_input_same_bytes(name: str, cli: Callable[..., Run], tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert cli("build", "--content", str(SITES[name] / "content"), "--out", str(first)).code == 0
    assert cli("build", "--content", str(SITES[name] / "content"), "--out", str(second)).code == 0
    assert _tree(first) == _tree(second)


def test_parallel_build_gives_the_same_bytes(cli: Callable[..., Run], tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import quipu.pipeline

    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    monkeypatch.setattr(quipu.pipeline, "PARALLEL_THRESHOLD", 10**9)
    assert cli("build", "--content", str(GOLDEN / "content"), "--out", str(serial)).code == 0
    monkeypatch.setattr(quipu.pipeline, "PARALLEL_THRESHOLD", 1)
    assert cli("build", "--content", str(GOLDEN / "content"), "--out", str(parallel), "--jobs", "2").code == 0
    assert _tree(serial) == _tree(parallel)


def test_template_error_in_a_worker_leaves_old_output(cli: Callable[..., Run], tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import shutil as sh

    import quipu.pipeline

    from .conftest import ROOT

    monkeypatch.setattr(quipu.pipeline, "PARALLEL_THRESHOLD", 1)
    templates = tmp_path / "templates"
    sh.copytree(ROOT / "templates", templates)
    out = tmp_path / "out"
    args = (
        "build",
        "--content",
        str(GOLDEN / "content"),
        "--out",
        str(out),
        "--templates",
        str(templates),
        "--jobs",
        "2",
    )
    assert cli(*args).code == 0
    before = _tree(out)
    (templates / "event.html").write_text("{% extends 'base.html' %}{% block main %}{{ missing.thing }}{% endblock %}")
    run = cli(*args)
    assert run.code == 1
    assert "event.html:1: error: template error" in run.err
    assert _tree(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_same_bytes_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    trees = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        args = [sys.executable, str(ROOT / "build.py"), "build", "--content", str(ROOT / "content"), "--out", str(out)]
        subprocess.run(
            [*args, "--templates", str(ROOT / "templates")], check=True, env=env, capture_output=True, cwd=tmp_path
        )
        trees.append(_tree(out))
    assert trees[0] == trees[1]
