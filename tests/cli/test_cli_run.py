"""`centrehold run` and `centrehold scenarios` through typer's runner, with a fake engine."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from cli_fakes import TOY
from typer.testing import CliRunner

from centrehold.cli.main import app
from centrehold.scenario import DEFAULT_SCENARIO, list_scenarios

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def one_error_line(result) -> str:
    """A user mistake: exit 2, nothing on stdout, one red line on stderr, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    path = tmp_path / "toy.yaml"
    path.write_text(TOY)
    return path


def test_json_is_one_object_on_stdout(fake_engine, toy: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = invoke("run", str(toy), "--seed", "7", "--ticks", "20", "--out", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)  # the whole of stdout is the JSON object
    assert summary["seed"] == 7 and summary["ticks"] == 20 and summary["scenario"] == "toy"
    for key in ("final", "peak_active", "total_arrests", "total_deaths", "wall_seconds", "agents"):
        assert key in summary
    assert summary == json.loads((out / "summary.json").read_text())
    assert fake_engine[0]["seed"] == 7 and fake_engine[0]["ticks"] == 20
    assert len(pd.read_parquet(out / "ticks.parquet")) == 21 * 2


def test_human_summary_and_defaults(fake_engine, toy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("run", str(toy))
    assert result.exit_code == 0, result.stderr
    assert "toy  seed 0  sequential  12 ticks" in result.stdout
    assert "written to out/toy-seed0/" in result.stdout
    assert (tmp_path / "out" / "toy-seed0" / "timeseries.png").exists()
    assert fake_engine[0]["ticks"] == 12  # the scenario's own length


def test_set_and_schedule_reach_the_engine(fake_engine, toy: Path, tmp_path: Path) -> None:
    result = invoke("run", str(toy), "--set", "legitimacy=0.7", "--set", "variant.rounding=round",
                    "--schedule", "synchronous", "--out", str(tmp_path / "r"), "--json")
    assert result.exit_code == 0, result.stderr
    scn = fake_engine[0]["scenario"]
    assert scn.legitimacy == 0.7 and scn.variant.rounding == "round"
    assert fake_engine[0]["schedule"] == "synchronous"
    params = json.loads((tmp_path / "r" / "scenario.json").read_text())
    assert params["legitimacy"] == 0.7


@pytest.mark.parametrize(
    ("args", "words"),
    [(["--set", "legitmacy=0.7"], "did you mean 'legitimacy'"),
     (["--set", "legitimacy"], "is not key=value"),
     (["--set", "cop_density=0.5"], "exceeds 1"),
     (["--set", "citizen_vision=-2"], "citizen_vision"),
     (["--set", "max_jail_term=-1"], "max_jail_term"),
     (["--set", "width=wide"], "whole number"),
     (["--hypothesis", "H3"], "has no hypotheses")],
)
def test_bad_input_is_one_red_line(fake_engine, toy: Path, tmp_path: Path, args, words) -> None:
    line = one_error_line(invoke("run", str(toy), "--out", str(tmp_path / "r"), *args))
    assert words in line
    assert fake_engine == []  # nothing was simulated


def test_unknown_scenario_lists_the_known(fake_engine) -> None:
    line = one_error_line(invoke("run", "epstein-9"))
    for name, _ in list_scenarios():
        assert name in line


def test_bad_yaml_names_file_and_line(fake_engine, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nmodel: epstein\nwidth: : 3\n")
    line = one_error_line(invoke("run", str(path)))
    assert "bad.yaml" in line and "line 3" in line


def test_occupied_out_is_refused(fake_engine, toy: Path, tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("a,b\n")
    line = one_error_line(invoke("run", str(toy), "--out", str(tmp_path)))
    assert "not a single centrehold run" in line and "choose a new folder" in line
    assert fake_engine == []


def test_rerun_into_the_same_out_is_allowed(fake_engine, toy: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "r")
    assert invoke("run", str(toy), "--out", out, "--json").exit_code == 0
    first = (tmp_path / "r" / "timeseries.png").read_bytes()
    result = invoke("run", str(toy), "--out", out, "--json", "--seed", "1")
    assert result.exit_code == 0 and json.loads(result.stdout)["seed"] == 1
    # the figures the CLI drew are no stranger's files: accepted, then redrawn for seed 1
    assert (tmp_path / "r" / "timeseries.png").read_bytes() != first


def test_hypothesis_is_sugar_for_set(fake_engine, regional_models, tmp_path: Path) -> None:
    path = tmp_path / "h.yaml"
    path.write_text("name: h\nmodel: hyp\nticks: 5\n")
    result = invoke("run", str(path), "--hypothesis", "H3", "--out", str(tmp_path / "r"), "--json")
    assert result.exit_code == 0, result.stderr
    assert fake_engine[0]["scenario"].hypothesis == "H3"
    line = one_error_line(invoke("run", str(path), "--hypothesis", "H9"))
    assert "--set hypothesis=H9" in line and "'H3'" in line
    line = one_error_line(invoke("run", str(path), "--hypothesis", "H1", "--set", "hypothesis=H2"))
    assert "disagree" in line


def test_bad_schedule_is_refused_by_the_parser(fake_engine, toy: Path) -> None:
    result = invoke("run", str(toy), "--schedule", "diagonal")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert fake_engine == []


def test_a_bug_is_one_line_with_exit_1(monkeypatch, toy: Path, tmp_path: Path) -> None:
    from centrehold.runs import single

    def broken(*args, **kwargs):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(single, "_engine", lambda: broken)
    monkeypatch.delenv("CENTREHOLD_DEBUG", raising=False)
    result = invoke("run", str(toy), "--out", str(tmp_path / "r"))
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("internal error: ZeroDivisionError: oops")
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_scenarios_lists_one_line_each_and_marks_the_default() -> None:
    result = invoke("scenarios")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    names = [name for name, _ in list_scenarios()]
    assert [line.split()[0] for line in lines] == names
    assert {"epstein-1", "epstein-2"} <= set(names)
    assert sum("(default)" in line for line in lines) == 1
    assert any(line.startswith(DEFAULT_SCENARIO + " ") and "(default)" in line for line in lines)


def test_progress_callback_drives_a_bar(fake_engine, toy: Path, tmp_path: Path) -> None:
    from centrehold.cli.run import progress_bar

    seen = []
    with progress_bar("x", enabled=True) as update:
        assert update is not None
        for i in range(1, 4):
            update(i, 3)
            seen.append(i)
    with progress_bar("x", enabled=False) as update:
        assert update is None
    assert seen == [1, 2, 3]


def test_progress_bar_only_on_a_terminal(fake_engine, toy: Path, tmp_path: Path,
                                         monkeypatch) -> None:
    from centrehold.cli import run as run_module

    result = invoke("run", str(toy), "--out", str(tmp_path / "a"), "--json")
    assert result.exit_code == 0 and fake_engine[-1]["progress"] is None  # not a terminal
    monkeypatch.setattr(run_module, "_stderr_is_terminal", lambda: True)
    result = invoke("run", str(toy), "--out", str(tmp_path / "b"), "--json")
    assert result.exit_code == 0 and fake_engine[-1]["progress"] is not None
    assert json.loads(result.stdout)["ticks"] == 12  # the bar never touches stdout
