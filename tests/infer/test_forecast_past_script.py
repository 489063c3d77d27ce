"""The pooled forecast of scripts/forecast_past.py on hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from .scripts import load_script


def _module():
    return load_script("forecast_past")


def test_weighted_quantiles_invert_the_weighted_distribution():
    mod = _module()
    values = np.array([30.0, 10.0, 20.0, 40.0])
    # sorted 10, 20, 30, 40 with weights 0.1, 0.1, 0.6, 0.2: cumulative 0.1, 0.2, 0.8, 1
    weights = np.array([0.6, 0.1, 0.1, 0.2])
    assert mod.weighted_quantiles(values, weights, (0.05, 0.1, 0.15, 0.5, 0.8, 0.95)) == [
        10.0, 10.0, 20.0, 30.0, 30.0, 40.0]
    # equal weights give the plain empirical quantiles
    assert mod.weighted_quantiles(np.arange(1.0, 101.0), np.ones(100), (0.5,)) == [50.0]


def test_a_hypothesis_weight_is_split_over_its_draws_whatever_their_number():
    mod = _module()
    # H0 with one draw at 100, H1 with three draws at 200: weights 0.7 and 0.3, so the
    # mixture's median is H0's value although H1 has three times the draws
    draws = pd.DataFrame({"hypothesis": ["H0", "H1", "H1", "H1"], "draw": [0, 0, 1, 2],
                          "year": 2011, "deaths_per_month": [100.0, 200.0, 200.0, 200.0]})
    out = mod.summarise(draws, pd.Series({"H0": 0.7, "H1": 0.3}))
    row = out.iloc[0]
    assert row["median"] == 100.0 and row["high"] == 200.0
    assert row["median_H0"] == 100.0 and row["median_H1"] == 200.0
    flipped = mod.summarise(draws, pd.Series({"H0": 0.3, "H1": 0.7})).iloc[0]
    assert flipped["median"] == 200.0


def test_a_folder_without_an_adequate_hypothesis_is_refused_in_one_line(tmp_path):
    mod = _module()
    (tmp_path / "settings.json").write_text('{"scenario": "iraq-2009", "people_per_agent": '
                                            '10000, "tick": "week", "overrides": {}}')
    pd.DataFrame({"hypothesis": ["H0"], "status": ["inadequate"],
                  "probability_adequate": [np.nan]}).to_csv(tmp_path / "posterior.csv",
                                                            index=False)
    (tmp_path / "parameters.parquet").write_bytes(b"")
    with pytest.raises(SystemExit, match="no adequate hypothesis"):
        mod.main([str(tmp_path), "--out", str(tmp_path / "f")])


def test_a_folder_that_is_not_a_compare_folder_or_a_bad_month_is_refused(tmp_path):
    mod = _module()
    with pytest.raises(SystemExit, match="no settings.json"):
        mod.main([str(tmp_path), "--out", str(tmp_path / "f")])
    for name in ("settings.json", "posterior.csv", "parameters.parquet"):
        (tmp_path / name).write_text("")
    with pytest.raises(SystemExit, match="not a month"):
        mod.main([str(tmp_path), "--end", "soon", "--out", str(tmp_path / "f")])
