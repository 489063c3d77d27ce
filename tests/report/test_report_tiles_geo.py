"""The tile layout and the boundary file agree with the governorate table."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from centrehold.report import geo, tiles

DATA = next((d for d in geo.shared_data_dirs() if (d / "governorates.csv").is_file()), None)
needs_data = pytest.mark.skipif(DATA is None, reason="shared data folder not present")


def test_tiles_are_unique():
    pos = [(c, r) for _, c, r in tiles.GOVERNORATES.values()]
    assert len(tiles.GOVERNORATES) == 18 and len(set(pos)) == 18
    assert tiles.tile_position("IQ-BG") == (1, 3) and tiles.tile_position("IQ-XX") is None


@needs_data
def test_tiles_cover_the_governorate_table():
    with open(DATA / "governorates.csv", encoding="utf-8") as fh:
        isos = {row["iso_3166_2"] for row in csv.DictReader(fh)}
    assert isos == set(tiles.GOVERNORATES)


@needs_data
def test_tile_neighbours_are_mostly_real_neighbours():
    """Tiles that touch should mostly be governorates that share a border (2019 COD-AB)."""
    with open(DATA / "governorate_adjacency.csv", encoding="utf-8") as fh:
        adj = {frozenset((r["iso_a"], r["iso_b"])) for r in csv.DictReader(fh)}
    at = {(c, r): iso for iso, (_, c, r) in tiles.GOVERNORATES.items()}
    pairs = [(iso, at[(c + dc, r + dr)]) for (c, r), iso in at.items()
             for dc, dr in ((1, 0), (0, 1)) if (c + dc, r + dr) in at]
    real = sum(frozenset(p) in adj for p in pairs)
    assert len(pairs) >= 20 and real / len(pairs) >= 0.8


@needs_data
def test_boundaries_load_with_iso_codes(monkeypatch):
    gj = geo.load_boundaries()
    assert gj is not None
    assert {f["properties"]["iso_3166_2"] for f in gj["features"]} == set(tiles.GOVERNORATES)
    assert all(geo.polygons(f) for f in gj["features"])
    monkeypatch.setenv("CENTREHOLD_NO_BOUNDARIES", "1")
    assert geo.find_boundaries() is None


def test_shared_data_is_found_by_the_setting_or_beside_the_repository(monkeypatch, tmp_path):
    folder = tmp_path / "elsewhere"
    (folder / geo.BOUNDARY_FILE).parent.mkdir(parents=True)
    (folder / geo.BOUNDARY_FILE).write_text('{"type": "FeatureCollection", "features": []}')
    monkeypatch.setenv(geo.SHARED_DATA_ENV, str(folder))
    assert geo.shared_data_dirs()[0] == folder
    assert geo.find_boundaries() == folder / geo.BOUNDARY_FILE
    monkeypatch.delenv(geo.SHARED_DATA_ENV)
    monkeypatch.chdir(tmp_path)
    repo = Path(geo.__file__).resolve().parents[3]
    # no machine path: only the layout beside the repository and beside the working folder
    assert geo.shared_data_dirs() == [repo.parent / "shared" / "data",
                                      tmp_path.parent / "shared" / "data"]
