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

    def month_index(self, n: int | None = None) -> pd.DatetimeIndex:
        """Calendar month (month start) of each tick, for aggregating to months."""
        return pd.DatetimeIndex(self.dates(n)).to_period("M").to_timestamp()


def calendar_of(spec) -> Calendar:
    """Build the calendar from a scenario's `calendar` block (a day or a week per tick)."""
    return Calendar(spec.start, spec.end, 1 if spec.tick == "day" else 7)
