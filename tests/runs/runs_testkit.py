"""Task functions for the run tests: a small deterministic stand-in and fault injectors.

They live in an importable module (not a test file) because worker processes,
local or Dask, unpickle them by reference.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import xarray as xr

from centrehold.runs import Task, TaskResult, reduce_run, run_task


def standin_dataset(task: Task, ticks: int = 30) -> xr.Dataset:
    """A fake engine run: counts shaped like `simulate`'s, driven by seed and overrides."""
    rng = np.random.default_rng(task.seed)
    legit = float(task.overrides.get("legitimacy", 0.8))
    t = task.ticks or ticks
    groups = ["a", "b"]
    active = rng.poisson(lam=50 * (1 - legit) + 1, size=(t, 2)).astype(np.int64)
    jailed = rng.poisson(lam=5, size=(t, 2)).astype(np.int64)
    arrests = rng.poisson(lam=2, size=(t, 2)).astype(np.int64)
    killings = rng.poisson(lam=0.5, size=(t, 2)).astype(np.int64)
    dead = np.cumsum(killings, axis=0)
    quiet = 200 - active - jailed - dead
    dims = ("tick", "group")
    coords = {"tick": np.arange(t), "group": groups}
    return xr.Dataset(
        {"quiet": (dims, quiet), "active": (dims, active), "jailed": (dims, jailed),
         "dead": (dims, dead), "arrests": (dims, arrests), "killings": (dims, killings)},
        coords=coords,
    )


def standin_task(task: Task) -> TaskResult:
    """Stand-in for `run_task` while the engine is not available."""
    return reduce_run(task, standin_dataset(task))


def counting_task(task: Task, log_dir: str, inner=run_task) -> TaskResult:
    """Record every execution as a file, so a test can count recomputations."""
    Path(log_dir, f"{task.index:06d}.{os.getpid()}.{os.urandom(4).hex()}").touch()
    return inner(task)


def die_once(task: Task, marker_dir: str, victim: int, inner=run_task) -> TaskResult:
    """Kill the worker process the first time task `victim` runs; behave normally after."""
    if task.index == victim:
        marker = Path(marker_dir, f"died-{victim}")
        if not marker.exists():
            marker.touch()
            os._exit(1)
    return inner(task)
