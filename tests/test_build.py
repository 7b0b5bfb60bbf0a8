"""The build command: safety of the output folder, links, sanitising, sub-paths."""

from __future__ import annotations

import ctypes
import gc
import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import quipu.pipeline
from quipu.writer import MARKER

from .conftest import Run, event

GOLDEN = Path(__file__).parent / "golden" / "content"


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_failed_build_leaves_old_output_byte_identical(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    make_site()
    assert cli("build").code == 0
    before = _snapshot(tmp_path / "site")
    assert "events/first-action/index.html" in before
    make_site({"events/1980/broken.md": "---\ntitle: [unclosed\n---\n"})
    run = cli("build")
    assert run.code == 1
    assert "broken.md:3: error: YAML syntax error" in run.err and "starts at line 2" in run.err
    assert _snapshot(tmp_path / "site") == before


def test_template_error_leaves_old_output_and_names_the_template(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    import shutil

    from .conftest import ROOT

    make_site()
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    assert cli("build", "--templates", str(templates)).code == 0
    before = _snapshot(tmp_path / "site")
    (templates / "year.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}\n{{ no_such_thing }}\n{% endblock %}\n"
    )
    run = cli("build", "--templates", str(templates))
    assert run.code == 1
    assert "templates/year.html:3: error: template error" in run.err
    assert _snapshot(tmp_path / "site") == before


def test_refuses_to_replace_a_folder_it_did_not_make(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    make_site()
    precious = tmp_path / "site" / "thesis.txt"
    precious.parent.mkdir()
    precious.write_text("years of work")
    run = cli("build")
    assert run.code == 1
    assert "not made by build.py" in run.err
    assert precious.read_text() == "years of work"


def test_marker_makes_the_folder_ours(make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path) -> None:
    make_site()
    assert cli("build").code == 0
    assert (tmp_path / "site" / MARKER).is_file()
    (tmp_path / "site" / "stale.html").write_text("old")
    assert cli("build").code == 0
    assert not (tmp_path / "site" / "stale.html").exists()


def test_drafts_are_left_out_unless_asked(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    make_site({"events/1981/wip.md": event("Work in progress", "1981-02-03", extra="draft: true\n")})
    assert cli("build").code == 0
    assert not (tmp_path / "site/events/wip/index.html").exists()
    assert cli("build", "--drafts").code == 0
    assert (tmp_path / "site/events/wip/index.html").exists()


def test_strict_build_writes_nothing_on_warnings(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    make_site({"places/town.md": "---\nname: Town\nkind: town\n---\nNo coordinates.\n"})
    assert cli("build", "--strict").code == 1
    assert not (tmp_path / "site").exists()
    assert cli("build").code == 0


def _all_html(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


@pytest.mark.parametrize("base_url", ["/", "/peru-timeline/", "https://example.org/peru-timeline/"])
def test_every_internal_link_resolves(cli: Callable[..., Run], tmp_path: Path, base_url: str) -> None:
    out = tmp_path / "out"
    assert cli("build", "--content", str(GOLDEN), "--out", str(out), "--base-url", base_url).code == 0
    checked = 0
    for page in _all_html(out):
        if page.name == "404.html":
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag, attr in (("a", "href"), ("link", "href")):
            for el in soup.find_all(tag):
                href = el.get(attr)
                if not href or href.startswith(("http://", "https://", "#", "mailto:")):
                    continue
                target = (page.parent / href.split("#")[0]).resolve()
                if href.split("#")[0].endswith("/") or target.is_dir():
                    target = target / "index.html"
                assert target.is_file(), f"{page.relative_to(out)} links to missing {href}"
                assert out.resolve() in target.parents
                checked += 1
    assert checked > 50


def test_404_uses_the_base_path(cli: Callable[..., Run], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", "--content", str(GOLDEN), "--out", str(out), "--base-url", "/peru-timeline/").code == 0
    soup = BeautifulSoup((out / "404.html").read_text(), "html.parser")
    assert soup.find("link", rel="stylesheet")["href"] == "/peru-timeline/static/style.css"


def test_no_script_from_content_reaches_a_page(cli: Callable[..., Run], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", "--content", str(GOLDEN), "--out", str(out)).code == 0
    for page in _all_html(out):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert soup.find("script") is None, page  # built without a search index: no page has a script
        for el in soup.find_all(True):
            for name, value in el.attrs.items():
                assert not name.startswith("on"), (page, el)
                if isinstance(value, str):
                    assert not value.strip().lower().startswith("javascript:"), (page, el)


def test_only_the_search_page_has_scripts_and_only_the_sites_own(cli: Callable[..., Run], tmp_path: Path) -> None:
    from quipu import search

    if not search.available():
        pytest.skip("Pagefind is not installed")
    out = tmp_path / "out"
    assert cli("build", "--content", str(GOLDEN), "--out", str(out), "--search").code == 0
    for page in _all_html(out):
        scripts = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find_all("script")
        rel = page.relative_to(out).as_posix()
        assert all(not s.string for s in scripts), page  # no inline script anywhere
        if rel == "search/index.html":
            assert [s.get("src") for s in scripts] == ["../pagefind/pagefind-ui.js", "../static/search.js"]
        else:  # long lists get the topic filter; nothing else runs a script
            assert all(s.get("src", "").endswith("static/filter.js") for s in scripts), page


def test_event_page_shows_the_facts(cli: Callable[..., Run], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", "--content", str(GOLDEN), "--out", str(out)).code == 0
    soup = BeautifulSoup((out / "events/massacre/index.html").read_text(), "html.parser")
    assert soup.find("h1").get_text() == "Massacre: a disputed toll"
    facts = soup.find("dl", class_="facts").get_text(" ", strip=True)
    assert "April 1983" in facts and "May 1983" in facts
    assert "62–69" in facts
    assert "Only the month is known." in facts
    assert "Village › Vizcatán District › Department" in " ".join(facts.split())
    assert [a.get_text() for a in soup.select("ol.sources cite a")] == ["Final report <script>alert(1)</script>"]
    clash = BeautifulSoup((out / "events/undisclosed-clash/index.html").read_text(), "html.parser")
    assert "The communiqué did not give the date." in clash.get_text()
    assert clash.find("time")["datetime"] == "2023-03"


def test_place_pages_roll_up_events(cli: Callable[..., Run], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", "--content", str(GOLDEN), "--out", str(out)).code == 0

    def titles(slug: str) -> list[str]:
        soup = BeautifulSoup((out / f"places/{slug}/index.html").read_text(), "html.parser")
        return [a.get_text() for a in soup.select("a.event-title")]

    assert titles("department") == ["First action", "Massacre: a disputed toll", "Clash on an undisclosed date"]
    assert titles("region") == titles("department")  # the district is in the region, the village in the district
    assert titles("village") == ["First action", "Massacre: a disputed toll"]


def test_aggregate_estimates_are_shown_but_not_summed(cli: Callable[..., Run], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", "--content", str(GOLDEN), "--out", str(out)).code == 0
    home = BeautifulSoup((out / "index.html").read_text(), "html.parser").find("p", class_="totals").get_text()
    assert "Deaths recorded in these entries: 68–75" in home  # 62–69 + 6, not the 61,007–77,552 estimate
    report = BeautifulSoup((out / "events/commission-report/index.html").read_text(), "html.parser")
    assert "61,007–77,552" in report.find("dl", class_="facts").get_text()
    assert "not the toll of a single event" in report.get_text()


def test_places_are_not_repeated_when_one_contains_another(cli: Callable[..., Run], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", "--content", str(GOLDEN), "--out", str(out)).code == 0
    soup = BeautifulSoup((out / "events/undisclosed-clash/index.html").read_text(), "html.parser")
    where = [li.get_text(" ", strip=True) for li in soup.select("dl.facts ul.plain")[0].find_all("li")]
    assert where == ["Vizcatán District › Department"]


def test_approximate_coordinates_are_marked(cli: Callable[..., Run], tmp_path: Path) -> None:
    import json

    out = tmp_path / "out"
    assert cli("build", "--content", str(GOLDEN), "--out", str(out)).code == 0
    soup = BeautifulSoup((out / "places/village/index.html").read_text(), "html.parser")
    facts = soup.find("dl", class_="facts").get_text(" ", strip=True)
    assert "approximate These are the coordinates of Vizcatán District" in facts
    features = {f["id"]: f for f in json.loads((out / "data/places.geojson").read_text())["features"]}
    assert features["village"]["properties"]["approximate"] is True
    assert features["district"]["properties"]["approximate"] is False


def test_feed_and_sitemap_only_with_an_absolute_base_url(cli: Callable[..., Run], tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    relative, absolute = tmp_path / "relative", tmp_path / "absolute"
    assert cli("build", "--content", str(GOLDEN), "--out", str(relative)).code == 0
    assert not (relative / "feed.xml").exists() and not (relative / "sitemap.xml").exists()
    base = "https://example.org/peru-timeline/"
    assert cli("build", "--content", str(GOLDEN), "--out", str(absolute), "--base-url", base).code == 0
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(absolute / "feed.xml").getroot()
    entries = feed.findall(f"{atom}entry")
    assert [e.find(f"{atom}title").text for e in entries][:2] == [
        "Clash on an undisclosed date",
        "The commission's final report",
    ]
    assert feed.find(f"{atom}updated").text == "2023-03-01T00:00:00Z"
    sitemap = ET.parse(absolute / "sitemap.xml").getroot()
    locs = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert base in locs and base + "events/massacre/" in locs and not any(loc.endswith("404.html") for loc in locs)


def test_the_timeline_strip_covers_every_year_with_deaths_as_a_band(cli: Callable[..., Run], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", "--content", str(GOLDEN), "--out", str(out)).code == 0
    soup = BeautifulSoup((out / "index.html").read_text(), "html.parser")
    svg = soup.find("figure", class_="strip").find("svg")
    links = svg.find_all("a")
    assert [a["href"] for a in links] == [
        "years/1980/",
        "years/1983/",
        "years/2003/",
        "years/2023/",
    ]  # years with events
    labels = {a["aria-label"] for a in links}
    assert "1983: 1 event, 62–69 deaths recorded" in labels
    band = links[1]
    low, high = band.find("rect", class_="deaths-low"), band.find("rect", class_="deaths-high")
    assert float(low["height"]) < float(high["height"])  # the band runs from the lowest to the highest figure
    # The 2003 estimate for the whole conflict is shown on its page, never added into a year's deaths.
    assert "2003: 1 event" in labels and not any(label.startswith("2003: 1 event,") for label in labels)
    assert [s.get_text() for s in soup.select(".strip-ticks span")] == ["1980", "1990", "2000", "2010", "2020"]
    rows = soup.find("details", class_="figures").find_all("tr")
    assert len(rows) == 1 + 44  # the same figures as a table, every year of the period, empty ones too


def test_a_named_pipe_in_content_does_not_hang(make_site: Callable[..., Path], cli: Callable[..., Run]) -> None:
    import os

    content = make_site()
    os.mkfifo(content / "events/1980/pipe.md")
    run = cli("check")
    assert run.code == 1
    assert "content/events/1980/pipe.md:1: error: not a regular file" in run.err


def test_broken_interface_catalog_is_reported_with_its_line(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    import shutil

    from .conftest import ROOT

    make_site({"site.yaml": "title: T\nlanguage: es\n"})
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "i18n/es.po").write_text('msgid "Timeline"\nmsgstr "Cronología\n\nmsgid "Actors"\n', encoding="utf-8")
    run = cli("build", "--templates", str(templates))
    assert run.code == 1
    assert "templates/i18n/es.po:" in run.err and "error: cannot read the catalog" in run.err
    assert "Traceback" not in run.err
    # A catalog kept as YAML ('English text: translation' lines) is still read, and its errors located.
    (templates / "i18n/es.po").unlink()
    (templates / "i18n/es.yaml").write_text("Timeline: Cronología\nActors: [unclosed\n", encoding="utf-8")
    run = cli("build", "--templates", str(templates))
    assert run.code == 1
    assert "templates/i18n/es.yaml:3: error: YAML syntax error" in run.err
    assert "Traceback" not in run.err
    (templates / "i18n/es.yaml").write_text("Timeline: Línea de tiempo\n", encoding="utf-8")
    assert cli("build", "--templates", str(templates)).code == 0
    assert "Línea de tiempo" in (tmp_path / "site/index.html").read_text(encoding="utf-8")


def test_unwritable_output_is_a_sentence_with_a_fix(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import quipu.writer

    content = make_site()
    assert cli("build").code == 0
    before = _snapshot(tmp_path / "site")
    (content / "events/1980/first-action.md").write_text(event(body="Something else happened."))

    def full_disk(self: object, rel: str, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(quipu.writer.Update, "stage", full_disk)
    run = cli("build", "--jobs", "1")
    assert run.code == 1
    assert "error: cannot write the site to site: No space left on device" in run.err
    assert "Traceback" not in run.err
    assert _snapshot(tmp_path / "site") == before
    assert not any(p.name.startswith(".site.") for p in tmp_path.iterdir())


def test_year_pages_place_events_on_months_without_inventing_days(cli: Callable[..., Run], tmp_path: Path) -> None:
    from quipu.charts import year_months
    from quipu.dates import parse_date

    out = tmp_path / "out"
    assert cli("build", "--content", str(GOLDEN), "--out", str(out)).code == 0
    svg = BeautifulSoup((out / "years/1983/index.html").read_text(), "html.parser").find("figure", class_="months")
    span = svg.find("rect", class_="span")
    assert span is not None and svg.find("rect", class_="day") is None  # April-May 1983 is known only to the month
    assert float(span["x"]) == 150 and float(span["width"]) == 100  # from the start of April to the end of May
    assert [s.get_text() for s in svg.select(".months-ticks span")][:3] == ["Jan", "Feb", "Mar"]

    class E:  # the fields year_months reads
        def __init__(self, slug: str, start: str, end: str | None = None) -> None:
            self.slug, self.title, self.lang, self.date_note = slug, slug, "", None
            self.date, self.end_date = parse_date(start), parse_date(end) if end else None

    marks = {m.slug: m for m in year_months(1992, [E("day", "1992-09-12"), E("month", "1992-07"), E("year", "1992")])}  # type: ignore[list-item]
    assert marks["day"].width == 0 and marks["day"].precision == "day"
    assert marks["month"].width == 50 and marks["month"].x == 300
    assert marks["year"].width == 600 and marks["year"].x == 0


def test_a_build_does_not_need_malloc_trim(
    make_site: Callable[..., Path], cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Giving free memory back before the workers fork is glibc's; with another C library the build goes on."""
    monkeypatch.setattr(quipu.pipeline, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(ctypes, "CDLL", lambda name: object())  # a library without malloc_trim
    make_site()
    run = cli("build", "--jobs", "2")
    assert run.code == 0, run.err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_what_a_build_read_is_collectable_again_when_it_ends(
    make_site: Callable[..., Path], cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    """A build keeps what it read out of the collector's scans while it runs (it lives until the end); `serve`
    builds again in the same process, so each build, good or failed, lets go of it when it ends."""
    monkeypatch.setattr(quipu.pipeline, "PARALLEL_THRESHOLD", 1)
    frozen: list[int] = []
    plan = quipu.pipeline.plan_pages

    def planning(*args: object, **kwargs: object) -> object:
        frozen.append(gc.get_freeze_count())
        return plan(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(quipu.pipeline, "plan_pages", planning)
    make_site()
    assert cli("build", "--jobs", jobs).code == 0
    assert frozen and frozen[0] > 0  # frozen while the build ran
    assert gc.get_freeze_count() == 0
    make_site({"events/1980/broken.md": "---\ntitle: [unclosed\n---\n"})
    assert cli("build", "--jobs", jobs).code == 1
    assert gc.get_freeze_count() == 0
    make_site({"events/1980/broken.md": "---\ntitle: Fixed\ndate: 1980-05-17\n---\n"})
    monkeypatch.setattr(quipu.pipeline, "plan_pages", lambda *a, **k: (_ for _ in ()).throw(OSError("disk")))
    assert cli("build", "--jobs", jobs).code != 0  # an error the command reports as a sentence
    assert gc.get_freeze_count() == 0


def test_pages_that_list_the_most_are_made_first_in_shares_of_about_the_same_cost() -> None:
    """A long list made last would leave one worker making it while the other waits."""
    from quipu.pages import Page
    from quipu.pipeline import PAGE_COST, _shares, heaviest_first

    weights = [0, 0, 3000, 0, 40, *[0] * 300, 7, 0]
    pages = [Page(f"p{i}/", "t.html", {}, weight=w) for i, w in enumerate(weights)]
    ordered = heaviest_first(pages)
    assert [p.weight for p in ordered[:3]] == [3000, 40, 7]
    assert ordered[3:] == [p for p in pages if not p.weight]  # the others as they were
    bounds = _shares(ordered, 2)
    assert bounds[0] == (0, 1)  # the long list alone, taken first
    assert bounds[-1][1] == len(pages)
    assert all(a[1] == b[0] and a[0] < a[1] for a, b in itertools.pairwise(bounds))
    costs = [sum(PAGE_COST + p.weight for p in ordered[a:b]) for a, b in bounds]
    target = -(-sum(costs) // 16)
    assert len(bounds) <= 16
    assert all(target <= cost < target + PAGE_COST for cost in costs[1:-1])  # each closed by its last page
    assert costs[-1] < target + PAGE_COST


def test_a_page_weighs_as_many_items_as_it_lists(make_site: Callable[..., Path]) -> None:
    from .conftest import ROOT

    content = make_site()
    loaded = quipu.pipeline.load(quipu.pipeline.Options(content=content, templates=ROOT / "templates", git_dates=False))
    assert loaded.corpus is not None
    locales = quipu.pipeline.load_locales([ROOT / "templates"], loaded.corpus.site)
    pages = quipu.pipeline.plan_pages(loaded.editions, locales)
    seen = set()
    for page in pages:
        values = page.values()
        if page.template in ("year.html", "place.html", "tag.html", "period.html"):
            assert page.weight == len(values["events"]), page.url
        elif page.template == "actor.html":
            assert page.weight == len(values["events"]) + len(values["attributed"]), page.url
        elif page.template == "events.html":
            assert page.weight == values["total"] == len(loaded.corpus.events)
        else:
            assert page.weight == 0, page.url
        seen.add(page.template)
        assert page.weight >= 0
    assert {"year.html", "place.html", "actor.html", "events.html", "event.html"} <= seen
    assert any(page.weight for page in pages)


def test_a_few_pages_are_made_in_workers_only_when_they_list_many_items() -> None:
    """An edit's few pages include long lists at a large site; at a small one they are made in the process."""
    from quipu.pages import Page
    from quipu.pipeline import PAGE_COST, PARALLEL_THRESHOLD, use_workers

    light = [Page(f"p{i}/", "t.html", {}) for i in range(16)]
    assert not use_workers(light, 2)
    heavy = [*light, Page("events/", "events.html", {}, weight=PARALLEL_THRESHOLD * PAGE_COST)]
    assert use_workers(heavy, 2)
    assert not use_workers(heavy, 1)
    assert use_workers([Page(f"p{i}/", "t.html", {}) for i in range(PARALLEL_THRESHOLD)], 2)
