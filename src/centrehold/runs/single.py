"""One run on disk: a labelled, atomically written folder that any tool can read back.

`write_run` takes any engine Dataset and writes the tidy per-tick
table, the parameters and the summary: data only, no figures (those are the
report layer's, `report/timeseries.py`, drawn by the CLI). Every file goes to a
temporary name first and is renamed into place, and a manifest is written before
and after, so a killed run never leaves a half-written file that looks complete,
and a later run can tell a folder of ours (safe to replace) from anything else
(refused, because overwriting a user's files is not ours to decide).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from centrehold import __version__
from centrehold.errors import UserError
from centrehold.runs.folder import (
    MANIFEST,
    REPORT_OUTPUTS,
    RunContents,
    is_temporary,
    read_manifest,
    write_run_folder,
)

STATES = ("quiet", "active", "jailed", "dead")
# Per-tick events: summed over ticks in totals and in regions.csv (all else is a level).
FLOWS = ("arrests", "killings", "deaths", "attacks", "crime", "displaced", "displacements",
         "births", "old_age")

Progress = Callable[[int, int], None]


# --------------------------------------------------------------------------- the out folder


def check_out_dir(out_dir: str | Path) -> Path:
    """Accept a missing or empty folder or one holding a previous single run; refuse the rest."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file, not a folder; choose a folder path for the run")
    if not out.exists():
        return out
    entries = [p.name for p in out.iterdir() if not is_temporary(p.name)]
    if not entries:
        return out
    manifest = read_manifest(out)
    if manifest is None:
        raise UserError(
            f"--out {out} already holds files that are not a single centrehold run "
            f"({', '.join(sorted(entries)[:3])}{', ...' if len(entries) > 3 else ''}); "
            "choose a new folder or empty this one"
        )
    listed = set(manifest.get("files", [])) | {MANIFEST, *REPORT_OUTPUTS}
    foreign = sorted(set(entries) - listed)
    if foreign:
        raise UserError(
            f"--out {out} holds a previous run plus other files ({', '.join(foreign[:3])}); "
            "move those files away or choose a new folder"
        )
    return out


# --------------------------------------------------------------------------- tables


def _sum_to(da: xr.DataArray, keep: tuple[str, ...]) -> xr.DataArray:
    drop = [d for d in da.dims if d not in keep]
    return da.sum(drop) if drop else da


def tidy_table(ds: xr.Dataset) -> pd.DataFrame:
    """Every variable along `tick`, one row per tick x every other dim, one column per variable.

    A variable that lacks one of the other dims (say forces by region only) is
    repeated along it; `df.attrs["dims"]` records each variable's own dims so a
    reader can tell a repeated level from a per-group count before summing.
    """
    names = [v for v in ds.data_vars if "tick" in ds[v].dims]
    if not names:
        raise ValueError("the Dataset has no variable along 'tick'")
    sub = ds[names]
    dims = ["tick", *[d for d in sub.dims if d != "tick"]]
    frame = sub.to_dataframe(dim_order=dims).reset_index()
    lead = [c for c in ("tick", "date") if c in frame.columns]
    coords = [c for c in frame.columns if c not in names and c not in lead]
    frame = frame[lead + coords + names]
    frame.attrs["dims"] = {v: list(ds[v].dims) for v in names}
    return frame


def side_tables(ds: xr.Dataset) -> dict[str, pd.DataFrame]:
    """Variables not along `tick` (attacks, for one), one table per set of dims."""
    by_dims: dict[tuple[str, ...], list[str]] = {}
    for v in ds.data_vars:
        if "tick" not in ds[v].dims and ds[v].ndim > 0:
            by_dims.setdefault(tuple(ds[v].dims), []).append(v)
    return {"_".join(d): ds[vs].to_dataframe().reset_index() for d, vs in by_dims.items()}


def _kind(name: str, da: xr.DataArray) -> str:
    declared = str(da.attrs.get("kind", "")).lower()
    if declared in ("flow", "stock", "level"):
        return "flow" if declared == "flow" else "level"
    base = name.split("_")[0]
    return "flow" if name in FLOWS or base in FLOWS else "level"


