"""The preview server is safe for every request: it serves the site it built, and nothing else.

Requests are sent over raw sockets, so malformed, half-open and spoofed ones reach the server as sent.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import quipu.serve
from quipu.pipeline import Options
from quipu.serve import RELOAD_PATH, DevServer
from quipu.source import EntryCache

from .conftest import ROOT, SITE_YAML, Run

CANARY = "canary-4d1f8e0b-outside-the-site"  # in a file beside the site, never to be served
STATUS_LINE = re.compile(rb"^HTTP/1\.[01] ([1-5]\d\d) [^\r\n]*\r\n")


def _raw(port: int, data: bytes, timeout: float = 10) -> bytes:
    """Send bytes as they are, read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)  # the request is complete: a server waiting for more sees the end
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def _request(port: int, target: str, method: str = "GET", host: str | None = "127.0.0.1") -> tuple[int, bytes]:
    head = f"{method} {target} HTTP/1.1\r\n" + (f"Host: {host}\r\n" if host is not None else "")
    response = _raw(port, (head + "Connection: close\r\n\r\n").encode("latin-1"))
    match = STATUS_LINE.match(response)
    assert match, f"{method} {target}: no status line in {response[:200]!r}"
    return int(match.group(1)), response.split(b"\r\n\r\n", 1)[-1]


def _options(content: Path, out: Path) -> Options:
    return Options(content=content, out=out, templates=ROOT / "templates", workers=1, cache=EntryCache(), search=False)


