"""The pipeline: read files → validated model → corpus → pages → HTML → write.

`load` only reads (it is all that `check` does); `build` adds rendering and
the one write, into a staging folder that replaces the output when complete.
"""

from __future__ import annotations

import ctypes
import dataclasses
import gc
import json
import multiprocessing as mp
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import jinja2

from . import exports, reach, search, theme, urls
from .blocks import MANY as MANY_BLOCKS
from .blocks import BlockStore
from .corpus import Corpus, build_corpus, unknown_reference
from .dates import PartialDate
from .errors import Problem, Report, TemplateProblem
from .feeds import feed_files
from .fingerprint import Digester, Templates, Unfingerprintable
from .history import History, read_history
from .kinds import BY_SINGULAR, KINDS
from .locales import Locale, collation_key
from .maps import Basemap, load_basemap
from .markdown import Body, bodies_flush, close_bodies, open_bodies
from .model import Casualties, Count, Entry, Event, Responsibility, SiteConfig, Source, build_site
from .pages import Linker, Page, Paths, make_pages
from .pieces import PieceStore
from .pieces import memo as pieces_memo
from .render import PageBlocks, environment_for, load_locales, render_page, use_template_cache
from .schema import Checked, validate, validate_all
from .source import EntryCache, Exported, RawEntry, SourceFile, find_files, read_site_file, site_translation_languages
from .specs import Ref
from .standing import Built as Built  # these three live in quipu.standing, and are the pipeline's words too
from .standing import Options as Options
from .standing import Start, begin, tool_fingerprint
from .text import (
    add_scanned_bodies,
    body_problems,
    checked_bodies,
    placeholder_problem,
    remember_checked_bodies,
    take_scanned_bodies,
)
from .timelinejs import timeline_files
from .translations import Bases, Translation, localize_entry, localize_site, validate_translation
from .writer import ListingAhead, Update, content_hash


@dataclass
class Loaded:
    corpus: Corpus | None  # the default language's edition
    report: Report
    raw_count: int = 0  # entry files read (translations included)
    editions: dict[str, Corpus] = field(default_factory=dict)  # every language's, the default's included
    translations: dict[str, dict[tuple[str, str], Translation]] = field(default_factory=dict)
    translation_count: int = 0
    basemap: Basemap | None = None
    # Each entry's digest and outline digest (quipu.reach), made once when it was validated and kept with it.
    digests: list[tuple[Entry, reach.Digests]] = field(default_factory=list)


