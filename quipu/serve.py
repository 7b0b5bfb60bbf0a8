"""`build.py serve`: build, serve on 127.0.0.1, rebuild on change, reload the page.

Changes are found by polling modification times (no extra dependency, works
on every filesystem). A failed rebuild keeps the last good site online and
shows the problems both in the terminal and on the page.

The server is for one person's browser on this machine, and every request is
treated as hostile all the same: it answers only to loopback host names (a web
page cannot reach it through DNS rebinding), serves only files inside a folder
this tool built (no symlink out of it, no listing, not its own bookkeeping),
puts no absolute local path in what it returns, gives every connection a time
limit and caps how many are open at once, and answers every request with a
status line, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import ipaddress
import json
import mimetypes
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any, TextIO
from urllib.parse import unquote_to_bytes

from .errors import Problem
from .markdown import enable_cache
from .model import build_site
from .pipeline import Options, build
from .schema import validate
from .source import EntryCache, read_site_file
from .writer import MARKER, OWN_FILES, WriteRefused, check_output, is_our_site

POLL_SECONDS = 0.4
REQUEST_TIMEOUT = 10.0  # seconds a connection may stay silent before it is closed
MAX_CONNECTIONS = 32  # connections handled at once; more are told to retry
NAME_MAX = 255  # bytes in one file name: a longer segment cannot name a file
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
NOT_BUILT = "<!doctype html><title>Not built</title><body><h1>Nothing built yet</h1></body>"
BUSY = (
    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\nRetry-After: 1\r\n"
    b"Connection: close\r\nContent-Length: 30\r\n\r\nToo many connections; retry.\r\n"
)
REFUSED_METHODS = ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT")
# An absolute folder path in a message (not one inside a URL: no letter, dot, colon or slash before it).
_ABSOLUTE_FOLDER = re.compile(r"(?<![\w.:/~-])/(?:[^\s/'\"<>:]+/)+")


class Stopped(BaseException):
    """SIGTERM or SIGHUP: stop as Ctrl+C does (a BaseException, so no `except Exception` swallows it)."""


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


def loopback_host(header: str) -> bool:
    """Is this Host header a name of this machine (localhost, *.localhost, 127.x.x.x, [::1]), port or not?"""
    value = header.strip().lower()
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        if rest and not (rest.startswith(":") and rest[1:].isdigit()):
            return False
    else:
        name, colon, port = value.rpartition(":")
        if not colon or not port.isdigit():
            name = value
    name = name.rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def site_base_path(options: Options) -> str:
    """The path the site is built under (from base_url), e.g. /peru-timeline/; '/' when it cannot be read."""
    raw = read_site_file(options.content)
    if isinstance(raw, Problem):
        return "/"
    values, _problems = validate("site", raw.data, raw.path)
    if values is None:
        return "/"
    site, _problems = build_site(values, raw.path, options.base_url, options.repository)
    return site.base_path


class DevServer:
    """The serving loop's state: the output folder, a build version, the last problems."""

    def __init__(self, options: Options, port: int, err: TextIO) -> None:
        self.options = options
        self.err = err
        self.version = 0
        self.problems: list[str] = []  # as shown in the browser: without local folder paths
        self.failed = False
        self.built = False  # the output folder holds a site this tool built, so it may be served
        self.base_path = "/"
        self.lock = threading.Lock()
        self.root = os.path.realpath(options.out)
        self.request_timeout = REQUEST_TIMEOUT
        self.httpd = _Server(("127.0.0.1", port), self, MAX_CONNECTIONS)
        self.port = self.httpd.server_address[1]
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._serving: threading.Thread | None = None
        self._local_roots = self._roots()

    def _roots(self) -> list[str]:
        """Folders whose absolute paths are cut from what the browser sees (longest first)."""
        roots = {str(Path.cwd())}
        for path in (self.options.content, self.options.out):
            roots.update({str(path.absolute().parent), str(path.resolve().parent)})
        return sorted((root for root in roots if root != os.sep), key=len, reverse=True)

    def public(self, line: str) -> str:
        """A message as the browser may see it: paths relative to the project, no absolute folder left."""
        for root in self._local_roots:
            line = line.replace(root + os.sep, "")
        return _ABSOLUTE_FOLDER.sub(lambda m: "" if os.path.isdir(m.group(0)) else m.group(0), line)

    def rebuild(self) -> None:
        started = time.perf_counter()
        built = None
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
        base_path = self.base_path
        if built is not None:
            with contextlib.suppress(Exception):  # the build read it a moment ago; a race keeps the last one
                base_path = site_base_path(self.options)
        with self.lock:
            self.problems = [self.public(line) for line in lines]
            self.failed = failed
            self.built = built is not None or self.built or is_our_site(Path(self.root))
            self.base_path = base_path
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
                if self._stop.is_set():
                    return
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
        self._watcher = threading.Thread(target=self.watch, args=(before,), daemon=True)
        self._watcher.start()
        self._serving = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._serving.start()

    def stop(self) -> None:
        """Stop serving and watching; a rebuild under way is let finish, so it leaves no staging folder."""
        self._stop.set()
        if self._serving is not None:  # shutdown() waits for serve_forever, so only once it runs
            self.httpd.shutdown()
        self.httpd.server_close()
        if self._watcher is not None:
            self._watcher.join(timeout=120)

    def locate(self, target: str) -> tuple[str, str]:
        """What a URL path (still percent-encoded) names inside the site: ("file", its real path),
        ("slash", "") for a folder asked for without its trailing slash, or ("none", "")."""
        raw = unquote_to_bytes(target)
        segments = [s for s in raw.split(b"/") if s]
        if any(len(s) > NAME_MAX for s in segments) or len(raw) > 4096:
            return "none", ""  # no file has such a name (and the OS would refuse to look)
        try:
            names = [s.decode("utf-8") for s in segments]
            if (names and names[0] in OWN_FILES) or any(n in (".", "..") or "\0" in n for n in names):
                return "none", ""
            real = os.path.realpath(os.path.join(self.root, *names))
            if real != self.root and not real.startswith(self.root + os.sep):
                return "none", ""  # a symlink out of the site
            if os.path.isdir(real):
                if not raw.endswith(b"/"):
                    return "slash", ""
                index = os.path.realpath(os.path.join(real, "index.html"))
                inside = index.startswith(self.root + os.sep)
                return ("file", index) if inside and os.path.isfile(index) else ("none", "")
            return ("file", real) if os.path.isfile(real) else ("none", "")
        except (OSError, ValueError):
            return "none", ""


