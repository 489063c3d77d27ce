"""ABC-SMC model selection: recovery, dead models, reproducibility and resume, on toy models."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from centrehold.errors import UserError
from centrehold.infer.abc import (
    HypothesisSpec,
    PriorSpec,
    calibrate,
    posterior_draws,
    standardised_distance,
)
from centrehold.infer.recovery import credible_interval

from .toy import TOY_HYPOTHESES, toy_simulator

HERE = Path(__file__).parent

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


@pytest.mark.parametrize(
    "truth,params",
    [
        ("poisson", {"rate": 3.0}),
        ("negbin", {"rate": 4.0, "shape": 0.7}),
        ("zeroinf", {"rate": 6.0, "zero": 0.4}),
    ],
)
def test_recovers_the_generating_hypothesis_and_covers_its_parameters(tmp_path, truth, params):
    observed = toy_simulator(truth, params, 777)
    # six generations: the distance counts in units of simulation noise, so the
    # tolerance starts many units out and the zero-inflated record is told from the
    # negative binomial only once it is within a few (at four, negbin still led)
    res = calibrate(
        toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "h.db",
        population_size=100, max_generations=6, seed=3, pilot=100,
    )
    assert res.probabilities.idxmax() == truth
    assert res.probabilities.sum() == pytest.approx(1.0)
    par = res.parameters[res.parameters["hypothesis"] == truth]
    for name, value in params.items():
        sub = par[par["parameter"] == name]
        lo, hi = credible_interval(sub["value"].to_numpy(), sub["weight"].to_numpy())
        assert lo <= value <= hi, (name, lo, hi)
    # the constant hypothesis cannot produce any of these records: it dies out and
    # is still reported, with probability exactly 0
    assert "constant" in res.probabilities.index
    assert res.probabilities["constant"] == 0.0
    assert "constant" in res.dead
    table = res.posterior_table().set_index("hypothesis")
    assert not table.loc["constant", "alive"]


def test_same_seed_same_posterior_bit_for_bit_and_seed_matters(tmp_path):
    observed = toy_simulator("poisson", {"rate": 5.0}, 1)
    kw = dict(population_size=40, max_generations=3, pilot=40)
    a = calibrate(toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "a.db", seed=5, **kw)
    b = calibrate(toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "b.db", seed=5, **kw)
    c = calibrate(toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "c.db", seed=6, **kw)
    pd.testing.assert_frame_equal(a.parameters, b.parameters)
    pd.testing.assert_series_equal(a.probabilities, b.probabilities)
    assert not a.parameters["value"].equals(c.parameters["value"])


class _ChunkedExecutor:
    """An ordered map that runs items in reversed chunks: order of work must not matter."""

    def map(self, fn, items, progress=None):
        items = list(items)
        out = [None] * len(items)
        for k in reversed(range(len(items))):
            out[k] = fn(items[k])
        return out

    def close(self):
        pass


def test_executor_and_work_order_do_not_change_the_result(tmp_path):
    observed = toy_simulator("zeroinf", {"rate": 5.0, "zero": 0.3}, 8)
    kw = dict(population_size=40, max_generations=3, pilot=40, seed=2)
    a = calibrate(toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "a.db", **kw)
    b = calibrate(
        toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "b.db",
        executor=_ChunkedExecutor(), **kw,
    )
    pd.testing.assert_frame_equal(a.parameters, b.parameters)


def _generations(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            (n,) = con.execute("select count(*) from populations where t >= 0").fetchone()
        finally:
            con.close()
        return int(n)
    except sqlite3.Error:
        return 0


def test_killed_calibration_resumes_and_ends_where_an_uninterrupted_one_ends(tmp_path):
    sys.path.insert(0, str(HERE))
    from _calibrate_toy import RESUME_ARGS, observed, slow_simulator

    db = tmp_path / "killed.db"
    proc = subprocess.Popen([sys.executable, str(HERE / "_calibrate_toy.py"), str(db)])
    try:
        deadline = time.monotonic() + 60
        while _generations(db) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the calibration finished before it could be killed"
        proc.kill()
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stopped_at = _generations(db)
    assert 2 <= stopped_at < RESUME_ARGS["max_generations"]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        resumed = calibrate(slow_simulator, TOY_HYPOTHESES, observed(), db, resume=True,
                            **RESUME_ARGS)
        whole = calibrate(slow_simulator, TOY_HYPOTHESES, observed(), tmp_path / "whole.db",
                          **RESUME_ARGS)
    # both stop at the same generation (the last or the one where the budget ran out)
    assert len(resumed.epsilons) == len(whole.epsilons) > stopped_at
    # seeds are fixed per (generation, task), so the resumed run redoes the
    # interrupted generation exactly: same particles, same weights, same probabilities
    pd.testing.assert_frame_equal(resumed.parameters, whole.parameters)
    pd.testing.assert_series_equal(resumed.probabilities, whole.probabilities)
    # the threshold right after the kill is recomputed from the stored generation by
    # pyabc's initialiser rather than its updater; the two normalise the weights in a
    # different order, so it may differ in the last bit (never enough to change which
    # particles are accepted: those are compared exactly above)
    np.testing.assert_allclose(resumed.epsilons.to_numpy(), whole.epsilons.to_numpy(),
                               rtol=1e-12)


def test_resume_against_other_hypotheses_is_a_user_error(tmp_path):
    observed = toy_simulator("poisson", {"rate": 5.0}, 1)
    kw = dict(population_size=20, max_generations=1, pilot=20, seed=1)
    calibrate(toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "h.db", **kw)
    with pytest.raises(UserError, match="other hypotheses"):
        calibrate(toy_simulator, TOY_HYPOTHESES[:2], observed, tmp_path / "h.db",
                  resume=True, **kw)


def test_resume_of_a_history_made_with_another_kernel_is_a_user_error(tmp_path):
    """A history from before the kernel was widened (its sidecar names no factor, so
    pyabc's own, 1) is refused rather than continued with a kernel it was not made
    with; one made with this version's kernel resumes."""
    import json

    observed = toy_simulator("poisson", {"rate": 5.0}, 1)
    kw = dict(population_size=20, max_generations=1, pilot=20, seed=1)
    calibrate(toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "h.db", **kw)
    calibrate(toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "h.db", resume=True, **kw)
    sidecar = tmp_path / "h.meta.json"
    meta = json.loads(sidecar.read_text())
    del meta["kernel_scaling"]
    sidecar.write_text(json.dumps(meta))
    with pytest.raises(UserError, match="kernel factor 1, this version uses 2"):
        calibrate(toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "h.db",
                  resume=True, **kw)


def test_bad_prior_is_a_user_error(tmp_path):
    bad = [HypothesisSpec("x", {"a": PriorSpec("cauchyish", (0.0, 1.0))})]
    with pytest.raises(UserError, match="unknown prior"):
        calibrate(toy_simulator, bad, pd.Series({"mean": 1.0}), tmp_path / "h.db",
                  population_size=10, max_generations=1, pilot=5)


def test_distance_standardises_and_penalises_one_sided_nans():
    scales = np.array([2.0, 10.0, 1.0])
    assert standardised_distance(np.array([2.0, 10.0, 0.0]), np.zeros(3), scales) == (
        pytest.approx(np.sqrt(2.0))
    )
    one_sided = standardised_distance(np.array([0.0, 0.0, np.nan]), np.zeros(3), scales)
    both = standardised_distance(np.array([0.0, 0.0, np.nan]), np.array([0, 0, np.nan]), scales)
    assert one_sided == pytest.approx(5.0)
    assert both == 0.0
    # a gap of 100 spreads counts as 5: no statistic outweighs all the others alone
    far = standardised_distance(np.array([200.0, 0.0, 0.0]), np.zeros(3), scales)
    assert far == pytest.approx(5.0)


def test_posterior_draws_follow_the_particle_weights(tmp_path):
    observed = toy_simulator("poisson", {"rate": 5.0}, 1)
    res = calibrate(toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "h.db",
                    population_size=40, max_generations=2, pilot=40, seed=4)
    draws = posterior_draws(res, "poisson", 500, seed=1)
    assert len(draws) == 500 and set(draws[0]) == {"rate"}
    sub = res.parameters[res.parameters["hypothesis"] == "poisson"]
    mean = np.average(sub["value"], weights=sub["weight"])
    assert np.mean([d["rate"] for d in draws]) == pytest.approx(mean, rel=0.1)
    for name in res.dead:  # a hypothesis without particles has no posterior draws
        assert posterior_draws(res, name, 5, seed=1) == []
    assert posterior_draws(res, "no-such-hypothesis", 5, seed=1) == []


def test_separability_tells_distinct_hypotheses_apart_and_not_twins():
    from centrehold.infer.abc import reference_table, scales_of, separability

    from .toy import toy_simulator as sim

    twins = [
        HypothesisSpec("poisson", {"rate": PriorSpec("uniform", (2.0, 1.0))}),
        HypothesisSpec("constant", {}),
        # the same model under another name: no statistic can tell these two apart
        HypothesisSpec("twin_a", {"rate": PriorSpec("uniform", (6.0, 1.0))}),
        HypothesisSpec("twin_b", {"rate": PriorSpec("uniform", (6.0, 1.0))}),
    ]

    def simulator(h, p, seed):
        return sim("poisson" if h.startswith("twin") else h, p, seed)

    names = ["mean", "dispersion", "zeros", "mean_nonzero"]
    ref = reference_table(simulator, twins, names, 240, seed=3)
    conf, rate = separability(ref, scales_of(ref, names), k=5)
    assert rate["poisson"] > 0.95 and rate["constant"] > 0.95
    # twins are confused: recovery near a coin flip, far from perfect
    assert 0.2 < rate["twin_a"] < 0.8 and 0.2 < rate["twin_b"] < 0.8
    assert conf.loc["twin_a", "twin_b"] > 0.2
    np.testing.assert_allclose(conf.sum(axis=1).to_numpy(), 1.0)


@pytest.mark.parametrize("budget", [150, 170, 230])
def test_budget_ends_the_run_within_it_keeping_the_partial_last_generation(tmp_path, budget):
    import pyabc

    observed = toy_simulator("negbin", {"rate": 4.0, "shape": 0.7}, 3)
    res = calibrate(toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "h.db",
                    population_size=30, max_generations=20, budget=budget, pilot=20, seed=1)
    # thresholds fall each generation, so the budget, not the generation count, ends it
    assert 2 <= len(res.epsilons) < 20
    assert np.all(np.diff(res.epsilons.to_numpy()[1:]) < 0)
    assert res.probabilities.sum() == pytest.approx(1.0)
    pops = pyabc.History(f"sqlite:///{tmp_path / 'h.db'}").get_all_populations()
    pops = pops[pops["t"] >= 0]
    # never over the budget, and nothing of it left that could have kept a particle
    assert pops["samples"].sum() == res.n_simulations <= budget
    assert budget - res.n_simulations < 30
    # every generation but the last is whole; the last, cut short by the budget, keeps
    # what it accepted when that is at least a quarter of the population (10 here)
    assert (pops["particles"].iloc[:-1] == 30).all()
    assert 10 <= pops["particles"].iloc[-1] <= 30


def test_worker_processes_give_the_in_process_result_bit_for_bit(tmp_path):
    from centrehold.runs import get_executor

    observed = toy_simulator("negbin", {"rate": 3.0, "shape": 1.0}, 4)
    kw = dict(population_size=30, max_generations=3, pilot=30, seed=9)
    alone = calibrate(toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "a.db", **kw)
    ex = get_executor("processes", 2)
    try:
        pooled = calibrate(toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "b.db",
                           executor=ex, **kw)
    finally:
        ex.close()
    pd.testing.assert_frame_equal(alone.parameters, pooled.parameters)
    pd.testing.assert_series_equal(alone.probabilities, pooled.probabilities)


def test_a_surviving_parameter_free_hypothesis_is_alive_with_draws(tmp_path):
    observed = toy_simulator("constant", {}, 0)
    res = calibrate(toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "h.db",
                    population_size=30, max_generations=2, pilot=20, seed=2)
    assert res.probabilities["constant"] > 0.5
    table = res.posterior_table().set_index("hypothesis")
    assert table.loc["constant", "alive"] and table.loc["constant", "particles"] >= 1
    assert posterior_draws(res, "constant", 3, seed=0) == [{}, {}, {}]


def test_diagnostic_statistics_weigh_more_than_noise():
    from centrehold.infer.abc import MIN_WEIGHT, diagnosticity_weights, scales_of

    rng = np.random.default_rng(0)
    n = 60
    labels = np.repeat(["A", "B", "C"], n)
    shift = np.repeat([0.0, 3.0, 6.0], n)
    ref = pd.DataFrame({
        "hypothesis": labels,
        "separates": shift + rng.normal(size=3 * n),
        "noise": rng.normal(size=3 * n),
        "constant": np.ones(3 * n),
        "undefined_for_A": np.where(labels == "A", np.nan, shift + rng.normal(size=3 * n)),
    })
    names = ["separates", "noise", "constant", "undefined_for_A"]
    w = diagnosticity_weights(ref, scales_of(ref, names))
    # between-group share of variance: 6 / (6 + 1) for shifts 0, 3, 6 and unit noise
    assert w["separates"] == pytest.approx(6 / 7, abs=0.05)
    assert w["noise"] < 0.05
    assert w["constant"] == MIN_WEIGHT
    # undefined values are left out: B and C alone are 3 apart, 2.25 / 3.25 of variance
    assert w["undefined_for_A"] == pytest.approx(2.25 / 3.25, abs=0.07)


def test_statistics_that_move_with_a_parameter_keep_their_weight():
    """A level set by a shared parameter separates no hypothesis, yet it is what
    identifies that parameter: with the drawn parameters in the pilot it weighs."""
    from centrehold.infer.abc import PARAM_PREFIX, diagnosticity_weights, scales_of

    rng = np.random.default_rng(1)
    n = 150
    labels = np.repeat(["A", "B", "C"], n // 3)
    k = rng.uniform(-1.0, 1.0, n)
    ref = pd.DataFrame({
        "hypothesis": labels,
        "level": 3.0 * k + 0.3 * rng.normal(size=n),
        "noise": rng.normal(size=n),
        f"{PARAM_PREFIX}k": k,
    })
    names = ["level", "noise"]
    with_params = diagnosticity_weights(ref, scales_of(ref, names))
    hypothesis_only = diagnosticity_weights(ref.drop(columns=f"{PARAM_PREFIX}k"),
                                            scales_of(ref, names))
    # 3k has variance 3, the noise 0.09: the parameter explains about 97% of it
    assert with_params["level"] == pytest.approx(3 / 3.09, abs=0.03)
    assert hypothesis_only["level"] < 0.1
    assert with_params["noise"] < 0.05


def test_local_spread_is_measured_among_the_pilot_runs_nearest_the_record():
    from centrehold.infer.abc import local_spread

    # 100 pilot runs: 25 near the record (0, +-1, ..., +-12), 75 far (around 1000)
    near = np.arange(-12.0, 13.0)
    far = 1000.0 + np.linspace(-100.0, 100.0, 75)
    ref = pd.DataFrame({"x": np.r_[near, far], "hypothesis": "a"})
    wide = pd.Series({"x": 500.0})
    out = local_spread(ref, ["x"], np.array([0.0]), wide, pd.Series({"x": 1.0}))
    # the nearest quarter is the 25 near runs: median 0, median absolute deviation 6
    assert out["x"] == pytest.approx(6 * 1.4826)
    # a statistic constant near the record keeps its prior spread
    flat = pd.DataFrame({"x": np.r_[np.zeros(30), np.arange(70.0)], "hypothesis": "a"})
    kept = local_spread(flat, ["x"], np.array([0.0]), wide, pd.Series({"x": 1.0}))
    assert kept["x"] == 500.0


def test_groups_weigh_alike_however_many_statistics_they_hold():
    from centrehold.infer.abc import group_factors

    names = ["a", "b", "c", "d", "e"]
    f = group_factors(names, {"a": "fit", "b": "evidence", "c": "evidence", "d": "evidence"})
    # 'e' is in no group: a group of its own
    np.testing.assert_allclose(f, [1.0, np.sqrt(3), np.sqrt(3), np.sqrt(3), 1.0])
    # one spread's gap in every statistic: each group's squared distance is then 1
    z = 1.0 / f[1:4]
    assert (z**2).sum() == pytest.approx(1.0)
    assert (group_factors(names, None) == 1).all()


def test_noise_spread_is_the_typical_sd_over_seeds_within_floor_and_cap():
    from scipy.stats import chi2

    from centrehold.infer.abc import NOISE_FLOOR, noise_spread

    # three rows run three times each: within-row variances 1, 4 and 10,000 (the last
    # a row with one huge run); each over chi2(2)'s median / 2, the middle one taken
    reps = pd.DataFrame({"row": [0, 0, 0, 1, 1, 1, 2, 2, 2, 3],
                         "a": [9.0, 10.0, 11.0, 0.0, 2.0, 4.0, 0.0, 100.0, 200.0, 100.0],
                         "b": [5.0] * 10,
                         "c": [0.0, 1.0, 2.0, 0.0, 1.0, 2.0, 0.0, 1.0, 2.0, 0.0],
                         "d": [np.nan] * 10})
    near = pd.Series({"a": 20.0, "b": 3.0, "c": 0.5, "d": 7.0})
    out = noise_spread(reps, ["a", "b", "c", "d"], near)
    assert out["a"] == pytest.approx(np.sqrt(4.0 / (chi2.median(2) / 2)))
    # the pooled SD would have been sqrt((2 + 8 + 20000) / 6), about 58, capped at 20
    assert out["a"] < 3.0
    # no noise at all: the floor, a share of the spread near the record
    assert out["b"] == pytest.approx(NOISE_FLOOR * 3.0)
    # noise (sd 1) above the spread near the record: capped at it
    assert out["c"] == pytest.approx(0.5)
    # never defined: the spread near the record
    assert out["d"] == 7.0


def test_noise_spread_recovers_a_known_normal_noise():
    from centrehold.infer.abc import noise_spread

    # 400 rows of three runs, each row its own mean, every run noise of SD 2: the
    # median-unbiased rows give back the SD to within a few percent (its sampling error
    # at 800 degrees of freedom is about 4%)
    rng = np.random.default_rng(3)
    rows = np.repeat(np.arange(400), 3)
    values = rng.normal(rng.uniform(0, 100, 400)[rows], 2.0)
    reps = pd.DataFrame({"row": rows, "a": values})
    out = noise_spread(reps, ["a"], pd.Series({"a": 10.0}))
    assert out["a"] == pytest.approx(2.0, rel=0.1)


def test_replicates_rerun_the_nearest_pilot_rows_at_their_own_parameters():
    from centrehold.infer.abc import (
        nearest_rows,
        reference_table,
        replicate_table,
        scales_of,
    )

    hyps = TOY_HYPOTHESES[:2]
    names = ["mean", "dispersion", "zeros", "mean_nonzero"]
    ref = reference_table(toy_simulator, hyps, names, 40, seed=4)
    obs = toy_simulator("poisson", {"rate": 3.0}, 99).to_numpy(dtype=float)
    rows = nearest_rows(ref, names, obs, scales_of(ref, names), 5)
    d = [standardised_distance(ref[names].to_numpy(float)[i], obs,
                               scales_of(ref, names).to_numpy(float)) for i in range(40)]
    assert sorted(d)[:5] == pytest.approx([d[i] for i in rows])
    reps = replicate_table(toy_simulator, ref, hyps, names, rows, 3, seed=4)
    assert list(reps["row"]) == [int(i) for i in rows for _ in range(3)]
    assert (reps["hypothesis"].to_numpy() == ref["hypothesis"].to_numpy()[reps["row"]]).all()
    # each rerun is at its row's parameters: the mean of 200 counts is near the rate
    # drawn for that row (natural scale), and the three seeds differ
    for i, g in reps.groupby("row"):
        rate = ref["param.rate"].iloc[i]
        assert abs(g["mean"].mean() - rate) < 4 * np.sqrt(rate * 2 / 200) + 0.5
        assert g["mean"].nunique() == 3


def test_effective_particles_count_what_the_weights_are_worth():
    from centrehold.infer.abc.results import effective_size

    assert effective_size(np.full(40, 0.025)) == pytest.approx(40.0)
    # one particle with all the weight is one particle, however many ride along
    assert effective_size(np.r_[1.0, np.zeros(39)]) == pytest.approx(1.0)
    assert effective_size(np.array([3.0, 1.0])) == pytest.approx(16.0 / 10.0)
    assert effective_size(np.zeros(0)) == 0.0


def test_level_gate_costs_nothing_inside_its_band_and_a_unit_per_step_beyond():
    from centrehold.infer.abc.distance import GATE_CAP, LevelGate, StatisticsDistance, gate_term

    obs = np.array([500.0, 0.0])
    gate = LevelGate(index=0, band=0.05, unit=0.02)
    inside = np.array([500.0 * 1.049, 0.0])
    assert gate_term(inside, obs, gate) == 0.0
    assert gate_term(np.array([500.0 / 1.049, 0.0]), obs, gate) == 0.0
    # log ratio ln(1.05) + 0.04 is two units beyond the band, above or below
    assert gate_term(np.array([500.0 * 1.05 * np.exp(0.04), 0.0]), obs, gate) == (
        pytest.approx(2.0))
    assert gate_term(np.array([500.0 / 1.05 / np.exp(0.04), 0.0]), obs, gate) == (
        pytest.approx(2.0))
    # nothing simulated, or ten times the record: the cap
    assert gate_term(np.array([np.nan, 0.0]), obs, gate) == GATE_CAP
    assert gate_term(np.array([5000.0, 0.0]), obs, gate) == GATE_CAP
    # a record without the statistic gates nothing
    assert gate_term(np.array([100.0, 0.0]), np.array([np.nan, 0.0]), gate) == 0.0
    # the gate's units add to the standardised distance in quadrature
    dist = StatisticsDistance(np.array([1000.0, 1.0]), gates=(gate,))
    x = {"stats": np.array([500.0 * 1.05 * np.exp(0.04), 3.0])}
    base = np.hypot((x["stats"][0] - 500.0) / 1000.0, 3.0)
    assert dist(x, {"stats": obs}) == pytest.approx(np.hypot(base, 2.0))


def _final_means(db: Path) -> np.ndarray:
    import pyabc

    h = pyabc.History(f"sqlite:///{db}")
    _, stats = h.get_weighted_sum_stats(t=h.max_t)
    return np.array([s["stats"][0] for s in stats])


def test_level_gate_holds_the_accepted_simulations_near_the_record(tmp_path):
    """Same budget and seed, with and without a gate half a noise SD wide on the mean:
    with it, the last generation's simulations sit closer to the record's mean."""
    observed = toy_simulator("poisson", {"rate": 5.0}, 1)
    kw = dict(population_size=30, max_generations=3, pilot=40, seed=3)
    hyps = [TOY_HYPOTHESES[1]]
    calibrate(toy_simulator, hyps, observed, tmp_path / "free.db", **kw)
    calibrate(toy_simulator, hyps, observed, tmp_path / "gated.db", gates={"mean": 0.5},
              **kw)
    free = np.abs(np.log(_final_means(tmp_path / "free.db") / observed["mean"]))
    gated = np.abs(np.log(_final_means(tmp_path / "gated.db") / observed["mean"]))
    assert np.median(gated) < np.median(free)
    assert np.quantile(gated, 0.9) < np.quantile(free, 0.9)


def test_level_gates_must_match_to_resume_and_be_shares(tmp_path):
    observed = toy_simulator("poisson", {"rate": 5.0}, 1)
    kw = dict(population_size=20, max_generations=1, pilot=20, seed=1)
    calibrate(toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "h.db",
              gates={"mean": 1.0}, **kw)
    calibrate(toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "h.db", resume=True,
              gates={"mean": 1.0}, **kw)
    with pytest.raises(UserError, match="made with gate widths"):
        calibrate(toy_simulator, TOY_HYPOTHESES, observed, tmp_path / "h.db", resume=True,
                  **kw)
    calls = []

    def counting(*a):
        calls.append(a)
        return toy_simulator(*a)

    with pytest.raises(UserError, match="noise standard deviations"):
        calibrate(counting, TOY_HYPOTHESES, observed, tmp_path / "bad.db",
                  gates={"mean": -0.1}, **kw)
    assert calls == []


def test_gates_are_measured_in_the_statistics_own_noise():
    """The unit is the noise near the record over the record's value; the band that many
    units; a record without the statistic, or a statistic without noise, gets no gate."""
    from centrehold.infer.abc.calibration import level_gates, resolve_gates

    names = ["mean", "zeros", "dispersion"]
    obs = np.array([5.0, 0.0, 1.2])
    noise = pd.Series({"mean": 0.25, "zeros": 0.01, "dispersion": 0.0})
    got = resolve_gates(names, obs, noise, {"mean": 2.0, "zeros": 1.0, "dispersion": 1.0,
                                            "absent": 1.0})
    assert got == {"mean": {"width": 2.0, "band": pytest.approx(0.1), "unit": 0.05}}
    (gate,) = level_gates(names, got)
    assert (gate.index, gate.band, gate.unit) == (0, pytest.approx(0.1), 0.05)
    assert resolve_gates(names, obs, noise, {"mean": 0.0}) == {}


def test_a_bounded_prior_gives_scipys_density_everywhere():
    # pyabc asks the prior's density of every proposal; the bounded prior answers 0 at
    # once far outside the box and must otherwise be scipy's value, float for float
    import math

    import pyabc

    from centrehold.infer.abc.priors import HypothesisSpec, PriorSpec, prior_of

    h = HypothesisSpec("H", {"a": PriorSpec("uniform", (0.2, 0.5)),
                             "b": PriorSpec("loguniform", (1e-5, 1e-3)),
                             "c": PriorSpec("norm", (1.0, 2.0)),
                             "d": PriorSpec("gamma", (2.0,))})
    fast = prior_of(h)
    plain = pyabc.Distribution(**{k: s.rv() for k, s in h.priors.items()})
    rng = np.random.default_rng(1)
    edges = [0.2, 0.7, 0.7 + 1e-12, 0.2 - 1e-12, math.nextafter(0.7, 1.0)]
    for i in range(3000):
        x = {"a": float(rng.uniform(-0.5, 1.5)) if i >= len(edges) else edges[i],
             "b": float(rng.uniform(-6.0, -2.0)), "c": float(rng.normal(1.0, 5.0)),
             "d": float(rng.uniform(-1.0, 5.0))}
        got, want = fast.pdf(pyabc.Parameter(x)), plain.pdf(pyabc.Parameter(x))
        assert got == want or (got == 0.0 and want == 0.0), x
    inside = pyabc.Parameter({"a": 0.3, "b": -4.0, "c": 1.0, "d": 1.0})
    assert fast.pdf(inside) > 0.0
    # a point with parameters the prior does not know is refused as pyabc refuses it
    with pytest.raises(Exception, match="mismatch"):
        fast.pdf(pyabc.Parameter({"a": 0.3, "z": 1.0}))


def test_only_pyabcs_redrawn_proposal_warning_is_dropped_and_a_task_installs_the_filter(
        caplog, monkeypatch):
    import logging

    from centrehold.infer.abc import sampler

    log = logging.getLogger("ABC")
    for f in [f for f in log.filters if isinstance(f, sampler._RedrawnProposals)]:
        log.removeFilter(f)
    caplog.set_level(logging.WARNING, logger="ABC")

    class Particle:
        accepted = True

    monkeypatch.setattr(sampler, "_unpickled", lambda payload: (Particle, list))
    sample, n, accepted = sampler._run_task(b"", (1, 5))  # a task, as a worker runs it
    assert (n, accepted) == (1, True)
    assert sum(isinstance(f, sampler._RedrawnProposals) for f in log.filters) == 1
    sampler._run_task(b"", (2, 5))
    sampler._quiet_redrawn_proposals()
    assert sum(isinstance(f, sampler._RedrawnProposals) for f in log.filters) == 1  # once
    log.warning("Unusually many (model, parameter) samples have prior density zero. "
                "The transition might be inappropriate.")
    log.warning("Acceptance rate fell below the minimum")
    assert [r.getMessage() for r in caplog.records] == ["Acceptance rate fell below the minimum"]
