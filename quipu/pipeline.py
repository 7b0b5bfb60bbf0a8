"""The pipeline: read files → validated model → corpus → pages → HTML → write.

`load` only reads (it is all that `check` does); `build` adds rendering and
the one write, into a staging folder that replaces the output when complete.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import jinja2

from . import exports, search, theme, urls
from .corpus import Corpus, build_corpus, unknown_reference
from .errors import Problem, Report, TemplateProblem
from .feeds import feed_files
from .history import History, read_history
from .kinds import BY_SINGULAR, KINDS
from .locales import Locale, collation_key
from .maps import Basemap, load_basemap
from .model import Entry, SiteConfig, build_site
from .pages import Page, make_pages
from .render import load_locales, make_environment, render_page
from .schema import Checked, validate, validate_all
from .source import EntryCache, RawEntry, find_files, read_entry, read_site_file, site_translation_languages
from .text import body_problems, placeholder_problem
from .timelinejs import timeline_files
from .translations import Bases, Translation, localize_entry, localize_site, validate_translation
from .writer import Staging


@dataclass(frozen=True)
class Options:
    content: Path = Path("content")
    out: Path = Path("site")
    templates: Path | None = None
    base_url: str | None = None
    repository: str | None = None  # overrides site.yaml's, e.g. from the deploy workflow
    drafts: bool = False
    strict: bool = False
    search: bool = True  # build the Pagefind index (when installed)
    workers: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    today: date = field(default_factory=date.today)
    git_dates: bool = True  # dates last changed from git, for citations (tests of fixed output turn it off)
    cache: EntryCache | None = field(default=None, compare=False)

    def template_dirs(self) -> list[Path]:
        """The project's templates (--templates, else ./templates when present) over the default theme."""
        return theme.layers(self.templates if self.templates is not None else Path("templates"))


@dataclass
class Loaded:
    corpus: Corpus | None  # the default language's edition
    report: Report
    raw_count: int = 0  # entry files read (translations included)
    editions: dict[str, Corpus] = field(default_factory=dict)  # every language's, the default's included
    translations: dict[str, dict[tuple[str, str], Translation]] = field(default_factory=dict)
    translation_count: int = 0
    basemap: Basemap | None = None


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
            site, problems = build_site(values, site_raw.path, options.base_url, options.repository)
            report.extend(problems)
            for at, message in body_problems(site.intro or "", site_raw.data.key_lines.get("intro", 1)):
                report.error(site_raw.path, at, message)
    site_for_checks = site or SiteConfig(title="")

    files, problems = find_files(content)
    report.extend(problems)
    raws: list[RawEntry] = []
    translation_raws: list[RawEntry] = []
    for language in site_translation_languages(content):
        site_translation = read_site_file(content, language=language)
        if isinstance(site_translation, Problem):
            report.extend([site_translation])
        else:
            translation_raws.append(site_translation)
    read = options.cache.read if options.cache is not None else read_entry
    for source in files:
        raw = read(source)
        if isinstance(raw, Problem):
            report.extend([raw])
        elif raw.language is not None:
            translation_raws.append(raw)
        else:
            raws.append(raw)

    entries: dict[str, list[Entry]] = {kind: [] for kind in KINDS}
    drafts: dict[str, set[str]] = {}
    broken: dict[str, set[str]] = {}
    broken_checks: list[tuple[RawEntry, Checked]] = []
    for raw in raws:
        for at, message in body_problems(raw.body, raw.body_line):
            report.error(raw.path, at, message)
        placeholder = placeholder_problem(raw.body, raw.body_line)
        if placeholder is not None:
            report.error(raw.path, *placeholder)
        checked = validate_all(raw.kind, raw.data, raw.path)
        report.extend(checked.problems)
        if not checked.ok:
            # Known but broken: references to it add no errors; its own valid fields are still checked below.
            broken.setdefault(raw.kind, set()).add(raw.slug)
            report.extend(KINDS[raw.kind].check(raw, checked.values, site_for_checks, options.today))
            broken_checks.append((raw, checked))
            continue
        entry, problems = KINDS[raw.kind].build(raw, checked.values, site_for_checks, options.today)
        report.extend(problems)
        if entry is None:
            continue
        if entry.draft and not options.drafts:
            drafts.setdefault(raw.kind, set()).add(entry.slug)
            continue
        entries[raw.kind].append(entry)

    report.extend(_references_of_broken(broken_checks, raws, site_for_checks))

    # A translation of a broken entry or of a draft waits for it, silently; references to drafts stay errors.
    waiting = {kind: broken.get(kind, set()) | drafts.get(kind, set()) for kind in KINDS}
    bases = Bases({kind: {e.slug: e for e in items} for kind, items in entries.items()}, site_for_checks, waiting)
    translations: dict[str, dict[tuple[str, str], Translation]] = {}
    for raw in translation_raws:
        translation, problems = validate_translation(raw, bases)
        report.extend(problems)
        if translation is not None:
            translations.setdefault(translation.language, {})[(translation.kind, translation.slug)] = translation

    basemap = load_basemap(content)
    if isinstance(basemap, Problem):
        report.extend([basemap])
        basemap = None
    if site is None:
        return Loaded(None, report, len(raws) + len(translation_raws), translation_count=len(translation_raws))
    events, actors, places, pages, periods = (entries[k] for k in KINDS)
    corpus, problems = build_corpus(
        site,
        events,  # type: ignore[arg-type]
        actors,  # type: ignore[arg-type]
        places,  # type: ignore[arg-type]
        pages,  # type: ignore[arg-type]
        drafts,
        broken,
        sort_key=lambda text: collation_key(text, site.language),
        periods=periods,  # type: ignore[arg-type]
    )
    report.extend(problems)
    count = len(raws) + len(translation_raws)
    if report.errors:
        return Loaded(None, report, count, {}, translations, len(translation_raws))
    editions = {site.language: corpus}
    for language in site.languages[1:]:
        editions[language] = localized_corpus(corpus, language, translations.get(language, {}))
    return Loaded(corpus, report, count, editions, translations, len(translation_raws), basemap)


