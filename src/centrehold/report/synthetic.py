"""Small synthetic runs with the shape of real run folders, clearly labelled as such.

They let the report and the dashboard be built and tested without the engine: the numbers
mean nothing (Poisson noise around a made-up rate), only the layout is real — dims `tick`,
`region` (ISO 3166-2 codes, with `region_name`), `group`, a `date` coordinate, integer
counts by state, and the files of a single run on disk.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from centrehold.report.tiles import GOVERNORATES

SYNTHETIC_NOTE = "SYNTHETIC fixture: layout of a real run, numbers without meaning"
GROUPS = ("shia_arab", "sunni_arab", "kurd", "other")


def regional_dataset(ticks: int = 60, seed: int = 0, agents_per_region: int = 400) -> xr.Dataset:
    """A weekly, 18-governorate dataset with a jump in killings after 2009-06-30."""
    rng = np.random.default_rng(seed)
    isos = list(GOVERNORATES)
    n_r, n_g = len(isos), len(GROUPS)
    dates = pd.date_range("2009-01-01", periods=ticks, freq="7D")
    mix = rng.dirichlet(np.ones(n_g) * 0.6, size=n_r)
    pop0 = np.rint(agents_per_region * mix).astype(np.int64)
    shape = (ticks, n_r, n_g)
    quiet = np.zeros(shape, np.int64)
    active = np.zeros(shape, np.int64)
    jailed = np.zeros(shape, np.int64)
    dead = np.zeros(shape, np.int64)
    arrests = np.zeros(shape, np.int64)
    killings = np.zeros(shape, np.int64)
    alive = pop0.copy()
    dead_so_far = np.zeros_like(pop0)
    hot = np.array([3.0 if iso in ("IQ-BG", "IQ-DI", "IQ-NI") else 0.5 for iso in isos])
    for t in range(ticks):
        rate = hot[:, None] * (1.0 + 2.0 * (dates[t] >= pd.Timestamp("2009-06-30"))) * mix * 0.05
        k = np.minimum(rng.poisson(rate), alive)
        alive -= k
        dead_so_far += k
        act = np.minimum(rng.poisson(0.02 * alive), alive)
        jail = np.minimum(rng.poisson(0.01 * alive), alive - act)
        quiet[t] = alive - act - jail
        active[t], jailed[t], dead[t], killings[t] = act, jail, dead_so_far, k
        arrests[t] = np.minimum(rng.poisson(0.005 * alive), act)
    dims = ("tick", "region", "group")
    ds = xr.Dataset(
        {n: (dims, v) for n, v in dict(
            quiet=quiet, active=active, jailed=jailed, dead=dead,
            arrests=arrests, killings=killings).items()},
        coords={
            "tick": np.arange(ticks),
            "region": isos,
            "group": list(GROUPS),
            "date": ("tick", dates.values),
            "region_name": ("region", [GOVERNORATES[i][0] for i in isos]),
        },
        attrs={
            "scenario": "synthetic-regional",
            "seed": seed,
            "schedule": "sequential",
            "params": json.dumps({"name": "synthetic-regional", "model": "regional",
                                  "ticks": ticks, "people_per_agent": 1000,
                                  "note": SYNTHETIC_NOTE}),
            "centrehold_version": "synthetic",
            "note": SYNTHETIC_NOTE,
        },
    )
    return ds


def epstein_dataset(ticks: int = 80, seed: int = 0, agents: int = 1000) -> xr.Dataset:
    """A single-lattice dataset (dims tick, group) with a made-up outburst in the middle."""
    rng = np.random.default_rng(seed)
    t = np.arange(ticks)
    act = rng.poisson(5 + 200 * np.exp(-0.5 * ((t - ticks / 2) / 4) ** 2))
    act = np.minimum(act, agents // 2)
    jail = np.minimum(rng.poisson(20, ticks), agents // 4)
    quiet = agents - act - jail
    z = np.zeros(ticks, np.int64)
    data = dict(quiet=quiet, active=act, jailed=jail, dead=z, arrests=rng.poisson(3, ticks),
                killings=z)
    ds = xr.Dataset(
        {n: (("tick", "group"), np.asarray(v, np.int64)[:, None]) for n, v in data.items()},
        coords={"tick": t, "group": ["citizens"]},
        attrs={"scenario": "synthetic-epstein", "seed": seed, "schedule": "sequential",
               "params": json.dumps({"name": "synthetic-epstein", "model": "epstein",
                                     "ticks": ticks, "note": SYNTHETIC_NOTE}),
               "centrehold_version": "synthetic", "note": SYNTHETIC_NOTE},
    )
    return ds


def write_run(ds: xr.Dataset, out_dir: Path | str) -> dict:
    """Write a run directory through the runs layer's own writer."""
    from centrehold.runs.single import write_run as _write_run

    return _write_run(ds, out_dir)


def compare_tables(hypotheses: tuple[str, ...] = ("H0", "H1", "H2", "H3", "H4", "H5", "H6"),
                   seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A posterior table and a long ACH table shaped like `compare`'s outputs (random
    values): one ACH row per (item, hypothesis) with Heuer's rating and its score."""
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(len(hypotheses)))
    post = pd.DataFrame({"hypothesis": hypotheses, "probability": p, "alive": True})
    items = ["monthly_total", "share_baghdad", "post_withdrawal_change", "pre_election_change",
             "mixed_share", "mass_casualty_share", "tail_exponent"]
    ratings = {"CC": 2.0, "C": 1.0, "N": 0.0, "I": -1.0, "II": -2.0}
    rows = []
    for item in items:
        for h in hypotheses:
            r = str(rng.choice(list(ratings)))
            rows.append({"item": item, "hypothesis": h, "p_value": float(rng.uniform()),
                         "rating": r, "score": ratings[r], "weight": 1.0})
    return post, pd.DataFrame(rows)
