#!/usr/bin/env python3
"""Benchmark: quipu side by side with Hugo and Pelican on the same synthetic corpus and page set.

    python3 bench/bench.py --events 1000 5000 [--runs 3] [--report] [--merge] [--keep]
    python3 bench/bench.py --quick               # 300 events, one run: a smoke test

For each size it generates one corpus (bench/corpus.py), writes it in quipu's format, as a Hugo site
(bench/hugo_site.py) and as a Pelican site (bench/pelican_site.py), then times, tool after tool
(quipu, Hugo, Pelican, quipu, Hugo, Pelican, ...), in fresh processes:

    clean      clean build: output and caches removed first
    nochange   no-change rebuild: the same build again
    edit       one-event edit: one event's body text changed, then a build
    rename     one-actor rename: one actor's display name changed (shown on many pages), then a build
    check      quipu's check alone (compared with the others' clean builds)

Figures are medians over --runs of the wall time, the CPU time and the peak resident memory of the
largest process. quipu runs with --no-search (the others build no search index). Hugo and Pelican
are installed into bench/.venv on first use (bench/toolchain.py). --report writes bench/RESULTS.md
(and the raw samples to bench/results.json); see bench/README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import corpus as corpus_mod
import hugo_site
import pelican_site
import toolchain
from corpus import Actor, Corpus, Event

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPORT = HERE / "RESULTS.md"
RAW = HERE / "results.json"
TIME = Path("/usr/bin/time")

SCENARIOS = {
    "clean": "clean build",
    "nochange": "no-change rebuild",
    "edit": "one-event edit",
    "rename": "one-actor rename",
    "check": "check (quipu only)",
}
TOOLS = ("quipu", "hugo", "pelican")
LABEL = {"quipu": "quipu", "hugo": "Hugo", "pelican": "Pelican"}
ENTRY_KINDS = ("events", "actors", "places", "tags", "years")


# One site per tool -------------------------------------------------------------------------


class Site:
    name = ""
    output = ""

    def __init__(self, root: Path, tools: toolchain.Toolchain) -> None:
        self.root = root
        self.tools = tools

    def write(self, corpus: Corpus) -> None:
        raise NotImplementedError

    def clean(self) -> None:
        raise NotImplementedError

    def build(self, clean: bool) -> list[str]:
        raise NotImplementedError

    def write_event(self, corpus: Corpus, event: Event) -> None:
        raise NotImplementedError

    def write_actor(self, corpus: Corpus, actor: Actor) -> None:
        raise NotImplementedError

    def page(self, path: str) -> str:
        file = self.root / self.output / path
        return file.read_text(encoding="utf-8") if file.exists() else ""


class QuipuSite(Site):
    name = "quipu"
    output = "site"

    def write(self, corpus: Corpus) -> None:
        corpus_mod.write_quipu(corpus, self.root)

    def quipu(self, *args: str) -> list[str]:
        engine = self.tools.engine
        return [str(self.tools.quipu_python), str(engine / "build.py"), *args, "--templates", str(engine / "templates")]

    def clean(self) -> None:
        # the output and anything else the engine keeps beside the content (staging folders, caches)
        for path in self.root.iterdir():
            if path.name == "content":
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()

    def build(self, clean: bool) -> list[str]:
        flags = ["--clean"] if clean and self.tools.quipu_has_clean else []
        if self.tools.quipu_has_search and not self.tools.quipu_search:
            flags.append("--no-search")
        return self.quipu("build", *flags)

    def check(self) -> list[str]:
        return self.quipu("check")

    def write_event(self, corpus: Corpus, event: Event) -> None:
        corpus_mod.write_quipu_event(self.root, event)

    def write_actor(self, corpus: Corpus, actor: Actor) -> None:
        corpus_mod.write_quipu_actor(self.root, actor)


class HugoSite(Site):
    name = "hugo"
    output = hugo_site.OUTPUT

    def write(self, corpus: Corpus) -> None:
        hugo_site.write(corpus, self.root)

    def clean(self) -> None:
        hugo_site.clean(self.root)

    def build(self, clean: bool) -> list[str]:
        return hugo_site.command(self.tools.hugo)

    def write_event(self, corpus: Corpus, event: Event) -> None:
        hugo_site.write_event(self.root, corpus, event)

    def write_actor(self, corpus: Corpus, actor: Actor) -> None:
        hugo_site.write_actor(self.root, actor)


class PelicanSite(Site):
    name = "pelican"
    output = pelican_site.OUTPUT

    def write(self, corpus: Corpus) -> None:
        pelican_site.write(corpus, self.root)
        subprocess.run(
            [str(toolchain.BIN / "python"), "-m", "compileall", "-q", str(self.root / "plugins")], check=True
        )

    def clean(self) -> None:
        pelican_site.clean(self.root)

    def build(self, clean: bool) -> list[str]:
        return pelican_site.command(self.tools.pelican)

    def write_event(self, corpus: Corpus, event: Event) -> None:
        pelican_site.write_event(self.root, corpus, event)

    def write_actor(self, corpus: Corpus, actor: Actor) -> None:
        pelican_site.write_actor(self.root, actor)


SITES = {"quipu": QuipuSite, "hugo": HugoSite, "pelican": PelicanSite}


# Measuring ------------------------------------------------------------------------------------


@dataclass
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds of the whole process tree
    peak: float  # MiB, resident, of the largest process


def measure(command: list[str], cwd: Path) -> Sample:
    """Run one command in a fresh process: its wall time, CPU time and peak memory."""
    os.sync()  # start each run with no other tool's writes still pending
    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "stats"
        if TIME.exists():
            wrapped = [str(TIME), "-f", "%M %U %S", "-o", str(stats), *command]
        else:
            wrapped = [sys.executable, str(HERE / "peak.py"), str(stats), *command]
        started = time.perf_counter()
        proc = subprocess.run(wrapped, cwd=cwd, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(
                f"failed ({proc.returncode}) in {cwd}: {' '.join(command)}\n{proc.stdout[-2000:]}{proc.stderr[-3000:]}"
            )
        fields = stats.read_text(encoding="utf-8").split("\n")[-2].split()  # the last line: GNU time may say more above
    if len(fields) > 3:
        wall = float(fields[3])  # peak.py's own timing leaves out its start-up
    return Sample(wall=wall, cpu=float(fields[1]) + float(fields[2]), peak=int(fields[0]) / 1024)


def page_set(output: Path) -> dict[str, object]:
    """The pages a build wrote: HTML pages per kind, the other files, their size."""
    html = sorted(str(p.relative_to(output)) for p in output.rglob("*.html"))
    counts = dict.fromkeys(ENTRY_KINDS, 0)
    others = []
    for rel in html:
        parts = rel.split("/")
        if len(parts) == 3 and parts[0] in counts and parts[2] == "index.html":
            counts[parts[0]] += 1
        else:
            others.append(rel)
    files = [p for p in output.rglob("*") if p.is_file()]
    other_files = sorted(str(p.relative_to(output)) for p in files if p.suffix != ".html")
    return {
        **counts,
        "other_html": others,
        "html": len(html),
        "other_files": other_files,
        "mib": sum(p.stat().st_size for p in files) / 2**20,
        "paths": html,  # compared between the tools, then dropped
    }


# One size -------------------------------------------------------------------------------------


def run_size(n: int, runs: int, tools: toolchain.Toolchain, names: list[str], base: Path, keep: bool) -> dict:
    root = base / f"{n}-events"
    root.mkdir()
    try:
        corpus = corpus_mod.generate(n)
        sites = {name: SITES[name](root / name, tools) for name in names}
        for site in sites.values():
            site.root.mkdir()
            site.write(corpus)
        sources = {name: sum(1 for p in (site.root / "content").rglob("*.md")) for name, site in sites.items()}
        samples: dict[str, dict[str, list[Sample]]] = {name: {s: [] for s in SCENARIOS} for name in names}
        problems: list[str] = []
        pages: dict[str, dict[str, object]] = {}
        event = corpus.events[len(corpus.events) // 2]
        # actor-1, not actor-0: every event's text links to actor-0 (see README.md)
        actor = corpus.actors[1]
        listed = next(e for e in corpus.events if actor.slug in e.actors)
        original_body, original_name = event.body, actor.name

        def step(run: int, scenario: str, name: str, command: list[str], cwd: Path) -> None:
            sample = measure(command, cwd)
            samples[name][scenario].append(sample)
            print(
                f"{n:>7} run {run + 1}/{runs}  {SCENARIOS[scenario]:<19} {LABEL[name]:<8} "
                f"{sample.wall:7.2f} s  cpu {sample.cpu:7.2f} s  {sample.peak:6.0f} MiB",
                flush=True,
            )

        for run in range(runs):
            for name, site in sites.items():
                site.clean()
                step(run, "clean", name, site.build(clean=True), site.root)
                if run == 0:
                    pages[name] = page_set(site.root / site.output)
            for name, site in sites.items():
                step(run, "nochange", name, site.build(clean=False), site.root)
            marker = f"Edited in run {run + 1}"
            event.body = f"{marker}: {original_body}"
            for name, site in sites.items():
                site.write_event(corpus, event)
                step(run, "edit", name, site.build(clean=False), site.root)
                if marker not in site.page(f"events/{event.slug}/index.html"):
                    problems.append(
                        f"{LABEL[name]}: the edited text of {event.slug} is not on its page after run {run + 1}"
                    )
            actor.name = f"{original_name} renamed {run + 1}"
            for name, site in sites.items():
                site.write_actor(corpus, actor)
                step(run, "rename", name, site.build(clean=False), site.root)
                for path in (f"actors/{actor.slug}/index.html", f"events/{listed.slug}/index.html"):
                    if actor.name not in site.page(path):
                        problems.append(
                            f"{LABEL[name]}: the new name of {actor.slug} is not on {path} after run {run + 1}"
                        )
            if "quipu" in sites:
                site = sites["quipu"]
                assert isinstance(site, QuipuSite)
                step(run, "check", "quipu", site.check(), site.root)
        for problem in problems:
            print(f"warning: {problem}", file=sys.stderr)
        paths = {name: set(p.pop("paths")) for name, p in pages.items()}
        only = {
            name: sorted(mine - set().union(*(theirs for other, theirs in paths.items() if other != name)))
            if len(paths) > 1
            else []
            for name, mine in paths.items()
        }
        return {
            "events": n,
            "actors": len(corpus.actors),
            "places": len(corpus.places),
            "tags": len({t for e in corpus.events for t in e.tags}),
            "years": len({e.year for e in corpus.events}),
            "edited_event": event.slug,
            "renamed_actor": actor.slug,
            "runs": runs,
            "date": dt.date.today().isoformat(),
            "quipu_commit": tools.quipu_commit,
            "engine_fingerprint": tools.engine_hash,
            "quipu_clean_flag": tools.quipu_has_clean,
            "sources": sources,
            "pages": pages,
            "only_in": {name: found[:20] for name, found in only.items()},
            "only_in_counts": {name: len(found) for name, found in only.items()},
            "samples": {
                name: {s: [asdict(x) for x in xs] for s, xs in by.items() if xs} for name, by in samples.items()
            },
            "problems": problems,
        }
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


# Reporting ------------------------------------------------------------------------------------


def median(result: dict, name: str, scenario: str, field: str) -> float | None:
    values = [s[field] for s in result["samples"].get(name, {}).get(scenario, [])]
    return statistics.median(values) if values else None


def peak(result: dict, name: str, scenario: str) -> float | None:
    values = [s["peak"] for s in result["samples"].get(name, {}).get(scenario, [])]
    return max(values) if values else None


def seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def spread(result: dict, name: str, scenario: str, field: str) -> str:
    """The median, with the lowest and highest run after it when there were several."""
    values = [s[field] for s in result["samples"].get(name, {}).get(scenario, [])]
    if not values:
        return "–"
    middle = f"{statistics.median(values):.2f}"
    return middle if len(values) == 1 else f"{middle} ({min(values):.2f}–{max(values):.2f})"


def mib(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def ratio(a: float | None, b: float | None) -> str:
    return "–" if a is None or not b else f"{a / b:.2f}"


def size_section(result: dict) -> list[str]:
    n = result["events"]
    names = [t for t in TOOLS if t in result["samples"]]
    others = [t for t in names if t != "quipu"]
    lines = [
        f"## {n:,} events",
        "",
        f"{result['actors']:,} actors, {result['places']:,} places, {result['tags']} tags, {result['years']} years; "
        + ", ".join(f"{LABEL[t]} {c:,} source files" for t, c in result["sources"].items())
        + f". Run on {result['date']}, engine: {result['quipu_commit']} "
        f"(files' hash {result.get('engine_fingerprint', '?')}), "
        f"{result['runs']} run{'s' if result['runs'] != 1 else ''}, medians"
        + (" (quipu's clean build with --clean)." if result.get("quipu_clean_flag") else "."),
        "",
    ]
    for field, title, unit in (("wall", "Wall time", "s"), ("cpu", "CPU time (user + system, all processes)", "s")):
        head = ["scenario", *(f"{LABEL[t]} {unit}" + (" (range)" if field == "wall" else "") for t in names)]
        head += [f"quipu/{LABEL[t]}" for t in others if "quipu" in names]
        if field == "wall":
            head += [f"{LABEL[t]} peak MiB" for t in names]
        lines += [f"{title}:", "", "| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        for scenario, label in SCENARIOS.items():
            if scenario == "check":
                if "quipu" not in names:
                    continue
                q = median(result, "quipu", "check", field)
                cells = [spread(result, t, "check", field) if field == "wall" else seconds(q) for t in names[:1]]
                row = ["check vs the others' clean build", *cells, *("–" for _ in others)]
                row += [ratio(q, median(result, t, "clean", field)) for t in others]
                if field == "wall":
                    row += [mib(peak(result, t, "check")) for t in names]
            else:
                values = [median(result, t, scenario, field) for t in names]
                if field == "wall":
                    row = [label, *(spread(result, t, scenario, field) for t in names)]
                else:
                    row = [label, *(seconds(v) for v in values)]
                if "quipu" in names:
                    row += [ratio(values[0], median(result, t, scenario, field)) for t in others]
                if field == "wall":
                    row += [mib(peak(result, t, scenario)) for t in names]
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    lines += [
        "Each tool against its own clean build (median wall time of the scenario ÷ that of the clean build):",
        "",
        "| scenario | " + " | ".join(LABEL[t] for t in names) + " |",
        "|" + " --- |" * (len(names) + 1),
    ]
    for scenario in ("nochange", "edit", "rename"):
        cells = [ratio(median(result, t, scenario, "wall"), median(result, t, "clean", "wall")) for t in names]
        lines.append(f"| {SCENARIOS[scenario]} | " + " | ".join(cells) + " |")
    lines.append("")
    pages = result["pages"]
    lines += ["Pages written by the clean build:", "", "| pages | " + " | ".join(LABEL[t] for t in names) + " |"]
    lines.append("|" + " --- |" * (len(names) + 1))
    for kind in ENTRY_KINDS:
        lines.append(f"| {kind} (one page each) | " + " | ".join(f"{pages[t][kind]:,}" for t in names) + " |")
    lines.append("| lists, index and others | " + " | ".join(f"{len(pages[t]['other_html']):,}" for t in names) + " |")
    lines.append("| **HTML pages** | " + " | ".join(f"**{pages[t]['html']:,}**" for t in names) + " |")
    lines.append("| other files | " + " | ".join(f"{len(pages[t]['other_files']):,}" for t in names) + " |")
    lines.append("| output MiB | " + " | ".join(f"{pages[t]['mib']:.1f}" for t in names) + " |")
    lines.append("")
    counts = result["only_in_counts"]
    if len(names) == 1:
        pass
    elif not any(counts.values()):
        lines.append(f"- The {len(names)} tools wrote the same {pages[names[0]]['html']:,} HTML paths.")
    else:
        for t in names:
            only = result["only_in"][t]
            if only:
                more = " …" if counts[t] > len(only[:8]) else ""
                lines.append(f"- HTML only in {LABEL[t]} ({counts[t]:,}): {', '.join(only[:8])}{more}.")
    for t in names:
        others = pages[t]["other_files"]
        more = f" and {len(others) - 40:,} more" if len(others) > 40 else ""
        lines.append(f"- {LABEL[t]}'s other files: {', '.join(others[:40]) or 'none'}{more}.")
    if result["problems"]:
        lines += ["", "**Problems seen:** " + "; ".join(result["problems"]) + "."]
    lines.append("")
    return lines


def machine_info(tools: toolchain.Toolchain) -> dict[str, str]:
    model = "?"
    memory = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "cores": f"{os.cpu_count()} ({model})",
        "memory": memory,
        "system": f"{platform.system()} {platform.release()}",
        "python": tools.python_version,
        "quipu": f"{tools.quipu_version}, {tools.quipu_commit} (engine files' hash {tools.engine_hash})",
        "hugo": tools.hugo_version,
        "pelican": f"{tools.pelican_version} (Python-Markdown {tools.markdown_version})",
        "memory measured with": "/usr/bin/time -f %M" if TIME.exists() else "bench/peak.py (getrusage of the child)",
    }


MACHINE_LABEL = {"python": "Python", "hugo": "Hugo", "pelican": "Pelican"}


def write_report(results: dict[int, dict], machine: dict[str, str]) -> None:
    sizes = sorted(results)
    named = [f"{n:,}" for n in sizes]
    run_sizes = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    dates = sorted({r["date"] for r in results.values()})
    engines = sorted({f"{r['quipu_commit']}, files' hash {r.get('engine_fingerprint', '?')}" for r in results.values()})
    lines = [
        "# quipu, Hugo and Pelican side by side",
        "",
        f"Made with `{'`, `'.join(sorted({r.get('command', '?') for r in results.values()}))}` "
        f"({', '.join(dates)}). Sizes run: {run_sizes} events"
        + ("" if 20000 in results else " (20,000 not run this time)")
        + ". The engine was at its state of that day "
        f"({'; '.join(engines)}); it is being changed, so rerun before comparing with a later engine.",
        "",
        "| machine | |",
        "| --- | --- |",
        *(f"| {MACHINE_LABEL.get(k, k)} | {v} |" for k, v in machine.items()),
        "",
        "Each scenario runs each tool in a fresh process, the tools one after the other (quipu, Hugo, Pelican, "
        "quipu, ...) on the same generated corpus, each in its own format, with the same page set. Seconds are "
        "medians over the runs, peak MiB the largest resident size of the largest process of any run, ratios are "
        "quipu's median divided by the other tool's (below 1: quipu is faster). quipu builds with `--no-search` "
        "and its default of up to 2 render processes; Hugo uses every core; Pelican one process. "
        "`check` validates only, and is set against the others' clean builds. The range after each median is "
        "the lowest and highest run: where it is wide, the machine was noisy, and the ratios of medians say more "
        "than single seconds. "
        + (
            "The tools wrote the same HTML pages at every size (counted below); "
            if all(not any(r.get("only_in_counts", {}).values()) for r in results.values())
            else "Where the tools' HTML pages differ, it is said below the size's tables; "
        )
        + "quipu's pages carry more than the others' minimal layouts, and quipu also writes its data downloads: "
        "bench/README.md lists what differs and how each tool's site is made.",
        "",
    ]
    for n in sizes:
        lines += size_section(results[n])
    REPORT.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, nargs="+", help="corpus sizes (default: 1000 5000; --quick: 300)")
    parser.add_argument("--runs", type=int, help="runs of every scenario, for the medians (default: 3; --quick: 1)")
    parser.add_argument("--quick", action="store_true", help="300 events, one run: checks that everything works")
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS), help="tools to run (default: all)")
    parser.add_argument(
        "--report", action="store_true", help=f"write {REPORT.relative_to(ROOT)} and {RAW.relative_to(ROOT)}"
    )
    parser.add_argument(
        "--merge", action="store_true", help="with --report: keep the sizes of the last report not run now"
    )
    parser.add_argument(
        "--workdir", type=Path, help="where to generate the sites (default: the system's temporary folder)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated sites")
    parser.add_argument(
        "--search",
        action="store_true",
        help="quipu builds its search index too, to measure what it costs (not with --report: the others build none)",
    )
    parser.add_argument(
        "--engine", metavar="REV", help="run quipu as committed at REV (e.g. HEAD) instead of the working tree"
    )
    parser.add_argument(
        "--rewrite", action="store_true", help=f"only rewrite {REPORT.relative_to(ROOT)} from {RAW.relative_to(ROOT)}"
    )
    args = parser.parse_args()
    if args.search and args.report:
        parser.error("--search measures quipu with its search index; the report compares builds without one")
    if args.rewrite:
        raw = json.loads(RAW.read_text(encoding="utf-8"))
        write_report({int(n): r for n, r in raw["sizes"].items()}, raw["machine"])
        print(f"wrote {REPORT.relative_to(ROOT)}")
        return 0
    sizes = args.events or ([300] if args.quick else [1000, 5000])
    runs = args.runs or (1 if args.quick else 3)
    names = [t for t in TOOLS if t in args.tools]

    base = Path(tempfile.mkdtemp(prefix="quipu-bench-", dir=args.workdir))
    try:
        return measure_all(args, sizes, runs, names, base)
    finally:
        if args.keep:
            print(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


def measure_all(args: argparse.Namespace, sizes: list[int], runs: int, names: list[str], base: Path) -> int:
    origin = toolchain.snapshot_engine(base / "engine", args.engine)
    tools = dataclasses.replace(toolchain.load(base / "engine", origin), quipu_search=args.search)
    machine = machine_info(tools)
    for key, value in machine.items():
        print(f"{key:>20}: {value}")
    print(
        f"{'':>20}  quipu build --clean: {'yes' if tools.quipu_has_clean else 'not available, output removed instead'}"
    )
    if not tools.quipu_has_search:
        print(f"{'':>20}  quipu build --no-search: not available (this engine has no search index)")
    elif tools.quipu_search:
        print(f"{'':>20}  quipu builds its search index (--search)")
    command = " ".join(["python3 bench/bench.py", *sys.argv[1:]])
    results: dict[int, dict] = {}
    for n in sizes:
        results[n] = run_size(n, runs, tools, names, base, args.keep)
        results[n]["command"] = command
        print()
        print("\n".join(size_section(results[n])), flush=True)
    if args.report:
        if args.merge and RAW.exists():
            previous = json.loads(RAW.read_text(encoding="utf-8"))
            for key, value in previous.get("sizes", {}).items():
                results.setdefault(int(key), value)
        RAW.write_text(
            json.dumps({"machine": machine, "sizes": {str(n): r for n, r in sorted(results.items())}}, indent=1) + "\n",
            encoding="utf-8",
        )
        write_report(results, machine)
        print(f"wrote {REPORT.relative_to(ROOT)} and {RAW.relative_to(ROOT)}")
    return 1 if any(r["problems"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
