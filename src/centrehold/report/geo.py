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


#: The setting that names the shared data folder when it is not beside the repository.
SHARED_DATA_ENV = "CENTREHOLD_SHARED_DATA"


def shared_data_dirs() -> list[Path]:
    """Where the shared data folder may be, in order: `$CENTREHOLD_SHARED_DATA`, then
    `../shared/data` beside the repository (the layout CI builds: a clone with `shared`
    beside it), then `../shared/data` beside the working directory. No machine's own
    path is assumed: elsewhere, set the variable."""
    dirs: list[Path] = []
    env = os.environ.get(SHARED_DATA_ENV)
    if env:
        dirs.append(Path(env).expanduser())
    repo = Path(__file__).resolve().parents[3]
    for d in (repo.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"):
        if d not in dirs:
            dirs.append(d)
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
