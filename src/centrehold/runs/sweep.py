"""Parameter sweeps: a design over scenario fields, run as an ensemble, then indices.

The sweep is an ordinary ensemble whose parameter sets are the design's rows, so
it inherits seeds, executors, the run directory and resume. The design itself is
deterministic in (method, ranges, samples, seed), and is part of the run's
identity, so resuming with a different design is refused rather than mixed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from centrehold.errors import UserError
from centrehold.runs import sensitivity as sens
from centrehold.runs import store
from centrehold.runs.ensemble import run_ensemble
from centrehold.runs.executors import Executor, Progress
from centrehold.runs.spec import EnsembleSpec, Task
from centrehold.runs.task import SCALAR_OUTPUTS, TaskResult, is_output_name, run_task

DEFAULT_OUTPUT = "mean_active"


@dataclass
class SweepResult:
    table: pd.DataFrame
    indices: pd.DataFrame
    design: pd.DataFrame
    out_dir: Path


def _lookup(tree: Any, dotted: str) -> Any:
    node = tree
    for part in dotted.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            raise KeyError(dotted)
    return node


def check_params(
    scenario: str, params: list[sens.ParamRange], overrides: Mapping[str, str]
) -> list[sens.ParamRange]:
    """Each parameter must be a numeric field of the scenario, and both bounds valid.

    Returns the ranges with ``integer`` set for integer fields, so designs round them.
    """
    from centrehold.scenario import load_scenario

    base = load_scenario(scenario, dict(overrides)).model_dump(mode="python")
    checked = []
    for p in params:
        try:
            value = _lookup(base, p.name)
        except KeyError:
            numeric = sorted(
                k for k, v in base.items()
                if isinstance(v, int | float) and not isinstance(v, bool)
            )
            raise UserError(
                f"unknown parameter {p.name!r} for scenario {scenario!r}; "
                f"numeric fields include: {', '.join(numeric[:12]) or 'none'}"
            ) from None
        if value is None:  # an optional field left unset: let its schema say what it holds
            probe = load_scenario(scenario, {**overrides, p.name: _fmt(p.low, False)})
            value = _lookup(probe.model_dump(mode="python"), p.name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UserError(
                f"parameter {p.name!r} of scenario {scenario!r} is not a number "
                f"({type(value).__name__}); sweep a numeric field"
            )
        q = replace(p, integer=isinstance(value, int))
        for bound in (q.low, q.high):
            load_scenario(scenario, {**overrides, q.name: _fmt(bound, q.integer)})
        checked.append(q)
    return checked


def _fmt(x: float, integer: bool) -> str:
    return str(int(round(x))) if integer else repr(float(x))


def sweep_spec(
    scenario: str,
    params: list[sens.ParamRange],
    design: pd.DataFrame,
    replicates: int,
    root_seed: int,
    ticks: int | None,
    overrides: Mapping[str, str],
    schedule: str = "sequential",
    keep_series: bool = False,
) -> EnsembleSpec:
    sets = [
        {p.name: _fmt(row[p.name], p.integer) for p in params}
        for _, row in design.iterrows()
    ]
    return EnsembleSpec(
        scenario=scenario,
        param_sets=sets,
        overrides=dict(overrides),
        replicates=replicates,
        root_seed=root_seed,
        ticks=ticks,
        schedule=schedule,
        keep_series=keep_series,
    )


def plan_sweep(
    scenario: str,
    params: list[sens.ParamRange],
    method: str = "sobol",
    samples: int = 8,
    replicates: int = 1,
    root_seed: int = 0,
    ticks: int | None = None,
    overrides: Mapping[str, str] | None = None,
    output: str = DEFAULT_OUTPUT,
    keep_series: bool = False,
) -> tuple[EnsembleSpec, dict[str, Any], pd.DataFrame]:
    """The ensemble, run metadata and design of a sweep, before anything runs.

    Separate from :func:`run_sweep` so an interface can check the out directory
    (same digest) before paying for a cluster.
    """
    if not is_output_name(output):
        raise UserError(
            f"unknown --output {output!r}; use one of {', '.join(SCALAR_OUTPUTS)} "
            "or final_<state>[<group>]"
        )
    overrides = dict(overrides or {})
    design = sens.design(params, method, samples, seed=root_seed)
    spec = sweep_spec(scenario, params, design, replicates, root_seed, ticks, overrides,
                      keep_series=keep_series)
    meta = {
        "sweep": {
            "method": method,
            "samples": samples,
            "params": [[p.name, p.low, p.high, p.integer] for p in params],
            "output": output,
        }
    }
    return spec, meta, design


def run_sweep(
    scenario: str,
    params: list[sens.ParamRange],
    out_dir: str | Path,
    method: str = "sobol",
    samples: int = 8,
    replicates: int = 1,
    root_seed: int = 0,
    ticks: int | None = None,
    overrides: Mapping[str, str] | None = None,
    output: str = DEFAULT_OUTPUT,
    executor: Executor | None = None,
    resume: bool = False,
    progress: Progress | None = None,
    task_fn: Callable[[Task], TaskResult] = run_task,
    validate: bool = True,
    keep_series: bool = False,
) -> SweepResult:
    """Design, run, collect, analyse; writes results.parquet, indices.csv and indices.png.

    ``validate`` checks every parameter against the scenario (numeric field, both
    bounds accepted by its schema) and marks integer fields so designs round them.
    """
    overrides = dict(overrides or {})
    if validate:
        params = check_params(scenario, params, overrides)
    spec, meta, design = plan_sweep(scenario, params, method, samples, replicates, root_seed,
                                    ticks, overrides, output, keep_series)
    table = run_ensemble(spec, out_dir, executor, resume=resume, progress=progress,
                         task_fn=task_fn, meta=meta)
    if output not in table.columns:
        outputs = [c for c in table.columns if c not in design.columns
                   and c not in ("task", "hypothesis", "param_set", "replicate", "seed")]
        raise UserError(
            f"unknown --output {output!r}; choose one of: {', '.join(outputs)}"
        )
    ordered = table.sort_values(["param_set", "replicate"])
    rep = ordered[output].to_numpy(dtype=float).reshape(len(design), replicates)
    indices = sens.analyse(params, method, design, rep.mean(axis=1), seed=root_seed,
                           replicate_Y=rep)
    indices.insert(0, "output", output)
    indices.insert(1, "method", method)
    out = Path(out_dir)
    store.atomic_write_bytes(out / "indices.csv", indices.to_csv(index=False).encode())
    sens.plot_indices(indices, out / "indices.png",
                      f"{scenario}: {method} indices of {output} ({len(table)} runs)")
    return SweepResult(table=table, indices=indices, design=design, out_dir=out)
