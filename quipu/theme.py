"""Where templates, static files and interface catalogs come from: a project's folder over the default theme.

The default theme ships inside the package (quipu/theme/ in the wheel); in a source checkout it is
the repository's templates/ folder, the same files. A project's own templates/ overrides it file by
file: a base.html there replaces the theme's base.html and nothing else.
"""

from __future__ import annotations

from pathlib import Path

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
