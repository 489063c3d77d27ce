"""The distance between a simulation's statistics and the record's, and what it can tell apart.

The distance is Euclidean on statistics divided by their spread (the yardstick set from
the pilot, `centrehold.infer.abc.scales`), so that no statistic wins by its units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: Key of the statistics vector in what a pyabc model returns.
STATS_KEY = "stats"
# A statistic that is undefined in a simulation but defined in the record (or the
# reverse) counts as this many spreads away: far, but not infinitely so. A statistic
# further away than this counts as this far too: one the model cannot reach at all (a
# governorate where the record has deaths and the model's world has no one to kill
# them) would otherwise set every particle's distance alike and stall the thresholds.
_NAN_PENALTY = 5.0
MAX_SPREADS = _NAN_PENALTY


def _bounded(z: np.ndarray, both_nan: np.ndarray, caps: Any = MAX_SPREADS) -> np.ndarray:
    """Standardised gaps, each capped at its `caps` (MAX_SPREADS spreads near the record,
    in the distance's units), an undefined one at its cap."""
    z = np.where(np.isnan(z), caps, np.clip(z, -caps, caps))
    return np.where(both_nan, 0.0, z)


def as_stats(series: pd.Series, names: Sequence[str]) -> np.ndarray:
    """Statistics in a fixed order as floats; a missing one reads NaN."""
    return np.asarray(series.reindex(list(names)).to_numpy(dtype=float), dtype=float)


def standardised_distance(
    x: np.ndarray, x0: np.ndarray, scales: np.ndarray, caps: Any = MAX_SPREADS
) -> float:
    """Euclidean distance between statistic vectors, each divided by its prior spread.

    A statistic defined on one side and undefined (NaN) on the other counts as
    `_NAN_PENALTY` spreads; one undefined on both sides counts as a match; no statistic
    counts for more than `MAX_SPREADS` spreads (a bounded loss, robust to the one
    statistic the model cannot reach). When the unit is a statistic's simulation noise
    rather than its spread, `caps` keeps the bound at MAX_SPREADS spreads (one per
    statistic, in noise units: `scales.noise_spread`).
    """
    z = (np.asarray(x, float) - np.asarray(x0, float)) / scales
    z = _bounded(z, np.isnan(x) & np.isnan(x0), caps)
    return float(np.sqrt(np.sum(z * z)))


#: Units a gated statistic counts for at most (and when it is undefined on one side).
GATE_CAP = 50.0


@dataclass(frozen=True)
class LevelGate:
    """Hold one statistic near the record's value before the others are weighed.

    Why. In the sum over some sixty statistics, each a unit or so of simulation noise
    at the tolerance a budget of a few hundred simulations per hypothesis reaches, a
    world a fifth below the record's level costs less than one unit: accepted
    simulations then sat 10-20% below the record, and whether a hypothesis's
    predictive passed the level check changed with the seed. A gate is a tolerance of
    its own for one statistic (as in ABC with one tolerance per summary): inside
    ``band`` (relative, on the log scale, so half and double the record are equally
    far) it costs nothing and the other statistics decide; beyond it, each further
    ``unit`` of log ratio costs one unit of distance, up to `GATE_CAP`.
    """

    index: int
    band: float
    unit: float = 0.02


def gate_term(x: np.ndarray, x0: np.ndarray, gate: LevelGate) -> float:
    """Units of distance a simulation's gated statistic adds (0 inside the band)."""
    v, v0 = float(x[gate.index]), float(x0[gate.index])
    if not (np.isfinite(v0) and v0 > 0):
        return 0.0
    if not (np.isfinite(v) and v > 0):
        return GATE_CAP
    excess = abs(np.log(v / v0)) - np.log1p(gate.band)
    return float(min(GATE_CAP, max(0.0, excess) / gate.unit))


@dataclass(frozen=True)
class StatisticsDistance:
    """The pyabc distance: `standardised_distance` between two models' outputs, with
    each gate's units added in quadrature."""

    scales: np.ndarray
    caps: Any = MAX_SPREADS
    gates: tuple[LevelGate, ...] = ()

    def __call__(self, x: dict, x0: dict) -> float:
        d = standardised_distance(x[STATS_KEY], x0[STATS_KEY], self.scales, self.caps)
        if not self.gates:
            return d
        extra = sum(gate_term(x[STATS_KEY], x0[STATS_KEY], g) ** 2 for g in self.gates)
        return float(np.sqrt(d * d + extra))


def separability(
    reference: pd.DataFrame, scales: pd.Series, k: int = 5
) -> tuple[pd.DataFrame, pd.Series]:
    """How well the statistics tell the hypotheses apart on synthetic records.

    Each prior-predictive simulation in ``reference`` is treated as a record whose
    generating hypothesis is known, and classified by its ``k`` nearest neighbours
    among the others (leave-one-out, the distance ABC itself uses). Returns the
    confusion matrix (rows: truth, columns: assigned share) and each hypothesis's
    recovery rate. A rate near 1/(number of hypotheses) means the statistics cannot
    separate that hypothesis, whatever a posterior says (Robert et al., PNAS 2011).
    """
    names = list(scales.index)
    x = reference[names].to_numpy(dtype=float)
    labels = reference["hypothesis"].astype(str).to_numpy()
    sc = scales.to_numpy(dtype=float)
    n = len(x)
    d = np.zeros((n, n))
    for i in range(n):
        z = _bounded((x - x[i]) / sc, np.isnan(x) & np.isnan(x[i]))
        d[i] = np.sqrt(np.sum(z * z, axis=1))
    np.fill_diagonal(d, np.inf)
    hyps = sorted(set(labels))
    assigned = []
    for i in range(n):
        nn = np.argsort(d[i], kind="stable")[: min(k, n - 1)]
        votes = pd.Series(labels[nn]).value_counts()
        top = votes[votes == votes.max()].index
        # ties go to the nearest neighbour among the tied labels
        assigned.append(next(lab for lab in labels[nn] if lab in set(top)))
    conf = pd.crosstab(pd.Series(labels, name="truth"), pd.Series(assigned, name="assigned"),
                       normalize="index").reindex(index=hyps, columns=hyps, fill_value=0.0)
    rate = pd.Series(np.diag(conf.to_numpy()), index=hyps, name="recovery_rate")
    return conf, rate
