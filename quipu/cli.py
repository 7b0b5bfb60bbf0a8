"""Command line: argument parsing, the terminal report, exit codes.

The only module (with serve.py) that prints. Exit codes: 0 success,
1 content errors (or warnings with --strict), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any, NoReturn, TextIO

from . import __version__
from .errors import Problem, Report, github_annotation, json_text, problem_json
from .standing import Built, Options, begin
from .writer import WriteRefused

# The engine (quipu.pipeline and what it loads: Jinja, Markdown, the sanitiser, locale data) is imported only
# by the commands that use it: a build whose last build stands (quipu.standing) never loads it.

FORMATS = ("text", "json", "jsonl", "github")
COMMANDS = ("build", "check", "serve", "new", "schema", "stats", "links", "init", "templates")


def _whole_number(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _port(text: str) -> int:
    """--port: a TCP port, or 0 for a free one; anything else is wrong usage (exit 2), not an internal error."""
    value = _whole_number(text)
    if value is None or not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port; use 1 to 65535, or 0 to pick a free one")
    return value


def _jobs(text: str) -> int:
    """--jobs: at least one worker process (more than the machine's CPUs are capped, with a note)."""
    value = _whole_number(text)
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a number of processes; use at least 1 and at most {_cpus()} (this machine's CPUs)"
        )
    return value


def _base_url(text: str) -> str:
    """--base-url: the same rule as base_url in site.yaml (it reaches every page, feed and sitemap)."""
    from .schema import base_url_problem

    problem = base_url_problem("--base-url", text)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return text


def _cpus() -> int:
    return os.cpu_count() or 1


def _workers(jobs: int | None, err: TextIO) -> dict[str, Any]:
    """Options' workers for --jobs: capped at the machine's CPUs, so an absurd number cannot fork-bomb it."""
    if jobs is None:
        return {}
    cpus = _cpus()
    if jobs > cpus:
        plural = "" if cpus == 1 else "s"
        print(f"note: --jobs {jobs} is more than this machine's {cpus} CPU{plural}; using {cpus}", file=err)
    return {"workers": min(jobs, cpus)}


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--content", type=Path, default=Path("content"), metavar="DIR", help="content folder (default: content)"
    )
    parser.add_argument(
        "--templates", type=Path, default=None, metavar="DIR", help="templates folder (default: templates)"
    )
    parser.add_argument("--drafts", action="store_true", help="include entries marked draft: true")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="problem report format: text (path:line: ...), json (one document), jsonl (one object per line), github (workflow annotations)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")


