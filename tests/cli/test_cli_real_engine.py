"""`centrehold run` in-process on the real engine: reproducibility and the built-in scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from centrehold.cli.main import app

runner = CliRunner()


def test_same_seed_same_table_bit_for_bit(tmp_path: Path) -> None:
    tables = []
    for out in ("a", "b", "c"):
        seed = "11" if out != "c" else "12"
        result = runner.invoke(app, ["run", "epstein-1", "--ticks", "40", "--seed", seed,
                                     "--schedule", "synchronous", "--out", str(tmp_path / out),
                                     "--json"])
        assert result.exit_code == 0, result.stderr
        tables.append(pd.read_parquet(tmp_path / out / "ticks.parquet"))
    pd.testing.assert_frame_equal(tables[0], tables[1])
    assert not tables[0].equals(tables[2])  # the seed matters


@pytest.mark.parametrize(
    ("args", "words"),
    [(["--set", "citizen_density=0.99"], "exceeds 1"),
     (["--set", "max_jail_term=-4"], "max_jail_term"),
     (["--set", "citizen_vision=-1"], "citizen_vision"),
     (["--set", "width=forty"], "whole number"),
     (["--hypothesis", "H2"], "no hypotheses")],
)
def test_real_schema_errors_are_one_line(tmp_path: Path, args, words) -> None:
    result = runner.invoke(app, ["run", "epstein-1", "--out", str(tmp_path / "r"), *args])
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "epstein-1" in lines[0]


def test_epstein_2_has_two_groups(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "epstein-2", "--ticks", "20", "--out",
                                 str(tmp_path / "r"), "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert len(summary["final_by_group"]) == 2
    df = pd.read_parquet(tmp_path / "r" / "ticks.parquet")
    assert df["group"].nunique() == 2 and df["tick"].max() == 20


def test_iraq_2009_writes_the_regional_outputs(tmp_path: Path) -> None:
    out = tmp_path / "iraq"
    result = runner.invoke(app, ["run", "iraq-2009", "--ticks", "62", "--hypothesis", "H3",
                                 "--set", "people_per_agent=10000", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["ticks"] == 62 and summary["people_per_agent"] == 10000
    assert summary["start_date"] == "2008-01-01" and summary["end_date"] == "2008-03-02"
    regions = pd.read_csv(out / "regions.csv")
    assert len(regions) == 18 and regions["region"].str.match(r"^IQ-[A-Z]{2}$").all()
    assert "Baghdad" in set(regions["region_name"])
    assert regions["deaths_total"].sum() == summary["total_deaths"]
    assert (out / "monthly_deaths.png").stat().st_size > 0
    params = json.loads((out / "scenario.json").read_text())
    assert params["hypothesis"] == "H3" and params["people_per_agent"] == 10000
    ticks = pd.read_parquet(out / "ticks.parquet")
    assert ticks["date"].min() == pd.Timestamp("2008-01-01")


def test_iraq_2009_refuses_the_synchronous_schedule_in_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "iraq-2009", "--ticks", "5", "--schedule", "synchronous",
                                 "--set", "people_per_agent=10000", "--out", str(tmp_path / "r")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "sequential" in lines[0]


def test_a_run_folder_reruns_bit_for_bit(tmp_path: Path) -> None:
    first = ["run", "epstein-2", "--ticks", "25", "--seed", "4", "--set", "legitimacy=0.75",
             "--out", str(tmp_path / "a"), "--json"]
    assert runner.invoke(app, first).exit_code == 0
    # the folder's scenario.json carries the override; no --set needed the second time
    again = ["run", str(tmp_path / "a"), "--ticks", "25", "--seed", "4",
             "--out", str(tmp_path / "b"), "--json"]
    result = runner.invoke(app, again)
    assert result.exit_code == 0, result.stderr
    a = pd.read_parquet(tmp_path / "a" / "ticks.parquet")
    b = pd.read_parquet(tmp_path / "b" / "ticks.parquet")
    pd.testing.assert_frame_equal(a, b)
    assert json.loads((tmp_path / "b" / "scenario.json").read_text())["legitimacy"] == 0.75
