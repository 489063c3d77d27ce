"""A simulated world read as the record reads the real one.

`evidence_input` reduces a regional run to what an event file also offers: deaths by
month and governorate (in all, in bombings, and by target), deaths by day, and the
size of every incident. `evidence_table` then treats the record and the simulation
alike. Incidents are the attacks (by an instigator or the insurgency, each at its
own toll) and the killing incidents the engine logs, one per incident as the record
counts them (docs/evidence.md, "Incident sizes").

Two sources give the same input, value for value: the labelled Dataset a run writes
(`evidence_input`), and the run's own arrays before they are labelled
(`evidence_input_of_run`), which `compare` reads because building the Dataset costs
a tenth of a simulation. `tests/infer/test_simulated_record.py` holds the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from centrehold.errors import UserError
from centrehold.record.observations import (
    EXPLOSIVE,
    MONTH_DTYPE,
    REGION_DTYPE,
    TARGET_COLUMNS,
    EvidenceInput,
)
from centrehold.scenario.calendar import month_shares

if TYPE_CHECKING:
    from centrehold.models.regional.world import RegionalRun

#: Simulated causes read as the record's explosive (bombing) deaths: attacks by an
#: instigator and by the insurgency; the rest (the killing between and within
#: communities) is read as shootings and executions.
BOMBING_CAUSES = ("instigated", "insurgent")


@dataclass(frozen=True)
class _Simulated:
    """The arrays the evidence needs, whichever source they came from."""

    dates: pd.DatetimeIndex
    regions: list[str]
    by_cause: dict[str, np.ndarray]  # cause -> float (tick, region), victims' groups summed
    attack_tick: np.ndarray  # int64
    attack_region: np.ndarray  # int64 index into regions
    attack_deaths: np.ndarray  # float64
    attack_kinds: dict[str, np.ndarray]  # target column -> bool per attack
    incident_tick: np.ndarray | None  # None: a Dataset written before incidents were logged
    incident_deaths: np.ndarray | None


def evidence_input(
    ds: xr.Dataset, start: str | None = None, end: str | None = None
) -> EvidenceInput:
    """Monthly deaths by governorate and incident sizes of a regional run's Dataset, in
    [start, end].

    Monthly deaths are the ``deaths`` variable (persons, every group and cause), each
    tick's spread over the calendar months its days fall in. The instigated and the
    insurgency's attacks are the ``explosive`` part: in the model, bombings are what an
    armed actor does, and the killing between communities is shootings and executions
    (the mapping the record's weapon classes are read against; docs/evidence.md).
    A Dataset written before the engine logged killing incidents falls back to each
    governorate's killing summed over a tick, which reads many small killings as one
    large incident (a stated limit of such old runs).
    """
    return _evidence(_from_dataset(ds), start, end)


def evidence_input_of_run(
    run: RegionalRun, start: str | None = None, end: str | None = None
) -> EvidenceInput:
    """`evidence_input` of a run's unlabelled outputs: the same input, value for value,
    without building the Dataset."""
    return _evidence(_from_run(run), start, end)


def _from_dataset(ds: xr.Dataset) -> _Simulated:
    for var in ("deaths", "attack_tick", "attack_deaths", "attack_region", "attack_target"):
        if var not in ds:
            raise UserError(
                f"the simulated Dataset lacks '{var}'; pass a regional run (model: regional)"
            )
    deaths = ds["deaths"].transpose("tick", "region", "group", "cause").to_numpy()
    regions = [str(r) for r in ds["region"].values]
    tick = np.asarray(ds["attack_tick"].values, dtype=np.int64)
    # whole arrays, not a Python loop over attacks: this runs once per simulation
    region = pd.Index(regions).get_indexer(np.asarray(ds["attack_region"].values, str))
    if (region < 0).any():
        raise UserError("the simulated Dataset has attacks in a region it does not list; "
                        "pass the Dataset as the engine wrote it")
    target = np.asarray(ds["attack_target"].values, dtype=str)
    groups = [str(g) for g in ds["group"].values]
    logged = "incident_deaths" in ds and "incident_tick" in ds
    return _Simulated(
        dates=pd.DatetimeIndex(pd.to_datetime(ds["date"].values)),
        regions=regions,
        by_cause=_summed_by_cause(deaths, [str(c) for c in ds["cause"].values]),
        attack_tick=tick,
        attack_region=region,
        attack_deaths=np.asarray(ds["attack_deaths"].values, dtype=float),
        attack_kinds={"target_state": target == "state", "target_crowds": target == "any",
                      "target_community": np.isin(target, groups)},
        incident_tick=(np.asarray(ds["incident_tick"].values, dtype=np.int64)
                       if logged else None),
        incident_deaths=(np.asarray(ds["incident_deaths"].values, dtype=float)
                         if logged else None),
    )


def _from_run(run: RegionalRun) -> _Simulated:
    log, attack = run.log, run.attacks
    target = log["target"][attack]
    G = len(run.groups)  # targets: the groups, then G "any" (crowds), then G + 1 "state"
    return _Simulated(
        dates=pd.DatetimeIndex(run.dates),
        regions=list(run.regions),
        by_cause=_summed_by_cause(run.outputs.deaths, list(run.causes)),
        attack_tick=np.asarray(log["tick"][attack], dtype=np.int64),
        attack_region=np.asarray(log["region"][attack], dtype=np.int64),
        attack_deaths=np.asarray(log["deaths"][attack], dtype=float),
        attack_kinds={"target_state": target == G + 1, "target_crowds": target == G,
                      "target_community": target < G},
        incident_tick=np.asarray(log["tick"][~attack], dtype=np.int64),
        incident_deaths=np.asarray(log["deaths"][~attack], dtype=float),
    )


def _summed_by_cause(deaths: np.ndarray, causes: list[str]) -> dict[str, np.ndarray]:
    """(tick, region, group, cause) deaths summed over victims' groups, by cause."""
    summed = deaths.sum(axis=2, dtype=np.float64)
    return {c: summed[:, :, i] for i, c in enumerate(causes)}


def month_start(s: str) -> pd.Timestamp:
    """The first instant of the month `s` (YYYY-MM or any date in it) falls in."""
    return pd.Timestamp(s).to_period("M").to_timestamp()


def month_end(s: str) -> pd.Timestamp:
    """The last instant of that month: a window's end is inclusive."""
    return pd.Timestamp(s).to_period("M").to_timestamp(how="end")


def _evidence(sim: _Simulated, start: str | None, end: str | None) -> EvidenceInput:
    dates = sim.dates
    keep = np.ones(len(dates), dtype=bool)
    if start is not None:
        keep &= dates >= month_start(start)
    if end is not None:
        keep &= dates <= month_end(end)
    by_tick = sum(sim.by_cause.values())
    bombs = sum((sim.by_cause[c] for c in BOMBING_CAUSES if c in sim.by_cause),
                np.zeros_like(by_tick))
    step = int(round((dates[1] - dates[0]) / pd.Timedelta(days=1))) if len(dates) > 1 else 1
    months, shares = month_shares(dates, step, start, end)
    monthly = _by_month(sim.regions, months, shares, deaths=by_tick,
                        **{EXPLOSIVE: bombs}, **_target_deaths(sim))
    national = by_tick[keep].sum(axis=1) / step
    daily = pd.Series(np.repeat(national, step),
                      index=pd.date_range(dates[keep][0], periods=step * int(keep.sum()),
                                          freq="D") if keep.any() else pd.DatetimeIndex([]),
                      name="deaths")
    return EvidenceInput(monthly=monthly, sizes=_sizes(sim, keep, by_tick, bombs), daily=daily)


def _sizes(sim: _Simulated, keep: np.ndarray, by_tick: np.ndarray,
           bombs: np.ndarray) -> np.ndarray:
    """Tolls of the attacks and killing incidents in kept ticks."""
    attacks = sim.attack_deaths[_kept(keep, sim.attack_tick)]
    if sim.incident_tick is None:
        killing = (by_tick - bombs)[keep]
        incidents = killing[killing > 0].astype(float)
    else:
        incidents = sim.incident_deaths[_kept(keep, sim.incident_tick)]
    return np.concatenate([attacks, incidents])


def _kept(keep: np.ndarray, tick: np.ndarray) -> np.ndarray:
    return keep[tick] if tick.size else np.zeros(0, dtype=bool)


def _target_deaths(sim: _Simulated) -> dict[str, np.ndarray]:
    """Deaths by target group, (tick, region) each: bombings by their target (a community,
    `any` crowd, the `state`), and the killing between and within communities as
    `killings` (the record's executions and other civilians)."""
    T, R = len(sim.dates), len(sim.regions)
    out = {c: np.zeros((T, R)) for c in TARGET_COLUMNS}
    out["target_killings"] = sum((sim.by_cause[c] for c in ("sectarian", "intra")
                                  if c in sim.by_cause), np.zeros((T, R)))
    if sim.attack_tick.size:
        for column, sel in sim.attack_kinds.items():
            np.add.at(out[column], (sim.attack_tick[sel], sim.attack_region[sel]),
                      sim.attack_deaths[sel])
    return out


def _by_month(
    regions: list[str], months: pd.DatetimeIndex, shares: np.ndarray, **by_tick: np.ndarray
) -> pd.DataFrame:
    """Spread (tick, region) arrays over calendar months by the share of each tick's days
    in each month (`scenario.calendar.month_shares`), into one long month/region frame,
    a column per keyword. Months no tick reaches are left out."""
    present = shares.sum(axis=0) > 0
    months, shares = months[present], shares[:, present]
    # month starts in microseconds and regions as pandas strings: the form
    # `EvidenceInput` validates to, so that (regions sorted) it only checks the values
    frame = {
        "month": np.repeat(np.asarray(months, dtype=MONTH_DTYPE), len(regions)),
        "region": pd.array(np.tile(np.asarray(regions, dtype=object), len(months)),
                           dtype=REGION_DTYPE),
    }
    for name, values in by_tick.items():
        frame[name] = (shares.T @ np.asarray(values, dtype=float)).ravel()
    return pd.DataFrame(frame)
