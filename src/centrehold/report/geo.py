"""Finding the governorate boundaries at run time.

The boundary file (OCHA/CSO Iraq COD-AB, simplified) is read where the shared data lives
and is never copied into the project or into a report directory other than as the
geometry plotly needs inside the HTML. Without it the report falls back to tiles.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

BOUNDARY_FILE = Path("boundaries") / "iraq_adm1_governorates_simplified.geojson"
BOUNDARY_SOURCE = "Boundaries: OCHA/CSO Iraq COD-AB adm1 (2019), simplified; CC BY-IGO"


def shared_data_dirs() -> list[Path]:
    """Where the shared data folder may be: an explicit variable first, then beside the repo."""
    dirs: list[Path] = []
    env = os.environ.get("CENTREHOLD_SHARED_DATA")
    if env:
        dirs.append(Path(env))
    repo = Path(__file__).resolve().parents[3]
    dirs += [repo.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]
    dirs.append(Path("/work/shared/data"))
    return dirs


def find_boundaries() -> Path | None:
    """The boundary GeoJSON if it is present at run time, else None (tile map)."""
    if os.environ.get("CENTREHOLD_NO_BOUNDARIES"):
        return None
    for d in shared_data_dirs():
        p = d / BOUNDARY_FILE
        if p.is_file():
            return p
    return None


def load_boundaries(path: Path | None = None) -> dict | None:
    """GeoJSON FeatureCollection keyed by `properties.iso_3166_2`, or None when absent."""
    path = path or find_boundaries()
    if path is None:
        return None
    with open(path, encoding="utf-8") as fh:
        gj = json.load(fh)
    if not all("iso_3166_2" in f.get("properties", {}) for f in gj.get("features", [])):
        return None
    return gj


def polygons(feature: dict) -> list[list[tuple[float, float]]]:
    """Outer rings of a Polygon or MultiPolygon feature as (lon, lat) lists, for matplotlib."""
    geom = feature["geometry"]
    if geom["type"] == "Polygon":
        return [list(map(tuple, geom["coordinates"][0]))]
    if geom["type"] == "MultiPolygon":
        return [list(map(tuple, poly[0])) for poly in geom["coordinates"]]
    return []
