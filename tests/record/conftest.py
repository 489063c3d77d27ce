"""Shared fixtures for the record tests: writers of small files in the published layouts."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

# the shared data folder sits beside the repository (as in CI); /work/shared is the fallback
SHARED = next(
    (d for d in (Path(__file__).resolve().parents[2].parent / "shared" / "data",
                 Path("/work/shared/data")) if d.is_dir()),
    Path(__file__).resolve().parents[2].parent / "shared" / "data",
)

# UCDP GED's published CSV column layout (GED 25.1 order).
GED_COLUMNS = [
    "id", "relid", "year", "active_year", "code_status", "type_of_violence",
    "conflict_dset_id", "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id",
    "dyad_name", "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id",
    "side_b_new_id", "side_b", "number_of_sources", "source_article", "source_office",
    "source_date", "source_headline", "source_original", "where_prec", "where_coordinates",
    "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec",
    "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown",
    "best", "high", "low", "gwnoa", "gwnob",
]

ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
]


def ged_row(**values: object) -> dict[str, object]:
    """A GED row with plausible defaults; keyword arguments override columns."""
    row: dict[str, object] = {c: "" for c in GED_COLUMNS}
    row.update(
        id=1, relid="IRQ-2009-1-1", year=2009, active_year=1, code_status="Clear",
        type_of_violence=3, conflict_name="IS - civilians", dyad_name="IS - civilians",
        side_a="IS", side_b="Civilians", where_prec=1, where_coordinates="Baghdad town",
        adm_1="Baghdad province", adm_2="Baghdad district", latitude=33.3, longitude=44.4,
        country="Iraq", country_id=645, region="Middle East",
        date_start="2009-01-05 00:00:00.000", date_end="2009-01-05 00:00:00.000",
        deaths_a=0, deaths_b=0, deaths_civilians=5, deaths_unknown=0, best=5, high=7, low=4,
    )
    row.update(values)
    return row


def write_csv(path: Path, columns: list[str], rows: list[dict[str, object]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


@pytest.fixture
def shared_data() -> Path:
    if not (SHARED / "SOURCES.md").exists():
        pytest.skip("the raw record in /work/shared/data is absent (tests of the real files)")
    return SHARED


class Layouts:
    """The helpers above, as one fixture (test modules cannot import a conftest by name)."""

    GED_COLUMNS = GED_COLUMNS
    ACLED_COLUMNS = ACLED_COLUMNS
    ged_row = staticmethod(ged_row)
    write_csv = staticmethod(write_csv)

    def ged(self, path: Path, rows: list[dict[str, object]]) -> Path:
        return write_csv(path, GED_COLUMNS, rows)

    def acled(self, path: Path, rows: list[dict[str, object]]) -> Path:
        return write_csv(path, ACLED_COLUMNS, rows)


@pytest.fixture
def layouts() -> Layouts:
    return Layouts()
