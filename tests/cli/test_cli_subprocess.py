"""The installed `centrehold` command in a real process, on the real engine and scenarios."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

CENTREHOLD = str(Path(sys.executable).parent / "centrehold")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CENTREHOLD, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_run_epstein_1_json_and_parquet(tmp_path: Path) -> None:
    proc = run("run", "epstein-1", "--ticks", "50", "--json", "--out", "r", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["scenario"] == "epstein-1" and summary["ticks"] == 50
    assert summary["seed"] == 0 and summary["schedule"] == "sequential"
    assert summary["agents"] == 1184  # 0.70 and 0.04 of a 40x40 lattice: 1120 + 64
    df = pd.read_parquet(tmp_path / "r" / "ticks.parquet")
    assert {"tick", "quiet", "active", "jailed", "dead", "arrests", "killings"} <= set(df.columns)
    assert df["tick"].max() == 50
    civilians = df[["quiet", "active", "jailed", "dead"]].sum(axis=1)
    assert (civilians == 1120).all()  # conserved every tick
    assert df["arrests"].sum() == summary["total_arrests"]
    assert df["active"].max() == summary["peak_active"]
    params = json.loads((tmp_path / "r" / "scenario.json").read_text())
    assert params["legitimacy"] == 0.82 and params["name"] == "epstein-1"


def test_bad_set_exit_2_one_line_no_traceback(tmp_path: Path) -> None:
    proc = run("run", "epstein-1", "--ticks", "5", "--set", "legitmacy=0.7", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "did you mean 'legitimacy'" in lines[0]
    assert not (tmp_path / "out").exists()  # nothing written


def test_run_with_report_then_rerun_drops_the_stale_report(tmp_path: Path) -> None:
    proc = run("run", "epstein-1", "--ticks", "30", "--report", "--json", "--out", "r",
               cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    html = tmp_path / Path(summary["report"])  # as given on the command line: relative
    assert html == tmp_path / "r" / "report.html"
    text = html.read_text(encoding="utf-8")
    assert "<html" in text.lower()
    assert not re.search(r"<script[^>]+src=[\"']?https?:", text)  # offline: no script from a CDN
    # the folder with its report is still "a previous run": a rerun is accepted,
    # and the report of the old run does not survive next to the new one
    again = run("run", "epstein-1", "--ticks", "20", "--seed", "3", "--out", "r", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert not html.exists()
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["seed"] == 3
