"""Every built page is valid HTML, by the Nu HTML checker (skipped without Java and `npm ci`)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import ROOT, Run

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.mark.skipif(not VNU.exists() or shutil.which("java") is None, reason="needs Java and `npm ci` (vnu-jar)")
def test_pages_are_valid_html(cli: Callable[..., Run], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", "--content", str(ROOT / "tests/golden/content"), "--out", str(out)).code == 0
    sites = [out]
    bilingual = tmp_path / "bilingual"
    assert cli("build", "--content", str(ROOT / "tests/golden-bilingual/content"), "--out", str(bilingual)).code == 0
    assert (bilingual / "es/index.html").is_file()
    sites.append(bilingual)
    real = tmp_path / "real"
    assert cli("build", "--content", str(ROOT / "content"), "--out", str(real)).code == 0
    assert (real / "es/events/lucanamarca-massacre/index.html").is_file()  # the Spanish pages are checked too
    sites.append(real)
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", *map(str, sites)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-4000:]