def regions_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per region: totals of per-tick events, final and peak state counts, mean levels."""
    region = ds["region"].values
    table = pd.DataFrame({"region": region})
    if "region_name" in ds.coords:
        table["region_name"] = ds["region_name"].values
    for name in ds.data_vars:
        da = ds[name]
        if "region" not in da.dims or "tick" not in da.dims:
            continue
        per = _sum_to(da, ("tick", "region")).transpose("tick", "region")
        if name in STATES:
            table[f"{name}_start"] = per.isel(tick=0).values
            table[f"{name}_end"] = per.isel(tick=-1).values
            if name == "active":
                table["active_peak"] = per.max("tick").values
        elif _kind(name, da) == "flow":
            table[f"{name}_total"] = per.sum("tick").values
        elif np.issubdtype(da.dtype, np.number):
            # levels (an index, forces on the streets) averaged over time, not summed
            mean = da.mean([d for d in da.dims if d not in ("region",)])
            table[f"{name}_mean"] = mean.transpose("region").values
    return table


def deaths_var(ds: xr.Dataset) -> str | None:
    """The per-tick count of people killed: `deaths` when the engine gives it, else `killings`."""
    for name in ("deaths", "killings"):
        if name in ds.data_vars and "tick" in ds[name].dims:
            return name
    return None


# --------------------------------------------------------------------------- summary


def _total_along_tick(ds: xr.Dataset, name: str) -> xr.DataArray:
    return _sum_to(ds[name], ("tick",))


#: Active agents on an average day below which a regional run's sectarian feud dies out
#: by chance often enough to lower its level: 1:2000 (about 33 on iraq-2009) matches
#: 1:1000 within 5%, 1:10,000 (under 5) gives two thirds of its sectarian killing
#: (docs/engine.md, "Resolution").
FEW_ACTIVE_AGENTS = 20.0


def few_actives_note(summary: dict[str, Any]) -> str | None:
    """Why a coarse regional run's level may be low, when its feud had few agents."""
    n = summary.get("mean_active_agents")
    ppa = summary.get("people_per_agent")
    if n is None or ppa is None or n >= FEW_ACTIVE_AGENTS:
        return None
    return (f"note: {n:.1f} agents were active on an average day; with fewer than "
            f"{FEW_ACTIVE_AGENTS:.0f}, a governorate's feud dies out by chance and the "
            f"sectarian level runs low (about a third low at 1:10,000); for levels use a "
            f"people_per_agent below {int(ppa)} (iraq-2009: 2000 or less; docs/engine.md, "
            f"Resolution)")


def summarize(ds: xr.Dataset, wall_seconds: float | None = None) -> dict[str, Any]:
    """The run in a few numbers: what `--json` prints and `summary.json` holds."""
    summary: dict[str, Any] = {
        "scenario": ds.attrs.get("scenario"),
        "seed": _int_or_none(ds.attrs.get("seed")),
        "schedule": ds.attrs.get("schedule"),
        "ticks": _ticks_run(ds),
        "agents": _agents(ds),
        "wall_seconds": None,
    }
    wall = wall_seconds if wall_seconds is not None else ds.attrs.get("wall_seconds")
    summary["wall_seconds"] = round(float(wall), 4) if wall is not None else None
    last = ds.isel(tick=-1)
    summary["final"] = {s: int(last[s].sum()) for s in STATES if s in ds}
    if "group" in ds.dims:
        summary["final_by_group"] = {
            str(g): {s: int(last[s].sel(group=g).sum()) for s in STATES if s in ds}
            for g in ds["group"].values
        }
    active = _total_along_tick(ds, "active") if "active" in ds else None
    if active is not None:
        at = int(active.argmax("tick"))
        summary["peak_active"] = int(active.values[at])
        summary["peak_active_tick"] = int(ds["tick"].values[at])
        if "date" in ds.coords:
            summary["peak_active_date"] = str(pd.Timestamp(ds["date"].values[at]).date())
    summary["total_arrests"] = int(ds["arrests"].sum()) if "arrests" in ds else 0
    dv = deaths_var(ds)
    summary["total_deaths"] = int(ds[dv].sum()) if dv else 0
    if "date" in ds.coords:
        summary["start_date"] = str(pd.Timestamp(ds["date"].values[0]).date())
        summary["end_date"] = str(pd.Timestamp(ds["date"].values[-1]).date())
    params = _params(ds)
    if isinstance(params, dict) and "people_per_agent" in params:
        # state counts are agents; a regional engine's `deaths` are people
        summary["people_per_agent"] = params["people_per_agent"]
        if active is not None:
            summary["mean_active_agents"] = round(float(active.mean()), 2)
    summary["centrehold_version"] = ds.attrs.get("centrehold_version", __version__)
    return summary


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _ticks_run(ds: xr.Dataset) -> int:
    """Ticks simulated: the attribute when set, else counted from the rows.

    The Epstein engine records tick 0 as the initial state before any tick runs;
    a dated (regional) run records one row per simulated day or week.
    """
    for key in ("ticks", "n_ticks"):
        if key in ds.attrs:
            return int(ds.attrs[key])
    if "date" in ds.coords:
        return int(ds.sizes["tick"])
    first = int(ds["tick"].values[0]) if ds["tick"].size else 0
    return int(ds.sizes["tick"]) - (1 if first == 0 else 0)


