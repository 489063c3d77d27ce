"""Sweeps end to end: parameter checks against a real scenario, files written, CLI errors."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from runs_testkit import standin_task
from typer.testing import CliRunner

from centrehold.errors import UserError
from centrehold.runs import EnsembleSpec, run_ensemble
from centrehold.runs.sensitivity import ParamRange
from centrehold.runs.sweep import check_params, run_sweep

SMALL = {"width": "20", "height": "20"}


def test_check_params_against_epstein_1():
    got = check_params("epstein-1", [ParamRange("width", 16, 30), ParamRange("legitimacy",
                                                                            0.5, 0.9)], SMALL)
    assert [p.integer for p in got] == [True, False]
    with pytest.raises(UserError, match="unknown parameter 'legitimcy'"):
        check_params("epstein-1", [ParamRange("legitimcy", 0.5, 0.9)], SMALL)
    # max_age is unset (None) in epstein-1; its schema makes it an integer
    assert check_params("epstein-1", [ParamRange("max_age", 50, 90)], SMALL)[0].integer
    with pytest.raises(UserError, match="not a number"):
        check_params("epstein-1", [ParamRange("preset", 0, 1)], SMALL)
    with pytest.raises(UserError):  # the scenario's own schema refuses a density above one
        check_params("epstein-1", [ParamRange("citizen_density", 0.5, 1.5)], SMALL)


def test_sweep_writes_table_indices_and_png(tmp_path):
    out = tmp_path / "sw"
    res = run_sweep("epstein-1", [ParamRange("legitimacy", 0.5, 0.95),
                                  ParamRange("width", 16, 30)],
                    out, method="grid", samples=3, replicates=2, root_seed=4, ticks=10,
                    overrides=SMALL, task_fn=standin_task, keep_series=True)
    assert len(res.table) == 9 * 2
    series = pd.read_parquet(out / "series.parquet")
    assert sorted(series["task"].unique()) == list(range(18))
    assert set(res.table["width"]) == {16.0, 23.0, 30.0}
    table = pd.read_parquet(out / "results.parquet")
    pd.testing.assert_frame_equal(table, res.table)
    idx = pd.read_csv(out / "indices.csv")
    assert set(idx["param"]) == {"legitimacy", "width"}
    assert set(idx["index"]) == {"S1", "ST"}
    # the stand-in's actives depend on legitimacy only
    s1 = idx.set_index(["param", "index"])["value"]
    assert s1[("legitimacy", "S1")] > 0.8 and s1[("width", "S1")] < 0.1
    assert (out / "indices.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(UserError, match="another run"):
        run_sweep("epstein-1", [ParamRange("legitimacy", 0.5, 0.9)], out, method="grid",
                  samples=3, overrides=SMALL, task_fn=standin_task, resume=True)


def _cli(*args: str):
    from centrehold.cli.main import app

    return CliRunner().invoke(app, ["sweep", *args])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--param", "legitimcy=0.5:0.9"], "unknown parameter 'legitimcy'"),
        (["--param", "legitimacy=0.9:0.5"], "LOW must be below HIGH"),
        (["--param", "legitimacy=a:b"], "bounds must be numbers"),
        (["--param", "legitimacy=0.5:0.9", "--method", "sobol", "--samples", "6"],
         "power of two"),
        (["--param", "legitimacy=0.5:0.9", "--output", "mean_actives"], "unknown --output"),
        (["--param", "legitimacy=0.5:0.9", "--set", "widht=20"], "widht"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(tmp_path, args, message):
    r = _cli("epstein-1", *args, "--out", str(tmp_path / "o"))
    assert r.exit_code == 2, r.output
    err = r.stderr.strip()
    assert message in err and len(err.splitlines()) == 1 and err.startswith("error:")
    assert "Traceback" not in r.output
    assert not (tmp_path / "o").exists()


def test_cli_foreign_out_dir(tmp_path):
    out = tmp_path / "o"
    run_ensemble(EnsembleSpec(scenario="epstein-1", overrides=SMALL, ticks=2), out)
    r = _cli("epstein-1", "--param", "legitimacy=0.5:0.9", "--method", "grid", "--samples", "2",
             "--out", str(out), "--resume")
    assert r.exit_code == 2
    assert "holds another run" in r.stderr and "--resume" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_cli_unreachable_scheduler_in_a_real_process(tmp_path):
    cmd = [sys.executable, "-m", "centrehold.cli.main", "sweep", "epstein-1", "--param",
           "legitimacy=0.5:0.9", "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "o")]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert p.stderr.strip().startswith("error: cannot reach a Dask scheduler")
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr


def test_cli_sobol_sweep_on_the_real_engine(tmp_path):
    import json

    out = tmp_path / "s"
    r = _cli("epstein-1", "--param", "legitimacy=0.5:0.9", "--param", "cop_density=0.02:0.08",
             "--method", "sobol", "--samples", "4", "--ticks", "8", "--seed", "3",
             "--set", "width=20", "--set", "height=20", "--out", str(out))
    assert r.exit_code == 0, r.output
    table = pd.read_parquet(out / "results.parquet")
    assert len(table) == 4 * (2 + 2)
    assert table["legitimacy"].between(0.5, 0.9).all()
    assert table["cop_density"].between(0.02, 0.08).all()
    assert table["seed"].nunique() == len(table)
    idx = pd.read_csv(out / "indices.csv")
    assert set(zip(idx["param"], idx["index"], strict=True)) == {
        ("legitimacy", "S1"), ("legitimacy", "ST"), ("cop_density", "S1"), ("cop_density", "ST")}
    assert "legitimacy" in r.stdout and "S1" in r.stdout
    man = json.loads((out / "manifest.json").read_text())
    assert man["meta"]["sweep"]["method"] == "sobol" and man["complete"]
    assert man["tasks"][5]["overrides"]["legitimacy"] == repr(float(table.loc[5, "legitimacy"]))


def test_cli_sweep_report_keeps_series_and_survives_resume(tmp_path):
    out = tmp_path / "s"
    args = ("epstein-1", "--param", "legitimacy=0.6:0.9", "--method", "grid", "--samples", "2",
            "--ticks", "10", "--set", "width=20", "--set", "height=20", "--out", str(out),
            "--report")
    r = _cli(*args)
    assert r.exit_code == 0, r.output
    assert (out / "series.parquet").exists()  # --report implies --keep-series: the band needs it
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "legitimacy" in html or "epstein-1" in html
    again = _cli(*args, "--resume")  # the report is part of the run, not a foreign file
    assert again.exit_code == 0, again.output
