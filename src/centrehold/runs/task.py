"""One task: load the scenario, simulate, and reduce the run to labelled outputs.

Reduction happens on the worker so that only a row of numbers (and, if asked,
the per-tick series) travels back over the wire, not the whole Dataset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from centrehold.runs.spec import Task

# The state counts every engine Dataset carries (tick x group, plus region for regional worlds).
STATE_VARS = ("quiet", "active", "jailed", "dead")
FLOW_VARS = ("arrests", "killings")
SCALAR_OUTPUTS = (
    "mean_active", "peak_active", "peak_tick", "total_arrests", "total_killings", "total_deaths",
    *(f"final_{v}" for v in STATE_VARS),
)


def is_output_name(name: str) -> bool:
    """Whether ``name`` can be an output of :func:`summarise` (per-group names included)."""
    if name in SCALAR_OUTPUTS:
        return True
    prefixes = [f"final_{v}[" for v in STATE_VARS] + ["total_deaths["]
    return any(name.startswith(p) and name.endswith("]") for p in prefixes)


@dataclass
class TaskResult:
    """What a worker sends back: one labelled row and, optionally, the per-tick series."""

    row: dict[str, Any]
    series: pd.DataFrame | None = None


def _collapse(da: xr.DataArray, keep: tuple[str, ...]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Sum a variable over every dim not in ``keep``, in NumPy (xarray's reductions cost
    more than a short run itself)."""
    dims = da.dims
    axes = tuple(i for i, d in enumerate(dims) if d not in keep)
    vals = np.asarray(da.values)
    if axes:
        vals = vals.sum(axis=axes)
    return vals, tuple(d for d in dims if d in keep)


def summarise(ds: xr.Dataset) -> dict[str, float]:
    """Scalar outputs of one run, summed over every dim but ``tick``.

    These are the quantities sweeps and sensitivity analyses are run on; per-group
    final counts are kept too because a total can hide one group's collapse.
    """
    active, _ = _collapse(ds["active"], ("tick",))
    ticks = np.asarray(ds["tick"].values)
    out: dict[str, float] = {
        "mean_active": float(active.mean()),
        "peak_active": float(active.max()),
        "peak_tick": float(ticks[int(active.argmax())]),
    }
    for var in FLOW_VARS:
        if var in ds:
            out[f"total_{var}"] = float(np.asarray(ds[var].values).sum())
    if "deaths" in ds:
        # regional runs count deaths in persons by cause (attacks included); prefer them
        out["total_deaths"] = float(np.asarray(ds["deaths"].values).sum())
        if "cause" in ds["deaths"].dims:
            by_cause, _ = _collapse(ds["deaths"], ("cause",))
            for c, v in zip(ds["cause"].values, np.atleast_1d(by_cause), strict=True):
                out[f"total_deaths[{c}]"] = float(v)
    else:
        out["total_deaths"] = out.get("total_killings", 0.0)
    groups = [str(g) for g in ds["group"].values] if "group" in ds.coords else []
    for var in STATE_VARS:
        if var not in ds:
            continue
        vals, kept = _collapse(ds[var], ("tick", "group"))
        last = vals[-1] if kept and kept[0] == "tick" else vals
        out[f"final_{var}"] = float(np.sum(last))
        if "group" in kept:
            for g, v in zip(groups, np.atleast_1d(last), strict=True):
                out[f"final_{var}[{g}]"] = float(v)
    return out


def series_table(ds: xr.Dataset) -> pd.DataFrame:
    """Per-tick counts by group (other dims summed), tidy: one row per tick x group."""
    names = [v for v in (*STATE_VARS, *FLOW_VARS) if v in ds]
    sub = ds[names]
    extra = [d for d in sub.dims if d not in ("tick", "group")]
    if extra:
        sub = sub.sum(extra)
    drop = [c for c in sub.coords if c not in sub.dims]
    sub = sub.drop_vars(drop)
    df = sub.to_dataframe().reset_index()
    for v in names:
        df[v] = df[v].astype(np.int64)
    return df


def reduce_run(task: Task, ds: xr.Dataset) -> TaskResult:
    """Label a finished run with its task, ready for the run directory."""
    row = task.label()
    row.update(summarise(ds))
    series = None
    if task.keep_series:
        series = series_table(ds)
        series.insert(0, "task", task.index)
    return TaskResult(row=row, series=series)


def run_task(task: Task) -> TaskResult:
    """The default task function: the real scenario loader and the real engine."""
    from centrehold.engine import simulate
    from centrehold.scenario import load_scenario

    scenario = load_scenario(task.scenario, task.overrides)
    ds = simulate(scenario, seed=task.seed, ticks=task.ticks, schedule=task.schedule)
    return reduce_run(task, ds)
