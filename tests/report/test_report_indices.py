"""Indices checked against cases computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from centrehold.report import indices


def test_theil_h_extremes():
    assert indices.theil_h(np.array([[50, 0], [0, 50]])) == pytest.approx(1.0)
    assert indices.theil_h(np.array([[30, 10], [60, 20], [3, 1]])) == pytest.approx(0.0, abs=1e-12)


def test_theil_h_hand_case():
    # two regions 30/10 and 10/30: E = ln 2, E_r = -(.75 ln .75 + .25 ln .25)
    e_r = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    expected = (math.log(2) - e_r) / math.log(2)
    assert indices.theil_h(np.array([[30, 10], [10, 30]])) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.18872, abs=1e-5)


def test_theil_h_three_groups_one_empty_region():
    # an empty region changes nothing; a third group present only in one region raises H
    base = indices.theil_h(np.array([[10, 10, 0], [10, 10, 0]]))
    with_empty = indices.theil_h(np.array([[10, 10, 0], [10, 10, 0], [0, 0, 0]]))
    assert base == pytest.approx(0.0, abs=1e-12) and with_empty == pytest.approx(0.0, abs=1e-12)
    # by hand: E = ln 3; region 1 (40 people) has shares 1/4, 1/4, 1/2, region 2 (20) 1/2, 1/2
    e1 = -(2 * 0.25 * math.log(0.25) + 0.5 * math.log(0.5))
    hand = (40 * (math.log(3) - e1) + 20 * (math.log(3) - math.log(2))) / (60 * math.log(3))
    assert indices.theil_h(np.array([[10, 10, 20], [10, 10, 0]])) == pytest.approx(hand)


def _tidy(rows):
    return pd.DataFrame(rows, columns=["tick", "date", "region", "group", "quiet", "active",
                                       "jailed", "dead", "killings"])


def test_series_by_hand():
    # tick 0: both regions mixed alike; tick 1: region A only g1, region B only g2
    df = _tidy([
        (0, "2009-01-31", "IQ-AN", "g1", 500, 0, 0, 0, 0),
        (0, "2009-01-31", "IQ-AN", "g2", 500, 0, 0, 0, 0),
        (0, "2009-01-31", "IQ-BG", "g1", 1000, 0, 0, 0, 3),
        (0, "2009-01-31", "IQ-BG", "g2", 1000, 0, 0, 0, 0),
        (1, "2009-02-01", "IQ-AN", "g1", 400, 100, 0, 0, 1),
        (1, "2009-02-01", "IQ-AN", "g2", 0, 0, 0, 0, 0),
        (1, "2009-02-01", "IQ-BG", "g1", 0, 0, 0, 0, 0),
        (1, "2009-02-01", "IQ-BG", "g2", 300, 0, 200, 0, 2),
    ])
    seg = indices.segregation_series(df)
    assert seg.loc[0] == pytest.approx(0.0, abs=1e-12) and seg.loc[1] == pytest.approx(1.0)
    ch = indices.share_quiet_series(df)
    assert ch.loc[0] == pytest.approx(1.0) and ch.loc[1] == pytest.approx(700 / 1000)
    monthly = indices.monthly_national_deaths(df)
    assert list(monthly.values) == [3, 3]
    assert list(monthly.index) == [pd.Timestamp("2009-01-01"), pd.Timestamp("2009-02-01")]
    rate = indices.regional_monthly_rate(df)
    # Baghdad: 3 deaths among 2000 agents in January = 150 per 100,000; Anbar: 1 of 1000 in Feb
    assert rate.loc["2009-01-01", "IQ-BG"] == pytest.approx(150.0)
    assert rate.loc["2009-02-01", "IQ-AN"] == pytest.approx(100.0)
    assert rate.loc["2009-01-01", "IQ-AN"] == 0.0


def test_weekly_tick_spread_over_its_months():
    # a week from 29 January holds 3 days of January and 4 of February: its 7 deaths
    # split 3 and 4, not all 7 in January; the next week (5-11 Feb) is all February
    df = _tidy([
        (0, "2009-01-29", "IQ-AN", "g1", 500, 0, 0, 0, 7),
        (1, "2009-02-05", "IQ-AN", "g1", 500, 0, 0, 0, 14),
    ])
    monthly = indices.monthly_national_deaths(df)
    assert list(monthly.index) == [pd.Timestamp("2009-01-01"), pd.Timestamp("2009-02-01")]
    assert monthly.to_numpy() == pytest.approx([3.0, 18.0])
    rate = indices.regional_monthly_rate(df)
    assert rate.loc["2009-01-01", "IQ-AN"] == pytest.approx(3 / 500 * 1e5)


def test_people_not_agents():
    df = _tidy([(0, "2009-01-30", "IQ-AN", "g1", 999, 0, 0, 1, 1)])
    assert indices.monthly_national_deaths(df, 2000.0).iloc[0] == 2000.0
    # the rate does not depend on the scale
    assert indices.regional_monthly_rate(df, 2000.0).iloc[0, 0] == pytest.approx(100.0)
    # the engine's `deaths` are people already: no second scaling
    with_deaths = df.assign(deaths=3000)
    assert indices.monthly_national_deaths(with_deaths, 2000.0).iloc[0] == 3000.0


def test_deaths_column_prefers_all_causes():
    assert indices.deaths_column(pd.DataFrame(columns=["deaths", "killings"])) == "deaths"
    assert indices.deaths_column(pd.DataFrame(columns=["killings"])) == "killings"
    with pytest.raises(KeyError):
        indices.deaths_column(pd.DataFrame(columns=["quiet"]))


def test_log_scale_only_when_sim_and_record_differ_twentyfold():
    from centrehold.report.data import Observed, ReportData, needs_log_scale

    months = pd.date_range("2009-01-01", periods=3, freq="MS")
    obs = Observed(pd.DataFrame({"low": [90.0] * 3, "high": [100.0] * 3}, index=months), "x")
    rd = ReportData("s", True, True, 1, 1.0, observed=obs)
    rd.national = pd.DataFrame({0: [10.0, 1500.0, 30.0]}, index=months)
    assert not needs_log_scale(rd)  # 15 times
    rd.national = pd.DataFrame({0: [10.0, 2500.0, 30.0]}, index=months)
    assert needs_log_scale(rd)  # 25 times
    rd.observed = None
    assert not needs_log_scale(rd)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 50), min_size=3, max_size=3), min_size=2, max_size=6),
       st.integers(1, 9), st.randoms(use_true_random=False))
def test_theil_h_invariants(rows, k, rnd):
    """H lies in [0, 1], ignores the order of regions and of groups, and the unit of count."""
    m = np.array(rows)
    h = indices.theil_h(m)
    if m.sum() == 0:
        assert math.isnan(h)
        return
    assert -1e-12 <= h <= 1 + 1e-12
    perm_r = rnd.sample(range(m.shape[0]), m.shape[0])
    perm_g = rnd.sample(range(m.shape[1]), m.shape[1])
    assert indices.theil_h(m[perm_r][:, perm_g]) == pytest.approx(h, abs=1e-12)
    assert indices.theil_h(m * k) == pytest.approx(h, abs=1e-12)
