"""Sensitivity designs and indices: which parameters move an output, with uncertainty.

Sobol and Morris designs and analyses come from SALib; the full-factorial grid is
our own, because SALib has no grid analysis. On a balanced grid the variance of
the design's outputs decomposes exactly, so first-order and total indices are
computed from level means (see :func:`grid_indices`). All designs are returned as
labelled tables whose row order is the order SALib's analyses expect.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

from centrehold.errors import UserError

METHODS = ("grid", "sobol", "morris")
MORRIS_LEVELS = 4
MAX_GRID_POINTS = 100_000
_PARAM_RE = re.compile(r"^\s*([A-Za-z_][\w.\-]*)\s*=\s*([^:]+):([^:]+)\s*$")


@dataclass(frozen=True)
class ParamRange:
    """One swept parameter: a scenario field (dotted for nested) and its bounds."""

    name: str
    low: float
    high: float
    integer: bool = False


def parse_param(text: str) -> ParamRange:
    """Parse the CLI's ``NAME=LOW:HIGH``."""
    m = _PARAM_RE.match(text)
    if m is None:
        raise UserError(
            f"--param {text!r} is not NAME=LOW:HIGH; write e.g. --param legitimacy=0.6:0.9"
        )
    name, lo, hi = m.group(1), m.group(2).strip(), m.group(3).strip()
    try:
        low, high = float(lo), float(hi)
    except ValueError:
        raise UserError(
            f"--param {text!r}: bounds must be numbers; write e.g. --param {name}=0.1:0.9"
        ) from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise UserError(f"--param {text!r}: bounds must be finite numbers")
    if low >= high:
        raise UserError(
            f"--param {text!r}: LOW must be below HIGH; write --param {name}={min(low, high):g}:"
            f"{max(low, high):g}"
        )
    return ParamRange(name, low, high)


def _problem(params: list[ParamRange]) -> dict:
    return {
        "num_vars": len(params),
        "names": [p.name for p in params],
        "bounds": [[p.low, p.high] for p in params],
    }


def _round_integers(df: pd.DataFrame, params: list[ParamRange]) -> pd.DataFrame:
    for p in params:
        if p.integer:
            df[p.name] = np.round(df[p.name].to_numpy()).astype(np.int64)
    return df


def design(params: list[ParamRange], method: str, samples: int, seed: int = 0) -> pd.DataFrame:
    """Parameter points to simulate, one row per point, in the analysis's order.

    ``samples`` means: levels per parameter (grid, giving samples**k points), base
    samples N (sobol, N*(k+2) points; N a power of two), or trajectories
    (morris, N*(k+1) points). Integer parameters are rounded after sampling.
    """
    if not params:
        raise UserError("give at least one --param NAME=LOW:HIGH to sweep")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise UserError("a parameter is given twice; pass each --param once")
    if method not in METHODS:
        raise UserError(f"unknown --method {method!r}; use grid, sobol or morris")
    if samples < 2:
        raise UserError(f"--samples must be at least 2, got {samples}")
    if method == "grid":
        n_points = samples ** len(params)
        if n_points > MAX_GRID_POINTS:
            raise UserError(
                f"a grid of {samples} levels over {len(params)} parameters has {n_points} points; "
                "lower --samples or use --method sobol"
            )
        axes = [np.linspace(p.low, p.high, samples) for p in params]
        X = np.array(list(itertools.product(*axes)), dtype=float)
    elif method == "sobol":
        if samples & (samples - 1):
            raise UserError(
                f"--samples {samples}: Sobol designs need a power of two; use e.g. "
                f"{1 << max(1, samples.bit_length() - 1)} or {1 << samples.bit_length()}"
            )
        from SALib.sample import sobol

        X = sobol.sample(_problem(params), samples, calc_second_order=False, seed=seed)
    else:
        from SALib.sample import morris

        X = morris.sample(_problem(params), samples, num_levels=MORRIS_LEVELS, seed=seed)
    return _round_integers(pd.DataFrame(X, columns=names), params)


def grid_indices(
    X: pd.DataFrame, Y: np.ndarray, names: list[str]
) -> dict[str, tuple[float, float]]:
    """First-order and total indices on a full factorial grid, from level means.

    S1_i = Var(E[Y | x_i]) / Var(Y) and ST_i = 1 - Var(E[Y | x_~i]) / Var(Y), with
    population variances over the grid's points: exact for the grid itself.
    """
    df = X[names].copy()
    df["_y"] = Y
    var = float(np.var(Y))
    out: dict[str, tuple[float, float]] = {}
    for n in names:
        if var == 0.0:
            out[n] = (math.nan, math.nan)
            continue
        s1 = float(np.var(df.groupby(n)["_y"].transform("mean"))) / var
        others = [o for o in names if o != n]
        if others:
            cond = df.groupby(others)["_y"].transform("mean")
            st = 1.0 - float(np.var(cond)) / var
        else:
            st = s1
        out[n] = (s1, st)
    return out


