"""The HTML report: offline, complete for each kind of run, clear errors for bad input."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from centrehold.cli.main import app
from centrehold.errors import UserError
from centrehold.infer.folder import CompareFolder, CompareSettings, write_compare_folder
from centrehold.report import build_report, data, figure_plan, load

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _assert_offline(text: str) -> None:
    assert not re.search(r"<script[^>]+src=", text), "report must not load scripts from outside"
    assert "Plotly.newPlot" in text and len(text) > 3_000_000  # plotly.js is inlined


def test_regional_ensemble_with_compare(regional_ensemble, tmp_path):
    out = tmp_path / "r.html"
    calls = []
    rep = build_report(regional_ensemble, out, progress=lambda d, t: calls.append((d, t)))
    text = out.read_text(encoding="utf-8")
    _assert_offline(text)
    assert rep.sections == ["states", "national_deaths", "map_deaths_per_100k",
                            "deaths_by_group", "segregation", "centre_holds", "posterior", "ach"]
    for p in rep.figures:
        assert p.read_bytes()[:8] == PNG_MAGIC and p.stat().st_size > 5_000
    assert calls[-1][0] == calls[-1][1] and len(calls) == 2 * len(rep.sections) + 1
    for label in ("deaths per 100,000", "probability or vote share", "Theil", "SYNTHETIC"):
        assert label in text
    assert "month: " in text  # the map has a month slider


def test_epstein_report_has_time_series_only(epstein_run, tmp_path):
    rep = build_report(epstein_run, tmp_path / "e.html")
    assert rep.sections == ["states"]
    text = (tmp_path / "e.html").read_text(encoding="utf-8")
    _assert_offline(text)
    assert "deaths per 100,000" not in text


def test_tile_map_without_boundaries(regional_ensemble):
    from centrehold.report import interactive

    rd = data.compute(load.load_runs(regional_ensemble), with_observed=False)
    fig = interactive.region_map(rd, None)
    tiles = [t for t in fig.data if t.fill == "toself"]
    assert len(tiles) == 18 and "tile map" in fig.layout.title.text
    # each tile is a unit-ish square at its grid position (Baghdad: column 1, row 3)
    bg = next(t for t in tiles if t.name == "Baghdad")
    assert min(bg.x) == 1 and max(bg.y) == -3
    assert len(fig.frames) == len(rd.rate)


def test_ensemble_band_brackets_the_runs(regional_ensemble):
    rd = data.compute(load.load_runs(regional_ensemble), with_observed=False)
    assert rd.n_runs == 3 and rd.national.shape[1] == 3
    b = data.band(rd.national)
    assert (b["low"] <= b["median"]).all() and (b["median"] <= b["high"]).all()
    assert (b["low"] >= rd.national.min(axis=1) - 1e-9).all()
    # people = agents x people_per_agent (1000 in the synthetic runs); weekly ticks are
    # spread over their months' days, so the months sum to the run's total up to rounding
    first = load.read_single(regional_ensemble / "run0")
    assert rd.national[0].sum() == pytest.approx(first.ticks["killings"].sum() * 1000)


def test_observed_panel_matches_published_check():
    """SOURCES.md: the derived panel's 2009 national maxima are 280, 336, 426, ..."""
    rec = data.ibc_panel_record()
    if rec is None:
        pytest.skip("shared IBC panel not present")
    y2009 = rec.loc["2009-01-01":"2009-12-01", "high"].astype(int).tolist()
    assert y2009 == [280, 336, 426, 475, 327, 490, 393, 585, 299, 404, 204, 452]
    assert (rec["low"] <= rec["high"]).all()


def test_compare_folder_tables_read_through_its_module(tmp_path):
    post = pd.DataFrame({"hypothesis": ["H0", "H1"], "probability": [0.5, 0.5]})
    # the long layout `compare` writes: one row per (item, hypothesis), rating and score
    ach = pd.DataFrame({"item": ["a", "a", "b", "b"], "hypothesis": ["H0", "H1", "H0", "H1"],
                        "rating": ["C", "II", "N", "CC"], "score": [1.0, -2.0, 0.0, 2.0],
                        "p_value": [0.3, 0.001, 0.1, 0.9]})
    write_compare_folder(CompareFolder(CompareSettings("synthetic"), post, ach=ach), tmp_path)
    rs = load.load_runs(tmp_path)
    assert dict(zip(rs.posterior["hypothesis"], rs.posterior["probability"], strict=True)) == {
        "H0": 0.5, "H1": 0.5}
    assert rs.ach.loc["a", "H1"] == -2.0 and rs.ach.loc["b", "H1"] == 2.0
    assert rs.ach.shape == (2, 2)
    assert rs.ach_labels.loc["a", "H1"] == "II" and rs.ach_labels.loc["b", "H0"] == "N"
    rep = build_report(tmp_path, tmp_path / "c.html")
    assert rep.sections == ["posterior", "ach"]
    assert "II (-2)" in (tmp_path / "c.html").read_text(encoding="utf-8")


