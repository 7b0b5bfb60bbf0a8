#!/usr/bin/env python3
"""One-command set-up: `python3 tasks.py build` or `python3 tasks.py test`.

Creates .venv if needed, installs the project into it, then builds the site
or runs the tests. Needs only Python 3.11+; everything else comes from PyPI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def run(*args: str) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, cwd=ROOT, check=True)


def ensure_venv(extras: str) -> None:
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    run(str(PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", f".{extras}")


def ensure_browser() -> None:
    """Browser tests need Chromium; install Debian's package where we can, else they are skipped."""
    if os.environ.get("QUIPU_NO_BROWSER") or shutil.which("chromium") or shutil.which("chromium-browser"):
        return
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("apt-get"):
        print("note: no Chromium found; browser tests will be skipped (install the chromium package to run them)")
        return
    print("installing Chromium for the browser tests (set QUIPU_NO_BROWSER=1 to skip)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env, stdout=subprocess.DEVNULL)
    except subprocess.CalledProcessError:
        print("note: could not install Chromium; browser tests will be skipped")


def ensure_node_tools() -> None:
    """The HTML checker comes from npm (package-lock.json); without npm its test is skipped."""
    if os.environ.get("QUIPU_NO_NODE") or not shutil.which("npm"):
        print("note: npm not found; the HTML validity test will be skipped")
        return
    try:
        subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
    except subprocess.CalledProcessError:
        print("note: npm ci failed; the HTML validity test will be skipped")


def main(argv: list[str]) -> int:
    task = argv[0] if argv else "build"
    rest = argv[1:]
    try:
        if task == "build":
            ensure_venv("")
            run(str(PY), "build.py", *rest)
        elif task == "test":
            ensure_venv("[test]")
            ensure_browser()
            ensure_node_tools()
            run(str(PY), "-m", "ruff", "check", ".")
            run(str(PY), "-m", "mypy")
            run(str(PY), "-m", "pytest", *rest)
        elif task == "serve":
            ensure_venv("")
            run(str(PY), "build.py", "serve", *rest)
        else:
            print(f"unknown task '{task}'; use build, test or serve", file=sys.stderr)
            return 2
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