def analyse(
    params: list[ParamRange],
    method: str,
    X: pd.DataFrame,
    Y: np.ndarray,
    seed: int = 0,
    replicate_Y: np.ndarray | None = None,
    conf_level: float = 0.95,
    resamples: int = 200,
) -> pd.DataFrame:
    """Indices with confidence half-widths, one row per parameter x index.

    ``Y`` holds one value per design row (replicates averaged). For the grid,
    ``replicate_Y`` (design rows x replicates) gives bootstrap intervals by
    resampling replicates within each point; with one replicate the interval is
    unknown (NaN), not zero. Sobol and Morris intervals are SALib's bootstrap.
    """
    names = [p.name for p in params]
    Y = np.asarray(Y, dtype=float)
    rows: list[dict] = []
    if method == "sobol":
        from SALib.analyze import sobol

        if np.var(Y) == 0.0:
            res = {k: np.full(len(names), np.nan) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            res = sobol.analyze(
                _problem(params), Y, calc_second_order=False, num_resamples=resamples,
                conf_level=conf_level, seed=seed,
            )
        for i, n in enumerate(names):
            rows.append({"param": n, "index": "S1", "value": res["S1"][i],
                         "conf": res["S1_conf"][i]})
            rows.append({"param": n, "index": "ST", "value": res["ST"][i],
                         "conf": res["ST_conf"][i]})
    elif method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(
            _problem(params), X[names].to_numpy(dtype=float), Y, num_resamples=resamples,
            conf_level=conf_level, num_levels=MORRIS_LEVELS, seed=seed,
        )
        for i, n in enumerate(names):
            rows.append({"param": n, "index": "mu_star", "value": res["mu_star"][i],
                         "conf": res["mu_star_conf"][i]})
            rows.append({"param": n, "index": "mu", "value": res["mu"][i], "conf": math.nan})
            rows.append({"param": n, "index": "sigma", "value": res["sigma"][i],
                         "conf": math.nan})
    elif method == "grid":
        point = grid_indices(X, Y, names)
        conf = {n: (math.nan, math.nan) for n in names}
        if replicate_Y is not None and replicate_Y.shape[1] > 1:
            rng = np.random.default_rng(seed)
            n_pts, n_rep = replicate_Y.shape
            boot = {n: ([], []) for n in names}
            for _ in range(resamples):
                pick = rng.integers(0, n_rep, size=(n_pts, n_rep))
                yb = np.take_along_axis(replicate_Y, pick, axis=1).mean(axis=1)
                for n, (s1, st) in grid_indices(X, yb, names).items():
                    boot[n][0].append(s1)
                    boot[n][1].append(st)
            z = NormalDist().inv_cdf(0.5 + conf_level / 2)
            conf = {n: (z * float(np.std(b[0])), z * float(np.std(b[1])))
                    for n, b in boot.items()}
        for n in names:
            rows.append({"param": n, "index": "S1", "value": point[n][0], "conf": conf[n][0]})
            rows.append({"param": n, "index": "ST", "value": point[n][1], "conf": conf[n][1]})
    else:
        raise UserError(f"unknown --method {method!r}; use grid, sobol or morris")
    return pd.DataFrame(rows, columns=["param", "index", "value", "conf"])


def plot_indices(indices: pd.DataFrame, path: str | Path, title: str) -> None:
    """Bars with error bars, one colour per index kind, written as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    show = indices[indices["index"].isin(["S1", "ST", "mu_star"])]
    kinds = list(dict.fromkeys(show["index"]))
    params = list(dict.fromkeys(show["param"]))
    fig, ax = plt.subplots(figsize=(max(4.0, 1.2 * len(params) + 2), 3.6))
    width = 0.8 / max(1, len(kinds))
    x = np.arange(len(params))
    for j, k in enumerate(kinds):
        sub = show[show["index"] == k].set_index("param").reindex(params)
        err = np.nan_to_num(sub["conf"].to_numpy(dtype=float), nan=0.0)
        ax.bar(x + (j - (len(kinds) - 1) / 2) * width, sub["value"].to_numpy(dtype=float),
               width, yerr=err, capsize=3, label=k)
    ax.set_xticks(x, params, rotation=20, ha="right")
    ax.set_ylabel("mu* (output units)" if kinds == ["mu_star"] else "share of variance")
    ax.set_title(title, fontsize=10)
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
