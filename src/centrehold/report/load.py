"""Reading run directories for the report: one run, an ensemble of runs, `compare` outputs.

Run folders are read through `centrehold.runs.folder` and compare folders through
`centrehold.infer.folder`, the modules that own those formats; this module only puts
what they return in the shape the report's figures use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from centrehold.errors import UserError
from centrehold.infer.folder import CompareFolder, find_compare_folders, read_compare_folder
from centrehold.runs.folder import TICKS, read_run_folder

CORE_DIMS = ("tick", "region", "group")
LABELS = ("date", "region_name")


@dataclass
class SingleRun:
    """One simulation as written on disk.

    `ticks` is the core table, one row per tick x region x group (as far as the run has
    those dims) holding the counts by state and the deaths; variables with an extra dim
    (deaths by cause) are summed over it. `levels` keeps the variables that have fewer
    dims than the core (an index by region, a level by group), each at its own dims, so
    that nothing repeated by the tidy layout is ever summed twice.
    """

    path: Path
    ticks: pd.DataFrame
    params: dict
    summary: dict
    levels: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def regional(self) -> bool:
        return "region" in self.ticks.columns

    @property
    def people_per_agent(self) -> float:
        return float(self.params.get("people_per_agent", 1) or 1)


@dataclass
class RunSet:
    """Everything the report found under one directory."""

    root: Path
    runs: list[SingleRun] = field(default_factory=list)
    posterior: pd.DataFrame | None = None  # columns: hypothesis, probability
    ach: pd.DataFrame | None = None  # index: evidence item; columns: hypotheses
    ach_labels: pd.DataFrame | None = None  # the same shape: ratings (CC, C, N, I, II)
    compare: CompareFolder | None = None  # the compare folder these came from

    @property
    def regional(self) -> bool:
        return bool(self.runs) and self.runs[0].regional

    @property
    def scenario(self) -> str:
        if self.runs:
            return str(self.runs[0].params.get("name") or self.runs[0].summary.get("scenario", ""))
        return ""


def _read_json(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: not valid JSON ({exc.msg}); re-run to rewrite it") from None


def read_single(path: Path) -> SingleRun:
    """One run folder, as `centrehold run` wrote it."""
    run = read_run_folder(path)
    if "tick" not in run.ticks.columns:
        raise UserError(f"{path / TICKS}: no `tick` column; is this a centrehold run?")
    core, levels = split_tidy(run.ticks)
    return SingleRun(Path(path), core, run.scenario, run.summary, levels)


def split_tidy(ticks: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Undo the tidy layout's repetition using each variable's own dims.

    The run writer records them in the table's `attrs["dims"]`; a table without it is
    taken as already one row per core key.
    """
    dims = ticks.attrs.get("dims") if isinstance(ticks.attrs.get("dims"), dict) else None
    if not dims:
        return ticks, {}
    core_dims = [d for d in CORE_DIMS if d in ticks.columns]
    labels = [c for c in LABELS if c in ticks.columns]
    key = ticks[core_dims + labels].drop_duplicates(core_dims).set_index(core_dims)
    parts, levels = [key], {}
    for var, vdims in dims.items():
        if var not in ticks.columns:
            continue
        own = [d for d in vdims if d in ticks.columns]
        table = ticks[own + [var]].drop_duplicates(own)
        if set(core_dims) <= set(own):
            parts.append(table.groupby(core_dims)[var].sum())
        else:
            levels[var] = table.reset_index(drop=True)
    core = pd.concat(parts, axis=1).reset_index()
    return core, levels


def read_ensemble_series(root: Path, max_runs: int) -> list[SingleRun]:
    """An ensemble or sweep folder (`series.parquet`: per-tick counts by task and group,
    regions summed): one run per task, labelled from `results.parquet` when present."""
    try:
        series = pd.read_parquet(root / "series.parquet")
    except (OSError, ValueError) as exc:
        raise UserError(f"{root / 'series.parquet'}: cannot read it ({exc}); re-run the "
                        "sweep with --resume") from None
    labels: dict[int, dict] = {}
    if (root / "results.parquet").is_file():
        res = pd.read_parquet(root / "results.parquet")
        keep = [c for c in ("task", "hypothesis", "param_set", "replicate", "seed")
                if c in res.columns]
        labels = {int(r["task"]): r for r in res[keep].to_dict("records")} if "task" in keep \
            else {}
    manifest = _read_json(root / "manifest.json")
    scenario = str((manifest.get("spec") or {}).get("scenario", "")) if manifest else ""
    runs = []
    for task, block in list(series.groupby("task", sort=True))[:max_runs]:
        lab = labels.get(int(task), {})
        params = {"name": scenario, **{k: v for k, v in lab.items() if k != "task"}}
        runs.append(SingleRun(root, block.drop(columns="task").reset_index(drop=True), params,
                              {"scenario": scenario, "seed": lab.get("seed")}))
    return runs


def load_runs(root: Path | str, max_runs: int = 400) -> RunSet:
    """A run directory, an ensemble directory (runs below it), and/or `compare` outputs."""
    root = Path(root)
    if not root.is_dir():
        raise UserError(f"{root}: no such run directory; pass the folder `centrehold run` wrote")
    rs = RunSet(root)
    if (root / TICKS).is_file():
        rs.runs.append(read_single(root))
    else:
        for p in sorted(root.rglob(TICKS))[:max_runs]:
            rs.runs.append(read_single(p.parent))
    if not rs.runs and max_runs and (root / "series.parquet").is_file():
        rs.runs = read_ensemble_series(root, max_runs)
    compare = next(find_compare_folders(root, depth=1), None)
    if compare is not None:
        rs.compare = read_compare_folder(compare)
        cols = [c for c in ("hypothesis", "probability", "probability_adequate",
                            "forest_votes_adequate")
                if c in rs.compare.posterior.columns]
        rs.posterior = rs.compare.posterior[cols]
        rs.ach = rs.compare.ach_table("score")
        rs.ach_labels = rs.compare.ach_table("rating")
    if not rs.runs and rs.posterior is None and rs.ach is None:
        raise UserError(f"{root}: no ticks.parquet, posterior.csv or ach.csv found; "
                        "pass a directory written by `centrehold run` or `compare`")
    return rs
