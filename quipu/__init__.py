"""quipu: a static site generator for sourced historical timelines."""

__version__ = "0.1.0"

# The modules the engine imports from its dependencies (pyproject.toml's, by import name; Pagefind is
# optional). build.py checks for them before it starts, and runs itself again with the project's .venv when
# one is missing: the command line imports the engine only when a command needs it.
REQUIRED_MODULES = ("jinja2", "markdown", "yaml", "frontmatter", "nh3", "babel", "cbor2")
