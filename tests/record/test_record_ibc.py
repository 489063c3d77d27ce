"""IBC readers: the incident export (notice lines, dates, min/max) and Beger's coded file."""

from __future__ import annotations

import pandas as pd
import pytest

from centrehold.errors import UserError
from centrehold.record import (
    assign_regions,
    detect_format,
    import_record,
    iraq_region_map,
    read_ibc,
    read_ibc_province,
)

NOTICE = [
    '"Data compiled by Iraq Body Count as of Tuesday, 6th March 2012"',
    '"The reports from which this table is compiled have all been in the public domain."',
    '"This specific compilation is copyrighted to Iraq Body Count (IBC)."',
    '"Permission to use it for commercial use must be obtained from IBC"',
    '""',
    '"For a detailed explanation of these figures and how they were derived, see"',
    '"http://www.iraqbodycount.org/about/"',
    '""',
    '"This table is constantly being updated."',
    '"obtained from the IBC site"',
    "",
]
HEADER = ('"IBC code","Start Date","End Date","Time","Location","Target","Weapons",'
          '"Reported Minimum","Reported Maximum","Sources"')


def write_ibc(path, rows):
    body = "\n".join(NOTICE + [HEADER] + rows) + "\n"
    path.write_text(body, encoding="utf-8")
    return path


def test_synthetic_export_dates_ranges_and_malformed(tmp_path):
    rows = [
        '"k1","31 Dec 2009","31 Dec 2009","-","west of Mosul","checkpoint","gunfire","1","1","A"',
        '"k2","29 Dec 2009","2 Jan 2010","-","Kifri","man","-","2","4","B"',      # line 14
        '"k3","upto","12 Jan 2008","","Baghdad","x","US gunfire","1","1","C"',    # line 15
        '"k4","1 Jun 2007","1 Jun 2007","","Basra","x","-","21","16","D"',        # line 16
        '"k5","5 May 2009","4 May 2009","","Hilla","x","-","1","1","E"',          # line 17
        '"k6","5 May 2009","5 May 2009","","Hilla","x","-","-3","1","F"',         # line 18
        '"k7","6 May 2009","","","Hilla, ""the market""","x","-","0","2","G"',    # line 19
    ]
    path = write_ibc(tmp_path / "ibc.csv", rows)
    assert detect_format(path) == "ibc"
    events, report = read_ibc(path)
    assert report.header_lines_skipped == 11 and report.rows_read == 7
    assert events["source_id"].tolist() == ["k1", "k2", "k7"]
    assert [line for line, _ in report.malformed] == [15, 16, 17, 18]
    reasons = dict(report.malformed)
    assert reasons[15] == "bad start date 'upto'"
    assert reasons[16] == "Reported Minimum 21 above Reported Maximum 16"
    assert "before start date" in reasons[17]
    assert reasons[18].startswith("negative deaths")
    k2 = events.iloc[1]
    assert (k2["start"], k2["end"]) == (pd.Timestamp("2009-12-29"), pd.Timestamp("2010-01-02"))
    assert (k2["deaths_low"], k2["deaths_high"]) == (2.0, 4.0)
    # An empty end date means a one-day incident; quoted quotes survive in the place.
    assert events.iloc[2]["end"] == pd.Timestamp("2009-05-06")
    assert events.iloc[2]["place"] == 'Hilla, "the market"'
    assert events["region"].isna().all() and events["deaths_best"].isna().all()


def test_not_an_ibc_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(UserError, match="no header row starting with 'IBC code'"):
        read_ibc(path)
    with pytest.raises(UserError, match="cannot tell the layout"):
        detect_format(path)


def test_coded_file_missing_column_is_a_one_line_error(tmp_path):
    path = tmp_path / "coded.csv"
    path.write_text("IBC.code,Start.Date,End.Date,Reported.Minimum,Province\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        read_ibc_province(path)
    assert "Reported.Maximum" in str(info.value) and "\n" not in str(info.value)


def test_real_export_header_and_malformed_rows(shared_data):
    events, report = read_ibc(shared_data / "ibc/ibc-incidents-2012-3-6_excl-wikileaks.csv")
    assert report.header_lines_skipped == 11
    assert report.rows_read == 24036  # SOURCES.md
    # The one unparseable start date and the 19 rows whose minimum exceeds the maximum.
    assert len(report.malformed) == 20
    assert (6568, "bad start date 'upto'") in report.malformed
    assert sum("above Reported Maximum" in r for _, r in report.malformed) == 19
    window = events[(events["start"] >= "2008-01-01") & (events["start"] <= "2010-12-31")]
    # SOURCES.md: 2008-2010 has 6,676 incidents with 16,606 minimum and 17,970 maximum deaths.
    assert len(window) == 6676
    assert window["deaths_low"].sum() == 16606 and window["deaths_high"].sum() == 17970


def test_real_coded_file_maps_every_beger_spelling(shared_data):
    path = shared_data / "ibc/IBC_event_province-coded_excl-wikileaks.csv"
    events, table, report = import_record(path)
    assert report.format == "ibc-province" and report.rows_read == 24036
    assert report.unmatched == {}
    assert report.unlocated_events == int((pd.read_csv(path)["Province"].isna()).sum())
    assert set(events["region"].dropna()) <= set(iraq_region_map().regions)
    assert len(set(events["region"].dropna())) == 18
    raw, _ = read_ibc(shared_data / "ibc/ibc-incidents-2012-3-6_excl-wikileaks.csv")
    assert raw["source_id"].tolist() == events["source_id"].tolist()


def test_coded_rows_keep_na_as_unlocated(tmp_path):
    path = tmp_path / "coded.csv"
    path.write_text(
        "IBC.code,Start.Date,End.Date,Reported.Minimum,Reported.Maximum,Province\n"
        "a,1 Jan 2009,1 Jan 2009,1,2,Dhi Quar\n"
        "b,2 Jan 2009,2 Jan 2009,3,3,NA\n"
        "c,3 Jan 2009,3 Jan 2009,1,1,Atlantis\n",
        encoding="utf-8",
    )
    events, report = read_ibc_province(path)
    events = assign_regions(events, iraq_region_map(), report)
    assert events["region"].tolist() == ["IQ-DQ", None, None]
    assert report.unmatched == {"Atlantis": 1}


def test_reader_gives_the_weapon_class_as_the_event_type(tmp_path):
    rows = [
        '"k1","1 Jan 2009","1 Jan 2009","-","Baghdad","market","car bomb","20","25","A"',
        '"k2","2 Jan 2009","2 Jan 2009","-","Mosul","man","gunfire","1","1","B"',
        '"k3","3 Jan 2009","3 Jan 2009","-","Kirkuk","man","-","1","2","C"',
    ]
    events, _ = read_ibc(write_ibc(tmp_path / "ibc.csv", rows))
    assert events["type"].tolist() == ["explosive", "other", None]
