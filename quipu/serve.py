"""`build.py serve`: build, serve on 127.0.0.1, rebuild on change, reload the page.

Changes are found by polling modification times (no extra dependency, works
on every filesystem). A failed rebuild keeps the last good site online and
shows the problems both in the terminal and on the page.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO

from .markdown import enable_cache
from .pipeline import Options, build
from .source import EntryCache
from .writer import WriteRefused

POLL_SECONDS = 0.4
RELOAD_PATH = "/__quipu/state"
RELOAD_SCRIPT = """<script>
(function () {
  var seen = null;
  function poll() {
    fetch("STATE_URL", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (seen !== null && s.version !== seen) { location.reload(); return; }
      seen = s.version; setTimeout(poll, 700);
    }).catch(function () { setTimeout(poll, 1500); });
  }
  poll();
})();
</script>""".replace("STATE_URL", RELOAD_PATH)


def snapshot(folders: list[Path]) -> dict[str, tuple[float, int]]:
    """Modification time and size of every file under the folders."""
    state: dict[str, tuple[float, int]] = {}
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in filenames:
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                state[path] = (st.st_mtime, st.st_size)
    return state


class DevServer:
    """The serving loop's state: the output folder, a build version, the last problems."""

    def __init__(self, options: Options, port: int, err: TextIO) -> None:
        self.options = options
        self.err = err
        self.version = 0
        self.problems: list[str] = []
        self.failed = False
        self.lock = threading.Lock()
        handler = partial(_Handler, self, directory=str(options.out))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.port = self.httpd.server_address[1]
        self._stop = threading.Event()

    def rebuild(self) -> None:
        started = time.perf_counter()
        try:
            report, built = build(self.options)
            lines = report.lines()
            failed = built is None
        except (WriteRefused, OSError) as exc:
            lines = [f"error: {exc}"]
            failed = True
        except Exception as exc:  # noqa: BLE001 - keep serving the last good build
            lines = [f"error: internal error: {exc.__class__.__name__}: {exc}"]
            failed = True
        with self.lock:
            self.problems = lines
            self.failed = failed
            self.version += 1
        for line in lines:
            print(line, file=self.err)
        verdict = "failed, still serving the last good build" if failed else "ok"
        print(f"serve: rebuild {verdict} ({time.perf_counter() - started:.2f} s)", file=self.err, flush=True)

    def _folders(self) -> list[Path]:
        return [self.options.content, *self.options.template_dirs()]

    def watch(self, last: dict[str, tuple[float, int]]) -> None:
        """Rebuild whenever the watched files differ from `last`, the state the last build saw."""
        folders = self._folders()
        interval = POLL_SECONDS
        while not self._stop.wait(interval):
            started = time.perf_counter()
            current = snapshot(folders)
            # On very large sites scanning takes a while: poll less often so the scan stays under ~10% of a core.
            interval = max(POLL_SECONDS, 10 * (time.perf_counter() - started))
            if current != last:
                # Let editors finish writing (several files, temp files) before building.
                time.sleep(POLL_SECONDS / 2)
                last = snapshot(folders)
                self.rebuild()

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {"version": self.version, "failed": self.failed, "problems": self.problems}

    def start(self) -> None:
        # Snapshot before the first build, not in the watching thread: an edit made while that
        # thread is starting would otherwise be part of its first snapshot and never trigger a rebuild.
        before = snapshot(self._folders())
        self.rebuild()
        threading.Thread(target=self.watch, args=(before,), daemon=True).start()
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, server_state: DevServer, *args: Any, **kwargs: Any) -> None:
        self.state = server_state
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        if self.path.startswith(RELOAD_PATH):
            body = json.dumps(self.state.state()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        base = self.state.options.base_url or ""
        if base.startswith("/") and base != "/" and self.path.startswith(base):
            self.path = "/" + self.path[len(base) :]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().do_GET()  # redirect to the slash URL
            path = path / "index.html"
        if path.suffix == ".html" or not path.exists():
            self._send_html(path)
            return
        super().do_GET()

    def _send_html(self, path: Path) -> None:
        status = 200
        if not path.is_file():
            status = 404
            path = Path(self.directory) / "404.html"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            text = "<!doctype html><title>Not built</title><body><h1>Nothing built yet</h1></body>"
        state = self.state.state()
        overlay = ""
        if state["failed"]:
            items = "".join(f"<li>{html.escape(line)}</li>" for line in state["problems"])
            overlay = (
                '<div role="alert" style="position:fixed;inset:auto 0 0 0;max-height:50vh;overflow:auto;'
                'background:#fff3f3;color:#600;border-top:3px solid #c00;padding:1rem;font:14px/1.4 monospace;z-index:99">'
                f"<strong>The last rebuild failed; this is the last good build.</strong><ul>{items}</ul></div>"
            )
        injected = overlay + RELOAD_SCRIPT
        text = text.replace("</body>", injected + "</body>") if "</body>" in text else text + injected
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    target = args.out or Path(tempfile.mkdtemp(prefix="quipu-serve-")) / "site"
    enable_cache()
    options = Options(
        content=args.content,
        out=target,
        templates=args.templates,
        drafts=args.drafts,
        workers=1,
        cache=EntryCache(),
        search=args.search,  # indexing takes seconds; off unless asked for, so edits show at once
    )
    try:
        server = DevServer(options, args.port, err)
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {exc.strerror}; try --port 0", file=err)
        return 1
    server.start()
    print(f"serving {target} at http://127.0.0.1:{server.port}/ (Ctrl+C to stop)", file=out, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("stopped", file=out)
    finally:
        server.stop()
        if args.out is None:  # the temporary folder is ours alone
            shutil.rmtree(target.parent, ignore_errors=True)
    return 0
