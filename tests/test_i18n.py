"""Interface strings: every one the templates use has a Spanish translation, and a Spanish site reads as such."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from quipu.dates import parse_date
from quipu.i18n import Catalog
from quipu.locales import Locale, collation_key
from quipu.pages import ACTOR_KIND_LABELS, ACTOR_KIND_NAMES
from quipu.schema import COUNT_KINDS_LABELS, PLACE_KINDS

from .conftest import ROOT, Run

CALL = re.compile(r"""\btn?\(\s*(["'])(.+?)\1(?:\s*,\s*(["'])(.+?)\3)?""")


def template_strings() -> set[str]:
    found: set[str] = set()
    for template in (ROOT / "templates").glob("*.html"):
        for match in CALL.finditer(template.read_text(encoding="utf-8")):
            found.add(match.group(2))
            if match.group(4):
                found.add(match.group(4))
    found.discard("")
    labels = set(ACTOR_KIND_LABELS.values()) | set(ACTOR_KIND_NAMES.values())
    return found | labels | set(PLACE_KINDS) | set(COUNT_KINDS_LABELS)


def test_every_interface_string_has_a_spanish_translation() -> None:
    catalog = yaml.safe_load((ROOT / "templates/i18n/es.yaml").read_text(encoding="utf-8"))
    missing = sorted(s for s in template_strings() if s not in catalog)
    assert missing == []
    for english, spanish in catalog.items():
        assert set(re.findall(r"{\w+}", english)) == set(re.findall(r"{\w+}", spanish)), english


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
