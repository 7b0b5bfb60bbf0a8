"""The preview server: serves, rebuilds on change, keeps the last good build on errors."""

from __future__ import annotations

import io
import json
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from quipu.pipeline import Options
from quipu.serve import RELOAD_PATH, DevServer
from quipu.source import EntryCache

from .conftest import ROOT, event


def _get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _wait_for_version(port: int, version: int, timeout: float = 10) -> dict[str, object]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = json.loads(_get(port, RELOAD_PATH)[1])
        if state["version"] >= version:
            return state
        time.sleep(0.1)
    raise AssertionError("no rebuild happened")


def test_serve_rebuilds_and_keeps_last_good_build(make_site: Callable[..., Path], tmp_path: Path) -> None:
    content = make_site()
    err = io.StringIO()
    options = Options(
        content=content, out=tmp_path / "preview", templates=ROOT / "templates", workers=1, cache=EntryCache()
    )
    server = DevServer(options, 0, err)
    server.start()
    try:
        status, page = _get(server.port, "/events/first-action/")
        assert status == 200
        assert "First action" in page and RELOAD_PATH in page
        assert _get(server.port, "/nowhere/")[0] == 404

        (content / "events/1981").mkdir()
        (content / "events/1981/second.md").write_text(event("Second action", "1981-03-04"))
        _wait_for_version(server.port, 2)
        assert _get(server.port, "/events/second/")[0] == 200

        (content / "events/1981/second.md").write_text(event("Second action, corrected", "1981-03-04"))
        _wait_for_version(server.port, 3)
        assert "Second action, corrected" in _get(server.port, "/events/second/")[1]  # the cached parse was refreshed

        (content / "events/1981/second.md").write_text("---\ntitle: [broken\n---\n")
        state = _wait_for_version(server.port, 4)
        assert state["failed"] is True
        status, page = _get(server.port, "/events/second/")
        assert status == 200  # the last good build is still served
        assert "The last rebuild failed" in page and "second.md:3: error" in page
        assert "second.md:3: error" in err.getvalue()
    finally:
        server.stop()
