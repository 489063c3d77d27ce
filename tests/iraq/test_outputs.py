"""The run's Dataset follows the engine contract: labelled dims, real dates, attributes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from centrehold.engine import simulate
from centrehold.scenario.regional import RegionalScenario

from .conftest import scenario


def test_dataset_layout_dates_and_attributes():
    calls: list[tuple[int, int]] = []
    sc = scenario({"hypothesis": "H3"})
    ds = simulate(sc, seed=11, ticks=700, progress=lambda d, t: calls.append((d, t)))
    assert ds.sizes["tick"] == 700 and ds.sizes["region"] == 18 and ds.sizes["group"] == 4
    assert list(ds.region.values[:3]) == ["IQ-AN", "IQ-AR", "IQ-BA"]
    assert ds.region_name.sel(region="IQ-BG").item() == "Baghdad"
    assert pd.Timestamp(ds.date.values[0]) == pd.Timestamp("2008-01-01")
    assert pd.Timestamp(ds.date.values[546]) == pd.Timestamp("2009-06-30")
    for name in ("quiet", "active", "jailed", "dead", "arrests", "killings"):
        assert ds[name].dims == ("tick", "region", "group")
        assert np.issubdtype(ds[name].dtype, np.integer)
    assert ds.deaths.dims == ("tick", "region", "group", "cause")
    assert list(ds.cause.values) == ["sectarian", "instigated", "insurgent", "intra"]
    # every attack's and every incident's toll is in the deaths table under its cause
    assert ds.sizes["attack"] > 0 and ds.sizes["incident"] > 0
    assert set(ds.attack_instigator.values) == {"withdrawal_opponents", "insurgency"}
    bombs = ds.deaths.sel(cause=["instigated", "insurgent"]).sum()
    assert 0 < bombs <= ds.attack_deaths.sum()
    sect = ds.incident_cause.values == "sectarian"
    assert set(ds.incident_cause.values) == {"sectarian", "intra"}
    assert ds.deaths.sel(cause="sectarian").sum() == ds.incident_deaths.values[sect].sum()
    assert 0 < ds.deaths.sel(cause="intra").sum() <= ds.incident_deaths.values[~sect].sum()
    assert set(ds.attack_region.values) <= set(ds.region.values)
    by_group = pd.Series(ds.incident_deaths.values[sect]).groupby(
        ds.incident_group.values[sect]).sum()
    expect = ds.deaths.sel(cause="sectarian").sum(("tick", "region")).to_series()
    assert (by_group.reindex(expect.index, fill_value=0) == expect).all()
    assert (ds.attack_deaths >= 1).all() and (ds.incident_deaths >= 1).all()
    # civilians are conserved: the living and the dead add up to the world built
    alive = (ds.quiet + ds.active + ds.jailed + ds.dead).sum(("region", "group"))
    assert (alive == ds.attrs["civilians"]).all()
    # centre-holds index lies in 0..1
    assert float(ds.centre_holds.min()) >= 0.0 and float(ds.centre_holds.max()) <= 1.0
    # attributes: the parameters re-validate into the same scenario
    assert ds.attrs["scenario"] == "iraq-2009" and ds.attrs["seed"] == 11
    again = RegionalScenario.model_validate(json.loads(ds.attrs["params"]))
    assert again == sc
    # progress: at most ~200 calls, the last one complete, the warm-up's ticks counted
    assert 0 < len(calls) <= 201 and calls[-1] == (700 + sc.warmup_days,) * 2


def test_weekly_ticks_carry_weekly_dates():
    sc = scenario({"calendar.tick": "week"})
    assert sc.ticks == 209
    ds = simulate(sc, seed=1, ticks=20)
    step = np.diff(ds.date.values).astype("timedelta64[D]").astype(int)
    assert (step == 7).all()
