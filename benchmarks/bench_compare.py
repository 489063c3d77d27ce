"""What one `compare` simulation costs, and one full iraq-2009 run, side by side.

`compare` runs thousands of simulations; its wall time is their count times what one
costs. This measures, in one process and one run, the engine's part (a 2008-2010
world at one agent per 10,000 people, weekly ticks, the six months of warm-up
included) and the statistics' part (`ScenarioSimulator.statistics`) for a few
hypotheses, and a whole iraq-2009 run at 1:1000 with daily ticks (2008-2011), each the
median of several seeds after one warm-up call (Numba compiles on the first).

Writes `compare.csv` and `compare.md` under the results folder, with each figure's
ratio to the target stated with issue 10 (20 ms a simulation with its statistics;
0.5 s for the 1:1000 daily run). The machine is shared: read ratios, not absolutes.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import pandas as pd

TARGET_SIMULATION_S = 0.020
TARGET_DAILY_RUN_S = 0.5


def _median_time(fn, repeats: int) -> float:
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(results_dir: str | Path = "benchmarks/results", quick: bool = False) -> pd.DataFrame:
    from centrehold.engine import simulate
    from centrehold.infer.simulated import ScenarioSimulator
    from centrehold.scenario import load_scenario

    repeats = 3 if quick else 7
    sc = load_scenario("iraq-2009", {"people_per_agent": "10000", "calendar.tick": "week"})
    sim = ScenarioSimulator(sc, regions=tuple(r.iso for r in sc.regions), tail_xmin=3.0)
    rows = []
    for hyp in ("H0", "H1", "HA"):
        sim.dataset(hyp, {}, 0)  # compile
        ds_time = _median_time(lambda i, h=hyp: sim.dataset(h, {}, 100 + i, end="2010-12"),
                               repeats)
        ds = sim.dataset(hyp, {}, 1)
        st_time = _median_time(lambda i, d=ds: sim.statistics(d), repeats)
        rows.append({"case": f"compare simulation {hyp} (1:10,000, weekly)",
                     "engine_s": ds_time, "statistics_s": st_time,
                     "total_s": ds_time + st_time, "target_s": TARGET_SIMULATION_S})
    daily = load_scenario("iraq-2009", {"people_per_agent": "1000"})
    simulate(daily, seed=0, ticks=10)  # compile at this scale's array sizes
    t_daily = _median_time(lambda i: simulate(daily, seed=i), 1 if quick else 3)
    rows.append({"case": "iraq-2009 H0, 1:1000, daily, 2008-2011", "engine_s": t_daily,
                 "statistics_s": 0.0, "total_s": t_daily, "target_s": TARGET_DAILY_RUN_S})
    table = pd.DataFrame(rows)
    table["x_over_target"] = table["total_s"] / table["target_s"]
    out = Path(results_dir)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "compare.csv", index=False)
    lines = [
        "# One compare simulation and one full run",
        "",
        f"Median of {repeats} seeds (the daily run: {1 if quick else 3}); load average at "
        f"the start {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus.",
        "",
        "| case | engine s | statistics s | total s | target s | total / target |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in table.itertuples(index=False):
        lines.append(f"| {r.case} | {r.engine_s:.3f} | {r.statistics_s:.3f} | "
                     f"{r.total_s:.3f} | {r.target_s:.3f} | {r.x_over_target:.1f} |")
    (out / "compare.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return table


if __name__ == "__main__":
    main()
