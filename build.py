#!/usr/bin/env python3
"""Build, check and preview the timeline site. See README.md, or run: python build.py --help"""

import sys

from quipu.cli import main

if __name__ == "__main__":
    sys.exit(main())
