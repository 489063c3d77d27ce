"""Write the statistics `compare` uses, over seeds, for one engine: the reference that
tests/iraq/test_engine_reference.py holds the current engine to.

The bundled reference (tests/iraq/data/engine_reference.csv) was written by the regional
engine as it stood at commit cb2bf81, before the keyed-draw tick:

    git worktree add --detach ../old cb2bf81
    PYTHONPATH=../old/src python scripts/engine_reference.py \
        --out tests/iraq/data/engine_reference.csv

Trajectories differ between the two engines (the random draws are made differently);
the distributions of the statistics should not.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

from centrehold.infer.simulated import ScenarioSimulator
from centrehold.scenario import load_scenario

SETTINGS = {"people_per_agent": "10000", "calendar.tick": "week"}
HYPOTHESES = ("H0", "H2")
SEEDS = range(100, 124)


def statistics(seeds=SEEDS, hypotheses=HYPOTHESES, extra=None,
               incident_log: bool = True) -> pd.DataFrame:
    """One row per (hypothesis, seed), one column per statistic; `extra` overrides.

    ``incident_log=False`` sizes the killing as the reference did, a governorate's
    killing summed over a tick (its engine logged no incidents), so that a comparison
    with it tests the engine and not the change in how sizes are read."""
    sim = ScenarioSimulator(load_scenario("iraq-2009", {**SETTINGS, **(extra or {})}),
                            tail_xmin=3.0)
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for h in hypotheses:
            for s in seeds:
                ds = sim.dataset(h, {}, s)
                if not incident_log:
                    ds = ds.drop_vars(["incident_tick", "incident_deaths"])
                st = sim.statistics(ds)
                rows.append({"hypothesis": h, "seed": s, **st.to_dict()})
    return pd.DataFrame(rows)


def summarise(df: pd.DataFrame) -> pd.DataFrame:
    """Per (hypothesis, statistic): how many seeds, the mean and the standard deviation;
    statistics with no finite mean are left out."""
    m = df.drop(columns="seed").groupby("hypothesis").agg(["mean", "std", "count"])
    long = m.stack(level=0, future_stack=True).reset_index()
    long = long.rename(columns={"level_1": "statistic"})
    long = long[np.isfinite(long["mean"])]
    return long[["hypothesis", "statistic", "count", "mean", "std"]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    table = summarise(statistics())
    table.to_csv(args.out, index=False, float_format="%.6g")
    print(f"wrote {len(table)} rows to {args.out}")


if __name__ == "__main__":
    main()
