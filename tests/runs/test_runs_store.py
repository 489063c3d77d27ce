"""The run directory: atomic files, verified markers, resume, refusal to mix runs."""

from __future__ import annotations

import json
from functools import partial

import pandas as pd
import pytest
from runs_testkit import counting_task

from centrehold.errors import UserError
from centrehold.runs import EnsembleSpec, load_results, run_ensemble, run_task, store, to_xarray

SMALL = {"width": "20", "height": "20"}


def _spec(**kw) -> EnsembleSpec:
    base = dict(scenario="epstein-1", overrides=SMALL, replicates=3, root_seed=7, ticks=20,
                param_sets=[{"legitimacy": "0.5"}, {"legitimacy": "0.9"}])
    base.update(kw)
    return EnsembleSpec(**base)


def _executions(log_dir) -> list[int]:
    return sorted(int(p.name.split(".")[0]) for p in log_dir.iterdir())


def test_run_directory_layout_and_manifest(tmp_path):
    spec = _spec(keep_series=True)
    calls = []
    table = run_ensemble(spec, tmp_path / "run", task_fn=run_task,
                         progress=lambda d, t: calls.append((d, t)))
    out = tmp_path / "run"
    assert list(table["task"]) == list(range(6))
    assert calls[0] == (0, 6) and calls[-1] == (6, 6)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    man = json.loads((out / "manifest.json").read_text())
    assert man["complete"] is True and man["n_done"] == 6
    assert man["spec"]["root_seed"] == 7
    assert [t["status"] for t in man["tasks"]] == ["done"] * 6
    assert [t["seed"] for t in man["tasks"]] == list(table["seed"])
    assert "numpy" in man["versions"] and "centrehold" in man["versions"]
    pd.testing.assert_frame_equal(load_results(out), table)
    series = pd.read_parquet(out / "series.parquet")
    assert len(series) == 6 * 21 * 1  # tasks x (tick 0 + 20 ticks) x one group
    # a task's series sums to its row's totals
    t3 = series[series["task"] == 3]
    assert t3["arrests"].sum() == table.loc[3, "total_arrests"]
    assert t3.groupby("tick")["active"].sum().max() == table.loc[3, "peak_active"]
    assert not list(out.rglob("*.tmp"))
    ds = to_xarray(table)
    assert ds.sizes["task"] == 6 and float(ds["mean_active"].sel(task=4)) == table.loc[4,
                                                                                  "mean_active"]


def test_task_row_is_simulate_summarised_by_hand():
    """The row a task returns is the engine's own Dataset, reduced as documented."""
    from centrehold.engine import simulate
    from centrehold.runs import expand
    from centrehold.scenario import load_scenario

    task = expand(_spec())[1]
    row = run_task(task).row
    ds = simulate(load_scenario("epstein-1", task.overrides), seed=task.seed, ticks=20)
    assert ds.attrs["seed"] == task.seed
    active = ds["active"].values.sum(axis=1)
    assert active.max() > 0  # legitimacy 0.5: something to summarise
    assert row["mean_active"] == active.mean()
    assert row["peak_active"] == active.max()
    assert row["peak_tick"] == int(ds["tick"].values[active.argmax()])
    assert row["total_arrests"] == ds["arrests"].values.sum()
    assert row["total_deaths"] == ds["killings"].values.sum()
    assert row["final_jailed[citizens]"] == ds["jailed"].values[-1, 0]
    assert row["final_quiet"] == ds["quiet"].values[-1].sum()
    assert row["legitimacy"] == 0.5 and row["replicate"] == 1 and row["task"] == 1


def test_summary_sums_every_dim_but_tick():
    from runs_testkit import standin_dataset

    from centrehold.runs import expand, summarise

    task = expand(_spec())[2]
    ds = standin_dataset(task)  # two groups
    s = summarise(ds)
    total_active = ds["active"].values.sum(axis=1)
    assert s["mean_active"] == total_active.mean()
    assert s["peak_active"] == total_active.max()
    assert s["total_arrests"] == ds["arrests"].values.sum()
    assert s["final_dead[b]"] == ds["dead"].values[-1, 1]
    assert s["final_dead"] == ds["dead"].values[-1].sum()