@pytest.fixture
def site_server(make_site: Callable[..., Path], tmp_path: Path) -> Iterator[tuple[DevServer, Path, io.StringIO]]:
    """A server on a built site, with a canary file beside it and symlinks in it that point at the canary."""
    content = make_site()
    (tmp_path / "secret.txt").write_text(CANARY)
    err = io.StringIO()
    server = DevServer(_options(content, tmp_path / "preview"), 0, err)
    server.start()
    out = tmp_path / "preview"
    (out / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (out / "leak.html").symlink_to(tmp_path / "secret.txt")
    (out / "leakdir").symlink_to(tmp_path)
    (out / "empty-folder").mkdir()
    try:
        yield server, out, err
    finally:
        server.stop()


def _no_traceback(capfd: pytest.CaptureFixture[str], err: io.StringIO) -> None:
    captured = capfd.readouterr()
    for text in (captured.err, captured.out, err.getvalue()):
        assert "Traceback" not in text and "a request failed" not in text, text[-2000:]


# --- what is served -------------------------------------------------------------------------------------------


def test_a_foreign_out_folder_is_never_served(tmp_path: Path, make_site: Callable[..., Path]) -> None:
    content = make_site()
    foreign = tmp_path / "etc"
    foreign.mkdir()
    (foreign / "passwd").write_text(CANARY)
    server = DevServer(_options(content, foreign), 0, io.StringIO())
    server.start()
    try:
        for target in ("/passwd", "/", "/nowhere"):
            assert CANARY.encode() not in _request(server.port, target)[1], target
    finally:
        server.stop()
    assert (foreign / "passwd").read_text() == CANARY


def test_serve_refuses_a_foreign_out_folder_and_exits(tmp_path: Path, make_site: Callable[..., Path]) -> None:
    content = make_site()
    foreign = tmp_path / "etc"
    foreign.mkdir()
    (foreign / "passwd").write_text(CANARY)
    done = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", "--content", str(content)]
        + ["--templates", str(ROOT / "templates"), "--out", str(foreign)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.startswith("error: ") and "etc" in done.stderr.splitlines()[0], done.stderr
    assert "Traceback" not in done.stderr
    assert "serving" not in done.stdout
    assert (foreign / "passwd").read_text() == CANARY


def test_symlinks_out_of_the_site_are_not_followed(site_server: tuple[DevServer, Path, io.StringIO]) -> None:
    server, _out, _err = site_server
    for target in ("/leak.txt", "/leak.html", "/leakdir/secret.txt", "/leakdir/", "/leakdir"):
        status, body = _request(server.port, target)
        assert CANARY.encode() not in body, target
        assert status in (403, 404), (target, status)


def test_a_folder_without_index_is_not_listed(site_server: tuple[DevServer, Path, io.StringIO]) -> None:
    server, _out, _err = site_server
    status, body = _request(server.port, "/empty-folder/")
    assert status == 404 and b"Page not found" in body and b"Directory listing" not in body
    status, body = _request(server.port, "/static/")
    assert status == 404 and b"Page not found" in body and b"Directory listing" not in body


def test_the_manifest_and_marker_are_not_served(site_server: tuple[DevServer, Path, io.StringIO]) -> None:
    server, _out, _err = site_server
    for target in ("/.quipu-manifest.json", "/.quipu-site"):
        assert _request(server.port, target)[0] == 404, target


def test_query_strings_are_ignored(site_server: tuple[DevServer, Path, io.StringIO]) -> None:
    server, _out, _err = site_server
    status, body = _request(server.port, "/events/first-action/?utm=1&x=%00#frag")
    assert status == 200 and b"First action" in body
    status, body = _request(server.port, RELOAD_PATH + "?t=123")
    assert status == 200 and json.loads(body)["version"] >= 1
    assert _request(server.port, RELOAD_PATH + "extra")[0] == 404


# --- requests that used to break the server -------------------------------------------------------------------


def test_a_very_long_path_segment_is_a_404_not_a_traceback(
    site_server: tuple[DevServer, Path, io.StringIO], capfd: pytest.CaptureFixture[str]
) -> None:
    server, _out, err = site_server
    for target in ("/" + "a" * 300, "/events/" + "é" * 200 + "/", "/" + "/".join(["b" * 250] * 30)):
        assert _request(server.port, target)[0] == 404, target
    _no_traceback(capfd, err)


def test_methods_other_than_get_and_head(site_server: tuple[DevServer, Path, io.StringIO]) -> None:
    server, _out, _err = site_server
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"):
        response = _raw(server.port, f"{method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n".encode())
        assert response.startswith(b"HTTP/1.0 405 ") or response.startswith(b"HTTP/1.1 405 "), (method, response[:80])
        assert b"\r\nAllow: GET, HEAD\r\n" in response
    assert _request(server.port, "/", method="BREW")[0] == 501
    status, body = _request(server.port, RELOAD_PATH, method="HEAD")
    assert status == 200 and body == b""
    status, body = _request(server.port, "/nowhere/", method="HEAD")
    assert status == 404 and body == b""


def test_half_open_connections_time_out_and_are_capped(
    make_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(quipu.serve, "REQUEST_TIMEOUT", 1.0)
    monkeypatch.setattr(quipu.serve, "MAX_CONNECTIONS", 4)
    server = DevServer(_options(make_site(), tmp_path / "preview"), 0, io.StringIO())
    server.start()
    idle: list[socket.socket] = []
    try:
        before = threading.active_count()
        for _ in range(12):  # three times the cap: they send nothing at all
            idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=15))
        time.sleep(0.3)
        assert threading.active_count() - before <= 4
        # Past the cap a connection is answered at once, and told to come back.
        assert all(sock.recv(4096).startswith(b"HTTP/1.0 503 ") for sock in idle[4:])
        for sock in idle[:4]:  # the first ones are closed by the server once their time is up
            assert sock.recv(4096) == b""
            sock.close()
        deadline = time.time() + 10
        while _request(server.port, "/")[0] != 200 and time.time() < deadline:
            time.sleep(0.1)
        assert _request(server.port, "/")[0] == 200  # their slots are free again
    finally:
        for sock in idle:
            sock.close()
        server.stop()


def test_the_host_header_must_be_a_loopback_name(site_server: tuple[DevServer, Path, io.StringIO]) -> None:
    """A page on the web whose name is made to resolve to 127.0.0.1 (DNS rebinding) reads nothing."""
    server, _out, _err = site_server
    port = server.port
    for host in ("evil.example", f"evil.example:{port}", "localhost.evil.example", "127.0.0.1.evil.example", "0x7f.1"):
        for target in (RELOAD_PATH, "/", "/events/first-action/"):
            status, body = _request(port, target, host=host)
            assert status == 403, (host, target, status)
            assert b"version" not in body and b"First action" not in body
    for host in ("127.0.0.1", f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST", f"[::1]:{port}", "app.localhost"):
        assert _request(port, RELOAD_PATH, host=host)[0] == 200, host


def test_no_absolute_local_path_is_returned(make_site: Callable[..., Path], tmp_path: Path) -> None:
    content = make_site()
    server = DevServer(_options(content, tmp_path / "preview"), 0, io.StringIO())
    server.start()
    try:
        (content / "events/1980/first-action.md").write_text("---\ntitle: [broken\n---\n")
        deadline = time.time() + 15
        while json.loads(_request(server.port, RELOAD_PATH)[1])["version"] < 2 and time.time() < deadline:
            time.sleep(0.1)
        state = _request(server.port, RELOAD_PATH)[1].decode()
        assert json.loads(state)["failed"] is True
        assert "first-action.md:3: error" in state  # the file is still named
        page = _request(server.port, "/events/first-action/")[1].decode()
        assert "first-action.md:3: error" in page
        for text in (state, page, _request(server.port, "/nowhere/")[1].decode()):
            assert str(tmp_path) not in text and str(tmp_path.resolve()) not in text
    finally:
        server.stop()


def test_the_404_page_links_work_under_a_base_url_sub_path(make_site: Callable[..., Path], tmp_path: Path) -> None:
    content = make_site({"site.yaml": SITE_YAML + "base_url: https://example.org/peru-timeline/\n"})
    server = DevServer(_options(content, tmp_path / "preview"), 0, io.StringIO())
    server.start()
    try:
        status, page = _request(server.port, "/no/such/page/")
        assert status == 404
        links = re.findall(r'(?:href|src)="(/[^"]*)"', page.decode())
        assert "/peru-timeline/static/style.css" in links
        for link in links:
            assert _request(server.port, link)[0] == 200, link
        assert _request(server.port, "/peru-timeline/events/first-action/")[0] == 200
        assert _request(server.port, "/events/first-action/")[0] == 200
    finally:
        server.stop()


# --- the command line -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["70000", "-1", "65536", "eighty"])
def test_a_wrong_port_is_a_usage_error(cli: Callable[..., Run], capsys: pytest.CaptureFixture[str], port: str) -> None:
    run = cli("serve", "--port", port)
    usage = run.err + capsys.readouterr().err  # argparse writes its usage errors to sys.stderr
    assert run.code == 2, usage
    assert "--port" in usage and "1 to 65535" in usage and "Traceback" not in usage


@pytest.mark.parametrize("jobs", ["0", "-3", "many"])
def test_a_wrong_jobs_is_a_usage_error(cli: Callable[..., Run], capsys: pytest.CaptureFixture[str], jobs: str) -> None:
    run = cli("build", "--jobs", jobs)
    usage = run.err + capsys.readouterr().err
    assert run.code == 2, usage
    assert "--jobs" in usage and "at least 1" in usage and "Traceback" not in usage


def test_too_many_jobs_are_capped_at_the_machine(make_site: Callable[..., Path], cli: Callable[..., Run]) -> None:
    make_site()
    run = cli("build", "--jobs", "100000")
    assert run.code == 0, run.err
    cpus = os.cpu_count() or 1
    plural = "CPU" if cpus == 1 else "CPUs"
    assert f"note: --jobs 100000 is more than this machine's {cpus} {plural}; using {cpus}" in run.err


def test_a_failed_start_leaves_no_temporary_folder(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_site()
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temporary))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        run = cli("serve", "--port", str(busy.getsockname()[1]))
    assert run.code == 1 and "cannot listen on 127.0.0.1" in run.err
    assert list(temporary.iterdir()) == []


def test_sigterm_removes_the_temporary_site(make_site: Callable[..., Path], tmp_path: Path) -> None:
    content = make_site()
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    log = tmp_path / "serve.out"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", "--content", str(content)]
            + ["--templates", str(ROOT / "templates")],
            stdout=out,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            env={**os.environ, "TMPDIR": str(temporary)},
        )
    try:
        deadline = time.time() + 30
        while "serving" not in log.read_text() and time.time() < deadline and process.poll() is None:
            time.sleep(0.1)
        assert "serving" in log.read_text()
        assert any(temporary.iterdir())  # the site is there while it runs
        process.send_signal(signal.SIGTERM)
        _out, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert list(temporary.iterdir()) == [], stderr
    assert b"Traceback" not in stderr
    assert process.returncode == 0


