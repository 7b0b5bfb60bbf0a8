"""Rebuilds that change only what changed: same bytes as a clean build, untouched files untouched, caches
that are never trusted over the content, and a commit that a kill cannot leave half done."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import quipu.pipeline
from quipu import render, search
from quipu.writer import JOURNAL, MANIFEST, OWN_FILES, content_hash

from .conftest import ROOT, SITE_YAML, Run, event

BILINGUAL = SITE_YAML + "languages: [en, es]\n"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def _stats(root: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()
    }


def _counts(run: Run) -> tuple[int, int, int]:
    found = re.search(r"\((\d+) rendered, (\d+) unchanged, (\d+) files removed", run.err)
    assert found, run.err
    return int(found[1]), int(found[2]), int(found[3])


def _edits(content: Path) -> None:
    """A series of edits: a body, a new event, a renamed actor, a deleted place's last use, a translation."""
    (content / "events/1980/first-action.md").write_text(event(body="Something else happened, later."))
    (content / "events/1981").mkdir(exist_ok=True)
    (content / "events/1981/second.md").write_text(event("Second action", "1981-03-04"))
    actor = content / "actors/shining-path.md"
    actor.write_text(actor.read_text().replace("name: Shining Path", "name: Sendero Luminoso"))
    (content / "events/1980/first-action.es.md").write_text("---\ntitle: Primera acción\n---\nAlgo pasó.\n")


@pytest.mark.parametrize("with_search", [False, True])
def test_an_incremental_build_equals_a_clean_one(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, with_search: bool
) -> None:
    if with_search and not search.available():
        pytest.skip("Pagefind is not installed")
    flag = "--search" if with_search else "--no-search"
    content = make_site({"site.yaml": BILINGUAL})
    site = tmp_path / "site"
    assert cli("build", flag).code == 0
    _edits(content)
    assert cli("build", flag).code == 0
    # Rename an event (its old URL goes), then delete it: pages and files disappear.
    second = content / "events/1981/second.md"
    second.rename(content / "events/1981/second-renamed.md")
    assert cli("build", flag).code == 0
    (content / "events/1981/second-renamed.md").unlink()
    last = cli("build", flag)
    assert last.code == 0 and _counts(last)[2] > 0  # the deleted event's pages were removed
    assert not (site / "events/second-renamed").exists() and not (site / "events/second").exists()
    clean = tmp_path / "clean"
    assert cli("build", flag, "--clean", "--out", str(clean)).code == 0
    assert _tree(site) == _tree(clean)


