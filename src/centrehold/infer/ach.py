"""The simulated ACH matrix: evidence items x hypotheses, rated by posterior prediction.

Analysis of Competing Hypotheses (Heuer) rates each item of evidence as consistent
or inconsistent with each hypothesis, scores hypotheses by their inconsistencies,
and calls an item diagnostic when its ratings differ across hypotheses. Here the
ratings come from simulation instead of judgement: for hypothesis H and statistic
s, the observed value is placed in the distribution of s over H's
posterior-predictive simulations, and the two-sided predictive p-value

    p = min(1, 2 * min(P(S <= s_obs), P(S >= s_obs)))

(ties counted half on each side, so a discrete statistic sitting on an atom is not
called extreme) is mapped onto Heuer's five-point scale. Diagnosticity is the
spread of the ratings' scores across hypotheses; an item with zero spread
separates nothing and is named as such.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

# Heuer's scale, from very consistent to very inconsistent, with the predictive
# p-value thresholds that map onto it and the score each rating carries (PARC ACH
# counts inconsistencies: I = -1, II = -2; consistent ratings add nothing to the
# inconsistency score but are shown).
RATINGS: tuple[str, ...] = ("CC", "C", "N", "I", "II")
RATING_LABELS: dict[str, str] = {
    "CC": "very consistent",
    "C": "consistent",
    "N": "neutral",
    "I": "inconsistent",
    "II": "very inconsistent",
}
# lower p-value bounds for CC, C, N, I; below the last bound: II
P_THRESHOLDS: tuple[float, ...] = (0.5, 0.2, 0.05, 0.01)
RATING_SCORE: dict[str, float] = {"CC": 2.0, "C": 1.0, "N": 0.0, "I": -1.0, "II": -2.0}
INCONSISTENCY: dict[str, float] = {"CC": 0.0, "C": 0.0, "N": 0.0, "I": 1.0, "II": 2.0}
NOT_SIMULATED = "NA"


def predictive_pvalue(simulated: np.ndarray, observed: float) -> float:
    """Two-sided predictive p-value of ``observed`` among ``simulated`` draws (mid-p for ties).

    NaN draws (statistic undefined in that simulation) are left out; if the observed
    value is undefined, or no draw is defined, the answer is NaN: there is nothing to
    compare.
    """
    x = np.asarray(simulated, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0 or not np.isfinite(observed):
        return float("nan")
    below = np.mean(x < observed)
    above = np.mean(x > observed)
    tie = np.mean(x == observed)
    lower = below + 0.5 * tie
    upper = above + 0.5 * tie
    return float(min(1.0, 2.0 * min(lower, upper)))


def rate(p: float) -> str:
    """Map a predictive p-value onto Heuer's scale (NA when it is undefined)."""
    if not np.isfinite(p):
        return NOT_SIMULATED
    for rating, bound in zip(RATINGS[:-1], P_THRESHOLDS, strict=True):
        if p >= bound:
            return rating
    return RATINGS[-1]


