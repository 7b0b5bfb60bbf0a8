"""Map geometry: projection, paths, hulls, shading; and the map pages of a small site."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from quipu.maps import Projection, Shape, hull, path_data, shade_class

from .conftest import ROOT, Run

BILINGUAL = ROOT / "tests/golden-bilingual/content"


def test_the_projection_fits_the_bounds_to_the_width() -> None:
    project = Projection.fit((-81.0, -18.0, -69.0, 0.0), 400)
    assert project(-81.0, 0.0) == (0.0, 0.0)
    assert project(-69.0, -18.0) == (400.0, project.height)
    assert project.height > 400 * 18 / 12  # a degree of longitude is shorter than one of latitude here


def test_paths_drop_repeated_points_and_tiny_rings() -> None:
    project = Projection.fit((0.0, 0.0, 10.0, 10.0), 10)
    shape = Shape("X", "x", (((0.0, 10.0), (0.001, 10.0), (10.0, 10.0), (10.0, 0.0)), ((5.0, 5.0), (5.0, 5.0))))
    assert path_data(shape, project) == "M0,0L10,0L10,10Z"


@given(st.lists(st.tuples(st.floats(0, 400), st.floats(0, 400)), min_size=1, max_size=40))
def test_the_hull_encloses_every_point(points: list[tuple[float, float]]) -> None:
    d = hull(points, pad=6)
    assert d.startswith("M") and d.endswith("Z")
    corners = [tuple(map(float, c.split(","))) for c in d[1:-1].split("L")]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    for x, y in points:
        assert min(xs) - 0.2 <= x <= max(xs) + 0.2 and min(ys) - 0.2 <= y <= max(ys) + 0.2


def test_shading_is_none_for_no_deaths_and_grows_with_the_highest_figure() -> None:
    assert shade_class(0, 100) == 0
    assert shade_class(1, 100) == 1
    assert shade_class(100, 100) == 5
    assert [shade_class(n, 900) for n in (9, 100, 400, 900)] == sorted(shade_class(n, 900) for n in (9, 100, 400, 900))


def test_the_map_page_in_both_languages(cli: Callable[..., Run], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", "--content", str(BILINGUAL), "--out", str(out)).code == 0
    for prefix, title in (("", "Map"), ("es/", "Mapa")):
        soup = BeautifulSoup((out / prefix / "map/index.html").read_text(), "html.parser")
        assert soup.find("h1").get_text() == title
        svg = soup.find("figure", class_="map").find("svg")
        assert svg.find("title") and svg.find("desc")  # named and described for screen readers
        units = svg.find_all("path", class_="unit")
        assert len(units) == 2
        shaded = [u for u in units if "s0" not in u["class"]]
        assert len(shaded) == 1 and shaded[0].find("title").get_text().startswith("Department")
        points = svg.find_all("circle")
        assert len(points) == 2 and any("approximate" in c["class"] for c in points)  # the village borrows coordinates
        assert svg.find("path", class_="region") is not None  # the valley, drawn around its members
        rows = soup.find("table").find("tbody").find_all("tr")
        assert [r.find("th").get_text() for r in rows] == ["Department"]
        assert len(soup.select(".multiples figure")) == 2  # one small map per stage
        assert "Test shapes, not real borders." in soup.find("p", class_="credit").get_text()
    event = BeautifulSoup((out / "es/events/massacre/index.html").read_text(), "html.parser")
    locator = event.find("figure", class_="locator")
    assert locator is not None and locator.find("path", class_="here") is not None and locator.find("circle")


def test_a_site_without_a_base_map_has_no_map_page(cli: Callable[..., Run], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", "--content", str(ROOT / "tests/golden/content"), "--out", str(out)).code == 0
    assert not (out / "map").exists()
    assert 'href="map/"' not in (out / "index.html").read_text()
