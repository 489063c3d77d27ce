"""The ABC evidence of a one-hypothesis run, and the per-hypothesis weighing, against exact
small cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyabc
import pytest

from centrehold.infer.abc import HypothesisSpec, PriorSpec
from centrehold.infer.abc.each import calibrate_each, history_path
from centrehold.infer.abc.marginal import (
    complete_epsilons,
    evidence_at,
    evidence_shares,
    final_epsilons,
    fitted_epsilons,
    weighing_epsilon,
)
from centrehold.infer.abc.priors import prior_of
from centrehold.infer.abc.transition import kernel_for

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

OBSERVED = pd.Series({"x": 0.5, "y": 0.5})


def _identity(hypothesis: str, params: dict, seed: int) -> pd.Series:
    """The statistics are the parameter itself (twice, so the distance has two terms):
    P(distance <= eps) is the prior's mass within eps of the record, known exactly."""
    return pd.Series({"x": params["theta"], "y": params["theta"]})


NARROW = HypothesisSpec("narrow", {"theta": PriorSpec("uniform", (0.0, 1.0))})
WIDE = HypothesisSpec("wide", {"theta": PriorSpec("uniform", (0.0, 4.0))})


def _exact(width: float, eps: float, scale: float) -> float:
    # distance: sqrt(sum over two statistics of (d / scale)^2) = sqrt(2) |theta - 0.5| / scale
    half = eps * scale / np.sqrt(2.0)
    return (min(0.5 + half, width) - max(0.5 - half, 0.0)) / width


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    out = tmp_path_factory.mktemp("each")
    res = calibrate_each(_identity, [NARROW, WIDE], OBSERVED, out / "h.db",
                         population_size=200, max_generations=8, budget=3000, seed=2,
                         pilot=60)
    return out, res


def test_raw_weights_normalise_to_the_stored_ones(fitted):
    # the raw weights are recomputed by fitting the kernel again: normalised, they must
    # be pyabc's own stored weights, generation by generation
    _, res = fitted
    ev = res.evidence
    assert ev["generation"].max() >= 2
    for (_, t), gen in ev.groupby(["hypothesis", "generation"]):
        raw = gen["prior_density"].to_numpy() / gen[f"q{t}"].to_numpy()
        np.testing.assert_allclose(raw / raw.sum(), gen["weight"] / gen["weight"].sum(),
                                   rtol=1e-6)


def test_evidence_matches_the_prior_mass_within_the_tolerance(fitted):
    _, res = fitted
    scale = float(res.scales["x"])
    for h, width in (("narrow", 1.0), ("wide", 4.0)):
        for eps in (float(res.final_epsilons[h]), 2.0 * float(res.final_epsilons[h])):
            exact = _exact(width, eps, scale)
            assert evidence_at(res.evidence, h, eps, "last") == pytest.approx(exact, rel=0.25)
            assert evidence_at(res.evidence, h, eps) == pytest.approx(exact, rel=0.15), h
    with pytest.raises(ValueError, match="mixture or last"):
        evidence_at(res.evidence, "narrow", 1.0, "median")


def test_the_narrow_prior_wins_four_to_one(fitted):
    # both put the record at the same place; the wide prior spreads its mass over four
    # times the range, so at any tolerance its evidence is a quarter of the narrow one's
    _, res = fitted
    assert res.probabilities["narrow"] == pytest.approx(0.8, abs=0.07)
    shares, eps = evidence_shares(res.evidence, ["narrow", "wide"],
                                  epsilon=float(res.final_epsilons.min()))
    assert shares["narrow"] == pytest.approx(0.8, abs=0.07)
    assert res.dead == []


