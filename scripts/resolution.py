"""How much the outputs depend on the resolution: people per agent and tick length.

For each scale (1:1000, 1:2000, 1:10,000) and tick (day, week) the script runs iraq-2009
over several seeds and writes, per setting, the mean over seeds of: national monthly
deaths (2008-2009), each cause's share, the largest governorates' shares of deaths, and
the share of deaths in incidents and attacks of ten or more. Ratios are to 1:1000 daily,
the finest setting run.

A second table shows where the coarsest scale's shortfall comes from: with the
mechanisms counted per world rather than per agent switched off (the insurgency's and
the instigators' attacks, intra-community episodes), it sets 1:1000 beside 1:10,000 and
beside the 1:1000 world shrunk tenfold (every population and force divided by ten, so
its lattices and agent counts are those of 1:10,000). Usage:

    python scripts/resolution.py --out benchmarks/results/resolution.md [--seeds 4]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from centrehold.engine import simulate
from centrehold.scenario import load_scenario

SETTINGS = [(1000, "day"), (1000, "week"), (2000, "day"), (2000, "week"),
            (10000, "day"), (10000, "week")]
REGIONS = ("IQ-BG", "IQ-DI", "IQ-NI", "IQ-SD", "IQ-AN")


def measure(ppa: int, tick: str, seed: int, hypothesis: str) -> dict[str, float]:
    sc = load_scenario("iraq-2009", {"people_per_agent": str(ppa), "calendar.tick": tick,
                                     "hypothesis": hypothesis, "calendar.end": "2009-12-31"})
    t0 = time.perf_counter()
    ds = simulate(sc, seed=seed)
    wall = time.perf_counter() - t0
    deaths = ds.deaths.sum(("region", "group"))  # tick x cause
    total = float(deaths.sum())
    months = pd.DatetimeIndex(ds.date.values).to_period("M").nunique()
    row = {"monthly": total / months, "seconds": wall}
    for cause in ds.cause.values:
        row[f"share_{cause}"] = float(deaths.sel(cause=cause).sum()) / total
    by_region = ds.deaths.sum(("tick", "group", "cause"))
    for iso in REGIONS:
        row[f"share_{iso}"] = float(by_region.sel(region=iso)) / total
    sizes = np.concatenate([ds.attack_deaths.values, ds.incident_deaths.values])
    row["share_in_10plus"] = float(sizes[sizes >= 10].sum() / max(sizes.sum(), 1))
    return row


PER_WORLD = ("insurgency", "instigators", "intra_community")


def shrunk_world(ppa: int, shrink: int, hypothesis: str = "H2", end: str = "2009-12-31"):
    """iraq-2009 at 1:`ppa`, daily, with the per-world mechanisms off and every
    population and force divided by `shrink` (tests/iraq/test_resolution.py uses it too)."""
    sc = load_scenario("iraq-2009", {
        "people_per_agent": str(ppa), "hypothesis": hypothesis, "calendar.end": end,
        "force_scale": str(1.0 / shrink), **{f"mechanisms.{m}": "false" for m in PER_WORLD}})
    if shrink == 1:
        return sc
    return sc.model_copy(update={"regions": [
        r.model_copy(update={"population": r.population // shrink}) for r in sc.regions]})


def finite_size(ppa: int, shrink: int, seed: int, hypothesis: str) -> dict[str, float]:
    """Sectarian deaths a month, active persons, active agents and the share of
    governorate-days with no active agent in Baghdad and in Anbar, in `shrunk_world`."""
    ds = simulate(shrunk_world(ppa, shrink, hypothesis), seed=seed)
    active = ds.active.sum("group")  # tick x region, agents
    return {"sectarian": float(ds.deaths.sel(cause="sectarian").sum()) * shrink / 24,
            "active_persons": float(active.sum("region").mean()) * ppa * shrink,
            "active_agents": float(active.sum("region").mean()),
            "none_BG": float((active.sel(region="IQ-BG") == 0).mean()),
            "none_AN": float((active.sel(region="IQ-AN") == 0).mean())}


def finite_size_table(seeds: int, hypothesis: str) -> list[str]:
    cases = [("1:1000", 1000, 1), ("1:1000, world shrunk tenfold", 1000, 10),
             ("1:10000", 10000, 1)]
    rows = {name: pd.DataFrame([finite_size(ppa, k, s, hypothesis) for s in range(seeds)]
                               ).mean() for name, ppa, k in cases}
    ref = rows["1:1000"]
    lines = ["", "## Where the coarse scale's shortfall comes from", "",
             f"Daily ticks, {seeds} seeds, the insurgency's and instigators' attacks and "
             "intra-community episodes off (they are counted per world, not per agent, so "
             "a shrunk world would get ten times their density). In brackets the ratio to "
             "1:1000.", "",
             "| world | sectarian deaths a month | active persons a day | active agents a day "
             "| Baghdad days with none active | Anbar days with none active |",
             "|---|---|---|---|---|---|"]
    for name, m in rows.items():
        lines.append(
            f"| {name} | {m.sectarian:,.0f} ({m.sectarian / ref.sectarian:.2f})"
            f" | {m.active_persons:,.0f} ({m.active_persons / ref.active_persons:.2f})"
            f" | {m.active_agents:.1f} | {m.none_BG:.2f} | {m.none_AN:.2f} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--hypothesis", default="H2")
    args = ap.parse_args()
    rows = []
    for ppa, tick in SETTINGS:
        simulate(load_scenario("iraq-2009", {"people_per_agent": str(ppa),
                                             "calendar.tick": tick}), seed=0, ticks=2)
        for seed in range(args.seeds):
            rows.append({"scale": f"1:{ppa}", "tick": tick, "seed": seed,
                         **measure(ppa, tick, seed, args.hypothesis)})
            print(rows[-1]["scale"], tick, seed, round(rows[-1]["monthly"]), flush=True)
    df = pd.DataFrame(rows)
    df.to_csv(args.out.with_suffix(".csv"), index=False)
    mean = df.groupby(["scale", "tick"], sort=False).mean(numeric_only=True).drop(columns="seed")
    sem = df.groupby(["scale", "tick"], sort=False).sem(numeric_only=True)
    ref = mean.iloc[0]
    lines = [f"# Resolution: iraq-2009 2008-2009, {args.hypothesis}, {args.seeds} seeds a setting",
             "", "Means over seeds; in brackets the ratio to 1:1000 daily. Written by "
             "`scripts/resolution.py`.", "",
             "| setting | deaths a month | sectarian share | Baghdad share | in incidents of "
             "10+ | seconds a run |", "|---|---|---|---|---|---|"]
    for (scale, tick), m in mean.iterrows():
        s = sem.loc[(scale, tick)]
        lines.append(
            f"| {scale} {tick} | {m.monthly:,.0f} ± {s.monthly:,.0f}"
            f" ({m.monthly / ref.monthly:.2f})"
            f" | {m.share_sectarian:.3f} ({m.share_sectarian / ref.share_sectarian:.2f})"
            f" | {m['share_IQ-BG']:.3f} ({m['share_IQ-BG'] / ref['share_IQ-BG']:.2f})"
            f" | {m.share_in_10plus:.3f} ({m.share_in_10plus / ref.share_in_10plus:.2f})"
            f" | {m.seconds:.2f} |")
    lines += finite_size_table(args.seeds, args.hypothesis)
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
