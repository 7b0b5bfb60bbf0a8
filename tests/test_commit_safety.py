"""The commit of a build: a kill at any moment leaves a site the next build finishes or rolls back, nothing is
left beside it, and nothing the tool did not make is ever deleted, moved or written through.

Kills are real SIGKILLs. A forked child runs build.py's main() with an audit hook that counts its changes to
the file system (files opened for writing, renames, removals, new folders) and kills the process just before
the chosen one, so each moment of a build is reached on purpose and every run of a seed is the same.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from quipu.cli import main
from quipu.writer import JOURNAL, MANIFEST, MARKER, content_hash

from .conftest import ROOT, SITE_YAML, Run, event

BILINGUAL = SITE_YAML + "languages: [en, es]\n"
OWN = {MARKER, MANIFEST, JOURNAL}
_MUTATIONS = {"os.rename", "os.remove", "os.rmdir", "os.mkdir", "shutil.rmtree", "os.link", "os.truncate"}
_WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _tree(root: Path, skip: set[str] = frozenset({MANIFEST})) -> dict[str, bytes]:  # type: ignore[assignment]
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in skip
    }


def _theme(tmp_path: Path) -> Path:
    """A copy of the default theme that stays as it is while the test runs."""
    shutil.copytree(ROOT / "templates", tmp_path / "theme")
    return tmp_path / "theme"


def _child_build(
    project: Path,
    args: list[str],
    kill_at: int | None = None,
    exchange: bool = True,
    trace: Path | None = None,
    theme: Path = ROOT / "templates",
) -> tuple[bool, int]:
    """build.py's main() in a forked process in `project`; SIGKILLed just before its kill_at-th change to the
    file system. Returns (killed, changes made), the count only when it was not killed; `trace` gets the
    changes' kinds, in order."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 70
        try:
            os.close(read)
            os.chdir(project)
            if not exchange:
                import quipu.writer

                quipu.writer._exchange = lambda _a, _b: False  # a system without an atomic exchange of folders
            count = 0
            seen: list[str] = []

            def hook(name: str, hook_args: tuple[object, ...]) -> None:
                nonlocal count
                if name == "open":
                    flags = hook_args[2]
                    if not (isinstance(flags, int) and flags & _WRITING):
                        return
                elif name not in _MUTATIONS:
                    return
                count += 1
                seen.append(f"{name} {hook_args[0]}")
                if count == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)

            sys.addaudithook(hook)
            code = main([*args, "--templates", str(theme), "--no-search", "--jobs", "1"],
                        stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip
            made = count  # before the trace is written, which is a change too
            if trace is not None:
                trace.write_text(json.dumps(seen))
            os.write(write, f"{code} {made}".encode())
        finally:
            os._exit(code)
    os.close(write)
    _pid, status = os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as pipe:
        said = pipe.read().decode()
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return True, 0
    code, count = (int(x) for x in said.split())
    assert code == 0, f"the build failed ({code})"
    return False, count


def _consistent(site: Path) -> bool:
    """A complete site: every file its manifest lists, with those bytes, and nothing else."""
    try:
        listed = json.loads((site / MANIFEST).read_text())["files"]
    except (OSError, ValueError, KeyError):
        return False
    present = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() or p.is_symlink()}
    if present - OWN != set(listed) or not (site / MARKER).is_file():
        return False
    return all(content_hash((site / rel).read_bytes()) == digest for rel, (_fp, digest) in listed.items())


def _leftovers(project: Path, expected: set[str]) -> list[str]:
    return sorted(p.name for p in project.iterdir() if p.name not in expected)


# --- Folders named like the tool's own, and journals that point elsewhere ----------------------------------


