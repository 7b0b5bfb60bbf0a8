"""Run a command and write its peak memory and times to a file, where /usr/bin/time is missing.

    python bench/peak.py OUT command [args...]

OUT gets one line: peak resident KiB of the largest process of the command's tree, user and system
CPU seconds, wall seconds. The exit code is the command's.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time


def main() -> int:
    out, command = sys.argv[1], sys.argv[2:]
    started = time.perf_counter()
    code = subprocess.call(command)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss  # bytes on macOS, KiB elsewhere
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(f"{peak} {usage.ru_utime:.2f} {usage.ru_stime:.2f} {wall:.4f}\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