def test_a_compare_folder_of_another_format_is_one_line(tmp_path):
    """A folder from before the compare folder had a schema (a bare posterior.csv) is
    refused with the fix, not read by guessing."""
    pd.DataFrame({"model": ["H1", "H0"], "posterior": [0.2, 0.8]}).to_csv(
        tmp_path / "posterior.csv", index=False)
    with pytest.raises(UserError, match="rerun centrehold compare") as err:
        load.load_runs(tmp_path)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("bad", ["missing", "empty"])
def test_bad_run_dir_is_a_user_error(tmp_path, bad):
    target = tmp_path / "nope" if bad == "missing" else tmp_path
    with pytest.raises(UserError, match="centrehold run"):
        build_report(target)


def test_out_must_be_html(epstein_run, tmp_path):
    with pytest.raises(UserError, match=r"\.html"):
        build_report(epstein_run, tmp_path / "r.pdf")


def test_cli_report(epstein_run, tmp_path):
    r = CliRunner().invoke(app, ["report", str(epstein_run), "--out", str(tmp_path / "x.html")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "x.html").is_file() and "x.html" in r.output
    r = CliRunner().invoke(app, ["report", str(tmp_path / "absent")])
    assert r.exit_code == 2 and "no such run directory" in r.output
    assert "Traceback" not in r.output


def test_sweep_folder_series(tmp_path):
    """A sweep's folder (series.parquet by task, results.parquet labels) reports as a band."""
    rows = []
    for task in range(3):
        for tick in range(5):
            rows.append({"task": task, "tick": tick, "group": "a", "quiet": 90 - tick,
                         "active": tick + task, "jailed": 10, "dead": tick, "arrests": 1,
                         "killings": 1 if tick else 0})
    pd.DataFrame(rows).to_parquet(tmp_path / "series.parquet", index=False)
    pd.DataFrame({"task": [0, 1, 2], "hypothesis": ["H0", "H0", "H3"], "seed": [1, 2, 3]}
                 ).to_parquet(tmp_path / "results.parquet", index=False)
    rs = load.load_runs(tmp_path)
    assert len(rs.runs) == 3 and rs.runs[2].params["hypothesis"] == "H3"
    rd = data.compute(rs, with_observed=False)
    assert rd.states["active"].loc[4].tolist() == [4, 5, 6]
    assert rd.national.loc[1].tolist() == [1.0, 1.0, 1.0]
    rep = build_report(tmp_path, tmp_path / "s.html")
    assert rep.sections == ["states", "national_deaths"]


def test_real_iraq_run_reports_consistently(tmp_path):
    """A short real iraq-2009 run: the report's national deaths add up to the run summary's
    total (people), the map covers the 18 governorates, and the rates are not negative."""
    from centrehold.engine import simulate
    from centrehold.runs.single import write_run
    from centrehold.scenario import load_scenario

    ds = simulate(load_scenario("iraq-2009", {"people_per_agent": "10000"}), seed=2, ticks=45)
    summary = write_run(ds, tmp_path / "run")
    rd = data.compute(load.load_runs(tmp_path / "run"))
    assert rd.national[0].sum() == pytest.approx(summary["total_deaths"])
    assert rd.rate.shape[1] == 18 and (rd.rate.to_numpy() >= 0).all()
    assert rd.centre_from_engine and rd.segregation_by_group is not None
    rep = build_report(tmp_path / "run")
    assert {"national_deaths", "map_deaths_per_100k", "segregation"} <= set(rep.sections)


def test_the_report_draws_its_public_figure_plan(regional_ensemble, tmp_path):
    rd = data.compute(load.load_runs(regional_ensemble))
    plan = figure_plan(rd)  # no boundaries: the tile map
    rep = build_report(regional_ensemble, tmp_path / "p.html")
    assert [fig.name for fig in plan] == rep.sections
    text = (tmp_path / "p.html").read_text(encoding="utf-8")
    for fig in plan:
        assert f"<h2>{html.escape(fig.title)}</h2>" in text
        assert f'<p class="caption">{html.escape(fig.caption)}</p>' in text
    single = figure_plan(data.compute(load.load_runs(regional_ensemble / "run0")))
    assert "posterior" not in [fig.name for fig in single]  # a single run has no compare
