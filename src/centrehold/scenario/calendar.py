"""Calendar of a regional run: ticks <-> real dates, and the event features policies read.

Policies and forces are written in dates (an election, a withdrawal); the kernels
only know tick numbers. This module is the one place the two meet, so a change of
tick length (a day or a week) changes nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Calendar:
    """Tick t covers [start + t*step_days, start + (t+1)*step_days)."""

    start: dt.date
    end: dt.date
    step_days: int = 1

    @property
    def n_ticks(self) -> int:
        return -(-((self.end - self.start).days + 1) // self.step_days)

    def dates(self, n: int | None = None) -> np.ndarray:
        """First day of each tick as datetime64[ns] (what xarray and Parquet store)."""
        n = self.n_ticks if n is None else n
        base = np.datetime64(self.start, "D")
        return (base + np.arange(n) * self.step_days).astype("datetime64[ns]")

    def tick_of(self, day: dt.date) -> int:
        """Tick containing a date (may lie outside 0..n_ticks-1 for dates off the calendar)."""
        return (day - self.start).days // self.step_days

    def days_since(self, events: Iterable[dt.date], n: int | None = None) -> np.ndarray:
        """Days since the latest event at or before each tick; +inf before the first one."""
        t_days = np.arange(self.n_ticks if n is None else n) * self.step_days
        out = np.full(t_days.shape, np.inf)
        for e in events:
            d = (e - self.start).days
            since = t_days - d
            out = np.where((since >= 0) & (since < out), since, out)
        return out

    def days_until(self, events: Iterable[dt.date], n: int | None = None) -> np.ndarray:
        """Days until the next event at or after each tick; +inf after the last one."""
        t_days = np.arange(self.n_ticks if n is None else n) * self.step_days
        out = np.full(t_days.shape, np.inf)
        for e in events:
            d = (e - self.start).days
            until = d - t_days
            out = np.where((until >= 0) & (until < out), until, out)
        return out

    def day_of_year(self, n: int | None = None) -> np.ndarray:
        return pd.DatetimeIndex(self.dates(n)).day_of_year.to_numpy()



def calendar_of(spec) -> Calendar:
    """Build the calendar from a scenario's `calendar` block (a day or a week per tick)."""
    return Calendar(spec.start, spec.end, 1 if spec.tick == "day" else 7)


def month_shares(
    dates: np.ndarray | pd.DatetimeIndex, step_days: int | None = None,
    first: str | pd.Timestamp | None = None, last: str | pd.Timestamp | None = None,
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Calendar months (month starts) and, for each tick, the share of its days in each.

    Why: a week-long tick that starts on 29 January holds three days of January and
    four of February. Putting it all in the month it starts in gives some months four
    ticks and others five, a swing of a quarter in a month's deaths that is an artefact
    of the tick, not of the world (it put March 2008 low and April high against the
    record). Each tick's count is spread evenly over its days, and months then sum their
    days: an integer for a daily tick, a fraction of a tick's count for a weekly one.

    `first` and `last` (months, inclusive) keep only those months, so a tick straddling
    the window's edge counts only its days inside. Returns (months, shares) with
    shares[t, m] = days of tick t in month m / step_days. Without `step_days` the tick
    length is read off the first two dates (a single tick: a day).
    """
    starts = np.asarray(pd.DatetimeIndex(dates).values).astype("datetime64[D]")
    if starts.size == 0:
        return pd.DatetimeIndex([]), np.zeros((0, 0))
    if step_days is None:
        step_days = int((starts[1] - starts[0]).astype(np.int64)) if starts.size > 1 else 1
    step = max(int(step_days), 1)
    days = (starts[:, None] + np.arange(step)).ravel()
    day_month = days.astype("datetime64[M]").astype(np.int64)
    lo = (np.datetime64(pd.Timestamp(first).to_period("M").to_timestamp(), "M").astype(np.int64)
          if first is not None else int(day_month.min()))
    hi = (np.datetime64(pd.Timestamp(last).to_period("M").to_timestamp(), "M").astype(np.int64)
          if last is not None else int(day_month.max()))
    n_months = max(int(hi - lo + 1), 0)
    col = day_month - lo
    inside = (col >= 0) & (col < n_months)
    shares = np.zeros((starts.size, n_months))
    tick = np.repeat(np.arange(starts.size), step)
    np.add.at(shares, (tick[inside], col[inside]), 1.0 / step)
    months = (np.int64(lo) + np.arange(n_months)).astype("datetime64[M]")
    return pd.DatetimeIndex(months.astype("datetime64[ns]")), shares
