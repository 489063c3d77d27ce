"""What the report shows, computed once from a `RunSet` for both the PNG and the HTML figures."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from centrehold.report import indices
from centrehold.report.geo import shared_data_dirs
from centrehold.report.load import RunSet

IBC_PANEL = "ibc/derived_ibc_governorate_month_excl-wikileaks.csv"
IBC_SOURCE = ("Observed: Iraq Body Count incident data (civilian deaths, minimum-maximum), "
              "coded by governorate by A. Beger; non-commercial use with attribution")


@dataclass
class Observed:
    """The observed national monthly record, as a low-high band."""

    monthly: pd.DataFrame  # index month; columns low, high
    source: str


@dataclass
class ReportData:
    scenario: str
    regional: bool
    dated: bool
    n_runs: int
    people_per_agent: float
    national: pd.DataFrame = field(default_factory=pd.DataFrame)  # time x run, people
    states: dict[str, pd.DataFrame] = field(default_factory=dict)  # state -> time x run
    rate: pd.DataFrame | None = None  # month x region: deaths per 100k (mean over runs)
    region_names: dict[str, str] = field(default_factory=dict)
    by_group: pd.DataFrame | None = None  # time x group, people (mean over runs)
    segregation: pd.DataFrame | None = None  # time x run: Theil's H
    segregation_by_group: pd.DataFrame | None = None  # time x group: engine's D (mean of runs)
    centre_holds: pd.DataFrame | None = None  # time x run
    centre_holds_min: pd.Series | None = None  # time: weakest region (mean of runs)
    centre_from_engine: bool = False
    observed: Observed | None = None
    posterior: pd.DataFrame | None = None
    ach: pd.DataFrame | None = None
    ach_labels: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def _time_index(df: pd.DataFrame) -> pd.Series:
    if "date" in df.columns:
        return df.groupby("tick")["date"].first().pipe(pd.to_datetime)
    return pd.Series(df["tick"].unique(), index=df["tick"].unique())


def ibc_panel_record() -> pd.DataFrame | None:
    """National monthly IBC deaths (low = sum of minima, high = sum of maxima) from the
    derived governorate-month panel in the shared data folder, or None when it is absent."""
    for d in shared_data_dirs():
        p = d / IBC_PANEL
        if p.is_file():
            panel = pd.read_csv(p)
            # national totals keep incidents IBC could not place in a governorate
            panel["month"] = pd.to_datetime(panel["month"] + "-01")
            g = panel.groupby("month")[["deaths_min", "deaths_max"]].sum()
            return g.rename(columns={"deaths_min": "low", "deaths_max": "high"}).astype(float)
    return None


def observed_record(months: pd.Index | None = None) -> Observed | None:
    """The record for iraq-2009 as a national low-high band: `centrehold.record`'s bundled
    panel when that module is installed, else the derived IBC panel in the shared data."""
    frame, src = None, IBC_SOURCE
    try:
        from centrehold.record import iraq_panel

        panel = iraq_panel()
        g = panel.groupby("month")[["deaths_low", "deaths_high"]].sum().astype(float)
        frame = g.rename(columns={"deaths_low": "low", "deaths_high": "high"})
    except Exception:  # the record module is optional here: fall back to the shared panel
        frame = ibc_panel_record()
    if frame is None:
        return None
    if months is not None and len(months):
        frame = frame.loc[(frame.index >= months.min()) & (frame.index <= months.max())]
    return Observed(frame, src) if len(frame) else None


def compute(rs: RunSet, with_observed: bool = True) -> ReportData:
    """Turn runs into the series the figures draw: one column per run where runs differ."""
    first = rs.runs[0] if rs.runs else None
    regional = rs.regional
    dated = bool(first is not None and "date" in first.ticks.columns)
    rd = ReportData(scenario=rs.scenario, regional=regional, dated=dated, n_runs=len(rs.runs),
                    people_per_agent=first.people_per_agent if first else 1.0,
                    posterior=rs.posterior, ach=rs.ach, ach_labels=rs.ach_labels)
    if first is None:
        return rd
    for st in ("quiet", "active", "jailed", "dead"):
        cols = {}
        for i, run in enumerate(rs.runs):
            if st in run.ticks.columns:
                s = run.ticks.groupby("tick")[st].sum()
                s.index = _time_index(run.ticks).reindex(s.index).values
                cols[i] = s
        if cols:
            rd.states[st] = pd.DataFrame(cols)
    if not regional:
        nat = {}
        for i, run in enumerate(rs.runs):
            df = run.ticks
            if "deaths" in df.columns or "killings" in df.columns:
                d = df.assign(_p=indices.deaths_in_people(df, run.people_per_agent))
                nat[i] = d.groupby("tick")["_p"].sum()
        if nat and any(s.to_numpy().any() for s in nat.values()):
            rd.national = pd.DataFrame(nat).fillna(0.0)
        return rd
    nat, groups, rates, seg, ch, ch_min, seg_g = {}, [], [], {}, {}, [], []
    for i, run in enumerate(rs.runs):
        df = run.ticks
        k = run.people_per_agent
        tix = _time_index(df)
        if dated:
            nat[i] = indices.monthly_national_deaths(df, k)
            rates.append(indices.regional_monthly_rate(df, k))
        else:
            nat[i] = df.assign(_p=indices.deaths_in_people(df, k)).groupby("tick")["_p"].sum()
        groups.append(indices.deaths_by_group(df, k))
        s = indices.segregation_series(df)
        s.index = tix.reindex(s.index).values
        seg[i] = s
        if "segregation" in run.levels and "group" in run.levels["segregation"].columns:
            g = run.levels["segregation"].pivot_table(index="tick", columns="group",
                                                      values="segregation")
            g.index = tix.reindex(g.index).values
            seg_g.append(g)
        if "centre_holds" in run.levels and "region" in run.levels["centre_holds"].columns:
            c = run.levels["centre_holds"].pivot_table(index="tick", columns="region",
                                                       values="centre_holds")
            c.index = tix.reindex(c.index).values
            ch[i] = c.mean(axis=1)
            ch_min.append(c.min(axis=1))
            rd.centre_from_engine = True
        else:
            c = indices.share_quiet_series(df)
            c.index = tix.reindex(c.index).values
            ch[i] = c
    rd.national = pd.DataFrame(nat).fillna(0.0)
    rd.by_group = pd.concat(groups).groupby(level=0).mean()
    if rates:
        rd.rate = pd.concat(rates).groupby(level=0).mean()
    rd.segregation = pd.DataFrame(seg)
    if seg_g:
        rd.segregation_by_group = pd.concat(seg_g).groupby(level=0).mean()
    rd.centre_holds = pd.DataFrame(ch)
    if ch_min:
        rd.centre_holds_min = pd.concat(ch_min).groupby(level=0).mean()
    if "region_name" in first.ticks.columns:
        rd.region_names = dict(first.ticks.groupby("region")["region_name"].first())
    if with_observed and dated and str(first.ticks["region"].iloc[0]).startswith("IQ-"):
        rd.observed = observed_record(rd.national.index)
    return rd


def band(frame: pd.DataFrame, lo: float = 0.05, hi: float = 0.95) -> pd.DataFrame:
    """Median and a central quantile band across runs (columns)."""
    arr = frame.to_numpy(dtype=float)
    return pd.DataFrame({
        "median": np.nanmedian(arr, axis=1),
        "low": np.nanquantile(arr, lo, axis=1),
        "high": np.nanquantile(arr, hi, axis=1),
    }, index=frame.index)


def needs_log_scale(rd: ReportData) -> bool:
    """A log axis when the simulation and the record differ by more than 20 times: on a
    linear axis the smaller one would be a flat line at zero."""
    if rd.observed is None or not len(rd.national):
        return False
    sim = float(np.nanmax(rd.national.to_numpy()))
    obs = float(np.nanmax(rd.observed.monthly["high"].to_numpy()))
    return sim > 0 and obs > 0 and max(sim / obs, obs / sim) > 20
