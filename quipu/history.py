"""When each content file last changed, from the git history (an I/O edge: it runs git once).

The date is the committer date of the last commit that touched the file, so a
build of a given commit always gives the same dates. Outside a checkout, in a
shallow clone (where every file would seem to have changed in the one commit
fetched) or without git, there are no dates and the build says why once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class History:
    """Dates last changed by path relative to the content folder, and the content folder's path in the repository."""

    content_root: str = ""  # the content folder, resolved: only to make entry paths relative
    changed: dict[str, date] = field(default_factory=dict)
    content_in_repo: str = "content"  # e.g. 'content' or 'sites/peru/content'
    note: str | None = None  # why there are no dates, said once by the build

    def relative(self, entry_path: str) -> str:
        """An entry's file relative to the content folder: events/1983/x.md."""
        return _relative(self.content_root, entry_path)

    def in_repo(self, entry_path: str) -> str:
        return f"{self.content_in_repo}/{self.relative(entry_path)}".lstrip("/")

    def changed_of(self, *entry_paths: str) -> date | None:
        """The latest date any of the files changed (an entry and its translation), or None if unknown."""
        if not self.changed:  # not a checkout, or no git: nothing to look up
            return None
        dates = [d for p in entry_paths if p and (d := self.changed.get(self.relative(p))) is not None]
        return max(dates) if dates else None


def _relative(root: str, entry_path: str) -> str:
    """Resolved by its folder (entry files are never links: the content walker refuses them), so a site's
    thousands of files cost a few hundred resolutions, and each page only joins two strings."""
    folder, name = os.path.split(entry_path)
    within = _folder_within(root, os.path.abspath(folder))
    if within is None:
        return Path(entry_path).as_posix()
    return f"{within}/{name}" if within else name


@lru_cache(maxsize=4096)
def _folder_within(root: str, folder: str) -> str | None:
    """An absolute folder, its links resolved, relative to root (as posix, "" for root itself); None if it is
    not within root (kept: the same few folders hold every entry)."""
    try:
        within = Path(folder).resolve().relative_to(root).as_posix()
    except ValueError:
        return None
    return "" if within == "." else within


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


def read_history(content: Path) -> History:
    """One `git log` over the content folder: the newest commit that names a file gives its date."""
    root_of_content = str(content.resolve())
    if shutil.which("git") is None:
        return History(root_of_content, note="dates last changed left out of citations: git is not installed")
    top = _git(content, "rev-parse", "--show-toplevel")
    if top is None:
        return History(
            root_of_content, note="dates last changed left out of citations: the content is not in a git checkout"
        )
    root = Path(top.strip())
    try:
        in_repo = content.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        in_repo = content.name
    if (_git(content, "rev-parse", "--is-shallow-repository") or "").strip() == "true":
        return History(
            root_of_content,
            content_in_repo=in_repo,
            note="dates last changed left out of citations: this is a shallow clone (fetch the full history, e.g. fetch-depth: 0)",
        )
    log = _git(content, "log", "--format=%x00%cs", "--name-only", "--no-renames", "--relative", "--", ".")
    if log is None:
        return History(
            root_of_content, content_in_repo=in_repo, note="dates last changed left out of citations: git log failed"
        )
    changed: dict[str, date] = {}
    current: date | None = None
    for line in log.splitlines():
        if line.startswith("\0"):
            current = date.fromisoformat(line[1:].strip())
        elif line and current is not None:
            changed.setdefault(line, current)  # newest first: keep the first date seen
    return History(root_of_content, changed, in_repo)


def read_history_head(content: Path) -> str | None:
    """The commit the content is at (and whether the work tree differs), for the build's input fingerprint;
    '' outside a checkout; None when git fails."""
    if shutil.which("git") is None or _git(content, "rev-parse", "--show-toplevel") is None:
        return ""
    head = _git(content, "rev-parse", "HEAD")
    shallow = _git(content, "rev-parse", "--is-shallow-repository")
    return None if head is None else f"{head.strip()} {(shallow or '').strip()}"
