"""CRPS against its closed form and a brute-force sum; baselines on a hand-made record."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from centrehold.infer.forecast import (
    baselines,
    crps_normal,
    crps_sample,
    score_forecasts,
    summarise_scores,
)


@pytest.mark.parametrize("mu,sigma,y", [(0.0, 1.0, 0.0), (2.0, 3.0, -1.5), (10.0, 0.5, 11.2)])
def test_sample_crps_converges_to_the_normal_closed_form(mu, sigma, y):
    rng = np.random.default_rng(4)
    x = rng.normal(mu, sigma, 200_000)
    exact = crps_normal(mu, sigma, y)
    assert crps_sample(x, y) == pytest.approx(exact, rel=0.01, abs=0.005)


def test_closed_form_value_at_the_centre():
    # CRPS of N(0,1) at 0 is 2*phi(0) - 1/sqrt(pi) = (sqrt(2) - 1)/sqrt(pi)
    assert crps_normal(0.0, 1.0, 0.0) == pytest.approx((np.sqrt(2) - 1) / np.sqrt(np.pi))


def test_sorted_pair_term_equals_the_brute_force_double_sum():
    rng = np.random.default_rng(9)
    x = rng.gamma(2.0, 3.0, 57)
    w = rng.random(57)
    y = 4.2
    wn = w / w.sum()
    brute = np.sum(wn * np.abs(x - y)) - 0.5 * np.sum(
        wn[:, None] * wn[None, :] * np.abs(x[:, None] - x[None, :])
    )
    assert crps_sample(x, y, w) == pytest.approx(brute, rel=1e-12)
    unweighted = np.mean(np.abs(x - y)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :]))
    assert crps_sample(x, y) == pytest.approx(unweighted, rel=1e-12)


def test_point_ensemble_scores_its_absolute_error():
    assert crps_sample(np.full(10, 3.0), 7.5) == pytest.approx(4.5)


def test_crps_is_proper_the_true_distribution_beats_a_shifted_one():
    rng = np.random.default_rng(2)
    ys = rng.normal(0, 1, 400)
    good = rng.normal(0, 1, 2000)
    bad = rng.normal(1.0, 1, 2000)
    assert np.mean([crps_sample(good, y) for y in ys]) < np.mean([crps_sample(bad, y) for y in ys])


def _panel(months, regions, values):
    rows = []
    k = 0
    for m in months:
        for r in regions:
            rows.append({"month": pd.Timestamp(m), "region": r, "deaths": float(values[k])})
            k += 1
    return pd.DataFrame(rows)


def test_baselines_on_a_hand_made_record():
    months = pd.date_range("2008-01-01", "2009-12-01", freq="MS")
    regions = ["IQ-BG", "IQ-BA"]
    vals = np.arange(len(months) * 2, dtype=float)  # BG: 0,2,4..; BA: 1,3,5..
    hist = _panel(months, regions, vals)
    targets = pd.DataFrame(
        {"month": [pd.Timestamp("2010-03-01"), pd.Timestamp("2010-03-01")], "region": regions}
    )
    b = baselines(hist, targets)
    # last value: December 2009 = index 23 -> BG 46, BA 47
    assert list(b["last value"]) == [46.0, 47.0]
    # same month last year: March 2009 = index 14 -> BG 28, BA 29
    assert list(b["same month last year"]) == [28.0, 29.0]
    # fit mean: mean of 0,2,..,46 = 23 and 1,3,..,47 = 24
    assert list(b["fit mean"]) == [23.0, 24.0]


def test_score_table_ranks_an_ensemble_centred_on_the_truth_first():
    months = pd.date_range("2008-01-01", "2009-12-01", freq="MS")
    hist = _panel(months, ["IQ-BG"], np.full(len(months), 100.0))
    test_months = pd.date_range("2010-01-01", "2010-12-01", freq="MS")
    obs = _panel(test_months, ["IQ-BG"], np.full(12, 40.0))
    rng = np.random.default_rng(0)
    members = [_panel(test_months, ["IQ-BG"], rng.normal(40, 5, 12)) for _ in range(50)]
    scores = score_forecasts(obs, {"posterior": members}, hist)
    summary = summarise_scores(scores)
    assert summary.iloc[0]["forecaster"] == "posterior"
    # every baseline says 100 against an outcome of 40
    base = summary.set_index("forecaster").loc["fit mean", "mean_crps"]
    assert base == pytest.approx(60.0)
