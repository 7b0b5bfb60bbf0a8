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
        content=content,
        out=tmp_path / "preview",
        templates=ROOT / "templates",
        workers=1,
        cache=EntryCache(),
        search=False,
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


def test_serve_previews_both_editions_and_picks_up_translations(make_site: Callable[..., Path], tmp_path: Path) -> None:
    from .conftest import SITE_YAML

    content = make_site({"site.yaml": SITE_YAML + "languages: [en, es]\n"})
    err = io.StringIO()
    options = Options(
        content=content,
        out=tmp_path / "preview",
        templates=ROOT / "templates",
        workers=1,
        cache=EntryCache(),
        search=False,
    )
    server = DevServer(options, 0, err)
    server.start()
    try:
        status, page = _get(server.port, "/es/events/first-action/")
        assert status == 200 and '<html lang="es">' in page and "Esta entrada aún no está traducida" in page
        (content / "events/1980/first-action.es.md").write_text("---\ntitle: Primera acción\n---\nAlgo ocurrió.\n")
        _wait_for_version(server.port, 2)
        page = _get(server.port, "/es/events/first-action/")[1]
        assert ">Primera acción</h1>" in page and "aún no está traducida" not in page
        assert ">First action</h1>" in _get(server.port, "/events/first-action/")[1]
    finally:
        server.stop()
