"""Cheap hypotheses with known answers, for testing the weighing machinery."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from centrehold.infer.abc import HypothesisSpec, PriorSpec

N_OBS = 200

TOY_HYPOTHESES = [
    HypothesisSpec("poisson", {"rate": PriorSpec("uniform", (0.5, 9.5))}),
    HypothesisSpec(
        "negbin",
        {"rate": PriorSpec("uniform", (0.5, 9.5)), "shape": PriorSpec("uniform", (0.3, 2.7))},
    ),
    HypothesisSpec(
        "zeroinf",
        {"rate": PriorSpec("uniform", (0.5, 9.5)), "zero": PriorSpec("uniform", (0.2, 0.6))},
    ),
    HypothesisSpec("constant", {}),
]


def toy_counts(hypothesis: str, params: Mapping[str, float], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if hypothesis == "poisson":
        return rng.poisson(params["rate"], N_OBS)
    if hypothesis == "negbin":
        r = params["shape"]
        p = r / (r + params["rate"])
        return rng.negative_binomial(r, p, N_OBS)
    if hypothesis == "zeroinf":
        x = rng.poisson(params["rate"], N_OBS)
        return np.where(rng.random(N_OBS) < params["zero"], 0, x)
    if hypothesis == "constant":
        return np.full(N_OBS, 8)
    raise ValueError(hypothesis)


def toy_stats_of(x: np.ndarray) -> pd.Series:
    m = float(np.mean(x))
    nz = x[x > 0]
    return pd.Series(
        {
            "mean": m,
            "dispersion": float(np.var(x) / m) if m > 0 else np.nan,
            "zeros": float(np.mean(x == 0)),
            "mean_nonzero": float(np.mean(nz)) if nz.size else np.nan,
        }
    )


def toy_simulator(hypothesis: str, params: Mapping[str, float], seed: int) -> pd.Series:
    return toy_stats_of(toy_counts(hypothesis, params, seed))
