"""The model's forecast past the test window, written down before any later record is read.

`compare` scores 2010 once; the periods after it are held out. This script takes a
finished compare folder, draws from each adequate hypothesis's posterior, runs every
draw to --end with the folder's own scenario settings (its scale and tick) and the
calendar extended, and writes the national deaths a month by year:

- `forecast_past.csv`: one row per (hypothesis, draw, year), with the draw's seed;
- `forecast_past_summary.csv`: per year, the 5%, 50% and 95% points of the mixture of
  the adequate hypotheses, each weighted by its weight among them (`probability_adequate`
  in posterior.csv), beside each hypothesis's own median.

    .venv/bin/python scripts/forecast_past.py out/compare --end 2013-12 --out out/forecast

The forces after the last dated row of the scenario's force table stay at that row's
level (the occupation's is 0 after 2011-12-18), and nothing that happened after 2010
outside the scenario's switches is in the world: the forecast is the model's, with its
limits (docs/compare.md, "Forecast past 2010").
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from centrehold.infer.abc import posterior_draws
from centrehold.infer.evidence import national_series
from centrehold.infer.folder import CompareSettings
from centrehold.infer.simulated import FIT_START, ScenarioSimulator, evidence_input
from centrehold.infer.whatif import scenario_overrides
from centrehold.scenario import load_scenario

QUANTILES = (0.05, 0.5, 0.95)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray,
                       quantiles: tuple[float, ...] = QUANTILES) -> list[float]:
    """The smallest value whose cumulative weight reaches each quantile (an inverse of
    the weighted empirical distribution, no interpolation)."""
    q = np.quantile(np.asarray(values, float), list(quantiles), weights=np.asarray(weights, float),
                    method="inverted_cdf")
    return [float(v) for v in q]


def summarise(draws: pd.DataFrame, weight: pd.Series) -> pd.DataFrame:
    """Per year: the weighted mixture's quantiles and each hypothesis's median. Each
    draw carries its hypothesis's weight split evenly over that hypothesis's draws."""
    per_draw = weight / draws.groupby("hypothesis")["draw"].nunique()
    rows = []
    for year, sub in draws.groupby("year"):
        w = sub["hypothesis"].map(per_draw).to_numpy(float)
        lo, mid, hi = weighted_quantiles(sub["deaths_per_month"].to_numpy(float), w)
        row = {"year": int(year), "low": lo, "median": mid, "high": hi}
        row.update(sub.groupby("hypothesis")["deaths_per_month"].median().add_prefix("median_"))
        rows.append(row)
    return pd.DataFrame(rows)


def _simulate(sim: ScenarioSimulator, end: str, job: tuple[str, dict, int]) -> dict[int, float]:
    hypothesis, params, seed = job
    ds = sim.dataset(hypothesis, params, seed, end=end)
    series = national_series(evidence_input(ds, FIT_START, end), FIT_START, end)
    return {int(y): float(v) for y, v in series.groupby(series.index.year).mean().items()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, help="a finished compare folder")
    ap.add_argument("--end", default="2013-12", help="last month, YYYY-MM")
    ap.add_argument("--draws", type=int, default=30, help="posterior draws a hypothesis")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    for name in ("settings.json", "posterior.csv", "parameters.parquet"):
        if not (a.folder / name).is_file():
            raise SystemExit(f"error: {a.folder} has no {name}; give a finished "
                             "`centrehold compare --out` folder")
    try:
        pd.Period(a.end, freq="M")
    except ValueError:
        raise SystemExit(f"error: --end {a.end!r} is not a month; write YYYY-MM") from None
    settings = CompareSettings.from_json(json.loads((a.folder / "settings.json").read_text()))
    post = pd.read_csv(a.folder / "posterior.csv")
    weight = post[post["status"] == "adequate"].set_index("hypothesis")["probability_adequate"]
    if weight.empty:
        raise SystemExit(f"error: {a.folder} has no adequate hypothesis; nothing to forecast")
    last_day = pd.Period(a.end, freq="M").end_time.date().isoformat()
    overrides = {**scenario_overrides(settings), "calendar.end": last_day}
    # the scenario is read and validated once, not once a draw
    sim = ScenarioSimulator(load_scenario(settings.scenario, overrides))
    particles = SimpleNamespace(parameters=pd.read_parquet(a.folder / "parameters.parquet"))
    jobs, keys = [], []
    for k, h in enumerate(weight.index):
        for d, params in enumerate(posterior_draws(particles, h, a.draws, a.seed + 101 * k)):
            seed = a.seed * 100_000 + 1000 * k + d
            jobs.append((h, params, seed))
            keys.append((h, d, seed))
    with ProcessPoolExecutor(a.workers) as pool:
        # in the jobs' order: same seed, same file
        results = list(pool.map(partial(_simulate, sim, a.end), jobs, chunksize=8))
    draws = pd.DataFrame([{"hypothesis": h, "draw": d, "seed": s, "year": y,
                           "deaths_per_month": v}
                          for (h, d, s), by_year in zip(keys, results, strict=True)
                          for y, v in by_year.items()])
    a.out.mkdir(parents=True, exist_ok=True)
    draws.to_csv(a.out / "forecast_past.csv", index=False)
    summary = summarise(draws, weight)
    summary.to_csv(a.out / "forecast_past_summary.csv", index=False)
    print(summary.round(0).to_string(index=False))


if __name__ == "__main__":
    main()