def _references_of_broken(
    broken: list[tuple[RawEntry, Checked]], raws: list[RawEntry], site: SiteConfig
) -> list[Problem]:
    """Unknown slugs in entries that have other errors, so one run reports them too.

    The corpus checks the references of valid entries; these never reach it. A slug is
    known here if any file of its kind has it (drafts and broken entries included).
    """
    known: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for raw in raws:
        known[raw.kind].add(raw.slug)
    problems = []
    for raw, checked in broken:
        for target, ref in checked.refs:
            kind = BY_SINGULAR.get(target)
            if kind is not None and ref.slug not in known[kind.name]:
                problems.append(unknown_reference(raw.path, ref, target, kind.name, known[kind.name]))
            elif target == "tag" and site.tags and ref.slug not in site.tags:
                problems.append(unknown_reference(raw.path, ref, "tag", "tags", site.tags))
    return problems


def localized_corpus(corpus: Corpus, language: str, translations: dict[tuple[str, str], Translation]) -> Corpus:
    """The same corpus with every text in `language` where translated, marked as the default's where not."""
    default = corpus.site.language

    def swap(kind: str, items: Iterable[Entry]) -> list[Any]:
        return [localize_entry(e, translations.get((kind, e.slug)), default) for e in items]

    site = localize_site(corpus.site, translations.get(("site", "site")))
    localized, _problems = build_corpus(  # the same entries, so the same problems: already reported
        site,
        swap("events", corpus.events),
        swap("actors", corpus.actors.values()),
        swap("places", corpus.places.values()),
        swap("pages", corpus.pages.values()),
        sort_key=lambda text: collation_key(text, language),
        periods=swap("periods", corpus.periods.values()),
    )
    return localized


@dataclass
class Built:
    pages: int
    files: int
    notes: list[str] = field(default_factory=list)  # said once after the build (what was skipped and why)


PARALLEL_THRESHOLD = 400  # below this, starting workers costs more than it saves


