"""Sensitivity designs and indices against functions whose indices are known exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest

from centrehold.errors import UserError
from centrehold.runs.sensitivity import ParamRange, analyse, design, grid_indices, parse_param


def _ishigami(X: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])


def _ishigami_exact(a: float = 7.0, b: float = 0.1) -> tuple[list[float], list[float]]:
    """Analytic first-order and total indices of the Ishigami function on [-pi, pi]^3."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 / 18 - b**2 * pi**8 / 50
    v = v1 + v2 + v13
    return [v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v]


def test_sobol_recovers_ishigami_indices():
    params = [ParamRange(f"x{i}", -math.pi, math.pi) for i in range(3)]
    X = design(params, "sobol", 1024, seed=3)
    assert len(X) == 1024 * (3 + 2)
    idx = analyse(params, "sobol", X, _ishigami(X.to_numpy()), seed=3)
    s1, st = _ishigami_exact()
    got_s1 = idx[idx["index"] == "S1"]["value"].to_numpy()
    got_st = idx[idx["index"] == "ST"]["value"].to_numpy()
    np.testing.assert_allclose(got_s1, s1, atol=0.05)
    np.testing.assert_allclose(got_st, st, atol=0.05)
    conf = idx["conf"].to_numpy()
    assert np.all(conf > 0) and np.all(conf < 0.1)


def test_grid_indices_exact_for_additive_and_product_functions():
    params = [ParamRange("a", -1.0, 1.0), ParamRange("b", -1.0, 1.0)]
    X = design(params, "grid", 5)
    assert len(X) == 25 and sorted(set(X["a"])) == [-1.0, -0.5, 0.0, 0.5, 1.0]
    # additive: Var(2a) : Var(b) = 4 : 1, no interaction
    add = grid_indices(X, 2 * X["a"].to_numpy() + X["b"].to_numpy(), ["a", "b"])
    assert add["a"] == pytest.approx((0.8, 0.8)) and add["b"] == pytest.approx((0.2, 0.2))
    # pure interaction: no main effects, everything is interaction
    prod = grid_indices(X, X["a"].to_numpy() * X["b"].to_numpy(), ["a", "b"])
    assert prod["a"] == pytest.approx((0.0, 1.0)) and prod["b"] == pytest.approx((0.0, 1.0))


def test_grid_bootstrap_interval_needs_replicates():
    params = [ParamRange("a", 0.0, 1.0), ParamRange("b", 0.0, 1.0)]
    X = design(params, "grid", 3)
    rng = np.random.default_rng(0)
    base = 3 * X["a"].to_numpy() + X["b"].to_numpy()
    reps = base[:, None] + rng.normal(0, 0.3, size=(len(X), 4))
    with_reps = analyse(params, "grid", X, reps.mean(axis=1), replicate_Y=reps)
    without = analyse(params, "grid", X, base, replicate_Y=base[:, None])
    assert (with_reps["conf"] > 0).all()
    assert without["conf"].isna().all()
    assert without.set_index(["param", "index"]).loc[("a", "S1"), "value"] == pytest.approx(0.9)


def test_morris_mu_star_is_coefficient_times_range_for_linear_function():
    params = [ParamRange("a", 0.0, 2.0), ParamRange("b", 10.0, 11.0), ParamRange("c", 0, 5)]
    X = design(params, "morris", 20, seed=1)
    assert len(X) == 20 * 4
    Y = 3.0 * X["a"] - 1.0 * X["b"] + 0.0 * X["c"]
    idx = analyse(params, "morris", X, Y.to_numpy(), seed=1).set_index(["param", "index"])
    assert idx.loc[("a", "mu_star"), "value"] == pytest.approx(6.0)
    assert idx.loc[("b", "mu_star"), "value"] == pytest.approx(1.0)
    assert idx.loc[("b", "mu"), "value"] == pytest.approx(-1.0)
    assert idx.loc[("c", "mu_star"), "value"] == pytest.approx(0.0)


def test_integer_parameters_are_rounded_and_designs_are_seeded():
    params = [ParamRange("width", 10, 30, integer=True), ParamRange("l", 0.1, 0.9)]
    X = design(params, "sobol", 16, seed=5)
    assert X["width"].dtype == np.int64 and X["width"].between(10, 30).all()
    assert X.equals(design(params, "sobol", 16, seed=5))
    assert not X.equals(design(params, "sobol", 16, seed=6))


@pytest.mark.parametrize(
    "text, message",
    [
        ("legitimacy=0.9:0.6", "LOW must be below HIGH"),
        ("legitimacy=0.5:0.5", "LOW must be below HIGH"),
        ("legitimacy=low:high", "bounds must be numbers"),
        ("legitimacy=0.1", "not NAME=LOW:HIGH"),
        ("=0.1:0.2", "not NAME=LOW:HIGH"),
        ("x=nan:1", "finite"),
    ],
)
def test_bad_param_text(text, message):
    with pytest.raises(UserError, match=message) as exc:
        parse_param(text)
    assert "\n" not in str(exc.value)


def test_parse_param_accepts_negative_and_dotted():
    assert parse_param("forces.strength=-1.5:2") == ParamRange("forces.strength", -1.5, 2.0)


@pytest.mark.parametrize(
    "method, samples, message",
    [("latin", 8, "unknown --method"), ("sobol", 12, "power of two"), ("grid", 1, "at least 2"),
     ("grid", 400, "lower --samples")],
)
def test_bad_designs(method, samples, message):
    params = [ParamRange("a", 0, 1), ParamRange("b", 0, 1)]
    with pytest.raises(UserError, match=message):
        design(params, method, samples)
