"""The distance's yardstick, set from the pilot: each statistic's spread, its weight for
telling hypotheses and parameters apart, and the balance between groups of statistics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import chi2

from centrehold.infer.abc.distance import standardised_distance


def scales_of(table: pd.DataFrame, names: Sequence[str]) -> pd.Series:
    """Spread of each statistic under the prior predictive: MAD x 1.4826, else SD, else 1.

    The MAD keeps a few explosive simulations from setting the yardstick; a
    statistic constant under the prior gets scale 1 (it can separate nothing).
    """
    table = table[list(names)].to_numpy(dtype=float)
    scales = []
    for j in range(table.shape[1]):
        col = table[:, j]
        col = col[np.isfinite(col)]
        s = 0.0
        if col.size >= 2:
            s = 1.4826 * float(np.median(np.abs(col - np.median(col))))
            if s <= 0:
                s = float(np.std(col))
        scales.append(s if s > 0 and np.isfinite(s) else 1.0)
    return pd.Series(scales, index=list(names), name="scale")


#: Share of the pilot's simulations, the nearest to the record, whose spread sets the
#: distance's yardstick (at least LOCAL_MIN of them).
LOCAL_SHARE = 0.25
LOCAL_MIN = 20


def nearest_rows(
    reference: pd.DataFrame, names: Sequence[str], observed: np.ndarray, scales: pd.Series,
    n: int,
) -> np.ndarray:
    """Positions of the `n` pilot rows closest to the record (standardised distance)."""
    x = reference[list(names)].to_numpy(dtype=float)
    sc = scales.to_numpy(dtype=float)
    d = np.array([standardised_distance(row, observed, sc) for row in x])
    return np.argsort(d, kind="stable")[: min(n, len(x))]


def local_spread(
    reference: pd.DataFrame, names: Sequence[str], observed: np.ndarray, spread: pd.Series,
    weights: pd.Series,
) -> pd.Series:
    """Each statistic's spread among the pilot simulations nearest to the record.

    Over wide priors the prior predictive spread of the statistics that matter most is
    huge (the national level runs from tens to thousands of deaths a month): against
    it, a world at twice the record's level is less than one spread away and the
    calibration stops caring about the level once the crudest misfits are gone. The
    spread that matters is the one near the record, so the yardstick is measured on the
    quarter of the pilot closest to it (by the prior-spread distance): a two-stage
    scaling in the spirit of Fearnhead & Prangle's pilot region (JRSS B 74, 2012). A
    statistic constant there keeps its prior spread.
    """
    x = reference[list(names)].to_numpy(dtype=float)
    n = max(LOCAL_MIN, int(round(LOCAL_SHARE * len(x))))
    if len(x) <= n:
        return spread
    near = x[nearest_rows(reference, names, observed, spread / np.sqrt(weights), n)]
    out = spread.to_numpy(dtype=float).copy()
    for j in range(near.shape[1]):
        col = near[:, j][np.isfinite(near[:, j])]
        if col.size >= 2:
            s = 1.4826 * float(np.median(np.abs(col - np.median(col))))
            s = s if s > 0 else float(np.std(col))
            if s > 0:
                out[j] = s
    return pd.Series(out, index=list(names), name="scale")


#: Least scale a statistic keeps, as a share of its spread near the record, when its
#: simulation noise there is smaller still (or none: a statistic fixed by the inputs).
NOISE_FLOOR = 0.1


def noise_spread(replicates: pd.DataFrame, names: Sequence[str], near: pd.Series) -> pd.Series:
    """Each statistic's simulation noise: the typical standard deviation over seeds of
    repeated runs at fixed parameters (`replicates`, grouped by its ``row`` column), at
    least `NOISE_FLOOR` times its spread near the record (`near`), which it never exceeds.

    Why noise. Measured in its spread near the record, a world a third off the record's
    level is still less than one unit away, while sixty other statistics each add noise
    of about a unit: after a few generations ABC-SMC accepts on that noise and the
    tolerance stops falling (measured on iraq-2009: 5.68, 5.58, 5.56). Measured in its
    own noise, a misfit counts by how surely the simulations can tell it, the diagonal
    of Wood's synthetic likelihood (Nature 466, 2010).

    Why typical, not pooled: each row's variance is divided by its median under normal
    noise (chi-square with the row's degrees of freedom, over them) and the median of
    those is taken. A pooled variance is a mean over a dozen rows, and one row whose
    parameters give a heavy tail (a single incident of hundreds of deaths in one of its
    three runs) set it alone: on iraq-2009, seed 9, one row's SD of 682 deaths a month
    among eleven of 8-79 made the level's unit 0.34 of the record instead of about
    0.05, its gate let every hypothesis's fit sit 10-22% low and six of eleven failed
    the level check (docs/compare.md, "A typical noise, and at least ten effective
    particles"). A statistic with no replicate variance (undefined, or fewer than two
    runs of a row) keeps `near`.
    """
    out = near.astype(float).copy()
    groups = [g for _, g in replicates.groupby("row") if len(g) >= 2]
    if not groups:
        return out.rename("scale")
    for name in names:
        scaled = []
        for g in groups:
            v = g[name].to_numpy(dtype=float)
            v = v[np.isfinite(v)]
            if v.size >= 2:
                dof = v.size - 1
                scaled.append(float(v.var(ddof=1)) / (chi2.median(dof) / dof))
        base = float(near[name])
        if scaled and np.isfinite(base):
            out[name] = min(max(np.sqrt(float(np.median(scaled))), NOISE_FLOOR * base), base)
    return out.rename("scale")


def group_factors(names: Sequence[str], groups: Mapping[str, str] | None) -> np.ndarray:
    """Factor on each statistic's spread so that every group counts alike: sqrt(size of
    its group), so a group's squared distance is the mean, not the sum, of its members'.

    `compare` puts the national trajectory (level, quarters, decline) in one group and
    every other statistic in another: twelve numbers about whether the world fits
    otherwise drown among sixty about where and against whom, and a calibration then
    picks hypotheses whose worlds miss the record's level (fit before weighing).
    Statistics not named in `groups` form one group of their own.
    """
    if not groups:
        return np.ones(len(names))
    labels = [groups.get(n, "") for n in names]
    sizes = {g: labels.count(g) for g in set(labels)}
    return np.sqrt(np.array([sizes[g] for g in labels], dtype=float))


#: Least weight a statistic keeps in the distance (its spread is divided by at most
#: the square root of this): one that separates nothing on the pilot still counts a
#: little, since the pilot is small and the record may lie where the pilot did not look.
MIN_WEIGHT = 0.01


#: Prefix of the reference table's parameter columns.
PARAM_PREFIX = "param."


def diagnosticity_weights(reference: pd.DataFrame, scales: pd.Series) -> pd.Series:
    """Each statistic's share of prior-predictive variance explained by what made it.

    Model choice rests on statistics whose values differ between hypotheses, and
    parameter estimation on statistics that move with the parameters; one whose spread
    is all noise (the endogenous killing's share in a quiet governorate, say) only adds
    distance that informs nothing and drowns the few that do. The weight is the
    adjusted R squared of a least-squares fit of the (standardised) statistic on the
    pilot to indicators of the generating hypothesis and the drawn parameters (on
    ABC's scale, centred, 0 where a hypothesis lacks one); without parameter columns
    it is the between-hypothesis share of variance (eta squared, adjusted). A cheap,
    transparent cousin of the projections of Estoup et al. (Mol. Ecol. Resour. 12,
    2012) and the regression summaries of Fearnhead & Prangle (JRSS B 74, 2012) that
    keeps every named statistic in the distance. Undefined values are left out of the
    fit (that a value is undefined is counted by the distance's penalty).
    """
    labels = reference["hypothesis"].astype(str).to_numpy()
    hyps = sorted(set(labels))
    design = [(labels == h).astype(float) for h in hyps]
    for column in (c for c in reference.columns if c.startswith(PARAM_PREFIX)):
        values = reference[column].to_numpy(dtype=float)
        have = np.isfinite(values)
        if have.sum() >= 3 and np.ptp(values[have]) > 0:
            design.append(np.where(have, values - values[have].mean(), 0.0))
    x_all = np.column_stack(design)
    out = {}
    for name in scales.index:
        z = reference[name].to_numpy(dtype=float) / float(scales[name])
        ok = np.isfinite(z)
        w = _adjusted_r2(z[ok], x_all[ok]) if len(set(labels[ok])) >= 2 else 0.0
        out[name] = max(w, MIN_WEIGHT)
    return pd.Series(out, name="weight")


def _adjusted_r2(y: np.ndarray, x: np.ndarray) -> float:
    """Adjusted R squared of a least-squares fit of y on the columns of x that vary
    (the hypothesis indicators among them sum to an intercept); 0 if undetermined."""
    x = x[:, np.ptp(x, axis=0) > 0]
    n, p = x.shape
    total = float(((y - y.mean()) ** 2).sum())
    if n <= p + 1 or total <= 0:
        return 0.0
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    r2 = 1.0 - float(((y - x @ coef) ** 2).sum()) / total
    # adjusted: with p regressors even noise explains about p / n of it
    return 1.0 - (1.0 - r2) * (n - 1) / (n - p)