def test_folders_named_like_staging_that_the_build_did_not_make_are_never_deleted(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    content = make_site()
    others = [".site.new-1", ".site.old-1", ".site.search-1"]
    for name in others:
        (tmp_path / name).mkdir()
        (tmp_path / name / "work.txt").write_text("mine")
    assert cli("build").code == 0
    (content / "events/1980/first-action.md").write_text(event(body="Changed."))
    assert cli("build").code == 0
    assert cli("build", "--clean").code == 0
    for name in others:
        assert (tmp_path / name / "work.txt").read_text() == "mine", name
    # The very names this process would use: refused, or used around, but never emptied.
    for role in ("new", "old"):
        own = tmp_path / f".site.{role}-{os.getpid()}"
        own.mkdir()
        (own / "work.txt").write_text("mine")
        (content / "events/1980/first-action.md").write_text(event(body=f"Changed for {role}."))
        for flags in ((), ("--clean",)):
            run = cli("build", *flags)
            assert run.code == 0 or (own.name in run.err and "not made by build.py" in run.err), run.err
            assert (own / "work.txt").read_text() == "mine", (role, flags)
        shutil.rmtree(own)


@pytest.mark.parametrize("staging", ["victim", ".site.new-999999", "../victim"])
def test_a_journal_that_points_elsewhere_moves_and_deletes_nothing_there(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, staging: str
) -> None:
    make_site()
    site = tmp_path / "site"
    assert cli("build").code == 0
    victim = (site.parent / staging).resolve()
    victim.mkdir(parents=True, exist_ok=True)
    (victim / "index.html").write_text("precious")
    (victim / "notes.txt").write_text("precious")
    manifest = (site / MANIFEST).read_text()
    journal = {"staging": staging, "moves": ["index.html"], "deletions": ["404.html"], "manifest": manifest}
    (site / JOURNAL).write_text(json.dumps(journal))
    run = cli("build")
    assert run.code == 0, run.err
    assert (victim / "index.html").read_text() == "precious" and (victim / "notes.txt").read_text() == "precious"
    assert b"precious" not in (site / "index.html").read_bytes()
    assert cli("build", "--clean", "--out", str(tmp_path / "clean")).code == 0
    assert _tree(site) == _tree(tmp_path / "clean")
    shutil.rmtree(victim)


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_a_link_put_into_the_output_is_never_written_or_deleted_through(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, change: str
) -> None:
    content = make_site({"events/1981/other.md": event("Other", "1981-02-02")})
    site = tmp_path / "site"
    assert cli("build").code == 0
    victim = tmp_path.parent / f"{tmp_path.name}-victim"
    victim.mkdir()
    (victim / "index.html").write_text("precious")
    shutil.rmtree(site / "events/first-action")
    (site / "events/first-action").symlink_to(victim)
    page = content / "events/1980/first-action.md"
    if change == "edit":
        page.write_text(event(body="Changed, so its page is written again."))
    else:
        page.unlink()
    assert cli("build").code == 0
    assert sorted(p.name for p in victim.iterdir()) == ["index.html"]
    assert (victim / "index.html").read_text() == "precious"
    assert not [p for p in site.rglob("*") if p.is_symlink()]
    assert cli("build", "--clean", "--out", str(tmp_path / "clean")).code == 0
    assert _tree(site) == _tree(tmp_path / "clean")
    shutil.rmtree(victim)


# --- Kills ---------------------------------------------------------------------------------------------------


def _project(root: Path) -> Path:
    content = root / "content"
    files = {
        "site.yaml": BILINGUAL,
        "actors/shining-path.md": "---\nname: Shining Path\nkind: armed-group\n---\nAn armed group.\n",
        "places/chuschi.md": "---\nname: Chuschi\nkind: district\ncoordinates: [-13.58, -74.35]\n---\nA district.\n",
        "events/1980/first-action.md": event(),
        "events/1981/second.md": event("Second action", "1981-03-04"),
        "events/1982/third.md": event("Third action", "1982-06-01"),
    }
    for rel, text in files.items():
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(text)
    return content


def _edit(content: Path, step: int) -> None:
    """A new event, a changed body, a deleted event, a renamed actor, a translation: one of them per step."""
    choice = step % 6
    if choice == 0:
        (content / f"events/1983/added-{step}.md").parent.mkdir(exist_ok=True)
        (content / f"events/1983/added-{step}.md").write_text(event(f"Added {step}", "1983-01-02"))
    elif choice == 1:
        (content / "events/1980/first-action.md").write_text(event(body=f"Told again, version {step}."))
    elif choice == 2:
        for path in sorted(content.glob("events/1983/added-*.md"))[:1]:
            path.unlink()
    elif choice == 3:
        actor = content / "actors/shining-path.md"
        names = ["name: Shining Path", "name: Sendero Luminoso"]
        old, new = names if names[0] in actor.read_text() else names[::-1]
        actor.write_text(actor.read_text().replace(old, new))
    elif choice == 4:
        translation = content / "events/1981/second.es.md"
        if translation.exists():
            translation.unlink()
        else:
            translation.write_text("---\ntitle: Segunda acción\n---\nAlgo pasó.\n")
    else:
        os.utime(content / "events/1982/third.md")  # touched, same bytes


@pytest.mark.parametrize("mode", ["fresh-exchange", "fresh-two-renames", "incremental"])
def test_a_kill_at_each_step_of_the_commit_is_recovered_by_the_next_build(tmp_path: Path, mode: str) -> None:
    theme = _theme(tmp_path)
    base = tmp_path / "base"
    content = _project(base)
    assert not _child_build(base, ["build"], theme=theme)[0]
    _edit(content, 1)
    _edit(content, 0)
    args = ["build", "--clean"] if mode.startswith("fresh") else ["build"]
    exchange = mode != "fresh-two-renames"
    expected_dir = tmp_path / "expected"
    shutil.copytree(base, expected_dir)
    assert not _child_build(expected_dir, ["build", "--clean"], theme=theme)[0]
    expected = _tree(expected_dir / "site")
    probe = tmp_path / "probe"
    shutil.copytree(base, probe)
    killed, total = _child_build(probe, args, exchange=exchange, trace=tmp_path / "trace.json", theme=theme)
    assert not killed and total > 10
    # The commit starts when the staging folder's manifest (fresh) or the journal (incremental) is written:
    # kill before its rename, before each of the next two changes (for two renames: before the first and
    # between them), midway through the rest, and before the very last change.
    changes = json.loads((tmp_path / "trace.json").read_text())
    start = next(at for at, c in enumerate(changes, 1) if c.startswith("open ") and c.endswith(".json.tmp"))
    moments = sorted({start + 1, start + 2, start + 3, (start + total) // 2, total})
    complete = gone = 0
    for moment in moments:
        trial = tmp_path / f"kill-{moment}"
        shutil.copytree(base, trial)
        killed, _count = _child_build(trial, args, kill_at=moment, exchange=exchange, theme=theme)
        assert killed, moment
        site = trial / "site"
        if _consistent(site) or (site / JOURNAL).is_file():
            complete += 1
        elif not site.exists():
            gone += 1
        else:
            raise AssertionError(f"killed at change {moment} of {total}: a site that is neither old nor new")
        assert not _child_build(trial, ["build"], exchange=exchange, theme=theme)[0]
        assert _leftovers(trial, {"content", "site", ".cache"}) == [], moment
        assert _tree(site) == expected, moment
        assert _consistent(site), moment
        shutil.rmtree(trial)
    if exchange:
        assert complete == len(moments)  # never a moment without a complete site
    else:
        assert gone == 1  # the kill between the two renames was reached, and the next build put the site back


def test_random_kills_over_repeated_builds_end_in_one_complete_site_and_nothing_else(tmp_path: Path) -> None:
    """30 builds, fresh and incremental, with edits between them, each SIGKILLed at a moment drawn from a
    seeded generator; then one build that runs to the end. Nothing the user made is lost on the way."""
    rng = random.Random(20240611)
    theme = _theme(tmp_path)
    project = tmp_path / "project"
    content = _project(project)
    precious = {project / ".site.new-424242/work.txt": "mine", project / "notes/plan.txt": "mine"}
    for path, text in precious.items():
        path.parent.mkdir(parents=True)
        path.write_text(text)
    expected_names = {"content", "site", ".cache", ".site.new-424242", "notes"}
    assert not _child_build(project, ["build"], theme=theme)[0]
    killed, fresh_changes = _child_build(project, ["build", "--clean"], theme=theme)
    assert not killed
    _edit(content, 1)
    killed, incremental_changes = _child_build(project, ["build"], theme=theme)
    assert not killed
    # How many changes a build makes, to draw moments from: the most seen (a replay makes none).
    estimate = {"fresh": fresh_changes, "incremental": incremental_changes}
    trials = kills = complete = pending = no_site = leftovers = lost = 0
    for step in range(30):
        if rng.random() < 0.8:
            _edit(content, rng.randrange(100))
        mode = "fresh" if rng.random() < 0.3 else "incremental"
        # Half of the kills in the last part of a build, where its commit is.
        last = estimate[mode] + 2
        moment = rng.randint(1, last) if rng.random() < 0.5 else rng.randint(last * 2 // 3, last)
        before = _tree(content, set())
        killed, count = _child_build(
            project, ["build", "--clean"] if mode == "fresh" else ["build"], moment, theme=theme
        )
        trials += 1
        site = project / "site"
        if killed:
            kills += 1
        else:
            estimate[mode] = max(estimate[mode], count)
            assert _consistent(site), step
        if _consistent(site):
            complete += 1
        elif (site / JOURNAL).is_file():
            pending += 1
        elif not site.exists():
            no_site += 1
        leftovers += len(_leftovers(project, expected_names))
        lost += _tree(content, set()) != before
        lost += sum(path.read_text() != text for path, text in precious.items())
    killed, _count = _child_build(project, ["build"], theme=theme)
    assert not killed
    clean = tmp_path / "clean"
    shutil.copytree(content, clean / "content")
    assert not _child_build(clean, ["build", "--clean"], theme=theme)[0]
    print(
        f"\nkill trials: {trials} builds, {kills} killed; site complete after {complete}, journal pending after "
        f"{pending}, no site after {no_site}; leftovers seen {leftovers}; data lost {lost}"
    )
    assert _tree(project / "site") == _tree(clean / "site")
    assert _consistent(project / "site")
    assert _leftovers(project, expected_names) == []
    assert lost == 0 and no_site == 0
    assert complete + pending == trials
    assert all(path.read_text() == text for path, text in precious.items())