def test_the_shares_are_weighed_where_every_hypothesis_counts_a_fitted_generation(fitted):
    # the budget cuts both runs' last generation short; it is kept (and sharpens the
    # posterior) but the weighing tolerance is the smallest first fitted generation's:
    # looser, one run would count its prior's draws alone
    _, res = fitted
    ev = res.evidence
    kept = ev.groupby(["hypothesis", "generation"]).size()
    first = fitted_epsilons(ev)
    for h in ("narrow", "wide"):
        assert kept[h].iloc[-1] < kept[h].iloc[0] == 200
        assert first[h] == ev.loc[(ev["hypothesis"] == h) & (ev["generation"] == 1),
                                  "epsilon"].iloc[0]
        assert first[h] > complete_epsilons(ev)[h] > final_epsilons(ev)[h]
    assert res.common_epsilon == first.min()
    shares, eps = evidence_shares(ev, ["narrow", "wide"])
    assert eps == first.min() == weighing_epsilon(ev, ["narrow", "wide"])
    pd.testing.assert_series_equal(shares, res.probabilities, check_names=False)
    # each run's evidence there counts its first fitted generation's particles
    for h in ("narrow", "wide"):
        usable = ev[(ev["hypothesis"] == h) & (ev["epsilon"] >= eps)]
        assert 1 in set(usable["generation"])
    # a subset is weighed at its own: the wide run alone at its own first tolerance
    assert weighing_epsilon(ev, ["wide"]) == first["wide"]


def test_a_run_that_never_got_past_its_prior_falls_back_to_the_complete_tolerance(fitted):
    _, res = fitted
    prior_only = res.evidence[res.evidence["generation"] == 0]
    assert fitted_epsilons(prior_only).empty
    assert weighing_epsilon(prior_only, ["narrow", "wide"]) == np.inf


def test_each_hypothesis_keeps_its_own_history_and_the_run_is_reproducible(fitted, tmp_path):
    out, res = fitted
    assert history_path(out / "h.db", 0, "narrow").exists()
    assert history_path(out / "h.db", 1, "wide").exists()
    again = calibrate_each(_identity, [NARROW, WIDE], OBSERVED, tmp_path / "h.db",
                           population_size=200, max_generations=8, budget=3000, seed=2,
                           pilot=60)
    pd.testing.assert_frame_equal(res.evidence, again.evidence)
    pd.testing.assert_series_equal(res.probabilities, again.probabilities)


def test_a_prior_with_edges_counts_the_kernel_mass_outside_them():
    # a kernel fitted on particles near an edge of the prior puts part of its mass
    # outside; pyabc redraws those proposals unsimulated, and the evidence must scale
    prior = prior_of(NARROW)
    kernel = kernel_for(NARROW)
    X = pd.DataFrame({"theta": np.linspace(0.0, 0.05, 50)})
    w = np.full(50, 1 / 50)
    kernel.fit(X, w)
    from centrehold.infer.abc.marginal import _support_mass

    mass = _support_mass(kernel, X, w, prior, seed=0)
    from scipy.stats import norm

    sd = float(np.sqrt(np.atleast_2d(kernel.cov)[0, 0]))
    x = X["theta"].to_numpy()
    exact = float(np.mean(norm.cdf((1.0 - x) / sd) - norm.cdf((0.0 - x) / sd)))
    assert exact < 0.95  # the case is one where the edge matters
    assert mass == pytest.approx(exact, abs=0.02)
    assert isinstance(prior, pyabc.Distribution)


def test_a_resumed_run_ends_where_an_uninterrupted_one_does(fitted, tmp_path):
    # as if the run had stopped before the second hypothesis: its history is gone; the
    # first is reused as stored, the second is fitted again with the same seeds
    out, res = fitted
    import shutil

    shutil.copytree(out, tmp_path / "run")
    history_path(tmp_path / "run" / "h.db", 1, "wide").unlink()
    # and the first run as if stopped before it could say it had ended
    history_path(tmp_path / "run" / "h.db", 0, "narrow").with_suffix(".done.json").unlink()
    again = calibrate_each(_identity, [NARROW, WIDE], OBSERVED, tmp_path / "run" / "h.db",
                           population_size=200, max_generations=8, budget=3000, seed=2,
                           pilot=60, resume=True)
    pd.testing.assert_frame_equal(res.evidence, again.evidence)
    pd.testing.assert_frame_equal(res.parameters, again.parameters)


