"""Maps drawn at build time: the site's own base map (content/map/departments.geojson), no tiles, no requests.

Pure geometry: a projection fitted to the map, SVG path data for the shapes,
points for places with coordinates, a hull around the members of a region,
and shading classes from recorded deaths. The templates turn these into SVG
that works without JavaScript and prints, with the same figures in a table.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem
from .locales import collation_key
from .model import Event, Place, deaths

BASEMAP = Path("map") / "departments.geojson"  # inside the content folder
WIDTH = 400.0
SHADES = 5  # classes of recorded deaths, 1..5; 0 is none recorded


@dataclass(frozen=True)
class Shape:
    """One unit of the base map (a department), as rings of (longitude, latitude)."""

    key: str  # the base map's id, e.g. PE-AYA
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]


@dataclass(frozen=True)
class Basemap:
    shapes: tuple[Shape, ...]
    credit: str
    bounds: tuple[float, float, float, float]  # west, south, east, north

    def shape_named(self, name: str) -> Shape | None:
        key = collation_key(name, "es")[0]
        return next((s for s in self.shapes if collation_key(s.name, "es")[0] == key), None)


def load_basemap(content: Path) -> Basemap | Problem | None:
    """The base map of a content folder, or None when it has none (the site then has no map pages)."""
    path = content / BASEMAP
    if not path.is_file() or path.is_symlink():
        return None  # a link is refused where content is walked (quipu.source.find_files), never followed
    shown = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        shapes = []
        for feature in data["features"]:
            geometry = feature["geometry"]
            polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
            rings = tuple(tuple((float(x), float(y)) for x, y in ring) for polygon in polygons for ring in polygon)
            props = feature["properties"]
            shapes.append(Shape(str(props["iso"]), str(props["name"]), rings))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Problem(shown, 1, f"cannot read the base map ({exc}); regenerate it with tools/make_departments.py")
    points = [p for s in shapes for ring in s.rings for p in ring]
    if not points:
        return Problem(shown, 1, "the base map has no shapes; regenerate it with tools/make_departments.py")
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return Basemap(tuple(shapes), str(data.get("credit", "")), (min(xs), min(ys), max(xs), max(ys)))


@dataclass(frozen=True)
class Projection:
    """Equirectangular, scaled by the cosine of the middle latitude, fitted to a width."""

    west: float
    north: float
    scale: float
    kx: float
    height: float
    digits: int = 1  # decimals kept: a small map needs none, and its paths shrink by half

    @classmethod
    def fit(cls, bounds: tuple[float, float, float, float], width: float = WIDTH, digits: int = 1) -> Projection:
        west, south, east, north = bounds
        kx = math.cos(math.radians((south + north) / 2))
        scale = width / ((east - west) * kx)
        return cls(west, north, scale, kx, round((north - south) * scale, 1), digits)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        x = round((lon - self.west) * self.kx * self.scale, self.digits)
        y = round((self.north - lat) * self.scale, self.digits)
        return x, y


def path_data(shape: Shape, project: Projection) -> str:
    """SVG path data for a shape; consecutive points that round to the same spot are dropped."""
    parts = []
    for ring in shape.rings:
        points: list[tuple[float, float]] = []
        for lon, lat in ring:
            point = project(lon, lat)
            if not points or point != points[-1]:
                points.append(point)
        if len(points) >= 3:
            parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z")
    return "".join(parts)


def hull(points: Iterable[tuple[float, float]], pad: float = 6.0) -> str:
    """Path data of the convex hull around points, padded (a region drawn around its members)."""
    pts = sorted(set(points))
    if not pts:
        return ""

    def box() -> str:  # one point, or points on a line: their padded bounding box
        x0, x1 = min(p[0] for p in pts) - pad, max(p[0] for p in pts) + pad
        y0, y1 = min(p[1] for p in pts) - pad, max(p[1] for p in pts) + pad
        return f"M{x0:g},{y0:g}L{x1:g},{y0:g}L{x1:g},{y1:g}L{x0:g},{y1:g}Z"

    if len(pts) < 3:
        return box()

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    ring = lower[:-1] + upper[:-1]
    if len(ring) < 3:
        return box()
    cx, cy = sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    padded = []
    for x, y in ring:
        dx, dy = x - cx, y - cy
        d = math.hypot(dx, dy) or 1.0
        padded.append((round(x + dx / d * pad, 1), round(y + dy / d * pad, 1)))
    return "M" + "L".join(f"{x:g},{y:g}" for x, y in padded) + "Z"


def shade_class(high: int, peak: int) -> int:
    """0 when no deaths are recorded, else 1..SHADES on a square-root scale of the highest figure."""
    if high <= 0 or peak <= 0:
        return 0
    return min(SHADES, 1 + int(math.sqrt(high / peak) * SHADES - 1e-9))


@dataclass(frozen=True)
class Unit:
    """A shape of the map with the figures of the events within its place entry."""

    key: str
    name: str
    d: str
    place: Place | None  # the department's entry, when the site has one
    events: int
    low: int
    high: int
    shade: int


def match_departments(basemap: Basemap, departments: Sequence[Place]) -> dict[str, Place]:
    """Shape key → the department entry whose name (or an alias) is the shape's name."""
    by_key: dict[str, Place] = {}
    for place in departments:
        for name in (place.name, *place.aliases):
            shape = basemap.shape_named(name)
            if shape is not None:
                by_key.setdefault(shape.key, place)
                break
    return by_key


def units(
    basemap: Basemap,
    paths: Mapping[str, str],
    by_key: dict[str, Place],
    events_within: Mapping[str, Sequence[Event]],
    peak: int | None = None,
) -> tuple[Unit, ...]:
    """Every shape with the events and the deaths range within its department; shaded against `peak`."""
    figures = {}
    for key, entry in by_key.items():
        within = events_within.get(entry.slug, [])
        recorded = deaths(within)
        figures[key] = (len(within), recorded.low, recorded.high)
    top = peak if peak is not None else max((f[2] for f in figures.values()), default=0)
    out = []
    for shape in basemap.shapes:
        count, low, high = figures.get(shape.key, (0, 0, 0))
        place = by_key.get(shape.key)
        name = place.name if place else shape.name
        out.append(Unit(shape.key, name, paths[shape.key], place, count, low, high, shade_class(high, top)))
    return tuple(out)
