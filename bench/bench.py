#!/usr/bin/env python3
"""Benchmark: generate N synthetic events (with actors and places) and time check and build.

    python bench/bench.py --events 1000 20000 [--runs 3] [--keep]

Each measurement runs build.py in a fresh process; the figures are the median
wall time and the peak resident memory of that process. Targets are ours to
watch here, never asserted in unit tests.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "the patrol column village district report commission soldiers peasants rondas attack ambush valley "
    "river province authorities according witnesses later court ruling investigation remains families"
).split()


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def generate(root: Path, events: int, seed: int = 1) -> None:
    """Write a content folder in the real format: events, actors, a 4-level place tree."""
    rng = random.Random(seed)
    content = root / "content"
    (content / "actors").mkdir(parents=True)
    (content / "places").mkdir()
    (content / "site.yaml").write_text("title: Benchmark\nperiod: {start: 1980}\n", encoding="utf-8")
    n_actors = max(10, events // 20)
    n_places = max(20, events // 10)
    for i in range(n_actors):
        (content / "actors" / f"actor-{i}.md").write_text(
            f"---\nname: Actor {i}\nkind: armed-group\naliases: [A{i}]\n---\n{paragraph(rng, 40)}\n", encoding="utf-8"
        )
    (content / "places" / "country.md").write_text(
        "---\nname: Country\nkind: country\n---\nA country.\n", encoding="utf-8"
    )
    (content / "places" / "region.md").write_text(
        "---\nname: Region\nkind: region\nwithin: country\n---\nA region.\n", encoding="utf-8"
    )
    departments = max(5, n_places // 50)
    for d in range(departments):
        (content / "places" / f"dept-{d}.md").write_text(
            f"---\nname: Department {d}\nkind: department\nwithin: country\n---\nD.\n", encoding="utf-8"
        )
    towns = []
    for p in range(n_places):
        slug = f"town-{p}"
        towns.append(slug)
        region = "regions: [region]\n" if p % 7 == 0 else ""
        lat, lon = -5 - rng.random() * 10, -70 - rng.random() * 8
        (content / "places" / f"{slug}.md").write_text(
            f"---\nname: Town {p}\nkind: town\nwithin: dept-{p % departments}\n{region}coordinates: [{lat:.4f}, {lon:.4f}]\n---\n{paragraph(rng, 20)}\n",
            encoding="utf-8",
        )
    for i in range(events):
        year = 1980 + rng.randrange(45)
        month, day = rng.randrange(1, 13), rng.randrange(1, 29)
        date = rng.choice([f"{year}", f"{year}-{month:02d}", f"{year}-{month:02d}-{day:02d}"])
        folder = content / "events" / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        actors = ", ".join(sorted({f"actor-{rng.randrange(n_actors)}" for _ in range(2)}))
        places = ", ".join(sorted({rng.choice(towns) for _ in range(2)}))
        killed = rng.randrange(0, 60)
        body = "\n\n".join(paragraph(rng, 100) for _ in range(3))
        (folder / f"event-{i}.md").write_text(
            f"---\ntitle: Event {i}\ndate: {date}\nactors: [{actors}]\nplaces: [{places}]\ntags: [tag-{i % 30}]\n"
            f"casualties:\n  killed: {{min: {killed}, max: {killed + rng.randrange(5)}}}\n  note: Estimated.\n"
            f"sources:\n  - title: Report {i}\n    publisher: Publisher\n    url: https://example.org/{i}\n---\n"
            f"{body} See [actor](@actors/actor-0).\n",
            encoding="utf-8",
        )


def measure(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one build.py process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args, "--templates", str(ROOT / "templates")],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"build.py {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the generated folders")
    parser.add_argument(
        "--search", action=argparse.BooleanOptionalAction, default=True, help="build the search index (default: yes)"
    )
    args = parser.parse_args()
    build = ["build"] if args.search else ["build", "--no-search"]
    print(
        f"{'events':>7} {'files':>7} {'check s':>8} {'build s':>8} {'rebuild s':>9} {'peak MiB':>9} {'pages':>7} {'out MiB':>8}"
    )
    for n in args.events:
        root = Path(tempfile.mkdtemp(prefix=f"quipu-bench-{n}-"))
        try:
            generate(root, n)
            files = sum(1 for _ in (root / "content").rglob("*.md"))
            checks = [measure(["check"], root) for _ in range(args.runs)]
            shutil.rmtree(root / "site", ignore_errors=True)
            first = measure(build, root)
            rebuilds = [measure(build, root) for _ in range(max(1, args.runs - 1))]
            pages = sum(1 for _ in (root / "site").rglob("*.html"))
            size = sum(f.stat().st_size for f in (root / "site").rglob("*") if f.is_file()) / 2**20
            peak = max(m for _, m in [*checks, first, *rebuilds])
            print(
                f"{n:>7} {files:>7} {statistics.median(t for t, _ in checks):>8.2f} {first[0]:>8.2f} "
                f"{statistics.median(t for t, _ in rebuilds):>9.2f} {peak:>9.0f} {pages:>7} {size:>8.1f}",
                flush=True,
            )
        finally:
            if args.keep:
                print(f"kept {root}")
            else:
                shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
