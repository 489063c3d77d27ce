"""Layout detection, report rendering, BOMs, partial GED files through the CLI."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from centrehold.cli.main import app
from centrehold.record import ReadReport, detect_format, read_acled, read_ged, read_table

runner = CliRunner()


def test_detect_format_for_each_layout(tmp_path, layouts):
    ged = layouts.ged(tmp_path / "ged.csv", [layouts.ged_row()])
    acled = layouts.acled(tmp_path / "acled.csv", [{"event_date": "2017-01-01", "fatalities": 1}])
    coded = tmp_path / "coded.csv"
    coded.write_text("IBC.code,Start.Date,End.Date,Reported.Minimum,Reported.Maximum,Province\n")
    yearly = tmp_path / "yearly.csv"
    yearly.write_text("id,year,deaths_a,deaths_b,deaths_civilians,deaths_unknown\n1,2009,1,0,0,0\n")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert [detect_format(p) for p in (ged, acled, coded, yearly)] == [
        "ged", "acled", "ibc-province", "ged"
    ]
    from centrehold.errors import UserError

    with pytest.raises(UserError, match="empty"):
        detect_format(empty)


def test_report_lines_cut_long_lists_and_say_how_many_more():
    report = ReadReport(path="f.csv", format="ged", rows_read=30)
    report.malformed = [(n, "bad") for n in range(2, 32)]
    report.unmatched = {f"name{i}": i + 1 for i in range(25)}
    lines = report.lines(max_listed=5)
    assert "malformed rows (left out): 30" in lines
    assert "  ... and 25 more" in lines and "  ... and 20 more" in lines
    assert lines.index("  line 2: bad") < lines.index("  line 6: bad")
    assert "  line 7: bad" not in lines
    # unmatched names are listed most frequent first
    assert lines[lines.index("unmatched admin names (kept in national totals): 25") + 1] == (
        "  'name24': 25 events"
    )


def test_bom_and_missing_date_end(tmp_path, layouts):
    columns = [c for c in layouts.GED_COLUMNS if c != "date_end"]
    path = layouts.write_csv(tmp_path / "ged.csv", columns, [layouts.ged_row()])
    path.write_bytes("\ufeff".encode() + path.read_bytes())
    events, report = read_ged(path)
    assert report.malformed == [] and "no `date_end`: each event taken to last one day" in (
        report.notes
    )
    assert events.loc[0, "start"] == events.loc[0, "end"] == pd.Timestamp("2009-01-05")
    acled = tmp_path / "acled.csv"
    acled.write_bytes("\ufeffevent_date,admin1,fatalities\n2017-01-01,Baghdad,2\n".encode())
    events, _ = read_acled(acled)
    assert events.loc[0, "deaths_high"] == 2.0


def test_cli_year_only_file_is_stored_by_year(tmp_path):
    path = tmp_path / "yearly.csv"
    path.write_text(
        "id,year,deaths_a,deaths_b,deaths_civilians,deaths_unknown\n"
        "1,2008,1,2,3,4\n2,2008,0,0,1,0\n3,2009,5,0,0,0\n4,20x9,1,1,1,1\n"
    )
    out = tmp_path / "y.parquet"
    result = runner.invoke(app, ["data", "import", str(path), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["date_precision"] == "year" and report["rows"] == 2
    assert report["malformed"] == [{"line": 5, "reason": "bad year '20x9'"}]
    assert any("only `year`" in note for note in report["notes"])
    table, _ = read_table(out)
    assert table["period"].dt.year.tolist() == [2008, 2009]
    assert table["deaths_best"].tolist() == [11.0, 5.0]


def test_cli_all_lists_every_malformed_row(tmp_path, layouts):
    rows = [layouts.ged_row(id=i, best=-1) for i in range(30)]
    path = layouts.ged(tmp_path / "ged.csv", rows)
    out = str(tmp_path / "g.parquet")
    short = runner.invoke(app, ["data", "import", str(path), "--out", out])
    full = runner.invoke(app, ["data", "import", str(path), "--out", out, "--all"])
    assert "... and 10 more" in short.output and "line 31:" not in short.output
    assert "line 31: negative best (-1)" in full.output and "more" not in full.output


def test_a_country_that_matches_no_row_is_said_in_either_layout(tmp_path, layouts):
    # both readers keep one country the same way: a misspelt one leaves nothing, and the
    # report says so instead of returning an empty record silently
    ged = layouts.ged(tmp_path / "ged.csv", [layouts.ged_row(country="Iraq")])
    acled = layouts.acled(tmp_path / "acled.csv", [{"event_date": "2017-01-01",
                                                     "fatalities": 1, "country": "Iraq"}])
    for reader, path in ((read_ged, ged), (read_acled, acled)):
        events, report = reader(path, country="Irak")
        assert events.empty and report.rows_read == 1 and report.filtered_out == 1
        assert any("check its spelling" in n for n in report.notes), reader.__name__
        kept, _ = reader(path, country="iraq")
        assert len(kept) == 1
