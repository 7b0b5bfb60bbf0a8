"""Pages to HTML with Jinja: strict undefined, autoescaping, relative links."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path

import jinja2

from . import urls
from .errors import Problem, TemplateProblem, display_path
from .i18n import Catalog, load_catalog
from .pages import Page


def make_environment(templates: Path, language: str = "en") -> jinja2.Environment:
    catalog = load_catalog(templates, language)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["urls"] = urls
    env.globals["link"] = _link
    env.globals["asset"] = _asset
    env.globals["t"] = catalog.t
    env.globals["tn"] = catalog.tn
    env.filters["num"] = catalog.number
    env.filters["human"] = lambda d: d.human(catalog.language)
    env.filters["num_range"] = lambda pair: _num_range(catalog, *pair)
    return env


def _num_range(catalog: Catalog, low: int, high: int) -> str:
    return catalog.number(low) if low == high else f"{catalog.number(low)}–{catalog.number(high)}"


# The page being rendered. A context variable (not Jinja's context) lets macros
# be imported without context, so Jinja caches them instead of re-running them per page.
_CURRENT_PAGE: ContextVar[str] = ContextVar("current_page", default="")


def _link(to_url: str) -> str:
    """Relative link from the page being rendered to a site URL."""
    return urls.relative(_CURRENT_PAGE.get(), to_url)


def _asset(name: str) -> str:
    return urls.relative(_CURRENT_PAGE.get(), urls.asset(name))


def render_page(env: jinja2.Environment, page: Page) -> str:
    """One page's HTML; template mistakes become a Problem naming the template line."""
    token = _CURRENT_PAGE.set(page.url)
    try:
        template = env.get_template(page.template)
        return template.render(page_url=page.url, page_title=page.title, **page.context)
    except jinja2.TemplateSyntaxError as exc:
        path = exc.filename or page.template
        raise TemplateProblem(
            Problem(display_path(Path(path)), exc.lineno or 1, f"template error: {exc.message}")
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateProblem(
            Problem(
                f"templates/{page.template}", 1, f"template '{exc.name}' not found; create it in the templates folder"
            )
        ) from None
    except Exception as exc:  # noqa: BLE001 - any template runtime error is reported, not raised
        path, line = _template_position(exc, page.template)
        raise TemplateProblem(Problem(path, line, f"template error while rendering /{page.url}: {exc}")) from None
    finally:
        _CURRENT_PAGE.reset(token)


def _template_position(exc: BaseException, fallback: str) -> tuple[str, int]:
    tb = exc.__traceback__
    found = (f"templates/{fallback}", 1)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            found = (display_path(Path(filename)), tb.tb_lineno)
        tb = tb.tb_next
    return found
