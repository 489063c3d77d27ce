"""Kill a real sweep with SIGKILL part way, resume it, and get the uninterrupted answer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

N_TASKS = 12


def _args(ticks: int) -> list[str]:
    return [
        "sweep", "epstein-1", "--param", "legitimacy=0.55:0.85", "--method", "grid",
        "--samples", "4", "--replicates", "3", "--ticks", str(ticks), "--seed", "11",
    ]


def _ticks_for(seconds: float) -> int:
    """Ticks that make one run last about ``seconds`` here, so the kill lands part way
    whether the engine and the machine are fast or slow."""
    from centrehold.engine import simulate
    from centrehold.scenario import load_scenario

    scen = load_scenario("epstein-1", {"legitimacy": "0.7"})
    simulate(scen, seed=0, ticks=5)  # compiled kernels loaded
    t0 = time.perf_counter()
    simulate(scen, seed=0, ticks=100)
    per_tick = (time.perf_counter() - t0) / 100
    return int(min(5000, max(300, seconds / per_tick)))


def _cmd(args: list[str], out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "centrehold.cli.main", *args, "--out", str(out), *extra]


def _cli(args: list[str], out: Path, *extra: str):
    from typer.testing import CliRunner

    from centrehold.cli.main import app

    return CliRunner().invoke(app, [*args, "--out", str(out), *extra])


def _done(out: Path) -> list[Path]:
    return sorted((out / "tasks").glob("*.done")) if (out / "tasks").exists() else []


def _stamp(paths: list[Path]) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in paths}


def test_sigkill_then_resume_recomputes_nothing_and_loses_nothing(tmp_path):
    args = _args(_ticks_for(0.1))
    out = tmp_path / "killed"
    proc = subprocess.Popen(_cmd(args, out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 90
    while len(_done(out)) < 2:
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline, "the sweep made no progress"
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    finished = _done(out)
    assert 2 <= len(finished) < N_TASKS, "the kill must land part way"
    assert not (out / "results.parquet").exists()
    stems = [p.name.removesuffix(".done") for p in finished]
    before = _stamp(finished + [out / "tasks" / f"{s}.parquet" for s in stems])

    # resuming and the clean run go through the same CLI, in this process to save start-up
    r = _cli(args, out, "--resume")
    assert r.exit_code == 0, r.output[-2000:]
    assert len(_done(out)) == N_TASKS
    after = _stamp([out / "tasks" / n for n in before])
    assert after == before, "a task finished before the kill was computed again"
    assert not list(out.rglob("*.tmp"))

    clean = tmp_path / "clean"
    r2 = _cli(args, clean)
    assert r2.exit_code == 0, r2.output[-2000:]
    resumed = pd.read_parquet(out / "results.parquet")
    pd.testing.assert_frame_equal(resumed, pd.read_parquet(clean / "results.parquet"),
                                  check_exact=True)
    assert list(resumed["task"]) == list(range(N_TASKS))
    assert resumed["mean_active"].nunique() > 1
    assert (out / "indices.csv").read_text() == (clean / "indices.csv").read_text()
