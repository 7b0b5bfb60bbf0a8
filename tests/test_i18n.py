"""Interface strings: every one the templates use has a Spanish translation, and a Spanish site reads as such."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup

from quipu.dates import parse_date
from quipu.i18n import Catalog
from quipu.locales import Locale, collation_key
from quipu.pages import ACTOR_KIND_LABELS, ACTOR_KIND_NAMES
from quipu.schema import COUNT_KINDS_LABELS, PLACE_KINDS

from .conftest import ROOT, Run


def template_strings() -> set[str]:
    """Every string the templates pass to t()/tn()/_(), found by Babel's own Jinja extractor, plus code labels."""
    from babel.messages.extract import extract_from_dir

    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map=[("templates/**.html", "jinja2"), ("quipu/pages.py", "python")],
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords={"t": None, "tn": (1, 2), "_": None, "gettext": None, "ngettext": (1, 2), "N_": None},
    ):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    labels = set(ACTOR_KIND_LABELS.values()) | set(ACTOR_KIND_NAMES.values())
    # The values templates translate at run time must all be marked for extraction.
    assert set(PLACE_KINDS) | set(COUNT_KINDS_LABELS) | labels <= found
    return found


def _spanish_po() -> dict[str, str]:
    from babel.messages.pofile import read_po

    with open(ROOT / "templates/i18n/es.po", "rb") as handle:
        catalog = read_po(handle)
    out: dict[str, str] = {}
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for i, msgid in enumerate(ids):
            out[msgid] = strings[min(i, len(strings) - 1)]
    return out


def test_every_interface_string_has_a_spanish_translation() -> None:
    catalog = _spanish_po()
    missing = sorted(s for s in template_strings() if not catalog.get(s))
    assert missing == [], "add these to templates/i18n/es.po (see the commands at its top)"
    for english, spanish in catalog.items():
        assert set(re.findall(r"{\w+}", english)) == set(re.findall(r"{\w+}", spanish)), english


def test_the_committed_message_template_is_current(tmp_path: Path) -> None:
    import subprocess
    import sys

    fresh = tmp_path / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "t", "-k", "tn:1,2"]
    command += ["--no-location", "--omit-header", "--sort-output", "--no-wrap", "-o", str(fresh), "."]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    committed = (ROOT / "templates/i18n/messages.pot").read_text(encoding="utf-8")
    assert committed == fresh.read_text(encoding="utf-8"), (
        "run: pybabel extract -F babel.cfg -k t -k tn:1,2 --no-location --omit-header --sort-output --no-wrap "
        "-o templates/i18n/messages.pot ."
    )


def test_spanish_dates_and_numbers() -> None:
    spanish = Locale("es", False, "es_PE", Catalog("es", {"{n} events": "{n} eventos", "{n} event": "{n} evento"}))
    assert spanish.date(parse_date("1980-05-17")) == "17 de mayo de 1980"
    assert spanish.date(parse_date("1992-09-12")) == "12 de setiembre de 1992"  # CLDR's Peruvian month name
    assert spanish.date(parse_date("2023-03")) == "marzo de 2023"
    assert spanish.date(parse_date("1983")) == "1983"
    assert spanish.tn("{n} event", "{n} events", 69280) == "69,280 eventos"  # CLDR es_PE groups with a comma
    assert spanish.tn("{n} event", "{n} events", 1) == "1 evento"
    assert spanish.num_range(61007, 77552) == "61,007–77,552"


def test_a_spanish_site(cli: Callable[..., Run], tmp_path: Path) -> None:
    content = tmp_path / "es-content"
    shutil.copytree(ROOT / "tests/golden/content", content)
    site = content / "site.yaml"
    site.write_text(site.read_text().replace("language: en", "language: es"))
    out = tmp_path / "out"
    assert cli("build", "--content", str(content), "--out", str(out)).code == 0
    soup = BeautifulSoup((out / "events/first-action/index.html").read_text(), "html.parser")
    assert soup.html["lang"] == "es"
    assert soup.find("a", class_="skip-link").get_text() == "Saltar al contenido"
    assert soup.find("time").get_text() == "17 de mayo de 1980"
    facts = soup.find("dl", class_="facts").get_text(" ", strip=True)
    assert facts.startswith("Cuándo")


def test_sorting_ignores_case_and_accents_and_keeps_spanish_enye() -> None:
    names = ["Vizcatán del Ene", "áncash", "Ayacucho", "Ñuñoa", "Nazca", "Oxapampa", "Apurímac", "Ancash"]
    spanish = sorted(names, key=lambda n: collation_key(n, "es"))
    assert spanish == ["Ancash", "áncash", "Apurímac", "Ayacucho", "Nazca", "Ñuñoa", "Oxapampa", "Vizcatán del Ene"]
    english = sorted(names, key=lambda n: collation_key(n, "en"))
    assert english.index("Ñuñoa") < english.index("Oxapampa") and english.index("Nazca") < english.index("Ñuñoa")
    assert sorted(reversed(names), key=lambda n: collation_key(n, "es")) == spanish  # total order: ties broken


JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
TAG = re.compile(r"<[^>]*>", re.DOTALL)
LABEL_ATTRIBUTE = re.compile(r"""\b(aria-label|title|alt|placeholder)=(["'])(.*?)\2""")
# Words that are the same in every language: file formats and symbols.
NEUTRAL_WORDS = {"JSON", "CSV", "GeoJSON"}


