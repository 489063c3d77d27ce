"""Event studies and before/after contrasts on small series whose answers are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from centrehold.errors import UserError
from centrehold.record.event_study import (
    before_after,
    daily_deaths,
    event_study,
    event_table,
    mean_interval,
    spread_daily,
)


def _series(first: str, values: list[float] | np.ndarray) -> pd.Series:
    return pd.Series(values, index=pd.date_range(first, periods=len(values), freq="D"), dtype=float)


def test_spread_daily_shares_a_multi_day_incident_evenly() -> None:
    events = pd.DataFrame(
        {
            "start": pd.to_datetime(["2020-01-01", "2020-01-02"]),
            "end": pd.to_datetime(["2020-01-03", "2020-01-02"]),
            "deaths_low": [6.0, 1.0],
            "deaths_high": [9.0, 3.0],
        }
    )
    low = daily_deaths(events, "low")
    assert low.tolist() == [2.0, 3.0, 2.0]
    assert daily_deaths(events, "high").tolist() == [3.0, 6.0, 3.0]
    assert daily_deaths(events, "mid").tolist() == [2.5, 4.5, 2.5]
    padded = daily_deaths(events, "low", first="2019-12-31", last="2020-01-02")
    assert padded.tolist() == [0.0, 2.0, 3.0]  # the part on 3 Jan falls outside
    with pytest.raises(UserError, match="unknown bound"):
        daily_deaths(events, "best")


def test_spread_daily_rejects_an_incident_ending_before_it_starts() -> None:
    with pytest.raises(UserError, match="ends before it starts"):
        spread_daily(
            pd.Series(pd.to_datetime(["2020-01-05"])),
            pd.Series(pd.to_datetime(["2020-01-01"])),
            pd.Series([1.0]),
        )


def test_window_against_flat_baseline_gives_exact_ratio_and_difference() -> None:
    daily = _series("2020-01-01", np.ones(91))
    event = pd.Timestamp("2020-02-05")
    daily[event : event + pd.Timedelta(days=2)] = 5.0
    result = event_study(daily, ["2020-02-05"], window=3, baseline_weeks=2, resamples=200)
    assert result.after == 5.0 and result.baseline == 1.0
    assert result.ratio == 5.0 and result.difference == 4.0
    assert result.after_days == 3 and result.baseline_days == 12  # 3 days x (-14,-7,+7,+14)
    # nothing varies, so the resampled interval is the point itself
    assert (result.ratio_low, result.ratio_high) == (5.0, 5.0)
    assert (result.difference_low, result.difference_high) == (4.0, 4.0)


def test_baseline_uses_the_same_weekdays() -> None:
    # the value is the weekday (Monday 0 .. Sunday 6): a same-weekday baseline matches it
    days = pd.date_range("2021-01-04", periods=70, freq="D")
    daily = pd.Series(days.day_of_week.astype(float), index=days)
    result = event_study(daily, ["2021-02-03"], window=1, baseline_weeks=3, resamples=50)
    assert result.after == 2.0 and result.baseline == 2.0 and result.ratio == 1.0


def test_other_events_windows_are_left_out_of_each_baseline() -> None:
    daily = _series("2020-03-01", np.zeros(35))
    day = pd.Timestamp("2020-03-15")
    week = pd.Timedelta(days=7)
    daily[day - week], daily[day], daily[day + week], daily[day + 2 * week] = 2.0, 10.0, 20.0, 4.0
    result = event_study(daily, [day, day + week], window=1, baseline_weeks=1, resamples=50)
    # event 1: window 10, baseline {day-7} = 2 (day+7 is event 2's window)
    # event 2: window 20, baseline {day+14} = 4 (day is event 1's window)
    assert result.per_event["after"].tolist() == [10.0, 20.0]
    assert result.per_event["baseline"].tolist() == [2.0, 4.0]
    assert result.after == 15.0 and result.baseline == 3.0
    assert result.ratio == 5.0 and result.difference == 12.0


def test_window_before_the_event_and_days_outside_the_series() -> None:
    daily = _series("2020-01-01", np.arange(30, dtype=float))
    # the two days before 10 Jan (values 7, 8); baseline one week either side: 0,1 and 14,15
    result = event_study(daily, ["2020-01-10"], window=2, offset=-2, baseline_weeks=1)
    assert result.after == 7.5 and result.baseline == 7.5
    # near the start, baseline days before the series are simply absent
    edge = event_study(daily, ["2020-01-03"], window=1, baseline_weeks=2)
    assert edge.per_event["baseline_days"].tolist() == [2]  # 10 and 17 Jan only
    assert edge.baseline == (9.0 + 16.0) / 2


def test_event_study_is_seeded_and_its_interval_holds_the_estimate() -> None:
    rng = np.random.default_rng(3)
    daily = _series("2020-01-01", rng.poisson(5.0, 200).astype(float))
    events = ["2020-02-10", "2020-03-20", "2020-05-01"]
    one = event_study(daily, events, window=5, seed=11, resamples=500)
    two = event_study(daily, events, window=5, seed=11, resamples=500)
    assert one.ratio_low == two.ratio_low and one.difference_high == two.difference_high
    assert one.ratio_low <= one.ratio <= one.ratio_high
    assert one.difference_low <= one.difference <= one.difference_high
    other = event_study(daily, events, window=5, seed=12, resamples=500)
    assert other.ratio_low != one.ratio_low


def test_event_study_errors_are_one_line_and_name_the_fix() -> None:
    daily = _series("2020-01-01", np.ones(30))
    with pytest.raises(UserError, match="YYYY-MM-DD"):
        event_study(daily, ["the day after"])
    with pytest.raises(UserError, match="no event dates"):
        event_study(daily, [])
    with pytest.raises(UserError, match="inside the series"):
        event_study(daily, ["2021-06-01"])
    with pytest.raises(UserError, match="dates as its index"):
        event_study(pd.Series([1.0, 2.0]), ["2020-01-01"])


def test_before_after_exact_and_bounds_checked() -> None:
    daily = _series("2020-01-01", [1.0] * 10 + [3.0] * 10)
    result = before_after(daily, "2020-01-11", 10, block=3, resamples=100)
    assert result.baseline == 1.0 and result.after == 3.0
    assert result.ratio == 3.0 and result.difference == 2.0
    assert (result.ratio_low, result.ratio_high) == (3.0, 3.0)
    with pytest.raises(UserError, match="outside the series"):
        before_after(daily, "2020-01-11", 11)
    mean, low, high = mean_interval(daily, "2020-01-09", 4, block=2, resamples=200)
    assert mean == 2.0 and 1.0 <= low <= mean <= high <= 3.0


def test_no_resampling_gives_the_point_and_no_interval() -> None:
    daily = _series("2020-01-01", [1.0] * 10 + [3.0] * 10)
    result = before_after(daily, "2020-01-11", 10, resamples=0)
    assert result.ratio == 3.0 and np.isnan(result.ratio_low) and np.isnan(result.ratio_high)
    study = event_study(daily, ["2020-01-11"], window=1, baseline_weeks=1, resamples=0)
    # baseline: 4 Jan (1) and 18 Jan (3)
    assert study.baseline == 2.0 and study.ratio == 1.5 and np.isnan(study.difference_low)
    with pytest.raises(UserError, match="resamples"):
        event_study(daily, ["2020-01-11"], resamples=-1)


def test_event_table_has_one_row_per_kind_and_nan_outside_the_series() -> None:
    daily = _series("2020-01-01", np.ones(60))
    daily[pd.Timestamp("2020-02-01")] = 8.0
    table = event_table(
        daily,
        {"vote": ["2020-02-01"], "abroad": ["2020-02-10"], "later": ["2021-01-01"]},
        window=1, baseline_weeks=2, resamples=0,
    )
    assert table["kind"].tolist() == ["vote", "abroad", "later"]
    assert table["ratio"].iloc[0] == 8.0 and table["ratio"].iloc[1] == 1.0
    assert np.isnan(table["ratio"].iloc[2])
    assert (table["window"] == 1).all() and table["events"].tolist() == [1, 1, 1]