def test_resume_computes_only_missing_and_redoes_corrupt(tmp_path):
    out, log = tmp_path / "run", tmp_path / "log"
    log.mkdir()
    fn = partial(counting_task, log_dir=str(log), inner=run_task)
    spec = _spec()
    full = run_ensemble(spec, out, task_fn=fn)
    assert _executions(log) == list(range(6))
    # damage: truncate task 1's data, corrupt one byte of task 4's, delete task 5's marker
    p1 = out / "tasks" / "000001.parquet"
    p1.write_bytes(p1.read_bytes()[:-10])
    p4 = out / "tasks" / "000004.parquet"
    b = bytearray(p4.read_bytes())
    b[len(b) // 2] ^= 0xFF
    p4.write_bytes(bytes(b))
    (out / "tasks" / "000005.done").unlink()
    (out / "tasks" / ".000002.parquet.abc.tmp").write_bytes(b"half")
    assert not store.task_done(out, 1) and not store.task_done(out, 4)
    assert store.task_done(out, 0)
    untouched = (out / "tasks" / "000000.parquet").stat().st_mtime_ns
    again = run_ensemble(spec, out, task_fn=fn, resume=True)
    assert _executions(log) == [0, 1, 1, 2, 3, 4, 4, 5, 5]
    assert (out / "tasks" / "000000.parquet").stat().st_mtime_ns == untouched
    assert not list(out.rglob("*.tmp"))
    pd.testing.assert_frame_equal(again, full)
    # nothing left to do: a third pass computes nothing
    run_ensemble(spec, out, task_fn=fn, resume=True)
    assert len(_executions(log)) == 9


def test_foreign_or_existing_out_dir_is_refused(tmp_path):
    out = tmp_path / "run"
    run_ensemble(_spec(), out, task_fn=run_task)
    with pytest.raises(UserError, match="another run.*--resume.*--out") as e1:
        run_ensemble(_spec(replicates=4), out, task_fn=run_task, resume=True)
    with pytest.raises(UserError, match="already holds this run; pass --resume"):
        run_ensemble(_spec(), out, task_fn=run_task)
    other = tmp_path / "notarun"
    other.mkdir()
    (other / "thesis.txt").write_text("mine")
    with pytest.raises(UserError, match="not empty"):
        run_ensemble(_spec(), other, task_fn=run_task)
    assert "\n" not in str(e1.value)
    # the refused runs left the original intact
    assert store.read_manifest(out)["n_done"] == 6


def test_atomic_write_replaces_whole_file(tmp_path):
    p = tmp_path / "f.bin"
    store.atomic_write_bytes(p, b"a" * 1000)
    store.atomic_write_bytes(p, b"b" * 10)
    assert p.read_bytes() == b"b" * 10
    assert [q.name for q in tmp_path.iterdir()] == ["f.bin"]


def test_summary_of_a_regional_shaped_dataset():
    """Regions are summed away; deaths in persons by cause take precedence over killings."""
    import numpy as np
    import xarray as xr

    from centrehold.runs import series_table, summarise

    rng = np.random.default_rng(5)
    T, R, G = 6, 3, 2
    dims = ("tick", "region", "group")
    counts = {v: rng.integers(0, 9, size=(T, R, G)) for v in
              ("quiet", "active", "jailed", "dead", "arrests", "killings")}
    deaths = rng.integers(0, 50, size=(T, R, G, 2))
    ds = xr.Dataset(
        {**{v: (dims, a) for v, a in counts.items()},
         "deaths": ((*dims, "cause"), deaths)},
        coords={"tick": np.arange(T), "region": ["IQ-BG", "IQ-NI", "IQ-BA"],
                "group": ["g0", "g1"], "cause": ["sectarian", "instigated"],
                "region_name": ("region", ["Baghdad", "Ninawa", "Basra"])},
    )
    s = summarise(ds)
    active = counts["active"].sum(axis=(1, 2))
    assert s["mean_active"] == active.mean() and s["peak_active"] == active.max()
    assert s["total_deaths"] == deaths.sum()
    assert s["total_deaths[instigated]"] == deaths[..., 1].sum()
    assert s["total_killings"] == counts["killings"].sum()
    assert s["final_jailed[g1]"] == counts["jailed"][-1, :, 1].sum()
    series = series_table(ds)
    assert len(series) == T * G and "region" not in series
    assert series["arrests"].sum() == counts["arrests"].sum()


def test_a_failing_task_keeps_finished_work_and_reports_the_users_error(tmp_path):
    """A bad parameter set fails as the loader's UserError; tasks before it stay done."""
    out = tmp_path / "run"
    spec = EnsembleSpec(scenario="epstein-1", overrides=SMALL, ticks=5, replicates=2,
                        param_sets=[{"legitimacy": "0.7"}, {"legitimacy": "2"}])
    with pytest.raises(UserError, match="legitimacy"):
        run_ensemble(spec, out)
    man = store.read_manifest(out)
    assert [t["status"] for t in man["tasks"]] == ["done", "done", "pending", "pending"]
    assert man["complete"] is False
    assert store.task_done(out, 1) and not store.task_done(out, 2)
    # resuming reports the finished tasks first, then fails again on the same task
    seen = []
    with pytest.raises(UserError):
        run_ensemble(spec, out, resume=True, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(2, 4)]


def test_any_truncation_or_flipped_byte_is_detected(tmp_path):
    """Property: whatever single damage a data file suffers, the task is not done."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    out = tmp_path / "d"
    (out / "tasks").mkdir(parents=True)
    store.write_task(out, 3, {"task": 3, "mean_active": 1.5, "label": "x"}, None, {})
    path = out / "tasks" / "000003.parquet"
    good = path.read_bytes()
    assert store.task_done(out, 3)

    @settings(max_examples=150, deadline=None)
    @given(cut=st.integers(0, len(good) - 1), pos=st.integers(0, len(good) - 1),
           flip=st.integers(1, 255), truncate=st.booleans())
    def damaged(cut, pos, flip, truncate):
        if truncate:
            bad = good[:cut]
        else:
            b = bytearray(good)
            b[pos] ^= flip
            bad = bytes(b)
        path.write_bytes(bad)
        try:
            assert not store.task_done(out, 3)
        finally:
            path.write_bytes(good)

    damaged()
    assert store.task_done(out, 3)


def test_a_coarse_run_whose_feud_had_few_agents_says_so():
    """Few active agents on an average day put a regional run in the regime where the
    feud dies out by chance (docs/engine.md, "Resolution"): the summary counts them and
    the terminal says what it means; a run with enough says nothing."""
    from pathlib import Path

    import numpy as np
    import xarray as xr

    from centrehold.cli.run import _human_summary
    from centrehold.runs.single import FEW_ACTIVE_AGENTS, summarize

    def run_with(active_per_tick: int) -> dict:
        T, R, G = 8, 3, 2
        dims = ("tick", "region", "group")
        active = np.zeros((T, R, G), dtype=int)
        active[:, 0, 0] = active_per_tick
        ds = xr.Dataset(
            {"active": (dims, active), "quiet": (dims, np.ones((T, R, G), dtype=int))},
            coords={"tick": np.arange(T), "region": ["IQ-BG", "IQ-NI", "IQ-BA"],
                    "group": ["g0", "g1"]},
            attrs={"params": json.dumps({"people_per_agent": 10000})},
        )
        return summarize(ds)

    few = run_with(int(FEW_ACTIVE_AGENTS) - 15)
    assert few["mean_active_agents"] == FEW_ACTIVE_AGENTS - 15
    assert "dies out by chance" in _human_summary(few, Path("out"))
    many = run_with(int(FEW_ACTIVE_AGENTS) + 30)
    assert "dies out" not in _human_summary(many, Path("out"))
