"""Walk an input folder (content/, a templates folder) without ever following a link.

A symbolic link could bring in any file of the machine that builds the site (a pull request can add one),
so a link anywhere under these folders is an error at its path, and so is anything that is neither a file
nor a folder: a named pipe would hang the build, a socket or a device has nothing to read. Names starting
with a dot are not content (.gitkeep, .DS_Store) and are passed over, but a link or special file is refused
under any name.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem


@dataclass(frozen=True)
class Item:
    """A plain file or folder found under the walked folder."""

    path: Path
    shown: str  # as the user would type it
    parts: tuple[str, ...]  # relative to the walked folder
    folder: bool


def link_message(where: str) -> str:
    return (
        f"symbolic link: links are never followed, so nothing from outside {where} is read or published; "
        "replace the link with the file or folder itself"
    )


def special_message(where: str) -> str:
    return f"not a regular file (a named pipe, socket or device); remove it from {where}"


def not_plain(path: Path, where: str) -> str | None:
    """Why the file at `path` must not be read (a link, a pipe ...), or None for a plain file, folder or nothing."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    if stat.S_ISLNK(mode):
        return link_message(where)
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        return special_message(where)
    return None


def walk(root: Path, shown_root: str, where: str, hidden: bool = False) -> tuple[list[Item], list[Problem]]:
    """Every plain file and folder under `root`, depth first in name order, and a problem for each link,
    special file or unreadable folder. `root` itself may be a link: it is what the user named. Names that
    start with a dot are passed over unless `hidden` (static files are copied whatever their name)."""
    items: list[Item] = []
    problems: list[Problem] = []
    pending: list[tuple[Path, tuple[str, ...]]] = [(root, ())] if root.is_dir() else []
    while pending:
        folder, parts = pending.pop()
        shown_folder = "/".join((shown_root, *parts))
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(shown_folder, 1, f"cannot read the folder ({exc.strerror}); check its permissions"))
            continue
        below: list[tuple[Path, tuple[str, ...]]] = []
        for entry in entries:
            shown = f"{shown_folder}/{entry.name}"
            try:
                if entry.is_symlink():
                    problems.append(Problem(shown, 1, link_message(where)))
                    continue
                is_folder = entry.is_dir(follow_symlinks=False)
                is_file = not is_folder and entry.is_file(follow_symlinks=False)
            except OSError as exc:
                problems.append(Problem(shown, 1, f"cannot read it ({exc.strerror}); check its permissions"))
                continue
            if not is_folder and not is_file:
                problems.append(Problem(shown, 1, special_message(where)))
                continue
            if entry.name.startswith(".") and not hidden:
                continue
            path = Path(entry.path)
            items.append(Item(path, shown, (*parts, entry.name), is_folder))
            if is_folder:
                below.append((path, (*parts, entry.name)))
        pending.extend(reversed(below))
    return items, problems
