"""The pipeline: read files → validated model → corpus → pages → HTML → write.

`load` only reads (it is all that `check` does); `build` adds rendering and
the one write, into a staging folder that replaces the output when complete.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import multiprocessing as mp
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import jinja2

from . import exports, search, theme, urls
from .corpus import Corpus, build_corpus, unknown_reference
from .errors import Problem, Report, TemplateProblem
from .feeds import feed_files
from .fingerprint import Digester, Templates, Unfingerprintable, tool_fingerprint
from .history import History, read_history, read_history_head
from .kinds import BY_SINGULAR, KINDS
from .locales import Locale, collation_key
from .maps import Basemap, load_basemap
from .markdown import Body, bodies_flush, close_bodies, open_bodies
from .model import Entry, SiteConfig, build_site
from .pages import Linker, Page, make_pages
from .render import environment_for, load_locales, render_page
from .schema import Checked, validate, validate_all
from .source import EntryCache, RawEntry, SourceFile, find_files, read_site_file, site_translation_languages
from .text import body_problems, checked_bodies, placeholder_problem, remember_checked_bodies
from .timelinejs import timeline_files
from .translations import Bases, Translation, localize_entry, localize_site, validate_translation
from .writer import Update, content_hash, recover, refuse_overlap, unchanged_build


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
    clean: bool = False  # ignore every cache and the last build's manifest: render and write everything
    cache_dir: Path | None = None  # default: .cache/quipu beside the content folder
    cache: EntryCache | None = field(default=None, compare=False)

    def cache_folder(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else self.content.parent / ".cache" / "quipu"

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
    # Reading makes hundreds of thousands of objects that live until the end, and hardly any cycles: the
    # collector's scans while they are made (half the time of reading a warm cache) are put off.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(options)
    finally:
        if enabled:
            gc.enable()


def _load(options: Options) -> Loaded:
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
    # A linked or special site.yaml is refused by the walk and by read_site_file alike: count it once.
    report.extend([p for p in problems if p not in report.problems])
    report.extend(theme.problems(options.template_dirs()))  # links and pipes among the templates, too
    translation_raws: list[RawEntry] = []
    for language in site_translation_languages(content):
        site_translation = read_site_file(content, language=language)
        if isinstance(site_translation, Problem):
            if site_translation not in report.problems:
                report.extend([site_translation])
        else:
            translation_raws.append(site_translation)
    # --clean reads every file, and still leaves a fresh cache for the next build.
    cache = options.cache or EntryCache(
        options.cache_folder() / "entries.sqlite", tool_fingerprint(), trust=not options.clean
    )
    remember_checked_bodies(cache.body_checks())
    context = validation_context(site_for_checks, options.today)
    # In file order: an entry that passed every check before, in this same context, as it was (nothing to
    # validate); else its parse.
    slots: list[tuple[SourceFile, Entry | RawEntry]] = []
    for source in files:
        if source.slug_and_language[1] is None:
            kept = cache.checked(source, context)
            if kept is not None:
                slots.append((source, kept))
                continue
        raw = cache.read(source)
        if isinstance(raw, Problem):
            report.extend([raw])
        elif raw.language is not None:
            translation_raws.append(raw)
        else:
            kept = cache.checked(source, context)  # a file touched but not changed
            slots.append((source, raw if kept is None else kept))

    entries: dict[str, list[Entry]] = {kind: [] for kind in KINDS}
    drafts: dict[str, set[str]] = {}
    broken: dict[str, set[str]] = {}
    broken_checks: list[tuple[RawEntry, Checked]] = []
    known: dict[str, set[str]] = {kind: set() for kind in KINDS}  # every slug a file has, drafts and broken too
    for source, slot in slots:
        known[source.kind].add(slot.slug)
        if not isinstance(slot, RawEntry):
            if slot.draft and not options.drafts:
                drafts.setdefault(source.kind, set()).add(slot.slug)
            else:
                entries[source.kind].append(slot)
            continue
        raw = slot
        problems_before = len(report.problems)
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
        if len(report.problems) == problems_before:
            cache.keep_checked(source, context, entry)
        if entry.draft and not options.drafts:
            drafts.setdefault(raw.kind, set()).add(entry.slug)
            continue
        entries[raw.kind].append(entry)

    report.extend(_references_of_broken(broken_checks, known, site_for_checks))

    # A translation of a broken entry or of a draft waits for it, silently; references to drafts stay errors.
    waiting = {kind: broken.get(kind, set()) | drafts.get(kind, set()) for kind in KINDS}
    bases = Bases({kind: {e.slug: e for e in items} for kind, items in entries.items()}, site_for_checks, waiting)
    translations: dict[str, dict[tuple[str, str], Translation]] = {}
    for raw in translation_raws:
        translation, problems = validate_translation(raw, bases)
        report.extend(problems)
        if translation is not None:
            translations.setdefault(translation.language, {})[(translation.kind, translation.slug)] = translation

    cache.save(checked_bodies())  # the parses and the body checks, for the next run

    basemap = load_basemap(content)
    if isinstance(basemap, Problem):
        report.extend([basemap])
        basemap = None
    if site is None:
        return Loaded(None, report, len(slots) + len(translation_raws), translation_count=len(translation_raws))
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
    count = len(slots) + len(translation_raws)
    if report.errors:
        return Loaded(None, report, count, {}, translations, len(translation_raws))
    editions = {site.language: corpus}
    for language in site.languages[1:]:
        editions[language] = localized_corpus(corpus, language, translations.get(language, {}))
    return Loaded(corpus, report, count, editions, translations, len(translation_raws), basemap)


def validation_context(site: SiteConfig, today: date) -> str:
    """What an entry's validation depends on besides its own file: the site's settings and today's date."""
    settings = json.dumps(
        dataclasses.asdict(site), sort_keys=True, ensure_ascii=False, default=lambda o: sorted(o, key=str)
    )
    return content_hash(f"{today.isoformat()}\n{settings}".encode("utf-8", "surrogatepass"))


