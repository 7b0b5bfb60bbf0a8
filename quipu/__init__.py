"""quipu: a static site generator for sourced historical timelines."""

__version__ = "0.1.0"
