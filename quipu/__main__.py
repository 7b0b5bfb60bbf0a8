"""`python -m quipu`: the same as the `quipu` command."""

from .cli import run

run()
