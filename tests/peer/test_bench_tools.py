"""The benchmark runner and the engine table's arithmetic, on small made-up inputs.

The figures in benchmarks/results/ are only as good as the code that turns timings
into ratios; these tests pin that code without timing anything.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str) -> ModuleType:
    key = f"centrehold_bench_{name}"
    if key in sys.modules:
        return sys.modules[key]
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(key, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module


def _row(engine: str, side: int, agents: int, s_per_tick: float, cpu: float) -> dict:
    return {
        "engine": engine, "side": side, "agents": agents, "ticks": 10,
        "wall_seconds": 10 * s_per_tick, "seconds_per_tick": s_per_tick,
        "cpu_seconds_per_tick": cpu, "peak_rss_bytes": 2**30,
        "rss_before_bytes": 2**29 if engine.startswith("centrehold") else None,
        "state_bytes": 55.0 * agents if engine.startswith("centrehold") else None,
        "threads": 1, "mean_active": 0.0,
    }


def test_ratios_use_mesa_at_the_same_size_or_its_largest():
    be = _load("bench_engine")
    rows = be.finish_rows([
        _row("mesa-3.3.1", 40, 1000, 0.05, 0.04),  # 20,000 agent-steps/s
        _row("mesa-3.3.1", 100, 8000, 0.5, 0.5),  # 16,000
        _row("centrehold-sequential", 100, 8000, 0.004, 0.002),  # 2,000,000
        _row("centrehold-synchronous", 1000, 800_000, 0.05, 0.1),  # 16,000,000
    ])
    by = {(r["engine"], r["side"]): r for r in rows}
    seq = by[("centrehold-sequential", 100)]
    assert seq["agent_steps_per_second"] == pytest.approx(2_000_000)
    assert seq["ratio_to_mesa"] == pytest.approx(125.0)
    assert seq["ratio_to_mesa_cpu"] == pytest.approx(4_000_000 / 16_000)
    assert seq["mesa_reference"] == "100x100"
    syn = by[("centrehold-synchronous", 1000)]
    assert syn["ratio_to_mesa"] == pytest.approx(1000.0)  # against Mesa's largest, 100x100
    assert syn["mesa_reference"] == "100x100 (largest)"
    assert syn["rss_growth_bytes_per_agent"] == pytest.approx(2**29 / 800_000)
    assert syn["state_bytes_per_agent"] == pytest.approx(55.0)
    assert by[("mesa-3.3.1", 40)]["ratio_to_mesa"] == 1.0


def test_engine_table_is_written_with_the_targets(tmp_path):
    be = _load("bench_engine")
    rows = be.finish_rows([
        _row("mesa-3.3.1", 100, 8000, 0.5, 0.5),
        _row("centrehold-sequential", 100, 8000, 0.004, 0.004),  # 125x
        _row("centrehold-synchronous", 100, 8000, 0.001, 0.002),  # 500x wall
    ])
    meta = {"date": "d", "machine": "m", "mesa": "3.3.1", "threads": 2, "load": 1.0}
    be.write_results(rows, tmp_path, meta)
    import pandas as pd

    df = pd.read_csv(tmp_path / "engine.csv")
    assert list(df.columns) == be.COLUMNS and len(df) == 3
    md = (tmp_path / "engine.md").read_text()
    assert "`sequential` >= 100x Mesa by wall clock: met" in md
    assert "`synchronous` >= 1000x Mesa by wall clock: NOT met (lowest 500x" in md
    assert "10^7 agents: not run" in md


def test_run_all_runs_every_module_and_survives_a_failing_one(tmp_path, monkeypatch, capsys):
    ra = _load("run_all")
    scripts = tmp_path / "b"
    scripts.mkdir()
    (scripts / "bench_alpha.py").write_text(
        "def main(results_dir, quick=False):\n"
        "    (results_dir / 'alpha.txt').write_text('quick' if quick else 'full')\n"
    )
    (scripts / "bench_beta.py").write_text("def main(results_dir):\n    raise RuntimeError('x')\n")
    (scripts / "bench_gamma.py").write_text(
        "def main(results_dir):\n    (results_dir / 'gamma.txt').write_text('ok')\n"
    )
    monkeypatch.setattr(ra, "HERE", scripts)
    out = tmp_path / "results"
    assert ra.main(["--results", str(out), "--quick"]) == 1  # beta failed
    assert (out / "alpha.txt").read_text() == "quick"
    assert (out / "gamma.txt").read_text() == "ok"  # ran after the failure
    printed = capsys.readouterr()
    assert "bench_beta FAILED" in printed.out and "failed: bench_beta" in printed.err
    assert ra.main(["--results", str(out), "gamma"]) == 0
    with pytest.raises(SystemExit, match="no benchmark named \\['delta'\\]"):
        ra.main(["--results", str(out), "delta"])
