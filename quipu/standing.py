"""Whether the last good build stands: nothing a build reads has changed since it (a no-change rebuild).

Kept apart from the pipeline, with the build's options, and importing only what it needs, so that such a
rebuild does not load the engine's libraries (Jinja, Markdown, the sanitiser, locale data): at 20,000
events, importing them was a quarter of its time.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import sys
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, theme
from .errors import Report
from .history import read_history_head
from .writer import AsLeftAhead, content_hash, recover, refuse_overlap, unchanged_build

if TYPE_CHECKING:
    from .source import EntryCache

PACKAGE = Path(__file__).resolve().parent
LIBRARIES = ("jinja2", "markdown", "nh3", "babel", "pyyaml", "python-frontmatter", "pagefind", "cbor2")


@dataclass(frozen=True)
class Options:
    content: Path = Path("content")
    out: Path = Path("site")
    templates: Path | None = None
    base_url: str | None = None
    repository: str | None = None  # overrides site.yaml's, e.g. from the deploy workflow
    drafts: bool = False
    strict: bool = False
    search: bool = True  # build the Pagefind index (when installed)
    workers: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    today: date = field(default_factory=date.today)
    git_dates: bool = True  # dates last changed from git, for citations (tests of fixed output turn it off)
    clean: bool = False  # ignore every cache and the last build's manifest: render and write everything
    cache_dir: Path | None = None  # default: .cache/quipu beside the content folder
    cache: EntryCache | None = field(default=None, compare=False)

    def cache_folder(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else self.content.parent / ".cache" / "quipu"

    def template_dirs(self) -> list[Path]:
        """The project's templates (--templates, else ./templates when present) over the default theme."""
        return theme.layers(self.templates if self.templates is not None else Path("templates"))


@dataclass
class Built:
    pages: int
    files: int
    notes: list[str] = field(default_factory=list)  # said once after the build (what was skipped and why)
    rendered: int = 0  # pages rendered this build (their inputs changed)
    unchanged: int = 0  # pages whose inputs did not change: not rendered, their files untouched
    removed: int = 0  # files of the last build that no longer exist
    written: int = 0  # files whose bytes changed


def input_fingerprint(options: Options, tool: str) -> str | None:
    """Everything a build reads, by name, size and modification time: content, templates, options, the tool,
    today's date (checks depend on it) and the commit (dates last changed). None if it cannot be known."""
    parts: list[str] = [tool]
    settings = (
        options.content.resolve(),
        options.base_url,
        options.repository,
        options.drafts,
        options.strict,
        options.search and _search_available(),
        options.git_dates,
        options.today.isoformat(),
        [str(t.resolve()) for t in options.template_dirs()],
    )
    parts.append(repr(settings))
    try:
        for root in [options.content, *options.template_dirs()]:
            for folder, dirs, names in os.walk(root):
                dirs.sort()
                # Folders by name, and links as links: adding a link (refused) must not replay a good build.
                for name in dirs:
                    parts.append(f"{folder}/{name}/\0{os.lstat(os.path.join(folder, name)).st_mode}")
                for name in sorted(names):
                    st = os.lstat(os.path.join(folder, name))
                    parts.append(f"{folder}/{name}\0{st.st_mode}\0{st.st_size}\0{st.st_mtime_ns}")
    except OSError:
        return None
    if options.git_dates:
        head = read_history_head(options.content)
        if head is None:
            return None
        parts.append(head)
    return content_hash("\n".join(parts).encode("utf-8", "surrogatepass"))


def _search_available() -> bool:
    from . import search  # only here: it loads the index's libraries

    return search.available()


def parts_digest(*parts: bytes) -> bytes:
    """A digest of several byte strings, each length-prefixed (so that no two lists of parts share one)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.digest()


@cache
def tool_fingerprint() -> str:
    """This version of the tool: its code, its Python and the libraries that shape the output."""
    parts = [__version__.encode(), sys.version.encode()]
    for name in LIBRARIES:
        try:
            parts.append(f"{name}={importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{name}=none".encode())
    for source in sorted(PACKAGE.rglob("*.py")):
        parts += [source.relative_to(PACKAGE).as_posix().encode(), source.read_bytes()]
    return parts_digest(*parts).hex()


@dataclass
class Start:
    """What a build finds before it reads anything: what a killed build left (finished or rolled back), the
    tool's and the inputs' fingerprints, and the last build's outcome if that build stands."""

    recovered: list[str]
    tool: str
    inputs: str | None
    standing: tuple[Report, Built] | None


def begin(options: Options, check_ahead: bool = False) -> Start:
    """The first steps of every build, before anything is read or written."""
    # A build must not replace what it reads, nor read what it writes.
    refuse_overlap(
        options.out,
        [
            ("content", options.content),
            *(("templates", t) for t in options.template_dirs()),
            ("cache", options.cache_folder()),
        ],
    )
    recovered = recover(options.out)
    tool = tool_fingerprint()
    # Recorded by every build (a clean one too), so that the next build can tell that nothing changed.
    # The output is checked in another process meanwhile (only from the command line: serve's process has
    # threads, and its own builds keep the entries in memory).
    ahead = AsLeftAhead(options.out) if check_ahead and options.cache is None and not options.clean else None
    try:
        inputs = None if options.cache is not None else input_fingerprint(options, tool)
        previous = None
        if inputs is not None and not options.clean:
            previous = unchanged_build(options.out, tool, inputs, ahead)
    finally:
        if ahead is not None:
            ahead.close()
    standing = None
    if previous is not None:
        report = Report()
        report.extend(previous.problems)
        built = Built(previous.pages, previous.files, recovered + previous.notes, 0, previous.pages, 0, 0)
        standing = (report, built)
    return Start(recovered, tool, inputs, standing)