# --- every kind of request ------------------------------------------------------------------------------------

TRAVERSALS = [
    "/../../../../etc/passwd",
    "/..%2f..%2f..%2fetc%2fpasswd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/..\\..\\..\\etc\\passwd",
    "/..%5c..%5c..%5cetc%5cpasswd",
    "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    "/%c0%af..%c0%af..%c0%afetc/passwd",
    "/%e0%80%ae%e0%80%ae/etc/passwd",
    "/%00/etc/passwd",
    "/index.html%00.txt",
    "/%00",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "///etc/passwd",
    "/static/../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/./././../etc/passwd",
    "/..;/..;/etc/passwd",
    "/leak.txt",
    "/leakdir/secret.txt",
    "/leakdir/../secret.txt",
    "/%2e%2e/secret.txt",
    "/../secret.txt",
    "http://127.0.0.1/../../etc/passwd",
    "http://evil.example/etc/passwd",
    "file:///etc/passwd",
    "etc/passwd",
    "*",
    "/%ed%a0%80",  # a lone surrogate, encoded
    "/%ff%fe",
    "/%",
    "/%zz",
    "/%%32%65%%32%65/etc/passwd",
    "/~root",
    "/\x7f",
    "/" + "a" * 300,
    "/" + "%41" * 2000,
    "/" + "a/" * 3000,
    "/" + "x" * 70000,
    "/?" + "q" * 10000,
    "/events/first-action/index.html",
    "/events/first-action",
    "/events//first-action/",
    "/empty-folder",
    "/empty-folder/",
    RELOAD_PATH,
    RELOAD_PATH + "/",
    RELOAD_PATH + "?x=1",
    "/__quipu/",
    "/404.html",
    "/static/style.css",
    "/favicon.ico",
]