def plan_pages(
    editions: dict[str, Corpus],
    locales: list[Locale],
    search_index: bool = False,
    basemap: Basemap | None = None,
    history: History | None = None,
) -> list[Page]:
    """All pages in every language, refusing two pages that want the same output file."""
    page_list = make_pages(editions, locales, search_index, basemap, history)
    owners: dict[str, str] = {}
    for page in page_list:
        path = urls.output_path(page.url)
        if path in owners:
            raise TemplateProblem(
                Problem(
                    path,
                    1,
                    f"two pages want the same output file /{path} ({owners[path]} and {page.template}); rename one entry",
                )
            )
        owners[path] = page.template
    return page_list


def data_files(editions: dict[str, Corpus], page_list: list[Page], locales: list[Locale]) -> dict[str, bytes]:
    """Downloads, feeds and sitemap: every output file that is not a rendered page."""
    files = exports.export_files(editions)
    files.update(timeline_files(editions, locales))
    files.update(feed_files(editions, page_list))
    return files


# Set in the parent just before forking, read by the workers (inherited, not pickled).
_JOB: tuple[list[Page], jinja2.Environment, Staging] | None = None


def _render_slice(bounds: tuple[int, int]) -> Problem | None:
    """Worker: render pages[start:stop] and write them into the staging folder."""
    assert _JOB is not None
    page_list, env, staging = _JOB
    for page in page_list[bounds[0] : bounds[1]]:
        try:
            html = render_page(env, page)
        except TemplateProblem as exc:
            return exc.problem
        staging.write(urls.output_path(page.url), html.encode("utf-8"))
    return None


def _write_pages(staging: Staging, page_list: list[Page], env: jinja2.Environment, workers: int) -> None:
    global _JOB
    if workers > 1 and len(page_list) >= PARALLEL_THRESHOLD and "fork" in mp.get_all_start_methods():
        _JOB = (page_list, env, staging)
        try:
            size = -(-len(page_list) // (workers * 4))
            slices = [(i, min(i + size, len(page_list))) for i in range(0, len(page_list), size)]
            with mp.get_context("fork").Pool(workers) as pool:
                for problem in pool.imap(_render_slice, slices):
                    if problem is not None:
                        raise TemplateProblem(problem)
        finally:
            _JOB = None
        return
    for page in page_list:
        staging.write(urls.output_path(page.url), render_page(env, page).encode("utf-8"))


def build(options: Options) -> tuple[Report, Built | None]:
    """Validate, render and write; nothing replaces the output unless everything succeeded."""
    loaded = load(options)
    if loaded.corpus is None or loaded.report.failed(options.strict):
        return loaded.report, None
    corpus = loaded.corpus
    templates = options.template_dirs()
    try:
        locales = load_locales(templates, corpus.site)
        with_index = options.search and search.available()
        history = read_history(options.content) if options.git_dates else History(str(options.content.resolve()))
        page_list = plan_pages(loaded.editions, locales, with_index, loaded.basemap, history)
        env = make_environment(templates)
        with Staging(options.out) as staging:
            _write_pages(staging, page_list, env, options.workers)
            exported = data_files(loaded.editions, page_list, locales)
            for rel, data in sorted(exported.items()):
                staging.write(rel, data)
            for folder in reversed(templates):  # the theme's files first, then the project's over them
                staging.copy_tree("static", folder / "static")
            notes = []
            if corpus.site.absolute_base is None:
                notes.append(
                    "feeds, sitemap.xml, robots.txt, canonical links and social metadata skipped: base_url is not an "
                    "absolute URL (set base_url: https://example.org/path/ in content/site.yaml, or pass --base-url)"
                )
            if history.note:
                notes.append(history.note)
            if with_index:
                problem = search.index_site(staging.root)
                if problem is not None:
                    raise TemplateProblem(problem)
            elif options.search:
                notes.append("search index skipped: Pagefind is not installed (pip install 'pagefind[bin]')")
            staging.commit()
    except TemplateProblem as exc:
        loaded.report.extend([exc.problem])
        return loaded.report, None
    return loaded.report, Built(len(page_list), len(page_list) + len(exported), notes)