def test_redraws_of_the_evidence_spread_with_fewer_simulations(fitted):
    # shares from a bootstrap over each generation's simulations: centred on the
    # estimate, in [0, 1], summing to one, and reproducible from the seed
    from centrehold.infer.abc.marginal import evidence_bootstrap

    _, res = fitted
    eps = float(res.final_epsilons.max())
    boot = evidence_bootstrap(res.evidence, ["narrow", "wide"], eps, draws=300, seed=1)
    assert boot.shape == (300, 2)
    np.testing.assert_allclose(boot.sum(axis=1), 1.0)
    point, _ = evidence_shares(res.evidence, ["narrow", "wide"], epsilon=eps)
    assert boot["narrow"].median() == pytest.approx(point["narrow"], abs=0.05)
    assert 0.0 < boot["narrow"].std() < 0.1
    again = evidence_bootstrap(res.evidence, ["narrow", "wide"], eps, draws=300, seed=1)
    pd.testing.assert_frame_equal(boot, again)
    # the spread falls as the simulations grow: a table with each generation's count
    # of simulations and kept particles doubled (same proportions) spreads less
    doubled = pd.concat([res.evidence, res.evidence], ignore_index=True)
    doubled["evaluations"] *= 2
    bigger = evidence_bootstrap(doubled, ["narrow", "wide"], eps, draws=300, seed=1)
    assert bigger["narrow"].std() < boot["narrow"].std()


def test_the_pooled_posterior_is_the_prior_cut_to_the_tolerance(fitted):
    """Exact small case: with the statistics equal to the parameter and a uniform prior,
    the ABC posterior at tolerance eps is uniform on the parameters within eps of the
    record. Pooled over every usable generation (`each.pooled_posterior`), the particles
    must lie in that interval, with its mean and its spread, and be every kept particle
    within the final tolerance, not only the last generation's."""
    _, res = fitted
    scale = float(res.scales["x"])
    for h, width in (("narrow", 1.0), ("wide", 4.0)):
        eps = float(res.final_epsilons[h])
        half = eps * scale / np.sqrt(2.0)
        lo, hi = max(0.5 - half, 0.0), min(0.5 + half, width)
        sub = res.parameters[res.parameters["hypothesis"] == h]
        theta = sub["value"].to_numpy(float)
        w = sub["weight"].to_numpy(float)
        assert w.sum() == pytest.approx(1.0)
        assert np.all((theta >= lo - 1e-9) & (theta <= hi + 1e-9))
        ev = res.evidence[res.evidence["hypothesis"] == h]
        kept = ev[(ev["epsilon"] >= eps) & (ev["distance"] <= eps)]
        last = ev[ev["generation"] == ev["generation"].max()]
        assert len(sub) == len(kept) > len(last)
        mean = float(np.sum(w * theta))
        sd = float(np.sqrt(np.sum(w * (theta - mean) ** 2)))
        assert mean == pytest.approx((lo + hi) / 2, abs=0.1 * (hi - lo))
        assert sd == pytest.approx((hi - lo) / np.sqrt(12.0), rel=0.15)


def test_prior_density_is_pyabc_pdf_row_by_row_to_the_bit():
    # the evidence's importance weights are read with the vectorised density: each
    # value must be the float pyabc's own Distribution.pdf gives, inside the support
    # and outside it (density 0, which is how the support's mass is measured)
    from centrehold.infer.abc.marginal import prior_density

    h = HypothesisSpec("mixed", {"a": PriorSpec("uniform", (0.0, 2.0)),
                                 "b": PriorSpec("loguniform", (1e-5, 1e-3)),
                                 "c": PriorSpec("norm", (1.0, 0.5))})
    prior = prior_of(h)
    rng = np.random.default_rng(3)
    cols = ["c", "a", "b"]  # not the prior's own order: columns are matched by name
    pts = np.column_stack([rng.normal(1.0, 1.0, 300), rng.uniform(-0.5, 2.5, 300),
                           rng.uniform(-5.5, -2.5, 300)])
    got = prior_density(prior, pts, cols)
    want = np.array([prior.pdf(pyabc.Parameter(dict(zip(cols, p, strict=True))))
                     for p in pts], float)
    assert np.array_equal(got, want)
    assert 0 < np.count_nonzero(got == 0) < len(got)  # both sides of the support
    with pytest.raises(ValueError, match="not the prior"):
        prior_density(prior, pts[:, :2], ["a", "b"])


