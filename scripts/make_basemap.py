"""Build data/curated/basemap.json: country outlines (coastlines and borders) for the offline map.

    python scripts/make_basemap.py            # needs PyPI once; writes data/curated/basemap.json

Source: Natural Earth 1:110m Admin 0 – Countries (public domain, naturalearthdata.com), as
shipped inside the geopandas 0.14.4 wheel (`geopandas/datasets/naturalearth_lowres`). The
wheel is fetched with pip, the shapefile read with a small reader below (polygon records of the
ESRI shapefile format) and every ring written as lon/lat pairs rounded to 0.1° (the map draws at
country scale). Deterministic: the same wheel gives the same bytes.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "curated" / "basemap.json"
WHEEL = "geopandas==0.14.4"
MEMBER = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres"


def read_polygons(shp: bytes) -> list[list[list[tuple[float, float]]]]:
    """Rings of every polygon record of an ESRI shapefile (type 5), as (lon, lat) lists."""
    out, pos = [], 100
    while pos < len(shp):
        _, length = struct.unpack(">ii", shp[pos:pos + 8])
        rec = shp[pos + 8: pos + 8 + 2 * length]
        pos += 8 + 2 * length
        (kind,) = struct.unpack("<i", rec[:4])
        if kind != 5:
            out.append([])
            continue
        n_parts, n_points = struct.unpack("<ii", rec[36:44])
        parts = list(struct.unpack(f"<{n_parts}i", rec[44:44 + 4 * n_parts])) + [n_points]
        pts = struct.unpack(f"<{2 * n_points}d", rec[44 + 4 * n_parts: 44 + 4 * n_parts + 16 * n_points])
        xy = list(zip(pts[0::2], pts[1::2]))
        out.append([xy[a:b] for a, b in zip(parts[:-1], parts[1:])])
    return out


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", tmp, WHEEL], check=True)
        wheel = next(Path(tmp).glob("geopandas-*.whl"))
        shp = zipfile.ZipFile(wheel).read(MEMBER + ".shp")
    rings = []
    for polygon in read_polygons(shp):
        for ring in polygon:
            pts = [(round(x, 1), round(y, 1)) for x, y in ring]
            slim = [p for k, p in enumerate(pts) if k == 0 or p != pts[k - 1]]
            if len(slim) >= 4:
                rings.append([c for p in slim for c in p])
    doc = {"source": "Natural Earth 1:110m Admin 0 - Countries (public domain), via the geopandas 0.14.4 wheel",
           "format": "rings: flat [lon, lat, lon, lat, ...] lists, degrees, rounded to 0.1", "rings": rings}
    OUT.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(rings)} rings, {sum(len(r) for r in rings) // 2:,} points → {OUT} ({OUT.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
