"""Reading run directories for the report: one run, an ensemble of runs, `compare` outputs.

The layout is the run folder's (one run: `ticks.parquet`, `scenario.json`, `summary.json`,
`regions.csv`) and the model-selection outputs (`posterior.csv`, `ach.csv`). Readers are
lenient about column names in the compare tables because they describe results, not
inputs: a renamed column should not make a report fail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from centrehold.errors import UserError

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
    """One run directory; `ticks.parquet` is required, the JSON files are optional."""
    try:
        ticks = pd.read_parquet(path / "ticks.parquet")
    except (OSError, ValueError) as exc:
        raise UserError(f"{path / 'ticks.parquet'}: cannot read it ({exc}); re-run") from None
    if "tick" not in ticks.columns:
        raise UserError(f"{path / 'ticks.parquet'}: no `tick` column; is this a centrehold run?")
    params = _read_json(path / "scenario.json")
    if "params" in params and isinstance(params["params"], dict):
        params = params["params"]
    core, levels = split_tidy(ticks)
    return SingleRun(path, core, params, _read_json(path / "summary.json"), levels)


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


def read_posterior(path: Path) -> pd.DataFrame:
    """Posterior model probabilities as (hypothesis, probability); a missing model reads 0."""
    df = pd.read_csv(path)
    cols = {c.lower(): c for c in df.columns}
    hyp = next((cols[c] for c in ("hypothesis", "model", "h", "name") if c in cols), None)
    prob = next((cols[c] for c in ("probability", "posterior", "p", "prob") if c in cols), None)
    if hyp is None or prob is None:
        raise UserError(f"{path}: needs a hypothesis and a probability column; found "
                        f"{', '.join(df.columns)}")
    if "generation" in cols:  # keep the last generation only
        df = df[df[cols["generation"]] == df[cols["generation"]].max()]
    out = df[[hyp, prob]].rename(columns={hyp: "hypothesis", prob: "probability"})
    return out.groupby("hypothesis", sort=True)["probability"].sum().reset_index()


def read_ach(path: Path) -> pd.DataFrame:
    """ACH matrix (evidence x hypothesis) from a wide or a long (evidence, hypothesis, value)
    CSV."""
    df = pd.read_csv(path)
    low = {c.lower(): c for c in df.columns}
    ev = next((low[c] for c in ("evidence", "item", "statistic") if c in low), df.columns[0])
    if "hypothesis" in low:
        val = next((low[c] for c in ("consistency", "score", "value") if c in low), None)
        if val is None:
            num = df.select_dtypes("number").columns
            if len(num) == 0:
                raise UserError(f"{path}: long ACH table without a numeric column")
            val = num[0]
        return df.pivot_table(index=ev, columns=low["hypothesis"], values=val, aggfunc="mean")
    wide = df.set_index(ev)
    wide.index.name = "evidence"
    return wide.select_dtypes("number")


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


def read_ach_labels(path: Path, values: pd.DataFrame) -> pd.DataFrame | None:
    """The ACH ratings (Heuer's CC..II) laid out like `values`, when the table has them."""
    df = pd.read_csv(path, keep_default_na=False)
    low = {c.lower(): c for c in df.columns}
    if "hypothesis" not in low or "rating" not in low:
        return None
    ev = next((low[c] for c in ("evidence", "item", "statistic") if c in low), df.columns[0])
    lab = df.pivot_table(index=ev, columns=low["hypothesis"], values=low["rating"],
                         aggfunc="first")
    return lab.reindex(index=values.index, columns=values.columns)


def _find(root: Path, name: str) -> Path | None:
    direct = root / name
    if direct.is_file():
        return direct
    found = sorted(root.glob(f"*/{name}"))
    return found[0] if found else None


def load_runs(root: Path | str, max_runs: int = 400) -> RunSet:
    """A run directory, an ensemble directory (runs below it), and/or `compare` outputs."""
    root = Path(root)
    if not root.is_dir():
        raise UserError(f"{root}: no such run directory; pass the folder `centrehold run` wrote")
    rs = RunSet(root)
    if (root / "ticks.parquet").is_file():
        rs.runs.append(read_single(root))
    else:
        for p in sorted(root.rglob("ticks.parquet"))[:max_runs]:
            rs.runs.append(read_single(p.parent))
    if not rs.runs and max_runs and (root / "series.parquet").is_file():
        rs.runs = read_ensemble_series(root, max_runs)
    if (post := _find(root, "posterior.csv")) is not None:
        rs.posterior = read_posterior(post)
    if (ach := _find(root, "ach.csv")) is not None:
        rs.ach = read_ach(ach)
        rs.ach_labels = read_ach_labels(ach, rs.ach)
    if not rs.runs and rs.posterior is None and rs.ach is None:
        raise UserError(f"{root}: no ticks.parquet, posterior.csv or ach.csv found; "
                        "pass a directory written by `centrehold run` or `compare`")
    return rs
