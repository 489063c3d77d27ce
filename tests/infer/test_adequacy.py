"""Adequacy before choice: posterior predictive checks on exact cases and on the model.

The model-based tests draw a record from the iraq-2009 model under fixed parameters,
then check the same parameters' predictive (other seeds) against it: the generator must
pass, and the same record at ten times its level must fail.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from centrehold.infer.adequacy import (
    adequacy_table,
    check_hypothesis,
    coverage,
    decline_ratio,
    leading,
    predictive_p,
    verdict,
)
from centrehold.infer.evidence import national_series, quarterly_means


def test_coverage_counts_observations_inside_the_central_band():
    draws = np.tile(np.arange(101, dtype=float)[:, None], (1, 4))  # 0..100 in every month
    # the 90% band is [5, 95] in every column
    assert coverage(draws, np.array([5.0, 50.0, 95.0, 96.0])) == pytest.approx(0.75)
    assert coverage(draws, np.array([-1.0, 101.0, 4.0, 200.0])) == 0.0


def test_predictive_p_is_two_sided_with_ties_split():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    assert predictive_p(x, 10.0) == 0.0
    assert predictive_p(x, 0.0) == 0.0
    assert predictive_p(x, 2.5) == pytest.approx(1.0)
    # observed 2: below 1/4, ties 1/4 -> P(T <= t) = 1/4 + 1/8 = 3/8 -> p = 3/4
    assert predictive_p(x, 2.0) == pytest.approx(0.75)
    assert np.isnan(predictive_p(x, float("nan")))
    assert np.isnan(predictive_p(np.array([np.nan]), 1.0))


def test_decline_ratio_is_second_year_over_first():
    s = np.r_[np.full(12, 100.0), np.full(12, 40.0)]
    assert decline_ratio(s) == pytest.approx(0.4)
    assert np.isnan(decline_ratio(s[:20]))
    rows = np.vstack([s, 2 * s])
    np.testing.assert_allclose(decline_ratio(rows), [0.4, 0.4])


def test_quarterly_means_by_hand():
    months = pd.date_range("2008-01-01", "2008-06-01", freq="MS")
    s = pd.Series([3.0, 6.0, 9.0, 1.0, 1.0, 4.0], index=months)
    assert quarterly_means(s) == {"national_2008Q1": 6.0, "national_2008Q2": 2.0}


def _toy_draws(level: float, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    trend = np.r_[np.linspace(1000, 500, 12), np.full(12, 400.0)] * level / 1000
    return rng.poisson(trend, size=(n, 24)).astype(float)


def test_check_passes_a_draw_from_the_predictive_and_fails_ten_times_its_level():
    draws = _toy_draws(1000, 200, 1)
    record = _toy_draws(1000, 1, 2)[0]
    stats = pd.DataFrame({"national_mean": draws.mean(axis=1)})
    ok = check_hypothesis(draws, record, stats, pd.Series({"national_mean": record.mean()}))
    assert ok["adequate"], ok["why_inadequate"]
    bad = check_hypothesis(draws, 10 * record, stats,
                           pd.Series({"national_mean": 10 * record.mean()}))
    assert not bad["adequate"]
    assert "level" in bad["why_inadequate"] and bad["coverage_fit"] == 0.0
    assert bad["statistics_missed"] == 1 and bad["worst_statistics"] == "national_mean"


def test_a_flat_predictive_fails_a_declining_record_on_its_shape():
    flat = np.random.default_rng(3).poisson(580.0, size=(200, 24)).astype(float)
    record = _toy_draws(1300, 1, 4)[0]  # same mean, falling
    res = check_hypothesis(flat, record, pd.DataFrame(), pd.Series(dtype=float))
    assert not res["adequate"]
    assert "second-year" in res["why_inadequate"]


def test_leader_is_named_only_among_adequate_hypotheses_and_died_out_is_listed():
    checks = {
        "H1": {"adequate": False, "coverage_fit": 0.2, "predictive_mean": 100.0,
               "record_mean": 500.0, "p_values": pd.Series(dtype=float)},
        "H2": {"adequate": True, "coverage_fit": 0.9, "predictive_mean": 480.0,
               "record_mean": 500.0, "p_values": pd.Series(dtype=float)},
    }
    table = adequacy_table(checks, died_out=["H3"])
    assert table.set_index("hypothesis")["status"].to_dict() == {
        "H1": "inadequate", "H2": "adequate", "H3": "died out"}
    post = table.assign(probability=[0.9, 0.1, 0.0])
    assert leading(post) == "H2"  # not H1, which has the larger posterior but misses
    text = verdict(post, "test", ("2008-01", "2009-12"))
    assert "H2 is the most probable" in text and "H3" in text
    # the adequate set holds 0.1 of the posterior: the verdict says so
    assert "hold only 0.10 of the posterior" in text
    none = post.assign(adequate=False)
    assert leading(none) is None
    assert verdict(none, "test", ("2008-01", "2009-12")).startswith("No hypothesis is adequate")


def test_a_lead_that_redraws_of_the_evidence_unseat_is_not_called_clear():
    base = pd.DataFrame({
        "hypothesis": ["H1", "H2"], "status": ["adequate", "adequate"],
        "adequate": [True, True], "coverage_fit": [0.9, 0.9],
        "predictive_mean": [480.0, 470.0], "record_mean": [500.0, 500.0],
        "probability": [0.5, 0.5], "probability_adequate": [0.55, 0.45],
        "probability_adequate_low": [0.3, 0.2], "probability_adequate_high": [0.8, 0.7],
    })
    shaky = base.assign(leads=[0.6, 0.4])
    assert leading(shaky) == "H1"
    text = verdict(shaky, "test", ("2008-01", "2009-12"))
    assert "none leads clearly" in text and "60% of redraws" in text
    assert "is the most probable" not in text
    firm = base.assign(leads=[0.95, 0.05])
    text = verdict(firm, "test", ("2008-01", "2009-12"))
    assert "H1 is the most probable" in text and "0.30-0.80" in text


@pytest.fixture(scope="module")
def iraq_simulator():
    from centrehold.infer.simulated import ScenarioSimulator
    from centrehold.scenario import load_scenario

    sc = load_scenario("iraq-2009", {"people_per_agent": "10000", "calendar.tick": "week"})
    return ScenarioSimulator(sc, regions=tuple(r.iso for r in sc.regions))


def test_the_model_that_wrote_a_record_is_adequate_and_ten_times_the_record_is_not(
        iraq_simulator):
    from centrehold.infer.simulated import evidence_input

    sim = iraq_simulator

    def national(seed):
        ds = sim.dataset("H0", {}, seed)
        inp = evidence_input(ds, sim.start, sim.end)
        return national_series(inp, sim.start, sim.end).to_numpy(float), sim.statistics(ds)

    runs = [national(seed) for seed in range(1, 31)]
    draws = np.vstack([r[0] for r in runs])
    stats = pd.DataFrame([r[1] for r in runs])
    # records the model wrote itself: checks with 90% bands pass most of them, not all
    # (a record falls outside a band by chance; measured over 40 such records, about
    # one in five fails some check, and the old 20% rule on the decline alone failed 17%)
    records = [national(seed) for seed in range(1000, 1020)]
    checks = [check_hypothesis(draws, rec, stats, rec_stats) for rec, rec_stats in records]
    passed = [c["adequate"] for c in checks]
    assert sum(passed) >= 12, [c["why_inadequate"] for c in checks]  # measured: 14 of 20
    ok = next(c for c in checks if c["adequate"])
    assert ok["coverage_fit"] >= 0.75
    # most statistics of a record the model wrote lie inside its predictive
    assert np.median([c["statistics_missed"] / c["statistics_checked"] for c in checks]) <= 0.2
    record, record_stats = records[0]
    bad = check_hypothesis(draws, 10 * record, stats, record_stats)
    assert not bad["adequate"] and bad["coverage_fit"] < 0.1


def test_a_record_whose_decline_lies_outside_the_predictive_is_inadequate():
    rng = np.random.default_rng(3)
    months = np.r_[np.full(12, 600.0), np.full(12, 400.0)]  # 2009/2008 = 0.67
    draws = rng.normal(months, 30.0, size=(40, 24))
    stats = pd.DataFrame({"x": rng.normal(size=40)})
    fits = check_hypothesis(draws, months, stats, pd.Series({"x": 0.0}))
    assert fits["adequate"] and fits["decline_low"] < 0.667 < fits["decline_high"]
    # same level, but the record falls by half: its ratio lies far outside the band
    steep = np.r_[np.full(12, 667.0), np.full(12, 333.0)]
    miss = check_hypothesis(draws, steep, stats, pd.Series({"x": 0.0}))
    assert not miss["adequate"] and "ratio 0.50 outside" in miss["why_inadequate"]
    r = steep[12:].sum() / steep[:12].sum()
    assert miss["decline_error"] == pytest.approx(abs(miss["decline_predicted"] - r) / r)
