"""Model choice by random forest: exact cases where the answer is known.

Two hypotheses that differ in one statistic by three standard deviations must be told
apart almost always, and a record drawn from one must go to it; two that draw from the
same distribution must not be (recovery near chance, a modest probability). The
forest's output must not depend on the thread count, and a choice among a subset must
be trained on that subset alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from centrehold.infer.abc.forest import forest_choice
from centrehold.infer.adequacy import named_leader, verdict
from centrehold.infer.choice import forest_choice_is_clear, forest_leader, with_forest


def _reference(shifts: dict[str, float], n: int = 150, seed: int = 0) -> pd.DataFrame:
    """n rows per hypothesis: `signal` ~ N(shift, 1), `noise` ~ N(0, 1), `gap` NaN in
    a fifth of the rows (the forest must take missing values as they come)."""
    rng = np.random.default_rng(seed)
    frames = []
    for name, shift in shifts.items():
        gap = rng.normal(size=n)
        gap[rng.random(n) < 0.2] = np.nan
        frames.append(pd.DataFrame({"hypothesis": name, "signal": rng.normal(shift, 1.0, n),
                                    "noise": rng.normal(size=n), "gap": gap}))
    return pd.concat(frames, ignore_index=True)


OBS_B = pd.Series({"signal": 3.0, "noise": 0.0, "gap": np.nan})


def test_separated_hypotheses_are_told_apart_and_the_record_goes_to_its_source():
    choice = forest_choice(_reference({"A": 0.0, "B": 3.0}), OBS_B, seed=1, trees=200)
    assert choice.chosen == "B"
    assert choice.votes["B"] > 0.8
    # the classes overlap by Phi(-1.5) = 7%: the out-of-bag recovery is near 0.93
    assert (choice.recovery > 0.85).all()
    assert 0.03 < choice.error_rate < 0.15
    assert choice.probability > 0.85
    assert choice.importance["signal"] > choice.importance["noise"]
    assert choice.trained_on == 300


def test_identical_hypotheses_are_not_told_apart():
    choice = forest_choice(_reference({"A": 0.0, "B": 0.0}), OBS_B, seed=1, trees=200)
    assert (choice.recovery - 0.5).abs().max() < 0.15
    assert 0.35 < choice.error_rate < 0.65
    assert choice.probability < 0.7


def test_same_seed_same_choice_whatever_the_threads():
    ref = _reference({"A": 0.0, "B": 1.0, "C": 2.0})
    one = forest_choice(ref, OBS_B, seed=4, trees=100, n_jobs=1)
    two = forest_choice(ref, OBS_B, seed=4, trees=100, n_jobs=2)
    pd.testing.assert_series_equal(one.votes, two.votes)
    assert one.probability == two.probability
    other = forest_choice(ref, OBS_B, seed=5, trees=100)
    assert not one.votes.equals(other.votes) or one.probability != other.probability


def test_a_choice_among_a_subset_is_trained_on_that_subset_only():
    ref = _reference({"A": 0.0, "B": 3.0, "C": 3.2})
    every = forest_choice(ref, OBS_B, seed=2, trees=200)
    among = forest_choice(ref, OBS_B, ["A", "C"], seed=2, trees=200)
    assert list(among.votes.index) == ["A", "C"] and among.trained_on == 300
    assert among.chosen == "C"  # B is gone, so its votes fall to its neighbour
    assert every.votes[["B", "C"]].min() > 0.1  # B and C overlap: both draw votes


def test_bad_reference_is_refused_in_one_line():
    ref = _reference({"A": 0.0, "B": 3.0})
    with pytest.raises(ValueError, match="at least two hypotheses"):
        forest_choice(ref, OBS_B, ["A"])
    with pytest.raises(ValueError, match="lacks statistics"):
        forest_choice(ref, pd.Series({"signal": 1.0, "other": 2.0}))


def _posterior(adequate: list[bool]) -> pd.DataFrame:
    return pd.DataFrame({
        "hypothesis": ["A", "B", "C"], "status": ["adequate" if a else "inadequate"
                                                 for a in adequate],
        "adequate": adequate, "coverage_fit": [0.9] * 3, "predictive_mean": [500.0] * 3,
        "record_mean": [500.0] * 3, "probability": [0.6, 0.3, 0.1],
        "separability": [0.4, 0.4, 0.4],
    })


def test_posterior_gets_forest_columns_and_the_verdict_reads_them():
    ref = _reference({"A": 0.0, "B": 3.0, "C": 6.0})
    post, every = with_forest(_posterior([True, True, False]), ref, OBS_B, seed=0)
    assert every is not None and set(every.votes.index) == {"A", "B", "C"}
    votes = post.set_index("hypothesis")["forest_votes_adequate"]
    assert np.isnan(votes["C"]) and votes[["A", "B"]].sum() == pytest.approx(1.0)
    assert forest_leader(post) == "B"
    prob = post.set_index("hypothesis")["forest_probability"]
    assert prob["B"] > 0.8 and prob[["A", "C"]].isna().all()
    p_all = post.set_index("hypothesis")["forest_probability_all"]
    assert p_all.notna().sum() == 1 and p_all.idxmax() == every.chosen
    text = verdict(post, "test", ("2008-01", "2009-12"))
    # ABC's evidence ranks A first, the forest B: the verdict says they disagree
    assert "chooses B" in text and "The two weighings disagree" in text
    assert "B's 90% predictive band" in text  # the verdict follows the forest
    assert "A is the most probable" in text  # and reports the evidence's ranking beside
    # an evidence lead that redraws unseat is no rival: the verdict does not call the
    # weighings at odds, it says the evidence names no clear leader
    post["leads"] = post["hypothesis"].map({"A": 0.55, "B": 0.45})
    text = verdict(post, "test", ("2008-01", "2009-12"))
    assert "chooses B" in text and "The two weighings disagree" not in text
    assert "The evidence names no clear leader; the verdict follows the forest" in text


def test_one_adequate_hypothesis_takes_every_vote_and_none_leaves_the_forest_silent():
    ref = _reference({"A": 0.0, "B": 3.0, "C": 6.0})
    post, _ = with_forest(_posterior([False, True, False]), ref, OBS_B, seed=0)
    assert post.set_index("hypothesis")["forest_votes_adequate"].dropna().to_dict() == {
        "B": 1.0}
    post, _ = with_forest(_posterior([False, False, False]), ref, OBS_B, seed=0)
    assert forest_leader(post) is None
    assert post["forest_votes"].notna().all()  # the all-hypotheses forest still reads


def test_a_forest_choice_below_the_bar_is_a_leaning_and_the_verdict_names_none():
    ref = _reference({"A": 0.0, "B": 3.0, "C": 6.0})
    post, _ = with_forest(_posterior([True, True, False]), ref, OBS_B, seed=0)
    assert named_leader(post) == "B"  # sure: the forest's choice is named
    unsure = post.copy()
    unsure.loc[unsure["hypothesis"] == "B", "forest_probability"] = 0.69
    unsure["leads"] = unsure["hypothesis"].map({"A": 0.62, "B": 0.38})
    assert forest_leader(unsure) == "B" and not forest_choice_is_clear(unsure)
    assert named_leader(unsure) is None
    text = verdict(unsure, "test", ("2008-01", "2009-12"))
    assert "chooses B" in text  # the leaning is still reported
    assert "Neither weighing names a clear leader" in text and "names none" in text
    assert "B's 90% predictive band" not in text
    assert "bands cover 90%-90% of the fit months" in text
    # a sure evidence with an unsure forest: the verdict follows the evidence
    firm = unsure.assign(leads=unsure["hypothesis"].map({"A": 0.95, "B": 0.05}))
    assert named_leader(firm) == "A"
    text = verdict(firm, "test", ("2008-01", "2009-12"))
    assert "the verdict follows the evidence" in text and "A's 90% predictive band" in text
    # the only adequate hypothesis is named whatever the probabilities
    alone, _ = with_forest(_posterior([False, True, False]), ref, OBS_B, seed=0)
    assert forest_choice_is_clear(alone) and named_leader(alone) == "B"
