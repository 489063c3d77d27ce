"""`centrehold whatif`: one-line errors with exit 2; the same seed gives the same tables
with one worker and with two."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from centrehold.cli.main import app

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from infer.test_whatif import write_fake_compare  # noqa: E402

runner = CliRunner()


def _one_line_error(res, needle: str) -> None:
    assert res.exit_code == 2, res.output
    text = res.output.strip()
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    assert needle in text


def test_a_missing_folder_is_one_line(tmp_path):
    res = runner.invoke(app, ["whatif", str(tmp_path / "nowhere"), "--case", "streets",
                              "--out", str(tmp_path / "o"), "--quiet"])
    _one_line_error(res, "does not exist")


def test_a_folder_without_parameters_is_one_line(tmp_path):
    folder = write_fake_compare(tmp_path / "c")
    (folder / "parameters.parquet").unlink()
    res = runner.invoke(app, ["whatif", str(folder), "--case", "streets",
                              "--out", str(tmp_path / "o"), "--quiet"])
    _one_line_error(res, "parameters.parquet")


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--case", "streets", "--draws", "0"], "--draws"),
        (["--case", "streets", "--workers", "0"], "--workers"),
        (["--case", "moon-landing"], "no-funding-cut"),
        ([], "--case"),
    ],
)
def test_bad_options_are_one_line(tmp_path, args, needle):
    folder = write_fake_compare(tmp_path / "c")
    res = runner.invoke(app, ["whatif", str(folder), *args, "--out", str(tmp_path / "o"),
                              "--quiet"])
    _one_line_error(res, needle)
    assert not (tmp_path / "o").exists()


def test_same_seed_same_tables_with_one_and_two_workers(tmp_path):
    folder = write_fake_compare(tmp_path / "c",
                                status={"H0": "inadequate", "H1": "inadequate"})
    outs = {}
    for workers in (1, 2):
        # one worker writes to the default place, the compare folder's whatif/
        out = folder / "whatif" if workers == 1 else tmp_path / "w2"
        where = [] if workers == 1 else ["--out", str(out)]
        res = runner.invoke(app, ["whatif", str(folder), "--case", "no-instigation",
                                  "--case", "streets", "--draws", "2", "--seed", "4",
                                  "--workers", str(workers), *where, "--quiet"])
        assert res.exit_code == 0, res.output
        assert "not what would have happened" in res.output
        # none adequate: every fitted hypothesis is used, and the user is told
        assert "warning: no hypothesis in the compare folder is adequate" in res.output
        table = [line for line in res.output.splitlines() if not line.startswith("warning")]
        assert max(len(line) for line in table) <= 80
        outs[workers] = out
    for name in ("whatif_monthly.csv", "whatif_governorate.csv", "whatif_summary.csv",
                 "whatif_draws.csv"):
        a = pd.read_csv(outs[1] / name)
        b = pd.read_csv(outs[2] / name)
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    monthly = pd.read_csv(outs[1] / "whatif_monthly.csv")
    assert set(monthly["case"]) == {"no-instigation", "streets"}
    assert monthly["month"].min() == "2008-01" and monthly["month"].max() == "2010-12"
    # nothing the streets case changes happens before the withdrawal date
    early = monthly[(monthly["case"] == "streets") & (monthly["month"] < "2009-06")]
    assert (early[["difference_low", "difference_median", "difference_high"]] == 0).all().all()
    gov = pd.read_csv(outs[1] / "whatif_governorate.csv")
    assert len(gov) == 2 * 18
    settings = json.loads((outs[1] / "whatif.json").read_text())
    assert settings["scenario_overrides"] == {"people_per_agent": "10000",
                                              "calendar.tick": "week"}
    assert len(settings["draw_parameters"]) == 2
    assert (outs[1] / "whatif.png").stat().st_size > 0
    # the compare folder's report carries the what-ifs, with their caveat
    from centrehold.report import build_report

    page = build_report(folder, tmp_path / "r.html").html.read_text(encoding="utf-8")
    assert "What-ifs: model counterfactuals" in page
    assert "not what would have happened" in page and "no-instigation" in page
