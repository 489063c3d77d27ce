"""The single-run folder: tidy table, summary, regional extras, atomic rewrites, figures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_fakes import NAMES, REGIONS, civil_dataset, regional_dataset

from centrehold.errors import UserError
from centrehold.report.timeseries import monthly_national_deaths, write_run_figures
from centrehold.runs import single
from centrehold.runs.single import check_out_dir, summarize, write_run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_tidy_table_round_trips_through_parquet(tmp_path: Path) -> None:
    ds = civil_dataset(ticks=30)
    write_run(ds, tmp_path / "run")
    df = pd.read_parquet(tmp_path / "run" / "ticks.parquet")
    assert len(df) == 31 * 2  # ticks 0..30 x two groups
    assert list(df.columns[:2]) == ["tick", "group"]
    for var in ("quiet", "active", "jailed", "dead", "arrests", "killings"):
        back = df.pivot(index="tick", columns="group", values=var)[["blue", "green"]].to_numpy()
        np.testing.assert_array_equal(back, ds[var].values)
    # a per-tick level without the group dim is repeated, and its dims are recorded
    assert (df["cops"] == 64).all()
    assert df.attrs["dims"]["cops"] == ["tick"] and df.attrs["dims"]["active"] == ["tick", "group"]


def test_summary_matches_the_arrays(tmp_path: Path) -> None:
    ds = civil_dataset(ticks=40, seed=3)
    summary = write_run(ds, tmp_path / "run", wall_seconds=1.23456)
    total_active = ds["active"].values.sum(axis=1)
    assert summary["peak_active"] == total_active.max()
    assert summary["peak_active_tick"] == int(np.argmax(total_active))
    assert summary["total_arrests"] == ds["arrests"].values.sum()
    assert summary["total_deaths"] == ds["killings"].values.sum()
    assert summary["final"] == {s: int(ds[s].values[-1].sum())
                                for s in ("quiet", "active", "jailed", "dead")}
    assert summary["final_by_group"]["green"]["active"] == ds["active"].values[-1, 1]
    assert summary["ticks"] == 40 and summary["agents"] == 1000 and summary["seed"] == 3
    assert summary["wall_seconds"] == 1.2346
    on_disk = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert on_disk == json.loads(json.dumps(summary))
    assert json.loads((tmp_path / "run" / "scenario.json").read_text())["legitimacy"] == 0.8
    assert not list((tmp_path / "run").glob("*.png"))  # data only: figures are the report's
    assert not (tmp_path / "run" / "regions.csv").exists()


def test_engine_attributes_take_precedence_for_ticks_and_agents() -> None:
    ds = civil_dataset(ticks=10)
    ds.attrs.update(ticks=10, agents=1064)  # cops are agents too, not in the state counts
    s = summarize(ds)
    assert (s["ticks"], s["agents"]) == (10, 1064)


def test_regional_run_writes_regions_and_monthly_deaths(tmp_path: Path) -> None:
    ds = regional_dataset(days=75)
    summary = write_run(ds, tmp_path / "run")
    out = tmp_path / "run"
    regions = pd.read_csv(out / "regions.csv")
    assert list(regions["region"]) == REGIONS and list(regions["region_name"]) == NAMES
    per_region = ds["deaths"].sum(["tick", "group", "cause"]).values
    np.testing.assert_array_equal(regions["deaths_total"], per_region)
    np.testing.assert_array_equal(regions["arrests_total"],
                                  ds["arrests"].sum(["tick", "group"]).values)
    np.testing.assert_array_equal(regions["active_end"], ds["active"].isel(tick=-1).sum("group"))
    np.testing.assert_allclose(regions["segregation_mean"], ds["segregation"].mean("tick"))
    assert summary["total_deaths"] == ds["deaths"].values.sum()  # deaths preferred to killings
    assert summary["start_date"] == "2009-05-17" and summary["end_date"] == "2009-07-31"
    peak = int(np.argmax(ds["active"].sum(["group", "region"]).values))
    assert summary["peak_active_date"] == str((pd.Timestamp("2009-05-17")
                                               + pd.Timedelta(days=peak)).date())
    assert not list(out.glob("*.png"))
    drawn = write_run_figures(ds, out)
    assert [p.name for p in drawn] == ["timeseries.png", "monthly_deaths.png"]
    assert (out / "monthly_deaths.png").read_bytes()[:8] == PNG_MAGIC
    ticks = pd.read_parquet(out / "ticks.parquet")
    assert {"tick", "date", "group", "region", "region_name", "cause"} <= set(ticks.columns)
    assert len(ticks) == 76 * 2 * 3 * 2
    attacks = pd.read_parquet(out / "attack.parquet")
    assert list(attacks["attack_deaths"]) == [5, 12, 1]


def test_monthly_deaths_by_hand() -> None:
    ds = regional_dataset(days=75)
    monthly = monthly_national_deaths(ds)
    # 17 May .. 31 July: three calendar months, each the sum of its own days
    assert [str(m.date()) for m in monthly.index] == ["2009-05-01", "2009-06-01", "2009-07-01"]
    daily = ds["deaths"].sum(["group", "region", "cause"]).values
    assert monthly.iloc[0] == daily[:15].sum()  # 17..31 May
    assert monthly.iloc[1] == daily[15:45].sum()  # June
    assert monthly.sum() == daily.sum()


def test_out_that_holds_other_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "thesis.docx").write_text("precious")
    with pytest.raises(UserError, match="not a single centrehold run.*choose a new folder"):
        write_run(civil_dataset(), tmp_path)
    assert (tmp_path / "thesis.docx").read_text() == "precious"


def test_out_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(UserError, match="is a file"):
        check_out_dir(tmp_path / "f")


def test_previous_run_is_replaced_and_stale_files_go(tmp_path: Path) -> None:
    out = tmp_path / "run"
    write_run(regional_dataset(), out)
    write_run_figures(regional_dataset(), out)  # what `centrehold run` leaves
    assert (out / "regions.csv").exists() and (out / "monthly_deaths.png").exists()
    write_run(civil_dataset(ticks=5), out)  # the old figures are accepted, then removed
    assert not (out / "regions.csv").exists() and not (out / "monthly_deaths.png").exists()
    assert not (out / "timeseries.png").exists()  # it drew the previous run
    assert len(pd.read_parquet(out / "ticks.parquet")) == 6 * 2
    (out / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="plus other files \\(notes.txt\\)"):
        write_run(civil_dataset(), out)


def test_a_failure_midway_leaves_no_partial_files(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "run"
    write_run(civil_dataset(ticks=5), out)
    before = (out / "summary.json").read_text()

    def broken(self, path, **kwargs):
        Path(path).write_bytes(b"half a table")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    with pytest.raises(RuntimeError):
        write_run(civil_dataset(ticks=9), out)
    monkeypatch.undo()
    names = {p.name for p in out.iterdir()}
    assert not [n for n in names if ".tmp-" in n]  # the temporary file was removed
    assert len(pd.read_parquet(out / "ticks.parquet")) == 6 * 2  # old table intact
    assert (out / "summary.json").read_text() == before  # summary is written last
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is False
    write_run(civil_dataset(ticks=9), out)  # an interrupted run is still ours to replace
    assert json.loads((out / "manifest.json").read_text())["complete"] is True


def test_uncreatable_out_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "plain-file").write_text("x")
    with pytest.raises(UserError, match="cannot create --out"):
        write_run(civil_dataset(), tmp_path / "plain-file" / "run")


def test_run_single_refuses_a_bad_out_before_simulating(tmp_path: Path, fake_engine) -> None:
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(UserError):
        single.run_single("epstein-1", out_dir=tmp_path)
    assert fake_engine == []


def test_ticks_counted_from_rows_when_the_engine_does_not_say() -> None:
    assert summarize(civil_dataset(ticks=10))["ticks"] == 10  # rows 0..10, 0 is the start
    assert summarize(regional_dataset(days=75))["ticks"] == 76  # one row per simulated day


def test_simulate_timed_records_the_ticks_asked_for() -> None:
    class Scn:
        ticks = 17

    def fake(scenario, seed, ticks, schedule, progress):
        return regional_dataset(days=5)

    ds, wall = single.simulate_timed(Scn(), 0, None, "sequential", None, simulate=fake)
    assert ds.attrs["ticks"] == 17 and wall >= 0
    ds, _ = single.simulate_timed(Scn(), 0, 9, "sequential", None, simulate=fake)
    assert summarize(ds)["ticks"] == 9


def test_an_ensemble_folder_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"kind": "ensemble", "tasks": []}))
    with pytest.raises(UserError, match="not a single centrehold run"):
        write_run(civil_dataset(), tmp_path)
    assert json.loads((tmp_path / "manifest.json").read_text())["kind"] == "ensemble"


def test_a_failing_figure_keeps_the_old_one_and_leaves_no_partial_file(
        tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "run"
    write_run(civil_dataset(ticks=5), out)
    write_run_figures(civil_dataset(ticks=5), out)
    before = (out / "timeseries.png").read_bytes()

    def broken(ds, path):
        Path(path).write_bytes(b"half a png")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("centrehold.report.timeseries.plot_timeseries", broken)
    with pytest.raises(RuntimeError):
        write_run_figures(civil_dataset(ticks=9), out)
    assert not [p.name for p in out.iterdir() if ".tmp-" in p.name]
    assert (out / "timeseries.png").read_bytes() == before


def test_an_unwritable_figure_is_a_user_error_and_the_data_stays(tmp_path: Path) -> None:
    out = tmp_path / "run"
    write_run(civil_dataset(ticks=5), out)
    (out / "timeseries.png").mkdir()  # a folder where the figure must go: os.replace fails
    with pytest.raises(UserError, match="data is saved there.*centrehold report"):
        write_run_figures(civil_dataset(ticks=5), out)
    assert json.loads((out / "manifest.json").read_text())["complete"] is True
