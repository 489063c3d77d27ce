"""The perturbation kernel that moves particles from one generation to the next."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyabc
from scipy.linalg import solve_triangular

from centrehold.infer.abc.priors import HypothesisSpec, PriorSpec

#: Least spread of the perturbation kernel in each parameter, as a share of its prior's
#: width on the explored scale.
KERNEL_FLOOR = 0.01

#: Factor on pyabc's kernel covariance (the particles' weighted covariance times
#: Silverman's factor, 0.46 to 0.62 of it for 40 particles in 8 to 18 parameters).
#: With the factor 1, each proposal sat so close to one old particle that the new
#: generation's importance weights (prior over the kernels' mixture) were left with one to
#: three particles' worth of weight on iraq-2009; doubled, the kernel is about the
#: covariance itself (Beaumont et al. 2009, Biometrika 96(4), 983-990, use twice it), and
#: on iraq-2009 (H0, H1, HA at the default share of simulations, seeds 0 and 1) the
#: pooled posterior's effective particles went from 10, 11, 3 / 15, 5, 13 to 31, 16, 11 /
#: 42, 23, 4 (docs/compare.md).
KERNEL_SCALING = 2.0


def explored_width(spec: PriorSpec) -> float:
    """Width of a prior on the scale ABC explores (its scale for unbounded ones)."""
    if spec.dist == "loguniform":
        lo, hi = spec.args
        return math.log10(hi) - math.log10(lo)
    return float(spec.args[-1]) if spec.args else 1.0


class RidgedTransition(pyabc.MultivariateNormalTransition):
    """pyabc's multivariate normal kernel with a floor under its spread in each parameter.

    When a hypothesis is left with one particle, or with particles that coincide, the
    fitted covariance is singular: every proposal lands on the old particle, its kernel
    density is infinite or zero, and the importance weights turn NaN, which ends the
    calibration. A ridge of (KERNEL_FLOOR x prior width)^2 on the diagonal keeps the
    kernel proper and changes nothing noticeable where the particles are spread.
    """

    def __init__(self, floor_sd: Mapping[str, float], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.floor_sd = dict(floor_sd)

    def fit(self, X: pd.DataFrame, w: np.ndarray) -> None:
        super().fit(X, w)
        if self.cov is None or not len(X.columns):
            return
        ridge = np.array([self.floor_sd.get(str(c), KERNEL_FLOOR) for c in X.columns]) ** 2
        self.cov = np.atleast_2d(self.cov) + np.diag(ridge)
        self.normal = _CholeskyNormal(self.cov)


class _CholeskyNormal:
    """A zero-mean normal density through the Cholesky factor of its covariance.

    Why not scipy's `multivariate_normal(allow_singular=True)`: it treats eigenvalues
    below about 2e-10 of the largest as zero and gives density 0 off that subspace. With
    a parameter of width 335 days beside one of width 0.2, the ridged covariance is
    positive definite but spans ten orders of magnitude, so a proposal got density 0,
    weight prior/0, and the generation's weights NaN. The ridge makes the covariance
    positive definite; its Cholesky factor is then all the density needs.
    """

    def __init__(self, cov: np.ndarray) -> None:
        self.chol = np.linalg.cholesky(cov)
        d = cov.shape[0]
        self.log_norm = -0.5 * d * math.log(2.0 * math.pi) - float(
            np.sum(np.log(np.diag(self.chol))))

    def pdf(self, dx: np.ndarray) -> np.ndarray | float:
        dx = np.asarray(dx, float)
        z = solve_triangular(self.chol, np.atleast_2d(dx).T, lower=True)
        dens = np.exp(self.log_norm - 0.5 * np.sum(z * z, axis=0))
        return dens if dx.ndim > 1 else float(dens[0])


def kernel_for(h: HypothesisSpec) -> RidgedTransition:
    """A fresh perturbation kernel for one hypothesis, its floor set from its priors."""
    return RidgedTransition({p: KERNEL_FLOOR * explored_width(spec)
                             for p, spec in h.priors.items()}, scaling=KERNEL_SCALING)
