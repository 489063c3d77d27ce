"""Ensembles and sweeps: many worlds, seeded from one root, run anywhere, stored resumably."""

from centrehold.runs.ensemble import collect, load_results, run_digest, run_ensemble, to_xarray
from centrehold.runs.executors import (
    DaskExecutor,
    Executor,
    InProcessExecutor,
    ProcessExecutor,
    get_executor,
)
from centrehold.runs.spec import EnsembleSpec, Task, expand, task_seed
from centrehold.runs.task import TaskResult, reduce_run, run_task, series_table, summarise

__all__ = [
    "DaskExecutor",
    "EnsembleSpec",
    "Executor",
    "InProcessExecutor",
    "ProcessExecutor",
    "Task",
    "TaskResult",
    "collect",
    "expand",
    "get_executor",
    "load_results",
    "reduce_run",
    "run_digest",
    "run_ensemble",
    "run_task",
    "series_table",
    "summarise",
    "task_seed",
    "to_xarray",
]
