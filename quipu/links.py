"""The link check of a built site: every internal link, asset and #fragment must exist.

Run on the output folder after a build (`build.py links`), and by the deploy workflow as a
gate. Links to other hosts are not fetched (no network); links to the site's own absolute
base_url (canonical, hreflang, feeds) are checked against the files like relative ones.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Problem, display_path

ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src", "form": "action"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[int, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"] or "")
        wanted = ATTRIBUTES.get(tag)
        target = values.get(wanted) if wanted else None
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            content = values.get("content") or ""
            target = content.split("url=", 1)[1].strip() if "url=" in content else None
        if target:
            self.links.append((self.getpos()[0], target))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    page.close()
    return page


def _resolve(root: Path, page: Path, href: str, base: str | None, base_path: str) -> tuple[Path, str] | None:
    """The file a link points to, and its fragment; None for links this check does not follow."""
    if base and href.startswith(base):
        href = base_path + href[len(base) :]
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith(("mailto:", "tel:", "data:", "javascript:")):
        return None
    path = unquote(parts.path)
    if path.startswith("/"):
        # Root-relative (404.html uses them): the folder stands for the base path.
        if not path.startswith(base_path):
            return root / ".." / path.lstrip("/"), parts.fragment  # outside the site
        target = root / path[len(base_path) :]
    elif path == "":
        target = page
    else:
        target = Path(posixpath.normpath((page.parent / path).as_posix()))
    points_to_folder = path.endswith("/") and target != page
    if points_to_folder or target.is_dir():
        target = target / "index.html"
    return target, parts.fragment


def check_links(root: Path, base_url: str | None = None) -> tuple[list[Problem], int]:
    """Every broken internal link of the site in `root`, at its file and line; and how many links were checked."""
    base = base_url if base_url and "://" in base_url else None
    base_path = "/" + (urlsplit(base_url).path if base_url else "/").strip("/") + "/"
    base_path = "/" if base_path == "//" else base_path
    pages: dict[Path, _Page] = {}

    def parsed(path: Path) -> _Page:
        if path not in pages:
            pages[path] = _parse(path)
        return pages[path]

    problems: list[Problem] = []
    checked = 0
    for page_path in _html_files(root):
        page = parsed(page_path)
        for line, href in page.links:
            resolved = _resolve(root, page_path, href, base, base_path)
            if resolved is None:
                continue
            checked += 1
            target, fragment = resolved
            shown = display_path(page_path)
            try:
                target.resolve().relative_to(root.resolve())
            except ValueError:
                problems.append(Problem(shown, line, f"link '{href}' leads outside the site; fix the template or link"))
                continue
            if not target.is_file():
                problems.append(
                    Problem(shown, line, f"link '{href}' points to a missing file; fix the link or the page")
                )
            elif fragment and target.suffix == ".html" and fragment not in parsed(target).ids:
                problems.append(Problem(shown, line, f"link '{href}' points to a missing #{fragment} on that page"))
    return problems, checked


def _html_files(root: Path) -> Iterator[Path]:
    yield from sorted(p for p in root.rglob("*.html") if p.is_file())
