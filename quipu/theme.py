"""Where templates, static files and interface catalogs come from: a project's folder over the default theme.

The default theme ships inside the package (quipu/theme/ in the wheel); in a source checkout it is
the repository's templates/ folder, the same files. A project's own templates/ overrides it file by
file: a base.html there replaces the theme's base.html and nothing else.

Every layer is walked without following links (quipu.tree): a link or a named pipe among the templates
or under static/ is an error at its path, so nothing from outside the folders can be published.
"""

from __future__ import annotations

from pathlib import Path

from .errors import Problem, display_path
from .tree import walk

PACKAGE = Path(__file__).resolve().parent


def default_theme() -> Path:
    installed = PACKAGE / "theme"
    return installed if installed.is_dir() else PACKAGE.parent / "templates"


def layers(project: Path | None) -> list[Path]:
    """Folders to look in, the first that has a file wins: the project's (when it exists), then the theme."""
    theme = default_theme()
    found = [project] if project is not None and project.is_dir() else []
    if not found or found[0].resolve() != theme.resolve():
        found.append(theme)
    return found


def find(folders: list[Path], rel: str) -> Path | None:
    for folder in folders:
        candidate = folder / rel
        if candidate.is_file():
            return candidate
    return None


def problems(folders: list[Path]) -> list[Problem]:
    """Links and special files in any layer, each an error at its path."""
    found: list[Problem] = []
    for folder in folders:
        found += walk(folder, display_path(folder), "the templates folder", hidden=True)[1]
    return found


def static_files(folders: list[Path]) -> dict[str, Path]:
    """static/ of every layer, the first layer's file winning (file by file); plain files only, links never."""
    found: dict[str, Path] = {}
    for folder in reversed(folders):
        if (folder / "static").is_symlink():
            continue  # refused by problems(), never followed
        items, _refused = walk(folder / "static", "static", "the templates folder", hidden=True)  # see problems()
        for item in items:
            if not item.folder:
                found["static/" + "/".join(item.parts)] = item.path
    return dict(sorted(found.items()))
