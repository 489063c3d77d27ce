"""The perturbation kernel that moves particles from one generation to the next."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyabc

from centrehold.infer.abc.priors import HypothesisSpec, PriorSpec

#: Least spread of the perturbation kernel in each parameter, as a share of its prior's
#: width on the explored scale.
KERNEL_FLOOR = 0.01


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
        from scipy import stats

        ridge = np.array([self.floor_sd.get(str(c), KERNEL_FLOOR) for c in X.columns]) ** 2
        self.cov = np.atleast_2d(self.cov) + np.diag(ridge)
        self.normal = stats.multivariate_normal(cov=self.cov, allow_singular=True)


def kernel_for(h: HypothesisSpec) -> RidgedTransition:
    """A fresh perturbation kernel for one hypothesis, its floor set from its priors."""
    return RidgedTransition({p: KERNEL_FLOOR * explored_width(spec)
                             for p, spec in h.priors.items()})