class _Server(ThreadingHTTPServer):
    """A threading server with a cap on open connections and one-line reports of failed requests."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: DevServer, max_connections: int) -> None:
        self.state = state
        self._slots = threading.BoundedSemaphore(max(1, max_connections))
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        _Handler(self.state, request, client_address, self)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            # Every slot is taken (perhaps by connections that send nothing): answer at once, hold no thread.
            with contextlib.suppress(OSError):
                request.setblocking(False)
                request.send(BUSY)
            self.shutdown_request(request, linger=False)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def shutdown_request(self, request: Any, linger: bool = True) -> None:
        """Close after the response, reading what the client still sends, so the close does not reset
        the connection before the client has read the response."""
        with contextlib.suppress(OSError):
            request.shutdown(socket.SHUT_WR)
            if linger:
                request.settimeout(0.5)
                for _ in range(16):
                    if not request.recv(65536):
                        break
            else:
                request.setblocking(False)
                request.recv(65536)
        self.close_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        problem = sys.exc_info()[1]
        if isinstance(problem, (ConnectionError, TimeoutError)):
            return  # the client went away or went quiet
        print(f"serve: a request failed: {problem.__class__.__name__}: {problem}", file=self.state.err, flush=True)


class _Handler(BaseHTTPRequestHandler):
    server_version = "quipu-serve"
    sys_version = ""
    default_request_version = "HTTP/1.0"  # so even an HTTP/0.9 request gets a status line

    raw_requestline: bytes

    def __init__(self, server_state: DevServer, *args: Any, **kwargs: Any) -> None:
        self.state = server_state
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        self.request.settimeout(self.state.request_timeout)  # a silent or stalled connection is closed
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return

    def parse_request(self) -> bool:
        if not self.raw_requestline.strip():
            self.command, self.request_version, self.requestline = None, self.default_request_version, ""  # type: ignore[assignment]
            self.close_connection = True
            self.send_error(400, "Empty request line")
            return False
        return super().parse_request()

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - a request gets a status line and a sentence, never a traceback
            self.close_connection = True
            print(f"serve: a request failed: {exc.__class__.__name__}: {exc}", file=self.state.err, flush=True)
            with contextlib.suppress(Exception):
                self.send_error(500, "Internal error")

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._respond(body=True)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib name
        self._respond(body=False)

    def _refuse_method(self) -> None:
        self._send(405, b"Only GET and HEAD are served here.\n", "text/plain; charset=utf-8", {"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse_method  # noqa: N815

    def _respond(self, body: bool) -> None:
        hosts = self.headers.get_all("Host") or []
        if len(hosts) > 1 or (hosts and not loopback_host(hosts[0])):
            self._send(403, b"This server answers only to localhost and 127.0.0.1.\n", "text/plain", body=body)
            return
        target = self.path.split("?", 1)[0].split("#", 1)[0]
        if not target.startswith("/"):
            self._send(400, b"Bad request target.\n", "text/plain", body=body)
            return
        raw = unquote_to_bytes(target)
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError:  # overlong forms, lone surrogates, other bytes that are not UTF-8
            decoded = None
        if decoded is None or "\0" in decoded or "\\" in decoded or {".", ".."} & set(decoded.split("/")):
            self._send(400, b"Bad path.\n", "text/plain", body=body)
            return
        if target == RELOAD_PATH:
            data = json.dumps(self.state.state()).encode()
            self._send(200, data, "application/json", body=body)
            return
        with self.state.lock:
            base, built = self.state.base_path, self.state.built
        if base != "/" and target == base.rstrip("/"):
            self._redirect(base)
            return
        if base != "/" and target.startswith(base):
            target = target[len(base) - 1 :]
        if not built or not (Path(self.state.root) / MARKER).is_file():
            self._send_html(NOT_BUILT, 503, body)  # never a folder this tool did not build
            return
        kind, path = self.state.locate(target)
        if kind == "slash":
            self._redirect("/" + self.path.split("?", 1)[0].lstrip("/") + "/")
        elif kind == "file" and path.endswith(".html"):
            self._send_html(_read_text(path), 200, body)
        elif kind == "file":
            self._send_file(path, body)
        else:
            page = _read_text(os.path.join(self.state.root, "404.html"))
            self._send_html(page, 404, body)

    def _send(
        self, status: int, data: bytes, kind: str, headers: dict[str, str] | None = None, body: bool = True
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", "/" + location.lstrip("/"))  # never //host: that would leave the site
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send_file(self, path: str, body: bool) -> None:
        kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below, after the headers are chosen
        except OSError:
            self._send_html(_read_text(os.path.join(self.state.root, "404.html")), 404, body)
            return
        with handle:
            size = os.fstat(handle.fileno()).st_size
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            if body:
                shutil.copyfileobj(handle, self.wfile)

    def _send_html(self, text: str, status: int, body: bool) -> None:
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
        self._send(status, text.encode("utf-8"), "text/html; charset=utf-8", body=body)


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return NOT_BUILT


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP stop the server the way Ctrl+C does, so the temporary site is removed."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Stopped

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            with contextlib.suppress(ValueError, OSError):  # not the main thread: leave signals alone
                previous[number] = signal.signal(number, stop)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.out is not None:
        try:
            check_output(args.out)  # a folder this tool did not make is neither replaced nor served
        except WriteRefused as exc:
            print(f"error: {exc}", file=err)
            return 1
    temporary: Path | None = None
    try:
        with _stop_on_signals():
            if args.out is None:
                temporary = Path(tempfile.mkdtemp(prefix="quipu-serve-"))
            return _serve(args, args.out if temporary is None else temporary / "site", out, err)
    except (KeyboardInterrupt, Stopped):
        print("stopped", file=out)
        return 0
    finally:
        if temporary is not None:  # the temporary folder is ours alone: gone on every way out
            shutil.rmtree(temporary, ignore_errors=True)


def _serve(args: argparse.Namespace, target: Path, out: TextIO, err: TextIO) -> int:
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
    try:
        server.start()
        print(
            f"serving {target} at http://127.0.0.1:{server.port}{server.base_path} (Ctrl+C to stop)",
            file=out,
            flush=True,
        )
        while True:
            time.sleep(3600)
    finally:
        server.stop()
