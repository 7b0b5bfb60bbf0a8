#!/usr/bin/env python3
"""One-command set-up: `python3 tasks.py build` or `python3 tasks.py test`.

Creates .venv if needed, installs the project into it, then builds the site
or runs the tests. Needs only Python 3.11+; everything else comes from PyPI.
"""

from __future__ import annotations

import os
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


def main(argv: list[str]) -> int:
    task = argv[0] if argv else "build"
    rest = argv[1:]
    try:
        if task == "build":
            ensure_venv("")
            run(str(PY), "build.py", *rest)
        elif task == "test":
            ensure_venv("[test]")
            run(str(PY), "-m", "ruff", "check", ".")
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
