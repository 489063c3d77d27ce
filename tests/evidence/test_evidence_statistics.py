"""Evidence statistics on small hand-made inputs with exact answers, and the tail fit."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from centrehold.errors import UserError
from centrehold.infer.evidence import (
    STATISTICS,
    evidence_table,
    mass_casualty_share,
    mixed_share,
    national_mean,
    national_series,
    national_trend,
    pre_election_months,
    pre_election_ratio,
    regional_shares,
    tail_exponent,
    withdrawal_ratio,
)
from centrehold.record.observations import UNKNOWN_REGION, EvidenceInput

#: The iraq-2009 scenario's facts the statistics read (`scenario_facts`).
FACTS = {"mixed": ("IQ-BG", "IQ-DI", "IQ-KI", "IQ-NI"), "withdrawal": "2009-06-30",
         "elections": ("2009-01-31", "2010-03-07")}


def monthly(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["month", "region", "deaths"])


def series(start: str, values: list[float]) -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="MS"),
                     dtype=float)


def test_national_series_sums_regions_and_zero_fills():
    inp = EvidenceInput(
        monthly([("2009-01", "A", 3), ("2009-01", UNKNOWN_REGION, 2), ("2009-03", "B", 7),
                 ("2009-03-20", "B", 1)]),
        np.array([]),
    )
    got = national_series(inp)
    assert got.tolist() == [5.0, 0.0, 8.0]
    assert got.index[1] == pd.Timestamp("2009-02-01")
    wide = national_series(inp, "2008-12", "2009-04")
    assert wide.tolist() == [0.0, 5.0, 0.0, 8.0, 0.0]
    with pytest.raises(UserError, match="swap"):
        national_series(inp, "2009-05", "2009-01")


def test_mean_and_trend_exact():
    s = series("2009-01", [10, 20, 35])
    assert national_mean(s) == pytest.approx(65 / 3)
    # slope = sum((t - 1)(y - ybar)) / sum((t - 1)^2) = (-1*-11.67 + 1*13.33) / 2 = 12.5
    assert national_trend(s) == pytest.approx(12.5)
    assert national_trend(series("2009-01", [4, 4, 4, 4])) == 0.0
    assert math.isnan(national_trend(series("2009-01", [4])))


def test_regional_shares_leave_unlocated_out():
    inp = EvidenceInput(
        monthly([("2009-01", "A", 30), ("2009-02", "B", 10), ("2009-02", UNKNOWN_REGION, 60),
                 ("2010-01", "A", 1000)]),
        np.array([]),
    )
    shares = regional_shares(inp, ["A", "B", "C"], end="2009-12")
    assert shares.to_dict() == {"share_A": 0.75, "share_B": 0.25, "share_C": 0.0}


def test_withdrawal_ratio_steps_and_boundaries():
    # Jan..Jun 2009 at 10, Jul..Dec at 25: the month of 30 June counts as before.
    s = series("2009-01", [10] * 6 + [25] * 6)
    assert withdrawal_ratio(s, "2009-06-30", months=6) == pytest.approx(2.5)
    assert withdrawal_ratio(s, "2009-06-30", months=1) == pytest.approx(2.5)
    # A date on the first of a month puts that month after.
    assert withdrawal_ratio(s, "2009-07-01", months=3) == pytest.approx(2.5)
    assert withdrawal_ratio(s, "2009-05-15", months=1) == pytest.approx(1.0)
    # Windows reaching outside the series give NaN, not a biased number.
    assert math.isnan(withdrawal_ratio(s, "2009-06-30", months=7))
    assert math.isnan(withdrawal_ratio(series("2009-01", [0] * 12), "2009-06-30"))


def test_pre_election_months_follow_the_calendar():
    index = pd.date_range("2008-01", "2010-12", freq="MS")
    got = pre_election_months(index, ["2009-01-31", "2010-03-07"], months=2)
    assert [f"{m:%Y-%m}" for m in got] == ["2008-12", "2009-01", "2010-01", "2010-02"]
    one = pre_election_months(index, ["2009-01-30"], months=1)
    assert [f"{m:%Y-%m}" for m in one] == ["2008-12"]


def test_pre_election_ratio_exact():
    # 2008-11..2009-04: Dec and Jan are pre-election (values 30, 50); others 10, 10, 20, 0.
    s = series("2008-11", [10, 30, 50, 10, 20, 0])
    assert pre_election_ratio(s, ["2009-01-31"], months=2) == pytest.approx(40 / 10)
    assert math.isnan(pre_election_ratio(s, ["2012-01-01"], months=2))


def test_mixed_share_with_classes_as_parameter():
    inp = EvidenceInput(
        monthly([("2009-01", "IQ-BG", 6), ("2009-01", "IQ-AN", 2), ("2009-01", "IQ-NI", 2),
                 ("2009-01", UNKNOWN_REGION, 90)]),
        np.array([]),
    )
    assert mixed_share(inp, FACTS["mixed"]) == pytest.approx(0.8)
    assert mixed_share(inp, mixed={"IQ-AN"}) == pytest.approx(0.2)
    assert mixed_share(inp, mixed=()) == 0.0


def test_mass_casualty_share_threshold():
    sizes = np.array([1, 2, 10, 20])
    assert mass_casualty_share(sizes) == pytest.approx(30 / 33)
    assert mass_casualty_share(sizes, threshold=11) == pytest.approx(20 / 33)
    assert mass_casualty_share(sizes, threshold=100) == 0.0
    assert math.isnan(mass_casualty_share(np.array([])))


def pareto(alpha: float, xmin: float, n: int, seed: int) -> np.ndarray:
    """Continuous power-law samples by inverse transform."""
    u = np.random.default_rng(seed).random(n)
    return xmin * (1.0 - u) ** (-1.0 / (alpha - 1.0))


def discrete_power_law(alpha: float, xmin: int, n: int, seed: int) -> np.ndarray:
    """Integer power-law samples (Clauset, Shalizi & Newman 2009, appendix D approximation)."""
    u = np.random.default_rng(seed).random(n)
    return np.floor((xmin - 0.5) * (1.0 - u) ** (-1.0 / (alpha - 1.0)) + 0.5)


def test_tail_exponent_fixed_xmin_equals_the_closed_form_mle():
    x = pareto(2.5, 1.0, 5000, seed=1)
    alpha, xmin, n = tail_exponent(x, xmin=1.0)
    assert (xmin, n) == (1.0, 5000)
    assert alpha == pytest.approx(1.0 + len(x) / np.log(x).sum(), rel=1e-9)
    assert abs(alpha - 2.5) < 0.06  # standard error (alpha - 1)/sqrt(n) = 0.021


@pytest.mark.parametrize("true_alpha", [2.0, 2.5, 3.0, 3.5])
def test_tail_exponent_recovers_known_exponents(true_alpha):
    """Integer sizes, as incidents are: a power-law tail from 5 deaths above a body of 1-3.

    Tolerance: five standard errors, (alpha - 1) / sqrt(n) (0.09 for alpha = 2.5 and
    n = 3000), for each of five seeds, with xmin chosen by the KS criterion and with
    xmin fixed at the truth; the mean of the five chosen-xmin estimates within 0.05.
    """
    estimates = []
    for seed in range(5):
        rng = np.random.default_rng(seed + 100)
        tail = discrete_power_law(true_alpha, 5, 3000, seed)
        body = rng.integers(1, 4, 1500).astype(float)
        alpha, xmin, n = tail_exponent(np.concatenate([tail, body]))
        assert abs(alpha - true_alpha) < 5 * (true_alpha - 1) / math.sqrt(n), (seed, alpha, n)
        assert xmin >= 5 and n >= 50
        estimates.append(alpha)
        fixed, _, n_fixed = tail_exponent(discrete_power_law(true_alpha, 10, 3000, seed), xmin=10)
        assert abs(fixed - true_alpha) < 5 * (true_alpha - 1) / math.sqrt(3000)
        assert n_fixed == 3000
    assert abs(np.mean(estimates) - true_alpha) < 0.05


def test_steep_tails_are_not_clamped_at_three():
    """powerlaw 2.0 bounds alpha to [0, 3] unless told otherwise; 4.0 must come back as ~4."""
    x = pareto(4.0, 1.0, 4000, seed=9)
    alpha, _, _ = tail_exponent(x, xmin=1.0)
    assert alpha == pytest.approx(1.0 + len(x) / np.log(x).sum(), rel=1e-6)
    assert abs(alpha - 4.0) < 0.25


def test_tail_exponent_refuses_tiny_samples():
    alpha, _, n = tail_exponent(np.array([1, 2, 3, 50, 0, 0]))
    assert math.isnan(alpha) and n == 4
    with pytest.raises(UserError, match="positive"):
        tail_exponent(np.ones(100), xmin=0)


def test_evidence_table_names_are_stable_across_inputs():
    rng = np.random.default_rng(5)
    regions = ["IQ-AN", "IQ-BG", "IQ-NI"]

    def make(scale: float) -> EvidenceInput:
        rows = [(f"2009-{m:02d}", r, float(rng.integers(0, 50) * scale))
                for m in range(1, 13) for r in regions[:2]]
        return EvidenceInput(monthly(rows), discrete_power_law(2.5, 1, 400, seed=int(scale)))

    a = evidence_table(make(1), start="2009-01", end="2009-12", regions=regions, **FACTS)
    b = evidence_table(make(3), start="2009-01", end="2009-12", regions=regions, **FACTS)
    assert a.index.tolist() == b.index.tolist()
    names = a.index.tolist()
    assert names[:2] == ["national_mean", "national_trend"]
    assert [n for n in names if n.startswith("national_2") and "Q" not in n] == [
        f"national_2009-{m:02d}" for m in range(1, 13)
    ]
    assert a["share_IQ-NI"] == 0.0
    assert a[["share_IQ-AN", "share_IQ-BG", "share_IQ-NI"]].sum() == pytest.approx(1.0)
    for name in names:
        pattern = ("national_YYYYQn" if name.startswith("national_2") and "Q" in name else
                   "national_YYYY-MM" if name.startswith("national_2") else
                   "share_<region>" if name.startswith("share_IQ") else name)
        assert pattern in STATISTICS, name
    short = evidence_table(make(1), monthly_values=False, **FACTS)
    assert not any(n.startswith("national_2") and "Q" not in n for n in short.index)


def test_evidence_table_values_on_a_hand_made_record():
    rows = [("2009-01", "IQ-BG", 10), ("2009-02", "IQ-AN", 20), ("2009-03", "IQ-BG", 30),
            ("2009-03", UNKNOWN_REGION, 5)]
    table = evidence_table(EvidenceInput(monthly(rows), np.array([1, 2, 3, 10, 20])), **FACTS)
    assert table["national_mean"] == pytest.approx(65 / 3)
    assert table["national_2009-03"] == 35.0
    assert table["share_IQ-BG"] == pytest.approx(40 / 60)
    assert table["share_mixed"] == pytest.approx(40 / 60)
    assert table["share_mass_casualty"] == pytest.approx(30 / 36)
    # Pre-election months inside the window: only January 2009 (Dec 2008 lies outside).
    assert table["pre_election_ratio"] == pytest.approx(10 / 27.5)
    assert math.isnan(table["withdrawal_ratio"]) and math.isnan(table["tail_alpha"])


def test_evidence_input_validation():
    with pytest.raises(UserError, match="month, region, deaths"):
        EvidenceInput(pd.DataFrame({"month": [], "deaths": []}), np.array([]))
    with pytest.raises(UserError, match="negative"):
        EvidenceInput(monthly([("2009-01", "A", -1)]), np.array([]))
    with pytest.raises(UserError, match="sizes"):
        EvidenceInput(monthly([("2009-01", "A", 1)]), np.array([1.0, -2.0]))


def test_class_shares_exact_and_opt_in():
    from centrehold.infer.evidence import class_shares

    inp = EvidenceInput(
        monthly([("2009-01", "A", 6), ("2009-01", "B", 2), ("2009-01", "C", 2),
                 ("2009-01", UNKNOWN_REGION, 50)]),
        np.array([]),
    )
    classes = {"A": "Shia Arab", "B": "mixed"}
    got = class_shares(inp, classes)
    assert got.to_dict() == {
        "share_class_mixed": 0.2, "share_class_other": 0.2, "share_class_shia_arab": 0.6,
    }
    plain = evidence_table(inp, **FACTS)
    assert not any(n.startswith("share_class_") for n in plain.index)
    with_classes = evidence_table(inp, classes=classes, **FACTS)
    assert with_classes["share_class_shia_arab"] == pytest.approx(0.6)


def test_empty_input_gives_nans_not_errors():
    inp = EvidenceInput(pd.DataFrame({"month": [], "region": [], "deaths": []}), np.array([]))
    table = evidence_table(inp, regions=["A"], **FACTS)
    assert math.isnan(table["national_mean"]) and math.isnan(table["share_A"])
    window = evidence_table(inp, start="2009-01", end="2009-03", regions=["A"], **FACTS)
    assert window["national_mean"] == 0.0 and window["national_2009-02"] == 0.0
    assert math.isnan(window["share_mixed"]) and math.isnan(window["tail_alpha"])


def _with_bombs() -> EvidenceInput:
    months = ["2009-05", "2009-06", "2009-07", "2009-08"]
    rows = []
    for i, m in enumerate(months):
        # A: 10 deaths a month, 4 of them in bombings; B: 6 a month, bombings only after
        # June (the withdrawal month counts as before it)
        rows.append({"month": m, "region": "A", "deaths": 10.0, "explosive": 4.0})
        rows.append({"month": m, "region": "B", "deaths": 6.0,
                     "explosive": 6.0 if i >= 2 else 0.0})
    rows.append({"month": "2009-05", "region": UNKNOWN_REGION, "deaths": 4.0, "explosive": 4.0})
    return EvidenceInput(monthly=pd.DataFrame(rows), sizes=np.ones(68))


def test_explosive_statistics_on_an_exact_small_case():
    t = evidence_table(_with_bombs(), regions=["A", "B"], withdrawal_months=2,
                       monthly_values=False, **{**FACTS, "mixed": ("B",)})
    # 16 + 12 + 4 unlocated = 32 bomb deaths of 68
    assert t["explosive_fraction"] == pytest.approx(32 / 68)
    assert t["explosive_share_A"] == pytest.approx(16 / 28)
    assert t["explosive_share_B"] == pytest.approx(12 / 28)
    assert t["explosive_share_mixed"] == pytest.approx(12 / 28)
    # before: May 4 + 4 unlocated, June 4 -> 6 a month; after: 4 + 6 -> 10 a month
    assert t["explosive_withdrawal_ratio"] == pytest.approx(10 / 6)
    # the totals are untouched by the explosive column
    assert t["share_A"] == pytest.approx(40 / 64)


def test_without_the_column_there_are_no_explosive_statistics():
    inp = _with_bombs()
    plain = EvidenceInput(monthly=inp.monthly.drop(columns="explosive"), sizes=inp.sizes)
    t = evidence_table(plain, regions=["A", "B"], monthly_values=False, **FACTS)
    assert not any(name.startswith("explosive") for name in t.index)
    with pytest.raises(UserError, match="no 'explosive' column"):
        plain.explosive_only()


@pytest.mark.parametrize("bad", [-1.0, 11.0, np.nan])
def test_explosive_deaths_must_be_a_part_of_deaths(bad):
    frame = pd.DataFrame({"month": ["2009-01"], "region": ["A"], "deaths": [10.0],
                          "explosive": [bad]})
    with pytest.raises(UserError, match="explosive deaths"):
        EvidenceInput(monthly=frame, sizes=np.ones(1))


def test_explosive_year_ratio_splits_the_decline_between_bombings_and_the_rest():
    """Exact small case: 24 months of 20 deaths, bombings 10 a month in the first year
    and 5 in the second. The total does not fall (ratio 1); the bombings halve."""
    from centrehold.infer.simulated import distance_groups

    months = pd.period_range("2008-01", "2009-12", freq="M").strftime("%Y-%m")
    frame = pd.DataFrame({"month": months, "region": "A", "deaths": 20.0,
                          "explosive": [10.0] * 12 + [5.0] * 12})
    t = evidence_table(EvidenceInput(monthly=frame, sizes=np.ones(480)), regions=["A"],
                       monthly_values=False, **FACTS)
    assert t["national_year_ratio"] == pytest.approx(1.0)
    assert t["explosive_year_ratio"] == pytest.approx(0.5)
    # it belongs with the national trajectory in the ABC distance
    groups = distance_groups(t.index)
    assert groups["explosive_year_ratio"] == groups["national_mean"] == "fit"
    assert groups["explosive_trend"] == "evidence"


def test_gates_hold_the_level_the_decline_and_the_composition_the_record_defines():
    """compare gates the statistics the fit window is judged on, each only when the
    record's statistics include it, and a band of 0 gates nothing."""
    from centrehold.infer.simulated import distance_gates

    names = ["national_mean", "national_year_ratio", "explosive_fraction", "share_IQ-BG"]
    assert distance_gates(names, 1.0, 1.5) == {"national_mean": 1.0,
                                               "national_year_ratio": 1.5}
    assert distance_gates(names, 1.0, 0.0, 2.0) == {"national_mean": 1.0,
                                                    "explosive_fraction": 2.0}
    assert distance_gates(names, 0.0, 0.0) == {}
    assert distance_gates(["share_IQ-BG"], 1.0, 1.0, 1.0) == {}
