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


def prior_of(h: HypothesisSpec) -> pyabc.Distribution:
    """A hypothesis's parameter prior as pyabc explores it (`PriorSpec.rv`)."""
    return pyabc.Distribution(**{p: spec.rv() for p, spec in h.priors.items()})


def natural_value(priors: Mapping[str, PriorSpec], name: str, value: float) -> float:
    """A value on the scale ABC explores, on its parameter's own (unchanged without a prior)."""
    spec = priors.get(name)
    return spec.to_natural(value) if spec is not None else float(value)
