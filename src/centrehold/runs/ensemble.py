"""Run an ensemble into a run directory, resumably, and collect one labelled table."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import xarray as xr

from centrehold.runs import store
from centrehold.runs.executors import Executor, InProcessExecutor, Progress
from centrehold.runs.spec import EnsembleSpec, Task, expand
from centrehold.runs.task import TaskResult, run_task

_MANIFEST_EVERY_S = 2.0


def run_digest(spec: EnsembleSpec, meta: dict[str, Any] | None = None) -> str:
    """Identity of a run: the spec plus any design metadata (e.g. a sweep's method)."""
    text = spec.digest() + json.dumps(meta or {}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _task_entry(t: Task) -> dict[str, Any]:
    return {
        "task": t.index,
        "seed": t.seed,
        "hypothesis": t.hypothesis,
        "param_set": t.param_set,
        "replicate": t.replicate,
        "overrides": t.overrides,
    }


def run_ensemble(
    spec: EnsembleSpec,
    out_dir: str | Path,
    executor: Executor | None = None,
    resume: bool = False,
    progress: Progress | None = None,
    task_fn: Callable[[Task], TaskResult] = run_task,
    meta: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Compute every task of ``spec`` not yet done in ``out_dir`` and return all rows.

    ``task_fn`` is the real loader-and-engine by default; any picklable function of a
    ``Task`` returning a ``TaskResult`` may replace it (a wrapper that adds outputs,
    for instance). ``meta`` is stored in the manifest and is part of the run's
    identity, so a resumed run must pass the same. Progress counts tasks done,
    including those found done on disk.
    """
    out = Path(out_dir)
    tasks = expand(spec)
    digest = run_digest(spec, meta)
    store.prepare_dir(out, digest, resume)
    store.remove_strays(out)
    done = {t.index for t in tasks if store.task_done(out, t.index)}
    entries = [_task_entry(t) for t in tasks]
    started = time.time()
    spec_doc = spec.model_dump(mode="json")
    versions = store.package_versions()

    def write_manifest(finished: bool) -> None:
        doc = store.manifest_doc(spec_doc, digest, entries, done, meta, started, finished,
                                 versions)
        store.atomic_write_json(out / store.MANIFEST, doc)

    write_manifest(False)
    total = len(tasks)
    if progress is not None:
        progress(len(done), total)
    pending = [t for t in tasks if t.index not in done]
    if pending:
        ex = executor if executor is not None else InProcessExecutor()
        last = time.monotonic()
        t0 = time.monotonic()
        try:
            for j, res in ex.as_completed(task_fn, pending):
                t = pending[j]
                info = {"seed": t.seed,
                        "wall_seconds_since_start": round(time.monotonic() - t0, 3)}
                store.write_task(out, t.index, res.row, res.series, info)
                done.add(t.index)
                if progress is not None:
                    progress(len(done), total)
                if time.monotonic() - last > _MANIFEST_EVERY_S:
                    write_manifest(False)
                    last = time.monotonic()
        finally:
            # a failing task or Ctrl-C still leaves a manifest that says what is done
            write_manifest(False)
    table = collect(out, [t.index for t in tasks], spec.keep_series)
    write_manifest(True)
    return table


def collect(out: str | Path, indices: list[int], keep_series: bool = False) -> pd.DataFrame:
    """Gather per-task rows (verified) into ``results.parquet`` in task order."""
    out = Path(out)
    missing = [i for i in indices if not store.task_done(out, i)]
    if missing:
        raise RuntimeError(f"{len(missing)} tasks are not done (first: {missing[0]})")
    rows = pa.concat_tables([store.read_task(out, i) for i in indices],
                            promote_options="default")
    table = rows.to_pandas()
    store.atomic_write_bytes(out / "results.parquet", store.parquet_bytes(table))
    if keep_series:
        series = pa.concat_tables([store.read_task(out, i, series=True) for i in indices],
                                  promote_options="default").to_pandas()
        store.atomic_write_bytes(out / "series.parquet", store.parquet_bytes(series))
    return table


def load_results(out_dir: str | Path) -> pd.DataFrame:
    """The table of a finished run directory."""
    return pd.read_parquet(Path(out_dir) / "results.parquet")


def to_xarray(table: pd.DataFrame) -> xr.Dataset:
    """The results table as a Dataset with one ``task`` coordinate, labels as coordinates."""
    labels = [c for c in ("hypothesis", "param_set", "replicate", "seed") if c in table]
    ds = table.set_index("task").to_xarray()
    return ds.set_coords(labels)
