"""`quipu init DIR`: a new timeline project, ready to build and to publish from GitHub.

The project's files are in starter/project/ (package data): site settings, one example of
each kind of entry, a templates/ folder to override the theme, and the workflows that check
pull requests and deploy to GitHub Pages. Only {title} and {language} are filled in.
"""

from __future__ import annotations

import json
import shutil
from importlib import metadata
from pathlib import Path
from typing import TextIO

from .. import __version__

PROJECT = Path(__file__).resolve().parent / "project"
FILLED = {"content/site.yaml", "README.md"}


def requirement() -> str:
    """How the new project's workflows install quipu: the source this copy came from when it can be
    fetched again (a VCS or web URL, PEP 610), else this version by name."""
    note = (
        "# Where the workflows install quipu from: a version on a package index, or a repository,\n"
        "# e.g. quipu @ git+https://github.com/OWNER/quipu@v" + __version__ + "\n"
    )
    try:
        direct = metadata.distribution("quipu").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        direct = None
    if direct:
        info = json.loads(direct)
        url = info.get("url", "")
        vcs = info.get("vcs_info")
        if vcs and url.startswith(("https://", "http://")):
            return note + f"quipu @ {vcs.get('vcs', 'git')}+{url}@{vcs.get('commit_id', '')}\n"
        if url.startswith(("https://", "http://")):
            return note + f"quipu @ {url}\n"
    return note + f"quipu=={__version__}\n"


def init(folder: Path, title: str, language: str, out: TextIO, err: TextIO) -> int:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        print(f"error: {folder} exists and is not empty; choose a new folder", file=err)
        return 2
    if not language.isalpha() or not 2 <= len(language) <= 3 or not language.islower():
        print(f"error: '{language}' is not a language code; use one such as en or es", file=err)
        return 2
    try:
        written = _copy_project(folder, title, language)
        (folder / "requirements.txt").write_text(requirement(), encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot write {folder}: {exc.strerror or exc}; check the folder's permissions", file=err)
        return 1
    print(f"started a timeline in {folder}: {len(written) + 1} files", file=out)
    print(f"next: cd {folder} && quipu check && quipu build && quipu serve", file=out)
    return 0


def _copy_project(folder: Path, title: str, language: str) -> list[str]:
    written = []
    for source in sorted(PROJECT.rglob("*")):
        if source.is_dir() or source.name == "__pycache__" or source.suffix == ".pyc":
            continue
        rel = source.relative_to(PROJECT).as_posix()
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel in FILLED:
            text = source.read_text(encoding="utf-8")
            safe_title = title.replace("\\", "\\\\").replace('"', '\\"')
            text = text.replace("{title}", safe_title if rel.endswith(".yaml") else title)
            target.write_text(text.replace("{language}", language), encoding="utf-8")
        else:
            shutil.copyfile(source, target)
        written.append(rel)
    return written
