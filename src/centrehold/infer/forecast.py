"""Out-of-sample check: posterior-predictive forecasts against naive baselines, scored by CRPS.

A calibration that only fits its window proves little; the window after it is the
test. Forecasts are ensembles (posterior-predictive simulations) or points (the
baselines); both are scored with the continuous ranked probability score, which is
proper and, for a point forecast, equals the absolute error, so ensembles and
baselines sit on one scale (lower is better).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

#: The naive forecasts every model must beat.
BASELINES = ("last value", "same month last year", "fit mean", "last 12 months mean")
#: Region label of national totals in score tables.
NATIONAL = "national"


def national_totals(monthly: pd.DataFrame) -> pd.DataFrame:
    """A month/region/deaths table summed over regions, labelled as the one region
    `national`, so every scorer here scores national totals unchanged."""
    out = monthly.groupby("month", as_index=False)["deaths"].sum()
    out["region"] = NATIONAL
    return out[["month", "region", "deaths"]]


def crps_sample(samples: np.ndarray, y: float, weights: np.ndarray | None = None) -> float:
    """CRPS of an (optionally weighted) ensemble: E|X - y| - 1/2 E|X - X'|.

    The pair term uses the sorted-sample identity
    sum_ij w_i w_j |x_i - x_j| = 2 sum_i w_i x_(i) (F_(i-1) - (1 - F_(i))), with F the
    cumulative weight, so it costs a sort instead of m^2 work.
    """
    x = np.asarray(samples, dtype=float)
    if x.size == 0:
        return float("nan")
    w = np.full(x.size, 1.0 / x.size) if weights is None else np.asarray(weights, float)
    w = w / w.sum()
    order = np.argsort(x, kind="stable")
    xs, ws = x[order], w[order]
    cum = np.cumsum(ws)
    before = cum - ws
    after = 1.0 - cum
    pair = 2.0 * np.sum(ws * xs * (before - after))
    return float(np.sum(w * np.abs(x - y)) - 0.5 * pair)


def crps_normal(mu: float, sigma: float, y: float) -> float:
    """Closed-form CRPS of N(mu, sigma^2) at y (Gneiting & Raftery 2007), the test oracle."""
    z = (y - mu) / sigma
    inner = z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / np.sqrt(np.pi)
    return float(sigma * inner)


def baselines(
    history: pd.DataFrame, targets: pd.DataFrame
) -> dict[str, pd.Series]:
    """Point forecasts for each (month, region) in ``targets`` from the fit window alone.

    last value: the last fit month's deaths in that region; same month last year:
    the region's deaths twelve months before the target (from the record when the
    target is within a year of the fit window's end, else the last fitted year);
    fit-window mean: the region's mean monthly deaths over the fit window; last 12
    months mean: the region's mean over the fit window's last twelve months.
    """
    hist = history.pivot_table(index="month", columns="region", values="deaths", aggfunc="sum")
    hist = hist.sort_index()
    last = hist.iloc[-1]
    mean = hist.mean()
    recent = hist.iloc[-12:].mean()
    out: dict[str, list[float]] = {"last value": [], "same month last year": [], "fit mean": [],
                                   "last 12 months mean": []}
    for month, region in zip(targets["month"], targets["region"], strict=True):
        prev = pd.Timestamp(month) - pd.DateOffset(years=1)
        while prev > hist.index[-1]:
            prev = prev - pd.DateOffset(years=1)
        out["last value"].append(float(last.get(region, np.nan)))
        out["same month last year"].append(
            float(hist[region].get(prev, np.nan)) if region in hist.columns else np.nan
        )
        out["fit mean"].append(float(mean.get(region, np.nan)))
        out["last 12 months mean"].append(float(recent.get(region, np.nan)))
    idx = pd.MultiIndex.from_arrays(
        [targets["month"], targets["region"]], names=["month", "region"]
    )
    return {k: pd.Series(v, index=idx) for k, v in out.items()}


def score_forecasts(
    observed: pd.DataFrame,
    ensembles: Mapping[str, list[pd.DataFrame]],
    history: pd.DataFrame,
    ensemble_weights: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Tidy CRPS table: forecaster, month, region, observed, crps.

    ``observed`` and each member of ``ensembles[name]`` are monthly tables
    (month, region, deaths) over the test window; members missing a cell count as 0
    deaths there (the simulation produced none).
    """
    obs = observed.groupby(["month", "region"])["deaths"].sum()
    rows = []
    for name, members in ensembles.items():
        if not members:
            continue
        mat = np.vstack(
            [
                m.groupby(["month", "region"])["deaths"].sum().reindex(obs.index).fillna(0.0)
                for m in members
            ]
        )
        w = None if ensemble_weights is None else ensemble_weights.get(name)
        for j, (key, y) in enumerate(obs.items()):
            rows.append((name, key[0], key[1], float(y), crps_sample(mat[:, j], float(y), w)))
    targets = obs.index.to_frame(index=False)
    for name, point in baselines(history, targets).items():
        for key, y in obs.items():
            f = point.get(key, np.nan)
            rows.append((name, key[0], key[1], float(y), abs(float(f) - float(y))))
    return pd.DataFrame(rows, columns=["forecaster", "month", "region", "observed", "crps"])


def summarise_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean CRPS per forecaster (lower is better) and its skill against the best baseline."""
    mean = scores.groupby("forecaster")["crps"].mean().rename("mean_crps")
    base = mean[[k for k in BASELINES if k in mean.index]]
    best = float(base.min()) if len(base) else float("nan")
    out = mean.to_frame()
    out["skill_vs_best_baseline"] = 1.0 - out["mean_crps"] / best if best > 0 else np.nan
    return out.sort_values("mean_crps").reset_index()