def _agents(ds: xr.Dataset) -> int:
    for key in ("agents", "n_agents"):
        if key in ds.attrs:
            return int(ds.attrs[key])
    first = ds.isel(tick=0)
    return int(sum(int(first[s].sum()) for s in STATES if s in ds))


# --------------------------------------------------------------------------- writing


def write_run(
    ds: xr.Dataset, out_dir: str | Path, wall_seconds: float | None = None
) -> dict[str, Any]:
    """Write a run folder and return its summary.

    Files: ticks.parquet, scenario.json, summary.json, and for a Dataset with a
    `region` dim regions.csv; variables not along `tick` go to `<dims>.parquet`.
    No figures: `centrehold.report.timeseries.write_run_figures` draws them.
    """
    out = check_out_dir(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"cannot create --out {out}: {exc.strerror}; choose another folder"
        ) from None

    summary = summarize(ds, wall_seconds)
    regional = "region" in ds.dims
    contents = RunContents(tidy_table(ds), _params(ds), summary, side_tables(ds),
                           regions_table(ds) if regional else None)
    try:
        write_run_folder(out, contents)
    except OSError as exc:
        raise UserError(
            f"cannot write the run to {out}: {exc.strerror or exc}; "
            "free some space or choose another --out"
        ) from None
    return summary


def _params(ds: xr.Dataset) -> Any:
    raw = ds.attrs.get("params")
    if raw is None:
        return {}
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return {"params": raw}
    return raw


# --------------------------------------------------------------------------- one call


def _engine() -> Callable[..., xr.Dataset]:
    """The engine's `simulate`, imported late so that reading a run never loads Numba."""
    from centrehold.engine import simulate

    return simulate


def simulate_timed(
    scenario: Any,
    seed: int,
    ticks: int | None = None,
    schedule: str = "sequential",
    progress: Progress | None = None,
    simulate: Callable[..., xr.Dataset] | None = None,
) -> tuple[xr.Dataset, float]:
    """Run the engine and measure its wall time (loading and writing excluded)."""
    if simulate is None:
        simulate = _engine()
    start = time.perf_counter()
    ds = simulate(scenario, seed=seed, ticks=ticks, schedule=schedule, progress=progress)
    wall = time.perf_counter() - start
    # the run length asked for is the authoritative count, whatever rows the engine keeps
    ds.attrs.setdefault("ticks", int(ticks if ticks is not None else scenario.ticks))
    return ds, wall


def run_single(
    name_or_path: str,
    seed: int = 0,
    ticks: int | None = None,
    schedule: str = "sequential",
    overrides: Mapping[str, str] | None = None,
    out_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> tuple[xr.Dataset, dict[str, Any]]:
    """Load, simulate and (if `out_dir` is given) write one run: what `centrehold run` does."""
    from centrehold.scenario import load_scenario

    scenario = load_scenario(name_or_path, overrides)
    if out_dir is not None:
        check_out_dir(out_dir)  # refuse before spending the simulation's time
    ds, wall = simulate_timed(scenario, seed, ticks, schedule, progress)
    if out_dir is None:
        return ds, summarize(ds, wall)
    return ds, write_run(ds, out_dir, wall_seconds=wall)