RAW_REQUESTS: list[bytes] = [
    b"\r\n",
    b"\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET /\r\n",  # HTTP/0.9
    b"POST /\r\n",
    b"GET / HTTP/1.1 extra\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n",
    b"GET / HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n",
    b"GET / HTTP/1\r\n\r\n",
    b"GET / FTP/1.0\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBroken header line\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: " + b"h" * 70000 + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(150)) + b"\r\n",
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: \r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello",
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-Modified-Since: not a date\r\n\r\n",
    b"GET /static/style.css HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-Modified-Since: Thu, 01 Jan 2099 00:00:00 GMT\r\n\r\n",
    b"GET /static/style.css HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=999999-\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.1\r\n\r\n",
    b"GET /\xff\xfe HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    b"GET /\x00 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    b"GET /a\rb HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    b"GET /\xc3\xa9v\xc3\xa9nement/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(range(32)) + b"\r\n\r\n",  # a TLS hello
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    b"get / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    b"G\x00T / HTTP/1.1\r\n\r\n",
    b"do_GET / HTTP/1.1\r\n\r\n",
    b"__init__ / HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET /" + b"a" * 65600 + b" HTTP/1.1\r\n\r\n",
]


def _generated(count: int) -> list[bytes]:
    """Random request lines and paths from a fixed seed: the same list on every run."""
    rng = random.Random(20240611)
    pieces = [
        "..",
        ".",
        "%2e",
        "%2f",
        "%5c",
        "\\",
        "%00",
        "%c0%ae",
        "%ff",
        "etc",
        "passwd",
        "secret.txt",
        "leakdir",
        "static",
        "events",
        "first-action",
        "",
        "a" * 260,
        "%",
        "?",
        "#",
        ";",
        "~",
        "%u002e",
    ]
    methods = ["GET", "HEAD", "POST", "PUT", "GET", "GET", "XYZ", "OPTIONS"]
    requests = []
    for _ in range(count):
        path = "/" + "/".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        if rng.random() < 0.2:
            path = path.replace("/", "\\")
        line = f"{rng.choice(methods)} {path} HTTP/1.{rng.randint(0, 1)}\r\n".encode("latin-1")
        noise = bytes(rng.randrange(256) for _ in range(rng.randint(0, 12))) if rng.random() < 0.3 else b""
        requests.append(line + b"Host: 127.0.0.1\r\n" + noise + b"\r\n")
    return requests


def test_request_fuzz(site_server: tuple[DevServer, Path, io.StringIO], capfd: pytest.CaptureFixture[str]) -> None:
    """Every request gets a well-formed status, nothing outside the site is served, and nothing goes wrong."""
    server, _out, err = site_server
    passwd = Path("/etc/passwd").read_bytes()[:32] if Path("/etc/passwd").is_file() else b"root:x:0:0"
    requests: list[bytes] = []
    for method in ("GET", "HEAD"):
        for target in TRAVERSALS:
            requests.append(f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode("latin-1"))
    requests += RAW_REQUESTS + _generated(120)
    statuses: dict[int, int] = {}
    for data in requests:
        response = _raw(server.port, data)
        match = STATUS_LINE.match(response)
        assert match, f"{data[:120]!r}: no status line in {response[:120]!r}"
        statuses[int(match.group(1))] = statuses.get(int(match.group(1)), 0) + 1
        assert CANARY.encode() not in response, data[:120]
        assert passwd not in response, data[:120]
    _no_traceback(capfd, err)
    assert len(requests) >= 60 + 100
    assert set(statuses) <= {200, 301, 400, 403, 404, 405, 408, 414, 431, 501, 505}, statuses