def test_truncated_weights_cap_the_largest_at_mean_times_root_n():
    from centrehold.infer.abc.each import truncated_weights

    even = np.full(16, 0.25)
    assert np.array_equal(truncated_weights(even), even)  # nothing above the cap
    w = np.array([100.0] + [1.0] * 99)
    cap = w.mean() * 10.0  # mean x sqrt(100)
    got = truncated_weights(w)
    assert got[0] == pytest.approx(cap)
    assert np.array_equal(got[1:], w[1:])  # weights under the cap are left alone

    def ess(x):
        return x.sum() ** 2 / (x ** 2).sum()

    assert ess(w) < 4.0 < 25.0 < ess(got)
    assert truncated_weights(np.zeros(0)).size == 0


def test_truncation_keeps_weights_unbiased_in_the_limit():
    # draws from q = N(0, 2), target p = N(0, 1): the self-normalised mean of x^2 under
    # p is 1 with or without truncation, and truncation does not move it beyond noise
    from centrehold.infer.abc.each import truncated_weights

    rng = np.random.default_rng(11)
    x = rng.normal(0.0, 2.0, 200_000)
    w = np.exp(-x ** 2 / 2) / np.exp(-x ** 2 / 8)
    t = truncated_weights(w)
    assert np.sum(t * x ** 2) / t.sum() == pytest.approx(1.0, abs=0.02)
    assert np.sum(w * x ** 2) / w.sum() == pytest.approx(1.0, abs=0.02)


def test_the_posterior_is_read_where_enough_particles_lie(fitted):
    """`each.posterior_epsilon`: the final tolerance when it holds the minimum of
    effective particles; otherwise the tightest looser generation tolerance that holds
    it (the one just tighter must not), or the one holding the most."""
    from centrehold.infer.abc.each import posterior_epsilon, truncated_weights
    from centrehold.infer.abc.marginal import within
    from centrehold.infer.abc.results import effective_size

    _, res = fitted
    ev = res.evidence

    def size(h, eps):
        return effective_size(truncated_weights(within(ev, h, eps)["value"].to_numpy(float)))

    for h in ("narrow", "wide"):
        final = float(res.final_epsilons[h])
        at_final = size(h, final)
        assert at_final > 2
        assert posterior_epsilon(ev, h, minimum=at_final) == final
        assert res.posterior_epsilons[h] == final  # 200 particles: ten are there
        # ask for more than the final tolerance holds: a looser one, and no tighter one
        # of the candidates holds as many
        want = at_final + 1.0
        got = posterior_epsilon(ev, h, minimum=want)
        assert got > final
        assert got in set(ev.loc[(ev["hypothesis"] == h) & (ev["generation"] >= 1),
                                 "epsilon"].astype(float))
        assert size(h, got) >= want
        tighter = sorted(e for e in set(ev.loc[ev["hypothesis"] == h, "epsilon"].astype(float))
                         if final <= e < got)
        assert all(size(h, e) < want for e in tighter)
        # a minimum no tolerance reaches: the one holding the most
        most = posterior_epsilon(ev, h, minimum=1e9)
        cands = [e for e in set(ev.loc[(ev["hypothesis"] == h) & (ev["generation"] >= 1),
                                       "epsilon"].astype(float)) if e >= final]
        assert size(h, most) == max(size(h, e) for e in cands)
