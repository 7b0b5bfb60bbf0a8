"""`python -m quipu`: the same as the `quipu` command."""

import sys

from .cli import main

sys.exit(main())
