"""Summary indices computed from a run's tidy tick table (the run folder's `ticks.parquet`).

They are computed here, from counts every run writes, so that the report shows the same
quantities for any engine version; where a run carries the engine's own indices
(`segregation` by group, `centre_holds` by region) the report shows those beside them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from centrehold.scenario.calendar import month_shares

LIVING = ("quiet", "active", "jailed")


def deaths_column(df: pd.DataFrame) -> str:
    """The per-tick death count to plot: `deaths` (all causes) when present, else `killings`."""
    for name in ("deaths", "killings"):
        if name in df.columns:
            return name
    raise KeyError("the tick table has neither a `deaths` nor a `killings` column")


def deaths_in_people(df: pd.DataFrame, people_per_agent: float = 1.0) -> pd.Series:
    """Deaths per row in people: the engine's `deaths` are already people (agent deaths x
    people_per_agent); `killings` count agents and are scaled here."""
    if deaths_column(df) == "deaths":
        return df["deaths"].astype(float)
    return df["killings"].astype(float) * people_per_agent


def theil_h(counts: np.ndarray) -> float:
    """Multigroup entropy (Theil's H) segregation index of a region x group count matrix.

    0 when every region has the national mix, 1 when every region holds one group only.
    Chosen over the dissimilarity index because it handles more than two groups.
    """
    counts = np.asarray(counts, dtype=float)
    total = counts.sum()
    if total <= 0:
        return float("nan")
    p = counts.sum(axis=0) / total
    nz = p > 0
    e = -(p[nz] * np.log(p[nz])).sum()
    if e <= 0:
        return 0.0
    t_r = counts.sum(axis=1)
    h = 0.0
    for r in range(counts.shape[0]):
        if t_r[r] <= 0:
            continue
        pr = counts[r] / t_r[r]
        pz = pr > 0
        e_r = -(pr[pz] * np.log(pr[pz])).sum()
        h += t_r[r] * (e - e_r)
    return float(h / (total * e))


def segregation_series(df: pd.DataFrame) -> pd.Series:
    """Theil's H of living civilians by region and group, per tick (empty without regions)."""
    if "region" not in df.columns or "group" not in df.columns:
        return pd.Series(dtype=float)
    living = df[list(LIVING)].sum(axis=1)
    tab = (
        df.assign(_living=living)
        .pivot_table(index=["tick", "region"], columns="group", values="_living", aggfunc="sum")
        .fillna(0.0)
    )
    out = {t: theil_h(block.to_numpy()) for t, block in tab.groupby(level="tick")}
    return pd.Series(out, name="segregation").sort_index()


def share_quiet_series(df: pd.DataFrame) -> pd.Series:
    """Share of living civilians who stay quiet: the report's stand-in for "the centre
    holds" when a run does not carry the engine's own index. Jailed people count against
    it: a centre that holds only by jailing is not holding."""
    tot = df.groupby("tick")[list(LIVING)].sum()
    living = tot.sum(axis=1).replace(0, np.nan)
    return (tot["quiet"] / living).rename("share_quiet")


def initial_population(df: pd.DataFrame) -> pd.Series:
    """Agents per region at the first tick (living plus dead), the denominator of rates."""
    first = df[df["tick"] == df["tick"].min()]
    cols = [c for c in (*LIVING, "dead") if c in first.columns]
    return first.assign(_n=first[cols].sum(axis=1)).groupby("region")["_n"].sum()


def _people_by_month(df: pd.DataFrame, people_per_agent: float) -> pd.DataFrame:
    """The rows with their deaths in people (`_p`) and a `month`; a dated tick's row is
    repeated once per calendar month its days fall in, carrying that month's share of
    its deaths (`scenario.calendar.month_shares`), so a weekly run's months do not swing
    with the four or five ticks that start in them. Undated rows get month NaT."""
    d = df.assign(_p=deaths_in_people(df, people_per_agent))
    if "date" not in df.columns:
        return d.assign(month=pd.NaT)
    dates = pd.to_datetime(d["date"])
    ticks = pd.DatetimeIndex(np.sort(dates.unique()))
    months, shares = month_shares(ticks)
    t, m = np.nonzero(shares)
    spread = pd.DataFrame({"_date": ticks[t], "month": months[m], "_share": shares[t, m]})
    d = d.assign(_date=dates).merge(spread, on="_date", how="inner")
    return d.assign(_p=d["_p"] * d["_share"]).drop(columns=["_date", "_share"])


def monthly_national_deaths(df: pd.DataFrame, people_per_agent: float = 1.0) -> pd.Series:
    """Deaths in people per calendar month, all regions and groups."""
    d = _people_by_month(df, people_per_agent)
    return d.groupby("month")["_p"].sum().rename("deaths")


def regional_monthly_rate(df: pd.DataFrame, people_per_agent: float = 1.0) -> pd.DataFrame:
    """Deaths per 100,000 inhabitants by month (rows) and region (columns).

    Inhabitants are the region's agents at the start times people_per_agent: the rate is
    the same in agents and in people, whatever the scale.
    """
    pop = initial_population(df) * people_per_agent
    tab = (
        _people_by_month(df, people_per_agent)
        .pivot_table(index="month", columns="region", values="_p", aggfunc="sum")
        .fillna(0.0)
    )
    return tab.div(pop.reindex(tab.columns)).mul(1e5)


def deaths_by_group(df: pd.DataFrame, people_per_agent: float = 1.0) -> pd.DataFrame:
    """Deaths in people per tick (or month when dated) by victim group, columns = groups."""
    key = "month" if "date" in df.columns else "tick"
    d = _people_by_month(df, people_per_agent)
    return d.pivot_table(index=key, columns="group", values="_p", aggfunc="sum").fillna(0.0)
