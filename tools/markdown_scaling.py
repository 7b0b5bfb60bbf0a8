#!/usr/bin/env python3
"""Time what `check` and `build` do with one body, per Markdown construct, at growing sizes.

Finds the constructs whose cost grows faster than the body. For each one, a body made of
that construct repeated is checked (the limits of quipu.limits) and, if `check` accepts
it, rendered as `build` does (HTML, summary, plain text), each in a child process stopped
after --timeout seconds. Times are processor seconds; the ratio column is how much longer
a size took than the one before: about the size ratio for linear constructs, its square
for quadratic ones.
Constructs are in tests/markdown_constructs.py; the test suite runs each once at the
largest body allowed (tests/test_render_budget.py), this measures the curve. Also reports
how much of each limit the real content uses.

    .venv/bin/python tools/markdown_scaling.py                       # every construct, 10 kB to 100 kB
    .venv/bin/python tools/markdown_scaling.py --sizes 10000 50000 100000 200000 setext-headings
    .venv/bin/python tools/markdown_scaling.py --render-refused      # render what check refuses too: the curve without limits
    .venv/bin/python tools/markdown_scaling.py --real                # the real content's use of each limit
    .venv/bin/python tools/markdown_scaling.py --list
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quipu import limits  # noqa: E402
from tests.markdown_constructs import AT_LIMITS, CONSTRUCTS, real_bodies, time_constructs  # noqa: E402

SIZES = (10_000, 20_000, 50_000, 100_000)


def real_usage(content: Path) -> None:
    """The largest value of each measure over every Markdown text in the content, beside its limit."""
    most: dict[str, tuple[int, str]] = {}
    for path, text in real_bodies(content):
        for name, value in limits.usage(text).items():
            if value > most.get(name, (0, ""))[0]:
                most[name] = (value, path)
    print(f"{'measure':<22} {'largest':>8} {'limit':>8}  where")
    for name, limit in limits.LIMITS.items():
        value, where = most.get(name, (0, ""))
        print(f"{name:<22} {value:>8} {limit:>8}  {where}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("constructs", nargs="*", help="names to measure (default: all)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a size counts as a hang")
    parser.add_argument("--render-refused", action="store_true", help="render bodies that check refuses too")
    parser.add_argument("--real", action="store_true", help="print the real content's use of each limit and stop")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--list", action="store_true", help="print the construct names and stop")
    args = parser.parse_args(argv)
    everything = {**CONSTRUCTS, **AT_LIMITS}
    if args.list:
        print("\n".join(everything))
        return 0
    if args.real:
        real_usage(args.content)
        return 0
    names = args.constructs or list(everything)
    unknown = [n for n in names if n not in everything]
    if unknown:
        parser.error(f"unknown constructs: {', '.join(unknown)} (see --list)")
    print(f"{'construct':<24} {'size':>9} {'check s':>8} {'refused':>7} {'render s':>9} {'ratio':>6}")
    for name in names:
        previous: float | None = None
        for _, size, result in time_constructs(
            ((name, size) for size in args.sizes), args.timeout, args.render_refused
        ):
            if isinstance(result, str):
                print(f"{name:<24} {size:>9} {'':>8} {'':>7} {result:>9}", flush=True)
                break  # larger sizes only take longer
            checked, refused, rendered = result
            shown = "-" if rendered is None else f"{rendered:.3f}"
            ratio = f"{rendered / previous:.1f}" if rendered and previous else ""
            print(f"{name:<24} {size:>9} {checked:>8.3f} {refused:>7} {shown:>9} {ratio:>6}", flush=True)
            previous = rendered or None
    return 0


if __name__ == "__main__":
    sys.exit(main())
