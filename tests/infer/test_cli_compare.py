"""`centrehold compare`: bad input gives one line and exit code 2, never a traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from centrehold.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize(
    "args,needle",
    [
        (["no-such-scenario"], "no-such-scenario"),
        (["epstein-1"], "regional"),
        (["--budget", "0"], "--budget"),
        (["--population", "1"], "--population"),
        (["--tick", "month"], "--tick"),
        (["--set", "nonsense"], "key=value"),
        (["--workers", "0"], "--workers"),
        (["--pilot", "5"], "--pilot"),
        (["--method", "both"], "--method"),
        (["--budget", "100"], "--budget 1320"),
        (["--hypotheses", "H0,H9"], "H9"),
        (["--hypotheses", "H1"], "at least two"),
        (["--hypotheses", "H0,HA", "--budget", "100"], "--budget 240"),
        (["--record", "no/such/ged.csv"], "--record"),
        (["--level-gate", "-0.1"], "--level-gate"),
        (["--decline-gate", "nan"], "--decline-gate"),
        (["--composition-gate", "-1"], "--composition-gate"),
    ],
)
def test_bad_input_is_one_line(tmp_path, args, needle):
    res = runner.invoke(app, ["compare", *args, "--out", str(tmp_path / "o"), "--quiet"])
    assert res.exit_code == 2, res.output
    text = res.output.strip()
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    assert needle in text


def test_resume_without_a_history_is_one_line(tmp_path):
    res = runner.invoke(app, ["compare", "--resume", "--out", str(tmp_path / "empty"), "--quiet"])
    assert res.exit_code == 2, res.output
    assert "resume" in res.output and len(res.output.strip().splitlines()) == 1


def test_a_subset_is_weighed_alone_and_recorded(tmp_path):
    """`--hypotheses` fits only the named ones (in the scenario's order, whatever order
    they were typed in) and the folder says which, so a resume or a report reads the
    same set."""
    import pandas as pd

    from centrehold.infer.folder import read_settings

    out = tmp_path / "sub"
    res = runner.invoke(app, ["compare", "--hypotheses", "HA,H0", "--budget", "24",
                              "--population", "4", "--pilot", "21", "--predictive", "2",
                              "--quiet", "--out", str(out)])
    assert res.exit_code == 0, res.output
    # every table stays whole at the 80 columns the runner's console has
    assert "\u2026" not in res.output, res.output
    assert read_settings(out).hypotheses == ("H0", "HA")
    assert list(pd.read_csv(out / "posterior.csv")["hypothesis"]) == ["H0", "HA"]
    assert sorted(p.name for p in (out / "abc_each").glob("*.db")) == ["00-H0.db", "01-HA.db"]
    again = runner.invoke(app, ["compare", "--hypotheses", "H0,H1", "--resume", "--budget",
                                "24", "--population", "4", "--pilot", "21", "--quiet",
                                "--out", str(out)])
    assert again.exit_code == 2 and "other hypotheses" in again.output


def test_a_dask_cluster_gives_the_same_result_as_local_processes(tmp_path):
    """Unchanged on a cluster: every simulation carries its own seed, so a Dask
    scheduler (here a LocalCluster of two worker processes) changes nothing but time."""
    import pandas as pd

    distributed = pytest.importorskip("distributed")
    # two hypotheses are enough to see a difference in seeds or order (all eleven took
    # 60 s against 36 alone, and check nothing more)
    small = ["--hypotheses", "H0,H1", "--budget", "24", "--population", "4", "--pilot", "21",
             "--predictive", "2", "--seed", "3", "--quiet"]
    local = runner.invoke(app, ["compare", *small, "--out", str(tmp_path / "local")])
    assert local.exit_code == 0, local.output
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = runner.invoke(app, ["compare", *small, "--out", str(tmp_path / "dask"),
                                     "--scheduler", cluster.scheduler_address])
    assert remote.exit_code == 0, remote.output
    for name in ("posterior.csv", "ach.csv", "forecast.csv"):
        a = pd.read_csv(tmp_path / "local" / name)
        b = pd.read_csv(tmp_path / "dask" / name)
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "local" / "parameters.parquet"),
        pd.read_parquet(tmp_path / "dask" / "parameters.parquet"),
    )


def test_an_unreachable_scheduler_is_one_line(tmp_path):
    res = runner.invoke(app, ["compare", "--scheduler", "tcp://127.0.0.1:9", "--quiet",
                              "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "scheduler" in res.output and len(res.output.strip().splitlines()) == 1


def test_a_record_file_compare_cannot_read_is_one_line(tmp_path):
    bad = tmp_path / "export.csv"
    bad.write_text("x,y\n1,2\n")
    res = runner.invoke(app, ["compare", "--record", str(bad), "--quiet",
                              "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert len(res.output.strip().splitlines()) == 1 and "UCDP GED" in res.output
    assert not (tmp_path / "o" / "posterior.csv").exists()