def test_a_rebuild_renders_only_what_changed_and_leaves_the_rest_untouched(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    content = make_site({"site.yaml": BILINGUAL, "events/1985/other.md": event("Other action", "1985-01-02")})
    site = tmp_path / "site"
    first = cli("build")
    assert first.code == 0
    total = _counts(first)[0]
    before = _stats(site)
    again = cli("build")
    assert _counts(again) == (0, total, 0) and _stats(site) == before  # nothing rendered, nothing touched
    (content / "events/1985/other.md").write_text(event("Other action", "1985-01-02", body="Changed."))
    edited = cli("build")
    rendered, unchanged, _removed = _counts(edited)
    assert 0 < rendered < total and rendered + unchanged == total
    after = _stats(site)
    assert after["events/other/index.html"] != before["events/other/index.html"]
    assert after["events/first-action/index.html"] == before["events/first-action/index.html"]  # same inode, mtime
    assert after["static/style.css"] == before["static/style.css"]


def test_a_failed_rebuild_leaves_the_site_untouched(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    content = make_site()
    assert cli("build").code == 0
    before = _stats(tmp_path / "site")
    (content / "events/1980/first-action.md").write_text(event(date="1980-13-01"))
    assert cli("build").code == 1
    assert _stats(tmp_path / "site") == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


def test_hand_edited_and_stray_output_files_are_made_right(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    make_site()
    site = tmp_path / "site"
    assert cli("build").code == 0
    good = (site / "events/first-action/index.html").read_bytes()
    (site / "events/first-action/index.html").write_text("defaced")
    (site / "stray.html").write_text("left here")
    assert cli("build").code == 0
    assert (site / "events/first-action/index.html").read_bytes() == good
    assert not (site / "stray.html").exists()


@pytest.mark.parametrize("damage", ["entries.sqlite", "bodies.sqlite", "parts.sqlite", MANIFEST])
def test_damaged_caches_are_ignored_and_rebuilt(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, damage: str
) -> None:
    content = make_site()
    site = tmp_path / "site"
    assert cli("build").code == 0
    expected = _tree(site)
    target = site / MANIFEST if damage == MANIFEST else tmp_path / ".cache/quipu" / damage
    assert target.is_file()
    target.write_bytes(b"\x00 not what it should be \xff" * 10)
    (content / "events/1980/first-action.md").write_text(event(body="Something happened."))  # touched, same bytes
    run = cli("build")
    assert run.code == 0 and "Traceback" not in run.err
    assert _tree(site) == expected


def test_a_planted_entries_cache_cannot_run_code(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    make_site()
    assert cli("build").code == 0
    witness = tmp_path / "ran"

    class Exploit:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {witness}",))

    cache = tmp_path / ".cache/quipu/entries.sqlite"
    with contextlib.closing(sqlite3.connect(cache)) as db, db:  # the cache's own tool and format kept: rows are read
        names = [name for (name,) in db.execute("SELECT name FROM entry")]
        assert names
        planted = pickle.dumps(Exploit())
        db.executemany("UPDATE entry SET item = ?, checked = ? WHERE name = ?", [(planted, planted, n) for n in names])
    run = cli("build")
    assert run.code == 0 and "Traceback" not in run.err
    assert not witness.exists()
    for path in (tmp_path / "content").rglob("*.md"):  # the parses are read too when a file is touched
        path.write_bytes(path.read_bytes())
    with contextlib.closing(sqlite3.connect(cache)) as db, db:
        db.executemany("UPDATE entry SET item = ?, checked = ? WHERE name = ?", [(planted, planted, n) for n in names])
    run = cli("build")
    assert run.code == 0 and "Traceback" not in run.err
    assert not witness.exists()


def test_a_commit_killed_midway_is_finished_by_the_next_build(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import quipu.writer

    content = make_site({"site.yaml": BILINGUAL})
    site = tmp_path / "site"
    assert cli("build").code == 0
    _edits(content)
    real_replace = os.replace
    calls = {"n": 0}

    def killed_after_three(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        if Path(source).name != JOURNAL + ".tmp" and ".site.new-" in str(source):
            calls["n"] += 1
            if calls["n"] > 3:
                raise KeyboardInterrupt  # the process is killed during the commit
        real_replace(source, target)

    monkeypatch.setattr(quipu.writer.os, "replace", killed_after_three)
    assert cli("build").code == 130  # interrupted (the command line turns Ctrl+C into exit 130)
    assert calls["n"] > 3
    monkeypatch.setattr(quipu.writer.os, "replace", real_replace)
    assert (site / JOURNAL).is_file()  # the journal says what was left to do
    assert cli("build").code == 0
    assert not (site / JOURNAL).exists()
    clean = tmp_path / "clean"
    assert cli("build", "--clean", "--out", str(clean)).code == 0
    assert _tree(site) == _tree(clean)


def test_clean_renders_everything_and_leaves_a_fresh_cache(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    make_site()
    first = cli("build")
    total = _counts(first)[0]
    shutil.rmtree(tmp_path / ".cache")
    clean = cli("build", "--clean")
    assert _counts(clean) == (total, 0, 0)
    assert (tmp_path / ".cache/quipu/entries.sqlite").is_file()
    # A clean build records what it read too: the same build next is a replay.
    assert _counts(cli("build")) == (0, total, 0)


def test_a_rebuild_with_nothing_changed_replays_the_last_report(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    warned = "---\ntitle: Warned\ndate: 1981-02-02\nsources:\n  - {title: A report, publisher: A paper}\n---\nText.\n"
    content = make_site({"events/1981/warned.md": warned})
    first = cli("build")
    assert first.code == 0 and first.problems
    again = cli("build")
    assert again.problems == first.problems  # the same warnings, though nothing was read again
    assert _counts(again)[0] == 0
    (content / "events/1981/warned.md").write_text(event("Warned", "1981-02-02"))
    fixed = cli("build")
    assert fixed.problems == [] and _counts(fixed)[0] > 0


def test_a_rebuild_with_nothing_changed_does_not_load_the_engine(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    make_site()
    assert cli("build").code == 0
    script = (
        "import sys\n"
        "from quipu.cli import main\n"
        f"code = main(['build', '--templates', {str(ROOT / 'templates')!r}, '--no-search'])\n"
        "engine = sorted(m for m in ('jinja2', 'markdown', 'nh3', 'babel', 'quipu.pipeline') if m in sys.modules)\n"
        "print(code, engine)\n"
    )
    ran = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert _counts(Run(0, "", ran.stderr))[0] == 0, ran.stderr
    assert ran.stdout.strip() == "0 []", ran.stdout  # replayed without importing Jinja, Markdown, ...
    (tmp_path / "content/events/1980/first-action.md").write_text(event(body="Changed."))
    ran = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert "quipu.pipeline" in ran.stdout  # a real change: the engine is loaded, and the page rendered
    assert _counts(Run(0, "", ran.stderr))[0] > 0


def test_fingerprints_are_the_same_in_worker_processes(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    import quipu.pipeline

    content = make_site({"site.yaml": BILINGUAL})
    assert cli("build", "--jobs", "1", "--clean", "--out", str(tmp_path / "one")).code == 0
    monkeypatch.setattr(quipu.pipeline, "PARALLEL_THRESHOLD", 1)  # workers even for a small site
    assert cli("build", "--jobs", "2", "--clean", "--out", str(tmp_path / "two")).code == 0
    one, two = (json.loads((tmp_path / name / MANIFEST).read_text())["files"] for name in ("one", "two"))
    assert one == two and all(fp for fp, _digest in one.values() if _digest and fp is not None)
    # Touched (same bytes): a third build in workers compares every page's fingerprint, and renders nothing.
    os.utime(content / "events/1980/first-action.md")
    again = cli("build", "--jobs", "2", "--out", str(tmp_path / "two"))
    assert _counts(again)[0] == 0


def test_concurrent_builds_of_one_output_take_turns(make_site: Callable[..., Path], tmp_path: Path) -> None:
    import subprocess
    import sys

    from .conftest import ROOT

    content = make_site({"site.yaml": BILINGUAL})
    command = [sys.executable, str(ROOT / "build.py"), "build", "--no-search", "--content", str(content)]
    command += ["--out", str(tmp_path / "site"), "--templates", str(ROOT / "templates")]
    runs = [subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    (content / "events/1980/first-action.md").write_text(event(body="Changed while the builds ran."))
    results = [(run.wait(), run.communicate()[1]) for run in runs]
    assert all(code == 0 for code, _err in results), results
    final = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert final.returncode == 0
    clean = tmp_path / "clean"
    subprocess.run(
        [*command[:-4], "--clean", "--out", str(clean), "--templates", str(ROOT / "templates")],
        check=True,
        capture_output=True,
    )
    assert _tree(tmp_path / "site") == _tree(clean)


@pytest.mark.parametrize(
    "change",
    [
        "deleted",
        "edited, same size",
        "added deep",
        "replaced by a link",
        "folder in place of a file",
        "file in place of a folder",
    ],
)
def test_a_rebuild_after_the_output_was_changed_by_hand_is_not_a_replay(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, change: str
) -> None:
    make_site()
    site = tmp_path / "site"
    assert cli("build").code == 0
    expected = _tree(site)
    page = site / "events/first-action/index.html"
    if change == "deleted":
        page.unlink()
    elif change == "edited, same size":
        page.write_bytes(page.read_bytes().replace(b"<", b"{", 1))
    elif change == "added deep":
        (site / "events/first-action/extra").mkdir()
        (site / "events/first-action/extra/note.html").write_text("left here")
    elif change == "replaced by a link":
        (tmp_path / "elsewhere.html").write_bytes(page.read_bytes())
        page.unlink()
        page.symlink_to(tmp_path / "elsewhere.html")
    elif change == "folder in place of a file":
        page.unlink()
        page.mkdir()
    else:
        shutil.rmtree(page.parent)
        page.parent.write_text("a file where the event's folder was")
    run = cli("build")
    assert run.code == 0 and "Traceback" not in run.err, run.err
    assert "0 rendered" not in run.err or change == "added deep"
    assert _tree(site) == expected
    assert not page.is_symlink() and page.is_file()


def test_bodies_are_checked_once_per_change_and_the_renderer_trusts_only_its_own_checks(
    make_site: Callable[..., Path], cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    from quipu import text

    content = make_site()
    monkeypatch.setattr(text, "_CHECKED", {})  # nothing from other tests in this process
    monkeypatch.setattr(text, "_REMEMBERED", {})
    assert cli("check").code == 0
    scanned: list[str] = []
    real_scan = text._scan

    def counting(body: str, first_line: int) -> list[tuple[int, str]]:
        if body:  # (an empty intro is checked before the cache is open; it costs nothing)
            scanned.append(body.strip())
        return real_scan(body, first_line)

    def new_process() -> None:  # what a new run starts from: the cache on disk, nothing in memory
        monkeypatch.setattr(text, "_CHECKED", {})
        monkeypatch.setattr(text, "_REMEMBERED", {})
        scanned.clear()

    monkeypatch.setattr(text, "_scan", counting)
    new_process()
    assert cli("check").code == 0
    assert scanned == []  # every body's check came from the cache
    (content / "events/1980/first-action.md").write_text(event(body="Something else happened, later."))
    new_process()
    assert cli("check").code == 0
    assert scanned == ["Something else happened, later."]
    # A check read from the cache does not stand in for the renderer's own guard.
    new_process()
    body = "## Heading\n" * 40
    key = hashlib.blake2b(body.encode(), digest_size=16).digest()
    text.remember_checked_bodies({key: ()})  # a cache that says this body is fine
    assert text.body_problems(body, 1) == []  # check takes the cache's word ...
    assert text.body_problems(body, 1, remembered=False) != []  # ... the renderer does not


def test_a_file_written_in_pieces_is_staged_only_when_its_bytes_differ(tmp_path: Path) -> None:
    from quipu.writer import Update

    out = tmp_path / "site"
    with Update(out, "tool") as update:
        update.write("data/big.json", iter([b"one ", b"two"]))
        update.write("data/small.json", b"small")
        update.remember("inputs", [], 0, 2, [])
        update.commit()
    assert (out / "data/big.json").read_bytes() == b"one two"
    before = _stats(out)
    with Update(out, "tool") as update:
        update.write("data/big.json", iter([b"one", b" two"]))  # the same bytes in other pieces
        update.write("data/small.json", iter([b"sm", b"all!"]))
        update.remember("inputs", [], 0, 2, [])
        assert update.written == 1
        update.commit()
    after = _stats(out)
    assert after["data/big.json"] == before["data/big.json"]  # untouched: same inode, same time
    assert (out / "data/small.json").read_bytes() == b"small!"
    with Update(out, "tool") as update:  # the manifest holds the hash of what was streamed
        assert not update.differs("data/small.json", content_hash(b"small!"))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other source"])
def test_compiled_templates_are_reused_per_language_and_a_damaged_one_is_compiled_again(
    make_site: Callable[..., Path],
    cli: Callable[..., Run],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    damage: str,
) -> None:
    make_site({"site.yaml": BILINGUAL})
    monkeypatch.setattr(render, "_ENVIRONMENTS", {})  # templates compiled by this build, not an earlier test
    assert cli("build", "--clean", "--out", str(tmp_path / "clean")).code == 0  # compiled, none read
    expected = _tree(tmp_path / "clean")
    monkeypatch.setattr(render, "_ENVIRONMENTS", {})
    shutil.rmtree(tmp_path / ".cache/quipu/templates")
    assert cli("build").code == 0
    assert _tree(tmp_path / "site") == expected
    compiled = sorted((tmp_path / ".cache/quipu/templates").glob("*.code"))
    assert len(compiled) > 2
    monkeypatch.setattr(render, "_ENVIRONMENTS", {})  # a new process: templates come from the cache
    assert cli("build", "--out", str(tmp_path / "from-cache")).code == 0
    assert _tree(tmp_path / "from-cache") == expected  # each language's folded strings stayed its own
    for path in compiled:
        data = path.read_bytes()
        header = data[: data.index(b"\n", len(render.TemplateCache.MAGIC)) + 1]
        if damage == "garbage":
            path.write_bytes(b"\x00\xff not compiled code" * 5)
        elif damage == "truncated":
            path.write_bytes(data[: len(header) + 7])
        else:
            path.write_bytes(header.replace(header[-9:-1], b"00000000") + data[len(header) :])
    monkeypatch.setattr(render, "_ENVIRONMENTS", {})
    run = cli("build", "--out", str(tmp_path / "after-damage"))
    assert run.code == 0 and "Traceback" not in run.err
    assert _tree(tmp_path / "after-damage") == expected
    assert all(p.read_bytes().startswith(render.TemplateCache.MAGIC) for p in compiled)  # written again


def test_a_template_edited_between_two_builds_of_one_process_is_compiled_again(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within a build a template is not checked again for every page; between builds (serve) it is."""
    make_site({"site.yaml": BILINGUAL})
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    monkeypatch.setattr(render, "_ENVIRONMENTS", {})
    assert cli("build", "--templates", str(templates)).code == 0
    page = tmp_path / "site/events/first-action/index.html"
    assert b"<!-- edited -->" not in page.read_bytes()
    base = templates / "base.html"  # the template every page extends
    base.write_text(base.read_text().replace("</body>", "<!-- edited --></body>"))
    later = base.stat().st_mtime + 5
    os.utime(base, (later, later))
    run = cli("build", "--templates", str(templates))
    assert run.code == 0, run.err
    assert b"<!-- edited -->" in page.read_bytes()
    assert b"<!-- edited -->" in (tmp_path / "site/es/events/first-action/index.html").read_bytes()


def _written(run: Run) -> int:
    found = re.search(r"(\d+) written\)", run.err)
    assert found, run.err
    return int(found[1])


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_summary_counts_each_file_written_once(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    """Pages made in this process or in workers alike: `written` is the number of files whose bytes changed."""
    monkeypatch.setattr(quipu.pipeline, "PARALLEL_THRESHOLD", 1)  # workers even for this small site
    content = make_site({"site.yaml": BILINGUAL})
    first = cli("build", "--jobs", jobs)
    assert first.code == 0, first.err
    before = {rel: data for rel, data in _tree(tmp_path / "site").items() if rel not in OWN_FILES}
    assert _written(first) == len(before)
    (content / "events/1980/first-action.md").write_text(event(body="Something else happened, later."))
    second = cli("build", "--jobs", jobs)
    after = {rel: data for rel, data in _tree(tmp_path / "site").items() if rel not in OWN_FILES}
    changed = [rel for rel, data in after.items() if before.get(rel) != data]
    assert changed and _written(second) == len(changed)


def _commit(out: Path, files: dict[str, bytes]) -> None:
    from quipu.writer import Update

    with Update(out, "tool") as update:
        for rel, data in files.items():
            update.write(rel, data)
        update.remember("inputs", [], 0, len(files), [])
        update.commit()


def test_the_output_listed_ahead_is_what_the_update_uses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from quipu import writer

    out = tmp_path / "site"
    _commit(out, {"a.html": b"a", "data/b.json": b"b"})
    ahead = writer.ListingAhead(out)

    def listed_here(_out: Path) -> writer.Listing:
        raise AssertionError("listed again, though the listing made ahead describes the output")

    monkeypatch.setattr(writer, "_listing", listed_here)  # in this process only: the other one has forked
    with writer.Update(out, "tool", ahead=ahead) as update:
        assert update.as_left("a.html") is not None and update.as_left("data/b.json") is not None


def test_an_output_listed_ahead_is_listed_again_after_another_build_committed(tmp_path: Path) -> None:
    from quipu import writer

    out = tmp_path / "site"
    _commit(out, {"a.html": b"a"})
    ahead = writer.ListingAhead(out)
    assert ahead._forked is not None and ahead._forked.pid
    os.waitpid(ahead._forked.pid, 0)  # listed (it sent the listing, then ended) before the other build commits
    ahead._forked.pid = 0
    _commit(out, {"a.html": b"a", "b.html": b"b"})
    with writer.Update(out, "tool", ahead=ahead) as update:
        assert update.as_left("b.html") is not None  # the listing made before it had no b.html
    # A hand edit made before the listing is seen: the file is not taken as the last build left it.
    ahead = writer.ListingAhead(out)
    with writer.Update(out, "tool", ahead=ahead) as update:
        assert update.as_left("b.html") is not None
    (out / "a.html").write_bytes(b"A, by hand")
    with writer.Update(out, "tool", ahead=writer.ListingAhead(out)) as update:
        assert update.as_left("a.html") is None and update.as_left("b.html") is not None


def test_an_output_whose_listing_ahead_failed_is_listed_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from quipu import writer

    out = tmp_path / "site"
    _commit(out, {"a.html": b"a"})
    monkeypatch.setattr(writer, "_listed", lambda _out: os._exit(3))
    with writer.Update(out, "tool", ahead=writer.ListingAhead(out)) as update:
        assert update.as_left("a.html") is not None


def test_a_rebuild_with_nothing_changed_checks_the_output_in_another_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quipu import writer

    out = tmp_path / "site"
    _commit(out, {"a.html": b"a", "data/b.json": b"b"})
    ahead = writer.AsLeftAhead(out)

    def walked_here(_out: Path, _stats: dict[str, list[int]]) -> bool:
        raise AssertionError("walked again, though the other process checked the output")

    monkeypatch.setattr(writer, "_as_left", walked_here)  # in this process only: the other one has forked
    assert writer.unchanged_build(out, "tool", "inputs", ahead) is not None
    monkeypatch.undo()
    (out / "a.html").write_bytes(b"A, by hand")
    assert writer.unchanged_build(out, "tool", "inputs", writer.AsLeftAhead(out)) is None


def test_an_output_check_made_before_another_build_committed_is_not_trusted(tmp_path: Path) -> None:
    from quipu import writer

    out = tmp_path / "site"
    _commit(out, {"a.html": b"a"})
    ahead = writer.AsLeftAhead(out)
    os.waitpid(ahead._forked.pid, 0)  # it has answered (as the output was then) and ended
    ahead._forked.pid = 0
    _commit(out, {"a.html": b"a", "b.html": b"b"})  # another build commits; then a hand edit
    (out / "b.html").write_bytes(b"B, by hand")
    assert writer.unchanged_build(out, "tool", "inputs", ahead) is None


def test_an_output_check_not_asked_for_is_stopped_not_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The inputs changed: the build that follows does not wait for the other process's walk of the output."""
    import time

    from quipu import writer

    out = tmp_path / "site"
    _commit(out, {"a.html": b"a"})
    monkeypatch.setattr(writer, "_as_left", lambda _out, _stats: time.sleep(60) or True)  # in the child too
    ahead = writer.AsLeftAhead(out)
    pid, started = ahead._forked.pid, time.monotonic()
    ahead.close()
    assert time.monotonic() - started < 30  # stopped, not waited for: its walk would take a minute
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # and reaped