def make_parser() -> argparse.ArgumentParser:
    called = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "quipu"
    prog = called if called in ("build.py", "quipu") else "quipu"
    parser = argparse.ArgumentParser(prog=prog, description="Build, check and preview a timeline site.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("build", help="validate the content and build the site (default)")
    _common(p)
    p.add_argument("--out", type=Path, default=Path("site"), metavar="DIR", help="output folder (default: site)")
    p.add_argument(
        "--base-url",
        type=_base_url,
        default=None,
        metavar="URL",
        help="path or URL the site is served under, e.g. /peru-timeline/",
    )
    p.add_argument(
        "--repository",
        default=None,
        metavar="URL",
        help="the repository's address, for the correction and edit links (overrides site.yaml's repository)",
    )
    p.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="worker processes for rendering (default: up to 2; at most the machine's CPUs)",
    )
    p.add_argument(
        "--search",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="build the search index (default: yes, when Pagefind is installed; --no-search is faster)",
    )
    p.add_argument(
        "--clean",
        action="store_true",
        help="ignore every cache and the last build: render and write everything (the output is the same)",
    )

    p = sub.add_parser("check", help="validate the content and report every problem; write nothing")
    _common(p)
    p.add_argument("--stats", action="store_true", help="also print coverage figures and check the coverage rules")

    p = sub.add_parser("serve", help="build, serve on 127.0.0.1 and rebuild on changes")
    _common(p)
    p.add_argument("--port", type=_port, default=8000, help="port (default: 8000; 0 picks a free one)")
    p.add_argument(
        "--search",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="also build the search index on every rebuild (default: no, so edits show at once)",
    )
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="output folder (default: a temporary folder)")

    p = sub.add_parser(
        "new",
        help="write a new entry file with every field present and commented, or a translation of an entry",
        description="new event|actor|place TITLE, or: new translation events/<slug> es (also 'site')",
    )
    p.add_argument("kind", choices=("event", "actor", "place", "translation"))
    p.add_argument(
        "title", help="title of the event, or name of the actor or place; for a translation, the entry: events/<slug>"
    )
    p.add_argument("language", nargs="?", help="for a translation: the language code, e.g. es")
    p.add_argument("--date", help="event date: YYYY, YYYY-MM or YYYY-MM-DD (required for events)")
    p.add_argument("--slug", help="file name without .md (default: made from the title)")
    p.add_argument("--kind", dest="entry_kind", help="actor or place kind")
    p.add_argument("--content", type=Path, default=Path("content"), metavar="DIR")

    p = sub.add_parser("schema", help="write JSON Schemas of the front matter for editors")
    p.add_argument(
        "--out", type=Path, default=Path("schema"), metavar="DIR", help="folder to write into (default: schema)"
    )

    p = sub.add_parser("stats", help="print coverage figures as JSON")
    _common(p)

    p = sub.add_parser("links", help="check every internal link, asset and #fragment of a built site")
    p.add_argument("out", nargs="?", type=Path, default=Path("site"), help="the built site (default: site)")
    p.add_argument(
        "--base-url", default=None, metavar="URL", help="the base_url it was built with, to check absolute links too"
    )
    p.add_argument("--format", choices=FORMATS, default="text", help="problem report format")
    p.add_argument("--strict", action="store_true", help=argparse.SUPPRESS)

    p = sub.add_parser("init", help="start a new timeline project in a folder: content, templates, workflows")
    p.add_argument("folder", type=Path, help="the folder to create (must be empty or not exist)")
    p.add_argument("--title", default="A timeline", help="the site's title")
    p.add_argument("--language", default="en", help="the site's language code (default: en)")

    p = sub.add_parser("templates", help="list the default theme's files, or copy one into templates/ to override it")
    p.add_argument("--copy", metavar="NAME", help="the file to copy, e.g. base.html or static/style.css")
    p.add_argument("--templates", type=Path, default=Path("templates"), metavar="DIR", help="default: templates")
    return parser


