"""What the build reads and where it writes: inputs and output never overlap, links are never followed,
special files are refused at their path, and nothing under content/ is skipped without a message."""

from __future__ import annotations

import os
import shutil
import signal
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .conftest import ROOT, Run, event

LINK = "symbolic link"


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def no_hang() -> Iterator[None]:
    """A build that opens a named pipe would wait forever: fail the test instead."""

    def stuck(_signum: int, _frame: object) -> None:
        raise TimeoutError("the build hung (it opened a pipe?)")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(30)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A project templates folder: a copy of the default theme."""
    folder = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", folder)
    return folder


@pytest.fixture
def outside(tmp_path: Path) -> Iterator[Path]:
    """Files beyond the project that a link could reach: a secret, a repository, a valid entry of each kind."""
    folder = tmp_path.parent / f"{tmp_path.name}-outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("SECRET-FROM-THE-BUILD-MACHINE\n")
    (folder / "repo/.git").mkdir(parents=True)
    (folder / "repo/.git/config").write_text("[remote] url = SECRET-FROM-THE-BUILD-MACHINE\n")
    (folder / "site.yaml").write_text("title: SECRET-FROM-THE-BUILD-MACHINE\n")
    (folder / "actors").mkdir()
    (folder / "actors/other.md").write_text("---\nname: SECRET-FROM-THE-BUILD-MACHINE\nkind: person\n---\nA.\n")
    (folder / "1999").mkdir()
    (folder / "1999/linked.md").write_text(event("SECRET-FROM-THE-BUILD-MACHINE", "1999-01-01"))
    (folder / "page.html").write_text("{% extends 'base.html' %}{% block main %}SECRET{% endblock %}\n")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _secret_published(site: Path) -> bool:
    return site.exists() and any(b"SECRET" in data for data in _tree(site).values())


# --- Inputs inside the output, or the output inside the inputs ------------------------------------------------


@pytest.mark.parametrize(
    "layout", ["content-in-output", "templates-in-output", "output-in-content", "output-is-templates"]
)
def test_a_build_whose_inputs_and_output_overlap_is_refused_before_anything_is_touched(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, templates: Path, layout: str
) -> None:
    content = make_site()
    assert cli("build", "--templates", str(templates)).code == 0  # an earlier output, site/
    site = tmp_path / "site"
    if layout == "content-in-output":
        shutil.copytree(content, site / "content")
        args = ["--content", "site/content", "--templates", str(templates), "--out", "site"]
    elif layout == "templates-in-output":
        shutil.copytree(templates, site / "theme")
        args = ["--templates", "site/theme", "--out", "site"]
    elif layout == "output-in-content":
        args = ["--templates", str(templates), "--out", "content/built"]
    else:
        args = ["--templates", str(templates), "--out", str(templates)]
    before_site, before_content, before_templates = _tree(site), _tree(content), _tree(templates)
    run = cli("build", *args)
    assert run.code == 1, run.err
    assert "error: " in run.err and "choose an --out outside" in run.err, run.err
    assert len([line for line in run.err.splitlines() if "error" in line]) == 1 and "Traceback" not in run.err
    assert _tree(site) == before_site  # the earlier output, and the content copied into it, are untouched
    assert _tree(content) == before_content and _tree(templates) == before_templates
    assert not (content / "built").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".cache"]


# --- Symbolic links -----------------------------------------------------------------------------------------


def _link_content(content: Path, outside: Path, case: str) -> str:
    """Plant one link of the kind `case` names; returns the path the error must name."""
    if case == "site.yaml":
        (content / "site.yaml").unlink()
        (content / "site.yaml").symlink_to(outside / "site.yaml")
        return "content/site.yaml"
    if case == "kind-folder":
        shutil.rmtree(content / "actors")
        (content / "actors").symlink_to(outside / "actors")
        return "content/actors"
    if case == "year-folder":
        (content / "events/1999").symlink_to(outside / "1999")
        return "content/events/1999"
    if case == "entry-file":
        (content / "events/1980/linked.md").symlink_to(outside / "1999/linked.md")
        return "content/events/1980/linked.md"
    if case == "hidden-link":
        (content / "events/1980/.linked.md").symlink_to(outside / "1999/linked.md")
        return "content/events/1980/.linked.md"
    if case == "dangling":
        (content / "places/gone.md").symlink_to(outside / "no-such-file.md")
        return "content/places/gone.md"
    if case == "loop":
        (content / "events/loop").symlink_to(content / "events/loop")
        return "content/events/loop"
    if case == "map":
        (content / "map").symlink_to(outside / "repo")
        return "content/map"
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case", ["site.yaml", "kind-folder", "year-folder", "entry-file", "hidden-link", "dangling", "loop", "map"]
)
def test_a_symbolic_link_in_content_is_an_error_at_its_path(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, outside: Path, case: str
) -> None:
    content = make_site()
    assert cli("build").code == 0
    before = _tree(tmp_path / "site")
    shown = _link_content(content, outside, case)
    for command in ("check", "build"):  # a pull request's check says it too, and the build refuses it whole
        run = cli(command)
        assert run.code == 1, run.err
        assert any(line.startswith(f"{shown}:1: error: ") and LINK in line for line in run.problems), run.err
        assert "Traceback" not in run.err and "SECRET" not in run.err
        errors = [line for line in run.problems if ": error: " in line]
        assert f"; {len(errors)} error" in run.err.splitlines()[-1]  # each problem counted once
    assert _tree(tmp_path / "site") == before
    assert not _secret_published(tmp_path / "site")


@pytest.mark.parametrize("case", ["static-file", "static-folder", "template", "catalog", "templates-static"])
def test_a_symbolic_link_in_templates_is_an_error_at_its_path_and_nothing_is_published(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, templates: Path, outside: Path, case: str
) -> None:
    make_site()
    assert cli("build", "--templates", str(templates)).code == 0
    before = _tree(tmp_path / "site")
    if case == "static-file":
        (templates / "static/host.txt").symlink_to(outside / "secret.txt")
        shown = "templates/static/host.txt"
    elif case == "static-folder":
        (templates / "static/repo").symlink_to(outside / "repo/.git")
        shown = "templates/static/repo"
    elif case == "template":
        (templates / "page.html").unlink()
        (templates / "page.html").symlink_to(outside / "page.html")
        shown = "templates/page.html"
    elif case == "catalog":
        (templates / "i18n/fr.po").symlink_to(outside / "secret.txt")
        shown = "templates/i18n/fr.po"
    else:
        shutil.rmtree(templates / "static")
        (templates / "static").symlink_to(outside / "repo")
        shown = "templates/static"
    run = cli("build", "--templates", str(templates))
    assert run.code == 1, run.err
    assert any(line.startswith(f"{shown}:1: error: ") and LINK in line for line in run.problems), run.err
    assert "Traceback" not in run.err
    assert _tree(tmp_path / "site") == before
    assert not _secret_published(tmp_path / "site")
    assert cli("check", "--templates", str(templates)).code == 1  # the pull request's check catches it too


def test_the_content_and_templates_folders_named_on_the_command_line_may_themselves_be_links(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, templates: Path
) -> None:
    content = make_site()
    content.rename(tmp_path / "real-content")
    content.symlink_to(tmp_path / "real-content")
    templates.rename(tmp_path / "real-templates")
    templates.symlink_to(tmp_path / "real-templates")
    run = cli("build", "--templates", "templates")
    assert run.code == 0 and run.problems == [], run.err


def test_a_link_added_after_a_build_is_not_hidden_by_the_replay_of_that_build(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, outside: Path
) -> None:
    content = make_site()
    assert cli("build").code == 0
    assert cli("build").code == 0  # nothing changed: a replay
    (content / "events/1999").symlink_to(outside / "1999")  # adds a folder entry, no file the build would stat
    run = cli("build")
    assert run.code == 1 and any("content/events/1999:1: error: " in line for line in run.problems), run.err


# --- Folders where files belong, and what is left out -------------------------------------------------------


@pytest.mark.parametrize("folder", ["events/1980/x.md", "actors/other.md", "places/p.yaml"])
def test_a_folder_named_like_an_entry_is_an_error(
    make_site: Callable[..., Path], cli: Callable[..., Run], folder: str
) -> None:
    content = make_site()
    (content / folder).mkdir()
    run = cli("check")
    assert run.code == 1
    assert any(line.startswith(f"content/{folder}:1: error: ") and "folder" in line for line in run.problems), run.err


def test_what_content_holds_beside_its_folders_is_named_not_skipped(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    make_site({"event/1981/typo.md": event("Typo", "1981-01-01"), "notes.txt": "to do\n"})
    run = cli("check")
    assert run.code == 0  # warnings: the build goes on, --strict stops it
    assert any(line.startswith("content/event:1: warning: ignored") and "'events'" in line for line in run.problems)
    assert any(line.startswith("content/notes.txt:1: warning: ignored") for line in run.problems), run.err
    assert cli("check", "--strict").code == 1


def test_a_kind_that_is_a_file_instead_of_a_folder_is_an_error(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    content = make_site()
    (content / "pages").write_text("not a folder\n")
    run = cli("check")
    assert run.code == 1 and any(line.startswith("content/pages:1: error: ") for line in run.problems), run.err


# --- Named pipes, sockets, devices --------------------------------------------------------------------------


def _special(rel: str, kind: str) -> None:
    """A named pipe or a socket at `rel` (relative: a socket's address is short)."""
    if os.path.lexists(rel):
        os.unlink(rel)
    if kind == "pipe":
        os.mkfifo(rel)
    else:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(rel)


@pytest.mark.parametrize("kind", ["pipe", "socket"])
@pytest.mark.parametrize(
    "where",
    [
        "content/site.yaml",
        "content/events/1980/pipe.md",
        "content/map/departments.geojson",
        "templates/static/pipe.css",
        "templates/page.html",
    ],
)
def test_a_special_file_is_refused_in_one_line_at_its_path(
    make_site: Callable[..., Path],
    cli: Callable[..., Run],
    tmp_path: Path,
    templates: Path,
    no_hang: None,
    kind: str,
    where: str,
) -> None:
    make_site()
    assert cli("build", "--templates", str(templates)).code == 0
    before = _tree(tmp_path / "site")
    (tmp_path / where).parent.mkdir(parents=True, exist_ok=True)
    _special(where, kind)  # the cli fixture runs in tmp_path
    run = cli("build", "--templates", str(templates))
    assert run.code == 1, run.err
    lines = [line for line in run.err.splitlines() if where in line]
    assert len(lines) == 1 and lines[0].startswith(f"{where}:1: error: not a regular file"), run.err
    assert "Traceback" not in run.err and "PosixPath(" not in run.err and "Errno" not in run.err
    assert _tree(tmp_path / "site") == before
