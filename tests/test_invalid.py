"""One broken site per error class; the exact report is part of the contract.

Each folder under tests/invalid/ holds content files laid over a small valid
site (a file named X.delete removes X) and expected.txt, the exact lines
`build.py check` must print. Refresh with `pytest --update-golden` and review the diff.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Run

CASES = sorted(p for p in (Path(__file__).parent / "invalid").iterdir() if p.is_dir())


def _lay_over(case: Path, content: Path) -> None:
    for source in sorted((case / "content").rglob("*")):
        if source.is_dir():
            continue
        rel = source.relative_to(case / "content")
        if source.name.endswith(".delete"):
            (content / str(rel)[: -len(".delete")]).unlink()
            continue
        target = content / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_site_report(
    case: Path, make_site: Callable[..., Path], cli: Callable[..., Run], update_golden: bool
) -> None:
    content = make_site()
    _lay_over(case, content)
    run = cli("check")
    expected_file = case / "expected.txt"
    if update_golden:
        expected_file.write_text("\n".join(run.problems) + "\n", encoding="utf-8")
    # A missing expectation fails: it is written only on request, and then reviewed in the diff.
    assert expected_file.is_file(), (
        f"no {expected_file.relative_to(case.parent.parent)}; run pytest --update-golden and review it"
    )
    expected = [line for line in expected_file.read_text(encoding="utf-8").splitlines() if line]
    assert run.problems == expected
    has_errors = any(": error: " in line for line in expected)
    assert run.code == (1 if has_errors else 0)
    assert "Traceback" not in run.err
    if not has_errors and expected:
        assert cli("check", "--strict").code == 1


def test_every_error_class_has_a_case() -> None:
    names = {c.name for c in CASES}
    required = {
        "yaml-syntax",
        "unclosed-front-matter",
        "empty-file",
        "not-a-mapping",
        "missing-required",
        "ill-typed",
        "invalid-date",
        "future-date",
        "before-period",
        "end-before-start",
        "unknown-reference",
        "duplicate-slug",
        "bad-slug",
        "missing-sources",
        "non-http-url",
        "translation-unknown-key",
        "translation-structured-fields",
        "translation-without-base",
        "translation-undeclared-language",
        "translation-invalid-yaml",
        "translation-text-problems",
        "translation-missing-fields",
        "translation-stale",
        "translation-site",
        "period-overlap",
        "period-fields",
        "responsible",
        "draft-reference",
        "casualties",
        "coordinates-out-of-range",
        "cycle-within",
        "cycle-part-of",
        "not-utf8",
        "unknown-key",
        "warnings",
        "control-characters",
        "bidi-controls",
        "invisible-text",
        "scalar-alias",
        "explicit-tag",
        "quoted-numbers",
        "values-in-messages",
        "hostile-body",
        "render-budget",
        "long-slug",
    }
    assert required <= names