def run() -> NoReturn:
    """The command (`quipu`, `python -m quipu`, build.py): main(), then leave without tearing down every
    object one by one (freeing a large site's corpus takes a noticeable part of a second). Everything is
    written and closed by then; only the standard streams are still buffered."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "build")
    parser = make_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse already printed the usage
        return int(exc.code or 0)
    try:
        return _dispatch(args, out, err)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the user sees a sentence, not a traceback
        if getattr(args, "debug", False):
            traceback.print_exc(file=err)
        print(f"error: internal error: {exc.__class__.__name__}: {exc} (run with --debug for details)", file=err)
        return 1


def _dispatch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.command == "new":
        from . import scaffold

        return scaffold.run(args, out, err)
    if args.command == "schema":
        from .schema import SCHEMAS, json_schema
        from .translations import TRANSLATION_SCHEMAS, translation_json_schema

        args.out.mkdir(parents=True, exist_ok=True)
        schemas = {f"{kind}.schema.json": json_schema(kind) for kind in SCHEMAS}
        schemas.update(
            {f"{kind}.translation.schema.json": translation_json_schema(kind) for kind in TRANSLATION_SCHEMAS}
        )
        for name, schema in schemas.items():
            target = args.out / name
            target.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"wrote {target}", file=out)
        return 0
    if args.command == "links":
        from .links import check_links

        started = time.perf_counter()
        if not args.out.is_dir():
            print(f"error: {args.out} is not a built site; run build first or pass the output folder", file=err)
            return 2
        report = Report()
        problems, checked = check_links(args.out, args.base_url)
        report.extend(problems)
        return _finish(report, args, out, err, f"checked {checked} links in {args.out}", started)
    if args.command == "templates":
        from .theme import default_theme

        theme_dir = default_theme()
        files = sorted(
            p.relative_to(theme_dir).as_posix()
            for p in theme_dir.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        )
        if not args.copy:
            for name in files:
                print(name, file=out)
            return 0
        if args.copy not in files:
            print(f"error: the theme has no '{args.copy}'; run 'templates' to list its files", file=err)
            return 2
        target = args.templates / args.copy
        if target.exists() and target.resolve() == (theme_dir / args.copy).resolve():
            print(f"{target} is the default theme's own file in this checkout; edit it there", file=out)
            return 0
        if target.exists():
            print(f"error: {target} already exists; edit it, or remove it to copy the theme's again", file=err)
            return 1
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((theme_dir / args.copy).read_bytes())
        print(f"copied {args.copy} to {target}: it now replaces the theme's file of that name", file=out)
        return 0
    if args.command == "init":
        from .starter import init

        return init(args.folder, args.title, args.language, out, err)
    templates = getattr(args, "templates", None)
    if args.command != "templates" and templates is not None and not templates.is_dir():
        # Without this, a mistyped folder would silently build with the default theme alone.
        print(f"error: templates folder {templates} not found; fix --templates or leave it out", file=err)
        return 2
    if args.command == "serve":
        from .serve import serve

        return serve(args, out, err)
    options = Options(
        content=args.content,
        out=getattr(args, "out", None) or Path("site"),
        templates=args.templates,
        base_url=getattr(args, "base_url", None),
        repository=getattr(args, "repository", None),
        drafts=args.drafts,
        strict=args.strict,
        search=getattr(args, "search", True),
        clean=getattr(args, "clean", False),
        **_workers(getattr(args, "jobs", None), err),
    )
    started = time.perf_counter()
    if args.command in ("check", "stats"):
        from .pipeline import load
        from .stats import coverage_problems, stats

        loaded = load(options)
        report = loaded.report
        if loaded.corpus is not None and (args.command == "stats" or args.stats):
            figures = stats(loaded.corpus, loaded.translations)
            if args.command == "stats":
                print(json.dumps(figures, indent=1, sort_keys=True), file=out)
            else:
                _print_stats(figures, out)
                report.extend(coverage_problems(loaded.corpus, figures, loaded.translations))
        entries = loaded.raw_count - loaded.translation_count
        what = f"checked {entries} entries" + (
            f" and {loaded.translation_count} translations" if loaded.translation_count else ""
        )
        return _finish(report, args, out, err, what, started)
    try:
        start = begin(options, check_ahead=True)
        built: Built | None
        if start.standing is not None:
            report, built = start.standing
        else:
            from .pipeline import build

            report, built = build(options, start)
    except WriteRefused as exc:
        print(f"error: {exc}", file=err)
        return 1
    except OSError as exc:
        print(
            f"error: cannot write the site to {options.out}: {exc.strerror or exc}; check the folder's permissions and free space, or choose another --out",
            file=err,
        )
        return 1
    if built is None:
        return _finish(report, args, out, err, "nothing written", started)
    for note in built.notes:
        print(f"note: {note}", file=err)
    summary = (
        f"built {built.pages} pages into {options.out} ({built.rendered} rendered, {built.unchanged} unchanged, "
        f"{built.removed} files removed, {built.written} written)"
    )
    status = _finish(report, args, out, err, summary, started)
    return status


def _finish(report: Report, args: argparse.Namespace, out: TextIO, err: TextIO, what: str, started: float) -> int:
    # Machine-readable reports go to stdout (for pipes: check --format json | jq); the text one and the verdict to stderr.
    stream = err if args.format == "text" else out
    failed = report.failed(strict=args.strict)
    if args.format == "json":
        document = {
            "command": args.command,
            "ok": not failed,
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "problems": [problem_json(p) for p in report.sorted()],
        }
        print(json_text(document, indent=1), file=out)
    else:
        for problem in report.sorted():
            print(format_problem(problem, args.format), file=stream)
    elapsed = time.perf_counter() - started
    verdict = "failed" if failed else "ok"
    print(f"{args.command}: {verdict}: {what}; {report.summary()} ({elapsed:.2f} s)", file=err)
    return 1 if failed else 0


def format_problem(problem: Problem, style: str) -> str:
    """One problem as text for people, a JSON line for tools, or a GitHub Actions annotation for pull requests."""
    if style == "jsonl":
        return json_text(problem_json(problem))
    if style == "github":
        return github_annotation(problem)
    return problem.format()


def _print_stats(figures: dict[str, object], out: TextIO) -> None:
    for key, value in sorted(figures.items()):
        if key == "translations" and isinstance(value, dict):
            for language, kinds in sorted(value.items()):
                parts = [
                    f"{kind} {c['current']} current, {c['stale']} stale, {c['missing']} missing"
                    for kind, c in kinds.items()
                    if isinstance(c, dict)
                ]
                print(f"translations {language}: {'; '.join(parts)} ({kinds['share_current']:.1%} current)", file=out)
        elif isinstance(value, dict):
            inner = ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
            print(f"{key}: {inner}", file=out)
        else:
            print(f"{key}: {value}", file=out)
