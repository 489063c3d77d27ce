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


@dataclass(frozen=True)
class StatisticsDistance:
    """The pyabc distance: `standardised_distance` between two models' outputs."""

    scales: np.ndarray
    caps: Any = MAX_SPREADS

    def __call__(self, x: dict, x0: dict) -> float:
        return standardised_distance(x[STATS_KEY], x0[STATS_KEY], self.scales, self.caps)


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