def test_templates_hold_no_interface_text_outside_the_catalog() -> None:
    """Every word a reader sees comes through t()/tn(), so no edition shows another language's interface."""
    leaks = []
    for template in sorted((ROOT / "templates").glob("*.html")):
        source = template.read_text(encoding="utf-8")
        bare = JINJA.sub(" ", source)
        for _name, _quote, value in LABEL_ATTRIBUTE.findall(bare):
            if re.search(r"[A-Za-zÀ-ÿ]", value):
                leaks.append(f"{template.name}: attribute text '{value}'")
        for word in re.findall(r"[A-Za-zÀ-ÿ]{2,}", TAG.sub(" ", bare)):
            if word not in NEUTRAL_WORDS and word != "doctype":
                leaks.append(f"{template.name}: '{word}'")
    assert leaks == []


def test_a_bilingual_site_has_every_page_in_both_languages(cli: Callable[..., Run], tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = cli("build", "--content", str(ROOT / "tests/golden-bilingual/content"), "--out", str(out))
    assert run.code == 0, run.err
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    english = [p for p in pages if not p.startswith("es/")]
    assert sorted("es/" + p for p in english) == [p for p in pages if p.startswith("es/")]
    for rel in english:
        for path, lang in ((rel, "en"), ("es/" + rel, "es")):
            soup = BeautifulSoup((out / path).read_text(encoding="utf-8"), "html.parser")
            assert soup.html["lang"] == lang, path
            if rel != "404.html" and "first-attack" not in rel:  # not the redirect of an old slug
                alternates = {a["hreflang"]: a["href"] for a in soup.find_all("link", rel="alternate", hreflang=True)}
                assert set(alternates) == {"en", "es"}, path
                assert alternates["es"].endswith("/es/" + rel.removesuffix("index.html")), path
    # Untranslated text says so, in its own language; translated text does not.
    clash = BeautifulSoup((out / "es/events/undisclosed-clash/index.html").read_text(), "html.parser")
    assert clash.find("p", class_="untranslated").get_text().startswith("Esta entrada aún no está traducida")
    assert clash.find("h1")["lang"] == "en" and clash.find("div", class_="prose")["lang"] == "en"
    massacre = BeautifulSoup((out / "es/events/massacre/index.html").read_text(), "html.parser")
    assert massacre.find("p", class_="untranslated") is None and not massacre.find("h1").get("lang")
    assert massacre.find("h1").get_text() == "Masacre: una cifra en disputa"
    assert "abril de 1983" in massacre.find("dl", class_="facts").get_text()
    # The data says which language each text is in.
    events = json.loads((out / "data/events.json").read_text())["events"]
    first = next(e for e in events if e["slug"] == "first-action")
    assert first["language"] == "en" and first["translations"]["es"]["title"] == "Primera acción"
    assert first["translations"]["es"]["translated"] is True
    clash_data = next(e for e in events if e["slug"] == "undisclosed-clash")["translations"]["es"]
    assert clash_data["translated"] is False and clash_data["title"] == "Clash on an undisclosed date"
    # A feed per language, and a sitemap that links the two editions of each page.
    assert "<title>Primera acción</title>" in (out / "es/feed.xml").read_text()
    assert 'xml:lang="es"' in (out / "es/feed.xml").read_text()
    sitemap = (out / "sitemap.xml").read_text()
    assert 'hreflang="es" href="https://example.org/timeline/es/events/massacre/"' in sitemap


def test_topics_are_named_in_the_page_language(cli: Callable[..., Run], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", "--content", str(ROOT / "tests/golden-bilingual/content"), "--out", str(out)).code == 0
    soup = BeautifulSoup((out / "es/tags/index.html").read_text(), "html.parser")
    assert "masacres" in soup.find("main").get_text() and "massacre" not in soup.find("main").get_text()
    assert (out / "es/tags/massacre/index.html").is_file()  # the URL keeps the slug


def test_translation_coverage_rule(cli: Callable[..., Run], make_site: Callable[..., Path]) -> None:
    from .conftest import SITE_YAML

    make_site(
        {
            "site.yaml": SITE_YAML + "languages: [en, es]\ncoverage:\n  translations: {es: 1.0}\n",
            "site.es.yaml": "title: Cronología\n",
        }
    )
    run = cli("check", "--stats")
    assert run.code == 1
    assert "content/site.yaml:5: error: coverage: 0 of 4 entries have a current 'es' translation (0.0%)" in run.err
    assert "3 missing, 1 stale" in run.err
    run = cli("new", "translation", "events/first-action", "es")
    assert run.code == 0, run.err
    written = Path("content/events/1980/first-action.es.md").read_text()
    assert "title: First action" in written and "translates: title=" in written and "FILL IN" in written
    assert "date:" not in written and "sources:" not in written
    assert "FILL IN" in cli("check").err  # the copied English cannot pass as a translation
    assert cli("new", "translation", "events/first-action", "es").code == 1  # never overwrites
    assert cli("new", "translation", "events/first-action", "fr").code == 2
    assert cli("new", "translation", "events/no-such-event", "es").code == 1