def _references_of_broken(
    broken: list[tuple[RawEntry, Checked]], known: dict[str, set[str]], site: SiteConfig
) -> list[Problem]:
    """Unknown slugs in entries that have other errors, so one run reports them too.

    The corpus checks the references of valid entries; these never reach it. A slug is
    known here if any file of its kind has it (drafts and broken entries included).
    """
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
    rendered: int = 0  # pages rendered this build (their inputs changed)
    unchanged: int = 0  # pages whose inputs did not change: not rendered, their files untouched
    removed: int = 0  # files of the last build that no longer exist
    written: int = 0  # files whose bytes changed


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


def data_files(
    editions: dict[str, Corpus], page_list: list[Page], locales: list[Locale]
) -> Iterator[tuple[str, bytes]]:
    """Downloads, feeds and sitemap: every output file that is not a rendered page, in a fixed order.

    Made one group at a time and let go of as each is written: the downloads of a large site are tens of MB.
    """
    groups: list[Callable[[], dict[str, bytes]]] = [
        lambda: exports.export_files(editions),
        lambda: timeline_files(editions, locales),
        lambda: feed_files(editions, page_list),
    ]
    for make in groups:
        group = make()
        for rel in sorted(group):
            yield rel, group.pop(rel)


def page_fingerprints(
    page_list: list[Page], env: jinja2.Environment, tool: str, digest: Digester | None = None
) -> list[str | None]:
    """Each page's fingerprint (None: cannot be described, render it every time)."""
    digest = digest or Digester(FINGERPRINT_TYPES)
    templates = Templates(env)
    out: list[str | None] = []
    for page in page_list:
        try:
            parts = (tool, templates(page.template), page.url, page.template, page.title, page.lang)
            value = digest((parts, page.locale, page.alternates, page.context))
        except Unfingerprintable:
            out.append(None)
            continue
        out.append(value.hex())
    return out


# How values that are not plain data enter a fingerprint: by what they render from.
FINGERPRINT_TYPES: dict[type, Callable[[Any], Iterable[Any]]] = {
    Body: lambda b: (b.source, getattr(b.link, "page_url", None), getattr(b.link, "prefix", None)),
    Linker: lambda link: (link.page_url, link.prefix),
    Locale: lambda loc: (loc.code, loc.default, loc.formats, loc.catalog.fingerprint),
}


# Set in the parent just before forking, read by the workers (inherited, not pickled).
_JOB: tuple[list[tuple[Page, str | None]], jinja2.Environment, Update] | None = None


