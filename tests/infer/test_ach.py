"""The simulated ACH matrix on cases whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from centrehold.infer.ach import (
    ach_matrix,
    diagnosticity,
    hypothesis_scores,
    plot_ach,
    predictive_pvalue,
    rate,
)


def test_pvalue_by_hand():
    sims = np.arange(1, 11, dtype=float)  # 1..10
    # observed 10: below 9/10, tie 1/10 -> upper = 0.05 -> p = 0.1
    assert predictive_pvalue(sims, 10.0) == pytest.approx(0.1)
    # observed 5.5: half below, half above -> p = 1
    assert predictive_pvalue(sims, 5.5) == pytest.approx(1.0)
    # beyond every draw
    assert predictive_pvalue(sims, 11.0) == 0.0
    assert np.isnan(predictive_pvalue(np.array([np.nan]), 1.0))


def test_a_statistic_on_a_point_mass_is_consistent_not_extreme():
    assert predictive_pvalue(np.zeros(20), 0.0) == pytest.approx(1.0)


def test_rating_scale_boundaries():
    assert [rate(p) for p in (0.9, 0.5, 0.3, 0.1, 0.02, 0.001)] == [
        "CC", "CC", "C", "N", "I", "II"
    ]
    assert rate(float("nan")) == "NA"


def _toy_simulations():
    """Two hypotheses about a mean: A says ~N(0,1), B says ~N(5,1); both predict spread 1."""
    rng = np.random.default_rng(1)
    sims = {}
    for name, mu in (("A", 0.0), ("B", 5.0)):
        x = rng.normal(mu, 1.0, (300, 50))
        sims[name] = pd.DataFrame({"mean": x.mean(axis=1), "sd": x.std(axis=1)})
    return sims


def test_known_answer_mean_separates_spread_does_not():
    sims = _toy_simulations()
    # the truth is A: a mean near A's centre, a spread both predict alike
    observed = pd.Series({"mean": 0.05, "sd": 0.99})
    m = ach_matrix(sims, observed)
    rating = m.set_index(["item", "hypothesis"])["rating"]
    assert rating[("mean", "A")] in ("CC", "C")
    assert rating[("mean", "B")] == "II"
    diag = diagnosticity(m).set_index("item")
    assert diag.loc["mean", "separates"]
    assert diag.loc["mean", "diagnosticity"] >= 3
    # spread is predicted identically by both: it must be named as separating nothing
    assert not diag.loc["sd", "separates"]
    assert diag.loc["sd", "verdict"] == "separates nothing"
    scores = hypothesis_scores(m)
    assert scores.iloc[0]["hypothesis"] == "A"
    assert scores.set_index("hypothesis").loc["B", "inconsistency"] == 2.0


def test_heatmap_is_written(tmp_path):
    sims = _toy_simulations()
    observed = pd.Series({"mean": 0.1, "sd": 1.0})
    plot_ach(ach_matrix(sims, observed), tmp_path / "ach.png")
    assert (tmp_path / "ach.png").stat().st_size > 1000
