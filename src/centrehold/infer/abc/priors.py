"""Hypotheses and their priors, kept as data so a scenario can state them and a history
record them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyabc

from centrehold.errors import UserError

_SUPPORTED_PRIORS = {"uniform", "norm", "lognorm", "expon", "gamma", "beta", "loguniform"}


@dataclass(frozen=True)
class PriorSpec:
    """A scipy.stats distribution by name with its positional arguments.

    Kept as data (not a frozen scipy object) so a scenario file can state it and a
    history can record it.
    """

    dist: str
    args: tuple[float, ...]

    def rv(self) -> pyabc.RV:
        """The prior on the scale ABC explores: log10 for a loguniform prior.

        A loguniform prior is uniform in log10, and there its particles are perturbed
        too. On the natural scale a parameter of order 1e-5 (a kill rate) beside one
        of order 1 (an attack rate) gives pyabc's kernel a covariance so ill-conditioned
        that the small one's direction is treated as singular, every perturbed particle
        gets density 0, and the weights become NaN. `to_natural` maps a value back.
        """
        if self.dist not in _SUPPORTED_PRIORS:
            raise UserError(
                f"unknown prior distribution {self.dist!r}; use one of "
                f"{', '.join(sorted(_SUPPORTED_PRIORS))}"
            )
        if self.dist == "loguniform":
            lo, hi = (math.log10(a) for a in self.args)
            return pyabc.RV("uniform", lo, hi - lo)
        return pyabc.RV(self.dist, *self.args)

    def to_natural(self, value: float) -> float:
        """From the scale ABC explores to the parameter's own."""
        return float(10.0**value) if self.dist == "loguniform" else float(value)

    def to_explored(self, value: float) -> float:
        """From the parameter's own scale to the one ABC explores."""
        return math.log10(value) if self.dist == "loguniform" else float(value)


@dataclass(frozen=True)
class HypothesisSpec:
    """One rival explanation: a name and the prior over its free parameters."""

    name: str
    priors: Mapping[str, PriorSpec] = field(default_factory=dict)


class BoundedPrior(pyabc.Distribution):
    """A pyabc prior that answers 0 at once for a point outside its support.

    pyabc draws each proposal from the perturbation kernel again and again until the
    prior density is positive. With 10-20 parameters in bounded priors most draws
    leave the box (about 16 draws a proposal in `compare`), and each density went
    through scipy, about 0.1 ms a parameter: a fifth of a simulation's cost. Clearly
    outside the support every density is 0 whatever scipy would say; near or inside
    its edges (within a relative 1e-9, where scipy's own rounding of the standardised
    value decides) the value is scipy's, through pyabc, so every weight is the same
    float.
    """

    def pdf(self, x):
        bounds = self.__dict__.get("_bounds")
        if bounds is None:
            bounds = {key: _support(rv) for key, rv in self.items()}
            self.__dict__["_bounds"] = bounds
        for key, (lo, hi) in bounds.items():
            value = x.get(key) if hasattr(x, "get") else None
            if value is not None and (value < lo or value > hi):
                return 0.0
        return super().pdf(x)


def _support(rv) -> tuple[float, float]:
    """Edges beyond which an RV's density is surely 0 (its support's, widened by a
    relative 1e-9); unbounded when it does not say."""
    dist = getattr(rv, "distribution", None)
    if dist is None:
        return -math.inf, math.inf
    lo, hi = (float(b) for b in dist.support())
    return lo - 1e-9 * (1.0 + abs(lo)), hi + 1e-9 * (1.0 + abs(hi))


def prior_of(h: HypothesisSpec) -> pyabc.Distribution:
    """A hypothesis's parameter prior as pyabc explores it (`PriorSpec.rv`)."""
    return BoundedPrior(**{p: spec.rv() for p, spec in h.priors.items()})


def natural_value(priors: Mapping[str, PriorSpec], name: str, value: float) -> float:
    """A value on the scale ABC explores, on its parameter's own (unchanged without a prior)."""
    spec = priors.get(name)
    return spec.to_natural(value) if spec is not None else float(value)