def _render_one(
    env: jinja2.Environment, update: Update, page: Page, fingerprint: str | None
) -> tuple[str, str | None, str, bool]:
    rel = urls.output_path(page.url)
    data = render_page(env, page).encode("utf-8")
    digest = content_hash(data)
    staged = update.differs(rel, digest)
    if staged:
        update.stage(rel, data)
    return rel, fingerprint, digest, staged


def _render_slice(bounds: tuple[int, int]) -> tuple[Problem | None, list[tuple[str, str | None, str, bool]]]:
    """Worker: render pages[start:stop] into the staging folder; what was made goes back to the parent."""
    assert _JOB is not None
    jobs, env, update = _JOB
    made = []
    for page, fingerprint in jobs[bounds[0] : bounds[1]]:
        try:
            made.append(_render_one(env, update, page, fingerprint))
        except TemplateProblem as exc:
            return exc.problem, made
    bodies_flush()
    return None, made


def _write_pages(update: Update, jobs: list[tuple[Page, str | None]], env: jinja2.Environment, workers: int) -> None:
    global _JOB
    if workers > 1 and len(jobs) >= PARALLEL_THRESHOLD and "fork" in mp.get_all_start_methods():
        _JOB = (jobs, env, update)
        # Objects made so far are left out of the collector's scans, so the workers do not write to (and
        # so copy) the memory they share with this process just by collecting.
        gc.freeze()
        try:
            size = -(-len(jobs) // (workers * 4))
            slices = [(i, min(i + size, len(jobs))) for i in range(0, len(jobs), size)]
            with mp.get_context("fork").Pool(workers) as pool:
                for problem, made in pool.imap(_render_slice, slices):
                    if problem is not None:
                        raise TemplateProblem(problem)
                    for rel, fingerprint, digest, staged in made:
                        update.record(rel, fingerprint, digest)
                        update.written += staged
        finally:
            _JOB = None
            gc.unfreeze()
        return
    for page, fingerprint in jobs:
        rel, fingerprint, digest, staged = _render_one(env, update, page, fingerprint)
        update.record(rel, fingerprint, digest)
    bodies_flush()


def data_fingerprint(
    digest: Digester, tool: str, editions: dict[str, Corpus], page_list: list[Page], locales: list[Locale]
) -> str | None:
    """One fingerprint for the downloads, feeds and sitemap: the entries of every edition (everything the
    corpus derives comes from them), the pages' addresses and languages, and the locales."""
    try:
        entries = [
            (c.site, c.events, *(list(kind.values()) for kind in (c.actors, c.places, c.pages, c.periods)))
            for c in editions.values()
        ]
        pages = [(p.url, p.template, p.alternates) for p in page_list]
        return bytes(digest((tool, "data", entries, pages, locales))).hex()
    except Unfingerprintable:
        return None


def _search_index(update: Update, pages_changed: bool) -> Problem | None:
    """Keep the last index when no page changed; else index the new pages as they will be, and stage its files."""
    old_index = [rel for rel in update.old if rel.startswith(search.OUTPUT + "/")]
    if not update.fresh and not pages_changed and old_index and all(update.keep(rel) for rel in old_index):
        return None
    view = update.root if update.fresh else update.scratch("search")
    try:
        if not update.fresh:
            staged = update.staged()
            for rel in update.files:
                if rel.endswith(".html"):
                    source = update.root / rel if rel in staged else update.out / rel
                    target = view / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    try:
                        os.link(source, target)
                    except OSError:
                        shutil.copyfile(source, target)
        problem = search.index_site(view)
        if problem is not None:
            return problem
        for path in sorted((view / search.OUTPUT).rglob("*")):
            if path.is_file():
                rel = path.relative_to(view).as_posix()
                if update.fresh:
                    update.record(rel, None, content_hash(path.read_bytes()))
                else:
                    update.write(rel, path.read_bytes())
    finally:
        if view != update.root:
            update.discard(view)
    return None


def input_fingerprint(options: Options, tool: str) -> str | None:
    """Everything a build reads, by name, size and modification time: content, templates, options, the tool,
    today's date (checks depend on it) and the commit (dates last changed). None if it cannot be known."""
    parts: list[str] = [tool]
    settings = (
        options.content.resolve(),
        options.base_url,
        options.repository,
        options.drafts,
        options.strict,
        options.search and search.available(),
        options.git_dates,
        options.today.isoformat(),
        [str(t.resolve()) for t in options.template_dirs()],
    )
    parts.append(repr(settings))
    try:
        for root in [options.content, *options.template_dirs()]:
            for folder, dirs, names in os.walk(root):
                dirs.sort()
                # Folders by name, and links as links: adding a link (refused) must not replay a good build.
                for name in dirs:
                    parts.append(f"{folder}/{name}/\0{os.lstat(os.path.join(folder, name)).st_mode}")
                for name in sorted(names):
                    st = os.lstat(os.path.join(folder, name))
                    parts.append(f"{folder}/{name}\0{st.st_mode}\0{st.st_size}\0{st.st_mtime_ns}")
    except OSError:
        return None
    if options.git_dates:
        head = read_history_head(options.content)
        if head is None:
            return None
        parts.append(head)
    return content_hash("\n".join(parts).encode("utf-8", "surrogatepass"))


def build(options: Options) -> tuple[Report, Built | None]:
    """Validate, render and write; nothing replaces the output unless everything succeeded."""
    # Before anything is read or written: a build must not replace what it reads, nor read what it writes.
    refuse_overlap(
        options.out,
        [
            ("content", options.content),
            *(("templates", t) for t in options.template_dirs()),
            ("cache", options.cache_folder()),
        ],
    )
    recovered = recover(options.out)  # what a killed build left: finished or rolled back, and removed
    tool = tool_fingerprint()
    # Recorded by every build (a clean one too), so that the next build can tell that nothing changed.
    inputs = None if options.cache is not None else input_fingerprint(options, tool)
    if inputs is not None and not options.clean:
        previous = unchanged_build(options.out, tool, inputs)
        if previous is not None:  # nothing it reads has changed since the last good build: that build stands
            report = Report()
            report.extend(previous.problems)
            built = Built(previous.pages, previous.files, recovered + previous.notes, 0, previous.pages, 0, 0)
            return report, built
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
        env = environment_for(templates)
        open_bodies(options.cache_folder() if not options.clean else None, tool)
        with Update(options.out, tool, clean=options.clean) as update:
            digester = Digester(FINGERPRINT_TYPES)
            # In this process: forked workers would each digest the entries their pages share again, and copy
            # the parent's memory as they touch it (measured slower than one process, at 20,000 events).
            fingerprints = page_fingerprints(page_list, env, tool, digester)
            data_print = data_fingerprint(digester, tool, loaded.editions, page_list, locales)
            del digester  # its memo holds a digest of every object of every page: let it go before rendering
            jobs = [
                (page, fp)
                for page, fp in zip(page_list, fingerprints, strict=True)
                if not update.unchanged(urls.output_path(page.url), fp)
            ]
            _write_pages(update, jobs, env, options.workers)
            rendered_pages = len(jobs)
            made_before = update.made_from(data_print)
            if made_before and all(update.unchanged(rel, data_print) for rel in made_before):
                exported_count = len(made_before)  # the same entries and pages: the same downloads and feeds
            else:
                exported_count = 0
                for rel, data in data_files(loaded.editions, page_list, locales):
                    update.write(rel, data, data_print)
                    exported_count += 1
            for rel, path in theme.static_files(templates).items():
                update.write(rel, path.read_bytes())
            notes = []
            if corpus.site.absolute_base is None:
                notes.append(
                    "feeds, sitemap.xml, robots.txt, canonical links and social metadata skipped: base_url is not an "
                    "absolute URL (set base_url: https://example.org/path/ in content/site.yaml, or pass --base-url)"
                )
            if history.note:
                notes.append(history.note)
            if with_index:
                pages_changed = bool(update.staged()) or any(rel.endswith(".html") for rel in update.removed)
                problem = _search_index(update, pages_changed)
                if problem is not None:
                    raise TemplateProblem(problem)
            elif options.search:
                notes.append("search index skipped: Pagefind is not installed (pip install 'pagefind[bin]')")
            removed = len(update.removed)
            written = update.written
            if inputs is not None:
                update.remember(inputs, loaded.report.sorted(), len(page_list), len(page_list) + exported_count, notes)
            update.commit()
    except TemplateProblem as exc:
        loaded.report.extend([exc.problem])
        return loaded.report, None
    finally:
        close_bodies()
    unchanged = len(page_list) - rendered_pages
    built = Built(
        len(page_list), len(page_list) + exported_count, recovered + notes, rendered_pages, unchanged, removed, written
    )
    return loaded.report, built
