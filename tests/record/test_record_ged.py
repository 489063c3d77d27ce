"""UCDP GED reader: the published layout, malformed rows, partial extracts, encodings."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from centrehold.errors import UserError
from centrehold.record import (
    aggregate,
    assign_regions,
    detect_format,
    frame_to_events,
    import_record,
    iraq_region_map,
    read_ged,
)


def test_reads_published_layout_with_types_actors_and_ranges(tmp_path, layouts):
    rows = [
        layouts.ged_row(id=11, best=5, low=4, high=7),
        layouts.ged_row(
            id=12, type_of_violence=1, side_a="Government of Iraq", side_b="IS",
            adm_1="Ninawa province", date_start="2009-02-27", date_end="2009-03-02",
            best=20, low=20, high=25,
        ),
        layouts.ged_row(id=13, country="Syria", adm_1="Aleppo governorate"),
    ]
    path = layouts.ged(tmp_path / "ged.csv", rows)
    assert detect_format(path) == "ged"
    events, report = read_ged(path, country="iraq")
    assert report.rows_read == 3 and report.filtered_out == 1 and report.malformed == []
    assert report.notes == []
    events = assign_regions(events, iraq_region_map(), report)
    first, second = frame_to_events(events)
    assert (first.source_id, first.line) == ("11", 2)
    assert (first.region, first.type) == ("IQ-BG", "one-sided")
    assert (first.deaths_low, first.deaths_best, first.deaths_high) == (4.0, 5.0, 7.0)
    assert first.actors == ("IS", "Civilians")
    assert second.region == "IQ-NI" and second.type == "state-based"
    assert str(second.start) == "2009-02-27" and str(second.end) == "2009-03-02"
    table = aggregate(events, by_type=True)
    # The multi-day event counts in the month it started.
    assert table["period"].dt.strftime("%Y-%m").tolist() == ["2009-01", "2009-02"]
    assert table["deaths_high"].tolist() == [7.0, 25.0]


def test_malformed_rows_are_listed_with_their_lines_and_left_out(tmp_path, layouts):
    rows = [
        layouts.ged_row(id=1),                                     # line 2: good
        layouts.ged_row(id=2, date_start="2009-13-45"),            # line 3
        layouts.ged_row(id=3, best=-1, low=-2, high=0),            # line 4
        layouts.ged_row(id=4, best=5, low=9, high=7),              # line 5
        layouts.ged_row(id=5, best=50, low=4, high=7),             # line 6
        layouts.ged_row(id=6, source_article="two\nlines"),        # lines 7-8: good
        layouts.ged_row(id=7, type_of_violence=9),                 # line 9
        layouts.ged_row(id=8, date_end="2008-12-31"),              # line 10
        layouts.ged_row(id=9, best=""),                            # line 11
    ]
    path = layouts.ged(tmp_path / "ged.csv", rows)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("10,short,row\n")                            # line 12
    events, report = read_ged(path)
    assert sorted(events["source_id"]) == ["1", "6"]
    lines = [line for line, _ in report.malformed]
    assert lines == [3, 4, 5, 6, 9, 10, 11, 12]
    reasons = dict(report.malformed)
    assert "bad start date '2009-13-45'" in reasons[3]
    assert "negative" in reasons[4]
    assert "low 9 above high 7" in reasons[5]
    assert "best 50 outside" in reasons[6]
    assert "type_of_violence '9'" in reasons[9]
    assert "before start date" in reasons[10]
    assert "best" in reasons[11]
    assert "3 fields where the header has 49" in reasons[12]
    assert report.rows_read == 10 and report.events == 2


def test_missing_date_and_year_is_a_one_line_error(tmp_path, layouts):
    columns = [c for c in layouts.GED_COLUMNS if c not in ("date_start", "date_end", "year")]
    path = layouts.write_csv(tmp_path / "ged.csv", columns, [layouts.ged_row()])
    with pytest.raises(UserError) as info:
        read_ged(path)
    message = str(info.value)
    assert "\n" not in message and "date_start" in message and "year" in message


def test_best_only_file_reports_the_fallback(tmp_path, layouts):
    columns = [c for c in layouts.GED_COLUMNS if c not in ("low", "high", "adm_1")]
    path = layouts.write_csv(tmp_path / "ged.csv", columns, [layouts.ged_row(best=3)])
    events, report = read_ged(path)
    assert events.loc[0, ["deaths_low", "deaths_best", "deaths_high"]].tolist() == [3.0] * 3
    assert "no `low`/`high`: both set to `best`" in report.notes
    assert any(note.startswith("no `adm_1`") for note in report.notes)
    assert events["admin"].isna().all()


def test_zip_as_ucdp_ships_it(tmp_path, layouts):
    csv_path = layouts.ged(tmp_path / "GEDEvent_v25_1.csv", [layouts.ged_row()])
    archive = tmp_path / "ged251-csv.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(csv_path, csv_path.name)
    events, report = read_ged(archive)
    assert report.events == 1 and events.loc[0, "deaths_best"] == 5.0


def test_wrong_encoding_names_the_line_and_the_fix(tmp_path, layouts):
    path = layouts.ged(tmp_path / "ged.csv", [layouts.ged_row(), layouts.ged_row(id=2)])
    raw = path.read_bytes().decode("utf-8").replace("Baghdad town", "Ba\u2019aj")
    lines = raw.split("\r\n")
    lines[2] = lines[2].replace("Baghdad province", "N\u00eenawa province")
    path.write_bytes("\r\n".join(lines).encode("latin-1", errors="replace"))
    with pytest.raises(UserError) as info:
        read_ged(path)
    message = str(info.value)
    assert "not valid utf-8" in message and "line 3" in message and "--encoding" in message
    events, report = read_ged(path, encoding="latin-1")
    events = assign_regions(events, iraq_region_map(), report)
    assert events["region"].tolist() == ["IQ-BG", "IQ-NI"]


def test_partial_extract_missing_columns_reported_plainly(shared_data):
    path = shared_data / "ucdp/ucdp_ged_iraq_statebased_yearonly_from_conflict-shapes-in-flux.csv"
    events, table, report = import_record(path, "ged")
    assert report.rows_read == 5271 and report.malformed == []
    assert report.date_precision == "year"
    assert any("no date columns: only `year`" in note for note in report.notes)
    assert any("no `best/low/high`" in note for note in report.notes)
    assert any(note.startswith("no `adm_1`") for note in report.notes)
    assert any(note.startswith("no `type_of_violence`") for note in report.notes)
    # SOURCES.md: 755 of the rows fall in 2008-2010.
    years = events["start"].dt.year
    assert int(years.between(2008, 2010).sum()) == 755
    # No admin names, so every event is unlocated but counted nationally.
    assert report.unlocated_events == 5271 and report.unmatched == {}
    assert set(table["region"]) == {"UNKNOWN"}
    assert int(table["incidents"].sum()) == 5271
    raw = pd.read_csv(path)
    parts = raw[["deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"]].sum(axis=1)
    assert table["deaths_best"].sum() == pytest.approx(float(parts.sum()))
    with pytest.raises(UserError, match="only a year"):
        aggregate(events, freq="month", date_precision="year")
