#!/usr/bin/env python3
"""Build, check and preview the timeline site. See README.md, or run: python3 build.py --help

Works with any Python 3.11+: when the dependencies are not importable (a fresh shell
after `python3 tasks.py build`), it runs itself again with the project's .venv.
"""

import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV_PYTHON = ROOT / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")

if __name__ == "__main__":
    try:
        from quipu import REQUIRED_MODULES
        from quipu.cli import run

        for module in REQUIRED_MODULES:  # looked for, not imported: a build with no change never imports them
            if importlib.util.find_spec(module) is None:
                raise ModuleNotFoundError(name=module)
    except ModuleNotFoundError as exc:
        if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
            os.execv(VENV_PYTHON, [str(VENV_PYTHON), str(Path(__file__).resolve()), *sys.argv[1:]])
        print(
            f"error: the Python package '{exc.name}' is not installed; run `python3 tasks.py build` once "
            "(it installs everything into .venv), or `pip install -e .` in an environment of your own",
            file=sys.stderr,
        )
        sys.exit(2)
    run()
