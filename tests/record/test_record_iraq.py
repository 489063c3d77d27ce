"""The bundled iraq-2009 record: checked against SOURCES.md and against the raw files."""

from __future__ import annotations

import filecmp
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from centrehold.errors import UserError
from centrehold.record import (
    SIZE_CLASSES,
    iraq_incident_sizes,
    iraq_observed,
    iraq_panel,
    iraq_region_map,
    iraq_size_classes,
    mixed_governorates,
    size_class,
)
from centrehold.record.observations import UNKNOWN_REGION, EvidenceInput

ROOT = Path(__file__).resolve().parents[2]

# SOURCES.md, "Check against IBC's table": this record's 2009 national monthly maxima.
SOURCES_2009_MAXIMA = [280, 336, 426, 475, 327, 490, 393, 585, 299, 404, 204, 452]
# IBC's own published table (includes War Logs rows; may date multi-day incidents otherwise).
IBC_PUBLISHED_2009_MAXIMA = [280, 349, 416, 494, 329, 492, 396, 586, 301, 404, 209, 457]


def test_panel_is_complete_and_matches_the_stated_totals():
    panel = iraq_panel()
    assert len(panel) == 36 * 19
    assert set(panel["region"]) == set(iraq_region_map().regions) | {UNKNOWN_REGION}
    # SOURCES.md: 2008-2010 holds 6,676 incidents, 16,606 minimum and 17,970 maximum deaths.
    assert panel["incidents"].sum() == 6676
    assert panel["deaths_low"].sum() == 16606 and panel["deaths_high"].sum() == 17970
    assert (panel["deaths_low"] <= panel["deaths_high"]).all()


def test_2009_national_maxima_match_sources_and_stay_near_ibc_table():
    panel = iraq_panel("2009-01", "2009-12")
    maxima = panel.groupby("month")["deaths_high"].sum().astype(int).tolist()
    assert maxima == SOURCES_2009_MAXIMA
    # Excluded War Logs rows and start-date dating move months by a few percent only
    # (March is above IBC's table: multi-day incidents dated by their start).
    for ours, ibc in zip(maxima, IBC_PUBLISHED_2009_MAXIMA, strict=True):
        assert abs(ours - ibc) <= 0.05 * ibc
    assert sum(maxima) < sum(IBC_PUBLISHED_2009_MAXIMA)


def test_unplaced_share_of_2009_deaths_as_sources_states():
    panel = iraq_panel("2009-01", "2009-12")
    unknown = panel.loc[panel["region"] == UNKNOWN_REGION, "deaths_high"].sum()
    # SOURCES.md: about 12% of 2009 deaths (554 of 4,671, counted on the maxima) have no
    # province.
    assert (unknown, panel["deaths_high"].sum()) == (554, 4671)


def test_sizes_and_classes_agree_with_the_panel():
    for bound in ("low", "high"):
        sizes = iraq_incident_sizes(bound=bound)
        assert len(sizes) == iraq_panel()["incidents"].sum()
        assert sizes.sum() == iraq_panel()[f"deaths_{bound}"].sum()
    classes = iraq_size_classes()
    assert list(classes["size_class"].unique()) == list(SIZE_CLASSES)
    by_month = classes.groupby("month")[["incidents_by_min", "incidents_by_max"]].sum()
    incidents = iraq_panel().groupby("month")["incidents"].sum()
    assert (by_month["incidents_by_min"] == incidents).all()
    assert (by_month["incidents_by_max"] == incidents).all()
    counts = pd.Series(size_class(iraq_incident_sizes(bound="high"))).value_counts()
    totals = classes.groupby("size_class")["incidents_by_max"].sum()
    assert all(counts.get(label, 0) == totals[label] for label in SIZE_CLASSES)


def test_size_class_edges():
    got = size_class(np.array([0, 1, 2, 4, 5, 9, 10, 19, 20, 49, 50, 500]))
    assert got.tolist() == ["0", "1", "2-4", "2-4", "5-9", "5-9", "10-19", "10-19", "20-49",
                            "20-49", "50+", "50+"]


def test_iraq_observed_window_and_bounds():
    inp = iraq_observed()
    assert isinstance(inp, EvidenceInput)
    months = inp.monthly["month"]
    assert months.min() == pd.Timestamp("2008-01-01") and months.max() == pd.Timestamp("2009-12-01")
    low = iraq_observed(bound="low")
    mid = iraq_observed(bound="mid")
    assert low.monthly["deaths"].sum() < inp.monthly["deaths"].sum()
    assert mid.monthly["deaths"].sum() == pytest.approx(
        (low.monthly["deaths"].sum() + inp.monthly["deaths"].sum()) / 2
    )
    assert inp.sizes.sum() == inp.monthly["deaths"].sum()
    with pytest.raises(UserError, match="covers 2008-01..2010-12"):
        iraq_observed("2007-01", "2009-12")
    with pytest.raises(UserError, match="low, high or mid"):
        iraq_observed(bound="best")


def test_mixed_class_table_matches_the_evidence_default():
    from centrehold.scenario import load_scenario

    # the record's hand-assigned classes and the scenario's rule (no community holds 80%)
    assert mixed_governorates() == tuple(sorted(load_scenario("iraq-2009").mixed_regions()))


def test_bundled_panel_equals_the_shared_panel(shared_data):
    """Peer oracle: the panel SOURCES.md's author built independently from the same file."""
    shared = pd.read_csv(shared_data / "ibc/derived_ibc_governorate_month_excl-wikileaks.csv")
    shared = shared[(shared["month"] >= "2008-01") & (shared["month"] <= "2010-12")]
    shared = shared.rename(columns={"iso_3166_2": "region", "deaths_min": "deaths_low",
                                    "deaths_max": "deaths_high"})
    ours = iraq_panel().assign(month=lambda f: f["month"].dt.strftime("%Y-%m"))
    merged = ours.merge(shared, on=["month", "region"], suffixes=("", "_shared"),
                        validate="one_to_one")
    assert len(merged) == len(ours) == len(shared)
    for column in ("incidents", "deaths_low", "deaths_high"):
        assert (merged[column] == merged[f"{column}_shared"]).all(), column


def test_derive_script_reproduces_the_bundled_tables(shared_data, tmp_path):
    spec = importlib.util.spec_from_file_location(
        "derive_iraq_record", ROOT / "scripts/derive_iraq_record.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--data", str(shared_data), "--out", str(tmp_path)]) == 0
    bundled = ROOT / "src/centrehold/record/bundled"
    for path in sorted(tmp_path.glob("*.csv")):
        assert filecmp.cmp(path, bundled / path.name, shallow=False), path.name
    assert len(list(tmp_path.glob("*.csv"))) == 7


def test_aggregating_the_raw_coded_file_gives_the_sources_maxima(shared_data):
    """The SOURCES.md check, from the raw file through reader, mapping and aggregation."""
    from centrehold.record import import_record

    path = shared_data / "ibc/IBC_event_province-coded_excl-wikileaks.csv"
    _events, table, report = import_record(path, "ibc-province")
    year = table[(table["period"] >= "2009-01-01") & (table["period"] <= "2009-12-01")]
    maxima = year.groupby("period")["deaths_high"].sum().astype(int).tolist()
    assert maxima == SOURCES_2009_MAXIMA
    assert report.unmatched == {} and len(report.malformed) == 20
