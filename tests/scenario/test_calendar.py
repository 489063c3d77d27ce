"""Ticks to calendar months: each tick's days, whatever the tick's length."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from centrehold.scenario.calendar import month_shares


def test_weekly_shares_count_the_days_of_each_month():
    # 2008 is a leap year: 53 weeks from 1 January cover 2008 and 5 days of 2009
    dates = pd.date_range("2008-01-01", periods=53, freq="7D")
    months, shares = month_shares(dates, 7)
    assert months[0] == pd.Timestamp("2008-01-01") and months[-1] == pd.Timestamp("2009-01-01")
    assert shares.sum(axis=1) == pytest.approx(np.ones(53))
    days = shares.sum(axis=0) * 7
    assert days == pytest.approx([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 5])


def test_a_window_keeps_only_its_months_days():
    dates = pd.date_range("2008-01-01", periods=53, freq="7D")
    months, shares = month_shares(dates, 7, "2008-01", "2008-12")
    assert len(months) == 12
    # the last week (30 Dec - 5 Jan) keeps its two December days
    assert shares[-1].sum() == pytest.approx(2 / 7)
    assert shares.sum() * 7 == pytest.approx(366)


def test_daily_ticks_fall_wholly_in_their_month():
    dates = pd.date_range("2009-01-30", periods=4, freq="D")
    months, shares = month_shares(dates, 1)
    assert shares.tolist() == [[1, 0], [1, 0], [0, 1], [0, 1]]
    assert list(months) == [pd.Timestamp("2009-01-01"), pd.Timestamp("2009-02-01")]


def test_no_ticks_no_months():
    months, shares = month_shares(pd.DatetimeIndex([]), 7)
    assert len(months) == 0 and shares.shape == (0, 0)