def ach_matrix(
    simulations: Mapping[str, pd.DataFrame],
    observed: pd.Series,
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Long table: one row per (item, hypothesis) with p-value, rating and score.

    ``simulations[H]`` has one row per posterior-predictive simulation of H and one
    column per statistic; ``weights`` are the items' relevance weights (default 1).
    """
    rows = []
    for item in observed.index:
        w = 1.0 if weights is None else float(weights.get(item, 1.0))
        for hyp, table in simulations.items():
            if item in table.columns and len(table):
                p = predictive_pvalue(table[item].to_numpy(dtype=float), float(observed[item]))
            else:
                p = float("nan")
            r = rate(p)
            rows.append(
                {
                    "item": str(item),
                    "hypothesis": str(hyp),
                    "observed": float(observed[item]),
                    "sim_median": float(np.nanmedian(table[item]))
                    if item in table.columns and np.isfinite(table[item]).any()
                    else float("nan"),
                    "p_value": p,
                    "rating": r,
                    "score": RATING_SCORE.get(r, float("nan")),
                    "weight": w,
                }
            )
    return pd.DataFrame(rows)


def diagnosticity(matrix: pd.DataFrame) -> pd.DataFrame:
    """Per item: the spread of rating scores across hypotheses, and whether it separates any.

    Spread is max minus min score (0..4 on Heuer's scale) over the hypotheses with a
    rating; the p-value range is given too, since two hypotheses can share a rating
    while one sits near a threshold.
    """
    out = []
    for item, sub in matrix.groupby("item", sort=False):
        s = sub["score"].dropna()
        p = sub["p_value"].dropna()
        spread = float(s.max() - s.min()) if len(s) else float("nan")
        out.append(
            {
                "item": item,
                "diagnosticity": spread,
                "p_range": float(p.max() - p.min()) if len(p) else float("nan"),
                "separates": bool(len(s) >= 2 and spread > 0),
                "verdict": "diagnostic" if len(s) >= 2 and spread > 0 else "separates nothing",
            }
        )
    return pd.DataFrame(out).sort_values("diagnosticity", ascending=False, kind="stable")


def hypothesis_scores(matrix: pd.DataFrame) -> pd.DataFrame:
    """Heuer's tally: weighted inconsistency per hypothesis (lower is better), and item counts.

    Only diagnostic items count: an item every hypothesis explains equally well (or
    equally badly) says nothing about which is right.
    """
    diag = diagnosticity(matrix)
    useful = set(diag.loc[diag["separates"], "item"])
    rows = []
    for hyp, sub in matrix.groupby("hypothesis", sort=False):
        u = sub[sub["item"].isin(useful)]
        pairs = zip(u["rating"], u["weight"], strict=True)
        inc = sum(INCONSISTENCY.get(r, 0.0) * w for r, w in pairs)
        rows.append(
            {
                "hypothesis": hyp,
                "inconsistency": float(inc),
                "inconsistent_items": int(u["rating"].isin(["I", "II"]).sum()),
                "consistent_items": int(u["rating"].isin(["CC", "C"]).sum()),
            }
        )
    return pd.DataFrame(rows).sort_values("inconsistency", kind="stable")


def wide(matrix: pd.DataFrame, value: str = "rating", order: Sequence[str] | None = None):
    """The matrix as items x hypotheses, items sorted by diagnosticity."""
    tab = matrix.pivot(index="item", columns="hypothesis", values=value)
    diag = diagnosticity(matrix)
    tab = tab.reindex(index=list(diag["item"]))
    if order is not None:
        tab = tab.reindex(columns=[h for h in order if h in tab.columns])
    return tab


def plot_ach(matrix: pd.DataFrame, path, order: Sequence[str] | None = None) -> None:
    """Heatmap of rating scores, p-values annotated.

    Purple (consistent) to orange (inconsistent) rather than green to red, so that the
    matrix reads the same for the one viewer in twelve with red-green colour blindness.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scores = wide(matrix, "score", order).astype(float)
    pvals = wide(matrix, "p_value", order).astype(float)
    diag = diagnosticity(matrix).set_index("item")
    fig, ax = plt.subplots(
        figsize=(1.1 * scores.shape[1] + 4, 0.45 * scores.shape[0] + 1.6), constrained_layout=True
    )
    im = ax.imshow(scores.to_numpy(), cmap="PuOr", vmin=-2, vmax=2, aspect="auto")
    for i in range(scores.shape[0]):
        for j in range(scores.shape[1]):
            p = pvals.iat[i, j]
            dark = np.isfinite(scores.iat[i, j]) and abs(scores.iat[i, j]) >= 2
            ax.text(j, i, "NA" if not np.isfinite(p) else f"{p:.2f}", ha="center", va="center",
                    fontsize=7, color="white" if dark else "black")
    ylabels = [
        f"{item}{'' if diag.loc[item, 'separates'] else '  (separates nothing)'}"
        for item in scores.index
    ]
    ax.set_yticks(range(scores.shape[0]), ylabels, fontsize=8)
    ax.set_xticks(range(scores.shape[1]), list(scores.columns))
    cbar = fig.colorbar(im, ax=ax, ticks=[2, 1, 0, -1, -2])
    cbar.ax.set_yticklabels([RATING_LABELS[r] for r in RATINGS], fontsize=7)
    ax.set_title("Simulated ACH: predictive p-value of the observed statistic", fontsize=10)
    fig.savefig(path, dpi=120)
    plt.close(fig)