def load(options: Options, freeze: bool = False) -> Loaded:
    """Read and validate everything; the corpus is None if any error was found.

    Reading makes hundreds of thousands of objects that live until the end, and hardly any cycles: the
    collector's scans while they are made (half the time of reading a warm cache) are put off. `freeze`
    (a build) also leaves them out of every later scan (gc.freeze, before the collector runs again), until
    the caller unfreezes them: each full scan walked all of them (a fifth of a one-event edit's time at
    20,000 events), and the first one after the load alone took 0.2 s."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(options)
    finally:
        if freeze:
            gc.freeze()
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
    _read_ahead(cache, files, context, site_for_checks, options)
    entries: dict[str, list[Entry]] = {kind: [] for kind in KINDS}
    drafts: dict[str, set[str]] = {}
    broken: dict[str, set[str]] = {}
    broken_checks: list[tuple[RawEntry, Checked]] = []
    known: dict[str, set[str]] = {kind: set() for kind in KINDS}  # every slug a file has, drafts and broken too
    # One file at a time, so that only one parse is alive at once: an entry that passed every check before,
    # in this same context, is used as it was; any other is validated from its parse.
    base_count = 0  # entry files read (translations aside), broken ones too
    digests: list[tuple[Entry, reach.Digests]] = []
    for source in files:
        kept = cache.checked(source, context) if source.slug_and_language[1] is None else None
        if kept is None:
            raw = cache.read(source)
            if isinstance(raw, Problem):
                report.extend([raw])
                continue
            if raw.language is not None:
                translation_raws.append(raw)
                continue
            known[source.kind].add(raw.slug)
            kept = cache.checked(source, context)  # a file touched but not changed
            if kept is None:
                kept = _validated(raw, source, cache, context, site_for_checks, options.today, report, broken_checks)
                if kept is None:
                    base_count += 1
                    continue
        kept, prints = kept
        if prints is not None:
            digests.append((kept, prints))
        base_count += 1
        known[source.kind].add(kept.slug)
        if kept.draft and not options.drafts:
            drafts.setdefault(source.kind, set()).add(kept.slug)
        else:
            entries[source.kind].append(kept)

    for raw, _checked in broken_checks:
        broken.setdefault(raw.kind, set()).add(raw.slug)
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
        return Loaded(None, report, base_count + len(translation_raws), translation_count=len(translation_raws))
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
    count = base_count + len(translation_raws)
    if report.errors:
        return Loaded(None, report, count, {}, translations, len(translation_raws))
    editions = {site.language: corpus}
    for language in site.languages[1:]:
        editions[language] = localized_corpus(corpus, language, translations.get(language, {}))
    return Loaded(corpus, report, count, editions, translations, len(translation_raws), basemap, digests)


def _slices(count: int, workers: int) -> list[tuple[int, int]]:
    """(start, stop) bounds of `count` items in eight slices a worker, so that a slow one is shared out."""
    size = max(1, -(-count // (workers * 8)))
    return [(i, min(i + size, count)) for i in range(0, count, size)]


# What making a page costs, in items of a list: an event page takes about as long as ten items of a long
# list (0.8 ms against 75 us at 20,000 events).
PAGE_COST = 10


def heaviest_first(pages: list[Page]) -> list[Page]:
    """The pages in the order the workers take them: those that list the most first, so that the last to be
    made are small ones, and no worker is left making a long list while the other waits."""
    return sorted(pages, key=lambda page: -page.weight)


def _cost(pages: list[Page]) -> int:
    """What making these pages costs, in items of a list (see PAGE_COST)."""
    return sum(PAGE_COST + page.weight for page in pages)


def use_workers(pages: list[Page], workers: int) -> bool:
    """Whether to make these pages in worker processes, while this one makes the downloads. Counted in work,
    not pages: the sixteen pages a one-event edit makes at 20,000 events include two lists of every event,
    which two workers make in about half the time (and the downloads are made meanwhile)."""
    return workers > 1 and _cost(pages) >= PARALLEL_THRESHOLD * PAGE_COST and "fork" in mp.get_all_start_methods()


def _shares(pages: list[Page], workers: int) -> list[tuple[int, int]]:
    """(start, stop) bounds of pages, eight a worker, each about as costly to make (see PAGE_COST)."""
    costs = [PAGE_COST + page.weight for page in pages]
    target = max(1, -(-sum(costs) // (workers * 8)))
    bounds, start, held = [], 0, 0
    for i, cost in enumerate(costs):
        held += cost
        if held >= target:
            bounds.append((start, i + 1))
            start, held = i + 1, 0
    if start < len(costs):
        bounds.append((start, len(costs)))
    return bounds


READ_AHEAD_THRESHOLD = 200  # files to read and validate; below this, starting workers costs more than it saves

_READING: tuple[EntryCache, list[SourceFile], str, SiteConfig, date] | None = None


def _read_ahead(cache: EntryCache, files: list[SourceFile], context: str, site: SiteConfig, options: Options) -> None:
    """Read and validate, in worker processes, the files that the cache does not hold as they are, into the cache.

    The loop in `_load` then takes them as it takes a warm cache's rows, one file at a time in file order, so
    what it reports, and in what order, does not change: a file with a problem is only kept parsed, and
    validated again there, where its problems are reported."""
    if options.workers < 2 or "fork" not in mp.get_all_start_methods():
        return
    stale = [s for s in files if cache.stale(s, context if s.slug_and_language[1] is None else None)]
    if len(stale) < READ_AHEAD_THRESHOLD:
        return
    global _READING
    _READING = (cache, stale, context, site, options.today)
    slices = _slices(len(stale), options.workers)
    try:
        with mp.get_context("fork").Pool(options.workers) as pool:  # forked here, with the cache as it is
            for rows, scanned in pool.imap(_read_slice, slices):
                cache.adopt(rows)
                add_scanned_bodies(scanned)
    finally:
        _READING = None


def _read_slice(bounds: tuple[int, int]) -> tuple[list[Exported], dict[bytes, tuple[tuple[int, str], ...]]]:
    """Worker: read and validate files[start:stop] as `_load` would, and send back their cache rows."""
    assert _READING is not None
    cache, files, context, site, today = _READING
    rows: list[Exported] = []
    for source in files[bounds[0] : bounds[1]]:
        raw = cache.read(source)
        if isinstance(raw, RawEntry) and raw.language is None and cache.checked(source, context) is None:
            _validated(raw, source, cache, context, site, today, Report(), [])
        row = cache.export(source)
        if row is not None:
            rows.append(row)
    cache.close_reader()
    return rows, take_scanned_bodies()


def _validated(
    raw: RawEntry,
    source: SourceFile,
    cache: EntryCache,
    context: str,
    site: SiteConfig,
    today: date,
    report: Report,
    broken_checks: list[tuple[RawEntry, Checked]],
) -> tuple[Entry, reach.Digests | None] | None:
    """One entry from its parse, its problems reported, with its digests; kept in the cache when it has none.

    None when it cannot be built; a broken one (wrong fields) is added to `broken_checks` with what of it
    could be checked, so that its references are checked too."""
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
        report.extend(KINDS[raw.kind].check(raw, checked.values, site, today))
        broken_checks.append((raw, checked))
        return None
    entry, problems = KINDS[raw.kind].build(raw, checked.values, site, today)
    report.extend(problems)
    if entry is None:
        return None
    if isinstance(entry, Event):
        entry.summary_line  # noqa: B018 - made now, so that the entry cache keeps it (lists and downloads show it)
    kept = (entry, reach.entry_digests(entry))
    if len(report.problems) == problems_before:
        cache.keep_checked(source, context, kept)
    return kept


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


PARALLEL_THRESHOLD = 400  # pages' worth of work (see PAGE_COST) below which starting workers costs more than it saves


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
    editions: dict[str, Corpus], page_list: list[Page], locales: list[Locale], memo: exports.Memo = exports.no_memo
) -> Iterator[tuple[str, bytes | Iterator[bytes]]]:
    """Downloads, feeds and sitemap: every output file that is not a rendered page, in a fixed order.

    Made one group at a time and let go of as each is written: the downloads of a large site are tens of MB.
    `memo` gives each event's part of the large ones, perhaps as an earlier build made it (quipu.pieces).
    """
    groups: list[Callable[[], Mapping[str, bytes | Iterator[bytes]]]] = [
        lambda: exports.export_files(editions, memo),
        lambda: timeline_files(editions, locales, memo),
        lambda: feed_files(editions, page_list),
    ]
    for make in groups:
        group = dict(make())
        for rel in sorted(group):
            yield rel, group.pop(rel)


def page_fingerprint(
    page: Page, values: dict[str, Any], templates: Templates, tool: str, digest: Digester
) -> tuple[str | None, frozenset[str]]:
    """A page's fingerprint from everything it is made of (None: cannot be described, render it every time),
    and the entries it read on the way (see quipu.reach)."""
    try:
        parts = (tool, templates(page.template), page.url, page.template, page.title, page.lang)
        value, reads = digest.reading((parts, page.locale, page.alternates, page.about, values))
        return bytes(value).hex(), reads
    except Unfingerprintable:
        return None, frozenset({reach.UNKNOWN})


# How values that are not plain data enter a fingerprint: by what they render from.
FINGERPRINT_TYPES: dict[type, Callable[[Any], Iterable[Any]]] = {
    Body: lambda b: (b.source, getattr(b.link, "page_url", None), getattr(b.link, "prefix", None)),
    Linker: lambda link: (link.page_url, link.prefix),
    Locale: lambda loc: (loc.code, loc.default, loc.formats, loc.catalog.fingerprint),
}
# What lives as long as the build, and is digested once: the entries and their parts, the site, the locales.
LASTING = (Entry, Ref, Source, PartialDate, Count, Casualties, Responsibility, SiteConfig, Locale, Paths)


@dataclass
class _PageJob:
    """What making a page needs besides the page; set in the parent before forking, inherited by the workers."""

    pages: list[Page]
    env: jinja2.Environment
    update: Update
    tool: str
    digest: Digester  # with every entry's digest already in it (each worker adds its own)
    templates: Templates
    names: reach.Names  # the entry files' numbers, in which a page says what it read
    blocks: BlockStore | None = None  # where long pages' memo blocks are, from one build to the next


_JOB: _PageJob | None = None

# file, fingerprint, hash of its bytes, staged, rendered, the entries it read (reach.Names.spans)
Made = tuple[str, str | None, str, bool, bool, str]


def _make_page(job: _PageJob, page: Page) -> Made:
    """Fingerprint a page from its context; render it only when the last build did not make it from the same."""
    rel = urls.output_path(page.url)
    values = page.values()
    fingerprint, read = page_fingerprint(page, values, job.templates, job.tool, job.digest)
    reads = job.names.spans(read)  # as text here: a list page reads thousands of entries
    update = job.update
    if update.unchanged(rel, fingerprint):
        return rel, fingerprint, update.files[rel][1], False, False, reads
    store = job.blocks
    blocks = None
    if store is not None:  # the page's last rendering, if kept and its file is still as that build left it
        blocks = PageBlocks(job.digest, store.previous(rel, update.as_left(rel)), many=MANY_BLOCKS)
    data = render_page(job.env, page, values, blocks).encode("utf-8")
    digest = content_hash(data)
    if store is not None and blocks is not None and len(blocks.made) >= MANY_BLOCKS:
        store.put(rel, digest, blocks.spans(data))
    staged = update.differs(rel, digest)
    if staged:
        update.stage(rel, data)
    return rel, fingerprint, digest, staged, True, reads


def _make_slice(bounds: tuple[int, int]) -> tuple[Problem | None, list[Made]]:
    """Worker: make pages[start:stop] (rendered ones into the staging folder); what was made goes back."""
    assert _JOB is not None
    made = []
    for page in _JOB.pages[bounds[0] : bounds[1]]:
        try:
            made.append(_make_page(_JOB, page))
        except TemplateProblem as exc:
            return exc.problem, made
    _flush_stores(_JOB)
    return None, made


def _flush_stores(job: _PageJob) -> None:
    """Write what this process rendered into the stores kept across builds (bodies, and blocks' places)."""
    bodies_flush()
    if job.blocks is not None:
        job.blocks.flush()


def _give_back_free_memory() -> None:
    """Return the C allocator's free memory to the system before forking the render workers: each worker's
    resident size starts as the parent's, so what the load has freed (pickles, parses) would count in each
    (27 MiB of 273 at 20,000 events). Only where the C library has malloc_trim (glibc)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return
    trim(0)


class _Pages:
    """The pages of a build, made by worker processes while the parent does the rest (the downloads)."""

    def __init__(self, job: _PageJob, workers: int) -> None:
        self.job = job
        self.rendered = 0
        self.reads: dict[str, str] = {}  # page file -> the entries its fingerprint read (reach.Names.spans)
        self._pool: Any = None
        self._results: Iterator[tuple[Problem | None, list[Made]]] | None = None
        pages = job.pages
        if use_workers(pages, workers):
            global _JOB
            _JOB = job
            # Objects made so far are left out of the collector's scans, so the workers do not write to (and
            # so copy) the memory they share with this process just by collecting (build unfreezes them).
            gc.freeze()
            _give_back_free_memory()
            slices = _shares(pages, workers)
            try:
                self._pool = mp.get_context("fork").Pool(workers)  # the workers are forked here
            finally:
                _JOB = None
            self._results = self._pool.imap(_make_slice, slices)

    def finish(self) -> None:
        """Wait for the pages (or make them here) and record each in the update, in page order."""
        try:
            if self._results is not None:
                for problem, made in self._results:
                    if problem is not None:
                        raise TemplateProblem(problem)
                    self._record(made, staged_here=False)
            else:
                self._record([_make_page(self.job, page) for page in self.job.pages], staged_here=True)
                _flush_stores(self.job)
        finally:
            self.close()

    def _record(self, made: list[Made], staged_here: bool) -> None:
        """`staged_here`: the pages were made in this process, whose Update.stage has counted them already."""
        update = self.job.update
        for rel, fingerprint, digest, staged, rendered, reads in made:
            update.record(rel, fingerprint, digest)
            if not staged_here:
                update.written += staged
            self.rendered += rendered
            self.reads[rel] = reads

    def close(self) -> None:
        if self.job.blocks is not None:
            self.job.blocks.close()
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


def data_fingerprint(
    digest: Digester, tool: str, editions: dict[str, Corpus], listing: bytes, locales: list[Locale]
) -> str | None:
    """One fingerprint for the downloads, feeds and sitemap: the entries of every edition (everything the
    corpus derives comes from them), the page list (reach.page_listing), and the locales."""
    try:
        entries = [(c.site, list(reach.entries_of(c))) for c in editions.values()]
        return bytes(digest((tool, "data", entries, listing, locales))).hex()
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


def _outline(
    digest: Digester,
    loaded: Loaded,
    rest: Any,
    outlines: dict[int, bytes],
    names: reach.Names,
) -> reach.Plan | None:
    """This build's plan, its pages' reads still to be filled in (None: the outline cannot be described)."""
    outline = reach.outline_fingerprint(digest, loaded.editions, rest, outlines)
    if outline is None:
        return None
    return reach.Plan(outline, reach.entry_prints(digest, loaded.editions), names.names)


def _standing(update: Update, before: reach.Plan | None, plan: reach.Plan | None, page_list: list[Page]) -> list[Page]:
    """The pages to make; those that stand as the last build made them are kept, in the update and the plan."""
    if before is None or plan is None:
        return page_list
    stands = before.still(plan.outline, plan.entries, plan.names)
    to_make = []
    for page in page_list:
        rel = urls.output_path(page.url)
        old = update.old.get(rel)
        read = stands(rel) if old is not None else None
        if old is not None and read is not None and update.unchanged(rel, old[0]):
            plan.spans[rel] = read
        else:
            to_make.append(page)
    return to_make


def build(options: Options, begun: Start | None = None) -> tuple[Report, Built | None]:
    """Validate, render and write; nothing replaces the output unless everything succeeded. `begun`: what
    quipu.standing.begin found for these options, if it was already asked (the command line asks first)."""
    try:
        return _build(options, begun)
    finally:
        gc.unfreeze()  # what _build froze once the content was read: a later build (serve) may collect it


def _build(options: Options, begun: Start | None) -> tuple[Report, Built | None]:
    start = begun if begun is not None else begin(options)
    if start.standing is not None:  # nothing it reads has changed since the last good build: that build stands
        return start.standing
    recovered, tool, inputs = start.recovered, start.tool, start.inputs
    # The last output is listed by the other CPU while this one reads the content.
    ahead = ListingAhead(options.out) if options.workers > 1 and not options.clean else None
    try:
        return _build_on(options, recovered, tool, inputs, ahead)
    finally:
        if ahead is not None:
            ahead.close()


def _build_on(
    options: Options, recovered: list[str], tool: str, inputs: str | None, ahead: ListingAhead | None
) -> tuple[Report, Built | None]:
    loaded = load(options, freeze=True)  # unfrozen by build, when this build ends
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
        use_template_cache(env, options.cache_folder() / "templates", tool, read=not options.clean)
        open_bodies(options.cache_folder() if not options.clean else None, tool)
        with Update(options.out, tool, clean=options.clean, ahead=ahead) as update:
            # The workers fingerprint each page from its context and render the changed ones; meanwhile this
            # process makes the downloads (they depend on the entries and the pages' addresses only).
            # Every entry is digested here first, for the downloads' fingerprint; the workers inherit those
            # digests and digest only what is each page's own.
            digester = Digester(
                FINGERPRINT_TYPES,
                lasting=LASTING,
                tracked=reach.TRACKED,
                track=reach.tracker(loaded.editions.values()),
            )
            outlines = reach.seed(digester, loaded.digests)
            listing = reach.page_listing(page_list)
            data_print = data_fingerprint(digester, tool, loaded.editions, listing, locales)
            fingerprints = Templates(env)
            # Pages none of whose entries changed, in a site whose outline did not, stand as they are: their
            # contexts are not even made (quipu.reach says why that is safe).
            before = None if update.fresh else reach.Plan.from_json(update.old_plan)
            rest = reach.page_rest(
                listing, page_list, fingerprints, (tool, locales, with_index, loaded.basemap, history)
            )
            names = reach.Names.of(loaded.editions.values())
            plan = None
            if before is not None:
                plan = _outline(digester, loaded, rest, outlines, names)
            to_make = heaviest_first(_standing(update, before, plan, page_list))
            blocks = BlockStore(options.cache_folder(), tool, read=not options.clean)
            job = _PageJob(to_make, env, update, tool, digester, fingerprints, names, blocks)
            pages = _Pages(job, options.workers)
            if before is None:  # nothing to compare with: the plan is made while the workers render
                plan = _outline(digester, loaded, rest, outlines, names)
            try:
                made_before = update.made_from(data_print)
                if made_before and all(update.unchanged(rel, data_print) for rel in made_before):
                    exported_count = len(made_before)  # the same entries and pages: the same downloads and feeds
                else:
                    exported_count = 0
                    store = None
                    memo: exports.Memo = exports.no_memo
                    if plan is not None:
                        store = PieceStore(
                            options.cache_folder(), tool, plan.outline, update.as_left, read=not options.clean
                        )
                        memo = pieces_memo(store, digester, loaded.editions)
                    try:
                        for rel, data in data_files(loaded.editions, page_list, locales, memo):
                            update.write(rel, data, data_print)
                            if store is not None:
                                store.wrote(rel, update.files[rel][1])
                            exported_count += 1
                    finally:
                        if store is not None:
                            store.close()
                pages.finish()
            finally:
                pages.close()
            rendered_pages = pages.rendered
            if plan is not None:
                plan.spans.update(pages.reads)
                update.plan = plan.to_json()
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
