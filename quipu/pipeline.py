"""The pipeline: read files → validated model → corpus → pages → HTML → write.

`load` and `render_site` are pure apart from reading the content and
templates; `build` adds the single write at the end. `check` is `load`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from . import exports, urls
from .corpus import Corpus, build_corpus
from .errors import Problem, Report
from .markdown import Renderer
from .model import (
    Actor,
    Event,
    Page,
    Place,
    SiteConfig,
    build_actor,
    build_event,
    build_page,
    build_place,
    build_site,
)
from .pages import make_pages
from .render import TemplateProblem, make_environment, render_page
from .schema import validate
from .source import RawEntry, find_files, read_entry, read_site_file
from .writer import write_site

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Options:
    content: Path = Path("content")
    out: Path = Path("site")
    templates: Path | None = None
    base_url: str | None = None
    drafts: bool = False
    strict: bool = False
    today: date = field(default_factory=date.today)

    def templates_dir(self) -> Path:
        if self.templates is not None:
            return self.templates
        local = Path("templates")
        return local if local.is_dir() else PACKAGE_ROOT / "templates"


@dataclass
class Loaded:
    corpus: Corpus | None
    report: Report
    raw_count: int = 0


def load(options: Options) -> Loaded:
    """Read and validate everything; the corpus is None if any error was found."""
    report = Report()
    content = options.content
    if not content.is_dir():
        report.error(str(content), 1, "content folder not found; run from the project root or pass --content DIR")
        return Loaded(None, report)

    site_raw = read_site_file(content)
    site: SiteConfig | None = None
    if isinstance(site_raw, Problem):
        report.extend([site_raw])
    else:
        values, problems = validate("site", site_raw.data, site_raw.path)
        report.extend(problems)
        if values is not None:
            site, problems = build_site(values, site_raw.path, options.base_url)
            report.extend(problems)
    site_for_checks = site or SiteConfig(title="")

    files, problems = find_files(content)
    report.extend(problems)
    raws: list[RawEntry] = []
    for source in files:
        raw = read_entry(source)
        if isinstance(raw, Problem):
            report.extend([raw])
        else:
            raws.append(raw)

    events: list[Event] = []
    actors: list[Actor] = []
    places: list[Place] = []
    pages: list[Page] = []
    drafts: dict[str, set[str]] = {}
    broken: dict[str, set[str]] = {}
    for raw in raws:
        values, problems = validate(raw.kind, raw.data, raw.path)
        report.extend(problems)
        if values is None:
            # Known but broken: references to it should not add more errors.
            broken.setdefault(raw.kind, set()).add(raw.slug)
            continue
        if "FILL IN" in raw.body:
            at = raw.body_line + raw.body[: raw.body.index("FILL IN")].count("\n")
            report.error(
                raw.path, at, "the text still holds a FILL IN placeholder from 'build.py new'; write the entry"
            )
        entry: Any
        if raw.kind == "events":
            entry, problems = build_event(raw, values, site_for_checks, options.today)
        elif raw.kind == "actors":
            entry, problems = build_actor(raw, values)
        elif raw.kind == "places":
            entry, problems = build_place(raw, values)
        else:
            entry, problems = build_page(raw, values)
        report.extend(problems)
        if entry is None:
            continue
        if entry.draft and not options.drafts:
            drafts.setdefault(raw.kind, set()).add(entry.slug)
            continue
        {"events": events, "actors": actors, "places": places, "pages": pages}[raw.kind].append(entry)

    if site is None:
        return Loaded(None, report, len(raws))
    corpus, problems = build_corpus(site, events, actors, places, pages, drafts, broken)
    report.extend(problems)
    return Loaded(None if report.errors else corpus, report, len(raws))


@dataclass
class Built:
    files: dict[str, bytes]
    pages: int


def render_site(corpus: Corpus, templates: Path, extra_context: dict[str, Any] | None = None) -> Built:
    """Every output file as bytes, keyed by its path in the output folder."""
    env = make_environment(templates, corpus.site.language)
    page_list = make_pages(corpus, Renderer())
    files: dict[str, bytes] = {}
    owners: dict[str, str] = {}
    for page in page_list:
        path = urls.output_path(page.url)
        if path in files:
            raise TemplateProblem(
                Problem(
                    path,
                    1,
                    f"two pages want the same output file /{path} ({owners[path]} and {page.template}); rename one entry",
                )
            )
        owners[path] = page.template
        files[path] = render_page(env, page, extra_context).encode("utf-8")
    files.update(exports.export_files(corpus))
    return Built(files, len(page_list))


def build(options: Options) -> tuple[Report, Built | None]:
    """Validate, render and write; nothing is written if anything is wrong."""
    loaded = load(options)
    if loaded.corpus is None or loaded.report.failed(options.strict):
        return loaded.report, None
    templates = options.templates_dir()
    try:
        built = render_site(loaded.corpus, templates)
    except TemplateProblem as exc:
        loaded.report.extend([exc.problem])
        return loaded.report, None
    write_site(options.out, built.files, {"static": templates / "static"})
    return loaded.report, built
