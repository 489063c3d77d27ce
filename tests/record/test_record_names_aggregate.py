"""Name mapping (aliases, no guessing), aggregation to region x month, Parquet, ACLED."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from centrehold.errors import UserError
from centrehold.record import (
    Event,
    RegionMap,
    aggregate,
    assign_regions,
    events_to_frame,
    frame_to_events,
    import_record,
    iraq_region_map,
    load_region_map,
    normalise_name,
    read_acled,
    read_table,
    write_table,
)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Dhi Quar", "IQ-DQ"), ("Thi-Qar", "IQ-DQ"), ("Qadisiyyah", "IQ-QA"),
        ("Arbil", "IQ-AR"), ("Dahuk", "IQ-DA"), ("Salah ad Din", "IQ-SD"),
        ("At Ta'mim province", "IQ-KI"), ("Al Anbar Province", "IQ-AN"),
        ("NINAWA", "IQ-NI"), ("Şalāḩ ad Dīn", "IQ-SD"), ("Karbalā’", "IQ-KA"),
        ("بغداد", "IQ-BG"), ("IQ-BA", "IQ-BA"), ("Wassit", "IQ-WA"),
    ],
)
def test_known_spellings_map(name, code):
    assert iraq_region_map().lookup(name) == code


@pytest.mark.parametrize("name", ["Baghdadi", "Basra City", "Mosul", "Anbar West", "", "Kurdistan"])
def test_near_misses_are_not_guessed(name):
    assert iraq_region_map().lookup(name) is None


def test_every_bundled_alias_maps_to_its_own_region_and_all_18_exist():
    table = pd.read_csv(
        __import__("importlib").resources.files("centrehold.record")
        .joinpath("bundled/iraq_region_aliases.csv"),
        dtype=str, keep_default_na=False,
    )
    region_map = iraq_region_map()
    assert len(region_map.regions) == 18
    for alias, code in zip(table["alias"], table["region"], strict=True):
        assert region_map.lookup(alias) == code


def test_normalise_name():
    assert normalise_name("  Al-Qādisīyah  Governorate ") == "al qadisiyah"
    assert normalise_name("At Ta’mim") == normalise_name("at-Ta'mim") == "at tamim"


def test_ambiguous_alias_table_is_refused(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("alias,region\nNorth,XX-N\nnorth,XX-S\n", encoding="utf-8")
    with pytest.raises(UserError, match="points to both XX-N and XX-S"):
        load_region_map(path)
    path.write_text("name,code\nNorth,XX-N\n", encoding="utf-8")
    with pytest.raises(UserError, match="alias,region"):
        load_region_map(path)


def _events() -> pd.DataFrame:
    day = dt.date
    return events_to_frame([
        Event(day(2009, 1, 3), day(2009, 1, 3), "a", None, 1, 2, admin="Baghdad"),
        Event(day(2009, 1, 30), day(2009, 2, 2), "b", None, 3, 5, admin="Diala"),
        Event(day(2009, 2, 1), day(2009, 2, 1), "c", None, 10, 12, admin=None, type="x"),
        Event(day(2009, 2, 9), day(2009, 2, 9), "d", None, 4, 4, admin="Baghdad", type="x"),
        Event(day(2009, 2, 9), day(2009, 2, 9), "e", None, 7, 7, admin="Nowhere"),
    ])


def test_event_frame_round_trip():
    frame = _events()
    again = events_to_frame(frame_to_events(frame))
    pd.testing.assert_frame_equal(frame, again)
    assert math.isnan(frame_to_events(frame)[0].deaths_best)


def test_aggregate_by_region_month_with_unknown_kept():
    events = assign_regions(_events(), iraq_region_map())
    table = aggregate(events)
    got = {
        (p.strftime("%Y-%m"), r): (n, lo, hi)
        for p, r, n, lo, hi in table[["period", "region", "incidents", "deaths_low",
                                      "deaths_high"]].itertuples(index=False)
    }
    assert got == {
        ("2009-01", "IQ-BG"): (1, 1.0, 2.0),
        ("2009-01", "IQ-DI"): (1, 3.0, 5.0),  # counted in its start month
        ("2009-02", "IQ-BG"): (1, 4.0, 4.0),
        ("2009-02", "UNKNOWN"): (2, 17.0, 19.0),  # no admin + unmatched admin
    }
    assert table["deaths_best"].isna().all()
    by_type = aggregate(events, by_type=True)
    assert set(by_type["type"]) == {"x", "unknown"}
    assert by_type["deaths_high"].sum() == table["deaths_high"].sum()


def test_user_alias_table_for_another_country(tmp_path, layouts):
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("alias,region,name\nAleppo,SY-HL,Aleppo\nHalab,SY-HL,Aleppo\n",
                       encoding="utf-8")
    path = layouts.ged(tmp_path / "ged.csv", [
        layouts.ged_row(id=1, country="Syria", adm_1="Halab governorate"),
        layouts.ged_row(id=2, country="Syria", adm_1="Idlib governorate"),
    ])
    events, table, report = import_record(path, region_map=load_region_map(aliases))
    assert events["region"].tolist() == ["SY-HL", None]
    assert report.unmatched == {"Idlib governorate": 1}
    assert report.unlocated_events == 1 and report.unlocated_deaths_high == 7.0
    assert "type" in table.columns  # GED has types, so the table is split by them


def test_parquet_round_trip_keeps_the_report(tmp_path, layouts):
    path = layouts.ged(tmp_path / "ged.csv", [layouts.ged_row(), layouts.ged_row(id=2, best=-1)])
    _, table, report = import_record(path)
    out = write_table(table, report, tmp_path / "out/table.parquet")
    back, meta = read_table(out)
    pd.testing.assert_frame_equal(back, table)
    assert meta["malformed"] == [{"line": 3, "reason": "negative best (-1)"}]
    assert meta["rows_read"] == 2 and meta["first_date"] == "2009-01-05"
    with pytest.raises(UserError, match="must end in .parquet"):
        write_table(table, report, tmp_path / "table.csv")


def test_region_map_from_table_sets_names():
    table = pd.DataFrame({"alias": ["A", "B"], "region": ["R1", "R1"], "name": ["Ar", "Ar"]})
    region_map = RegionMap.from_table(table)
    assert region_map.regions == ["R1"] and region_map.names == {"R1": "Ar"}
    assert region_map.lookup("r1") == "R1"


def test_acled_layout_dates_spellings_and_malformed(tmp_path, layouts):
    base = dict(event_type="Explosions/Remote violence", actor1="Unidentified Armed Group",
                actor2="Civilians (Iraq)", country="Iraq", location="Baqubah")
    path = layouts.acled(tmp_path / "acled.csv", [
        dict(base, event_id_cnty="IRQ1", event_date="2017-03-15", admin1="Diyala", fatalities=3),
        dict(base, event_id_cnty="IRQ2", event_date="16 March 2017", admin1="Thi-Qar",
             fatalities=0),
        dict(base, event_id_cnty="IRQ3", event_date="yesterday", admin1="Ninewa", fatalities=1),
        dict(base, event_id_cnty="IRQ4", event_date="2017-03-17", admin1="Ninewa",
             fatalities=-2),
        dict(base, event_id_cnty="IRQ5", event_date="2017-03-18", admin1="Al-Anbar",
             fatalities=""),
        dict(base, event_id_cnty="SYR1", event_date="2017-03-18", admin1="Aleppo",
             fatalities=5, country="Syria"),
    ])
    events, report = read_acled(path, country="Iraq")
    assert report.filtered_out == 1
    assert events["source_id"].tolist() == ["IRQ1", "IRQ2"]
    assert events["start"].tolist() == [pd.Timestamp("2017-03-15"), pd.Timestamp("2017-03-16")]
    assert [line for line, _ in report.malformed] == [4, 5, 6]
    assert "bad event_date 'yesterday'" in report.malformed[0][1]
    events = assign_regions(events, iraq_region_map(), report)
    assert events["region"].tolist() == ["IQ-DI", "IQ-DQ"]
    assert events.loc[0, ["deaths_low", "deaths_best", "deaths_high"]].tolist() == [3.0] * 3
    assert events.loc[0, "type"] == "Explosions/Remote violence"
    assert frame_to_events(events)[0].actors == ("Unidentified Armed Group", "Civilians (Iraq)")


def test_acled_without_fatalities_is_refused(tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text("event_date,admin1\n2017-01-01,Baghdad\n", encoding="utf-8")
    with pytest.raises(UserError, match="fatalities"):
        read_acled(path)
