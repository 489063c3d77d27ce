"""Each hypothesis leaves its own signature in where, when and against whom it strikes.

Runs use weekly ticks, no sectarian killing (so every attack is the hypothesis's own)
and a raised attack rate, so a signature shows in one short run per seed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from centrehold.actors.hypotheses import INSTIGATORS

from .conftest import ACTORS_OFF, run

MIXED = {"IQ-BG", "IQ-DI", "IQ-KI", "IQ-NI"}
HOMOGENEOUS = {"IQ-AN", "IQ-SD", "IQ-DQ", "IQ-NA", "IQ-MU", "IQ-QA", "IQ-BA", "IQ-MA",
               "IQ-AR", "IQ-SU", "IQ-DA", "IQ-WA"}
ELECTIONS = [dt.date(2009, 1, 31), dt.date(2009, 7, 25), dt.date(2010, 3, 7)]
KURDISTAN = {"IQ-AR", "IQ-DA", "IQ-SU"}


def attacks(h: str, seed: int, **extra) -> pd.DataFrame:
    ov = {"hypothesis": h, "calendar.tick": "week", "mechanisms.intergroup": "false",
          f"hypotheses.{h}.params.rate": extra.pop("rate", 10.0), **ACTORS_OFF}
    ov.update(extra)
    ds = run(ov, seed=seed)
    mine = ds.attack_instigator.values == INSTIGATORS[h]
    assert mine.all()  # the attack dim holds the hypothesis's attacks only
    df = pd.DataFrame({
        "date": ds.date.values[ds.attack_tick.values[mine]],
        "region": ds.attack_region.values[mine],
        "target": ds.attack_target.values[mine],
        "deaths": ds.attack_deaths.values[mine],
    })
    assert len(df) > 150, f"{h}: too few attacks ({len(df)}) to see a signature"
    return df


def pre_election_share(df: pd.DataFrame, days: int = 60) -> float:
    d = df.date.dt.date
    near = np.zeros(len(df), dtype=bool)
    for e in ELECTIONS:
        near |= (d <= e) & (d > e - dt.timedelta(days=days))
    return float(near.mean())


# share of the 2008-2011 calendar that lies in the 60 days before an election
PRE_ELECTION_DAYS_SHARE = 3 * 60 / 1461


def test_h0_instigates_nothing():
    ds = run({"hypothesis": "H0", "calendar.tick": "week"}, seed=1)
    # the insurgency's own campaign bombs under every hypothesis, the null included;
    # no attack is the hypothesis's
    assert ds.sizes["attack"] > 0 and ds.sizes["incident"] > 0
    assert set(ds.attack_instigator.values) == {"insurgency"}
    assert ds.deaths.sel(cause="instigated").sum() == 0
    assert ds.deaths.sel(cause="insurgent").sum() > 0


@pytest.mark.parametrize("seed", [1, 2])
def test_h1_mixed_areas_before_elections_both_communities(seed):
    df = attacks("H1", seed)
    assert df.region.isin(MIXED).mean() > 0.8
    assert pre_election_share(df) > 2.5 * PRE_ELECTION_DAYS_SHARE
    counts = df.target.value_counts(normalize=True)
    assert set(counts.index) <= {"shia_arab", "sunni_arab"}
    assert counts.get("shia_arab", 0) > 0.2 and counts.get("sunni_arab", 0) > 0.2


@pytest.mark.parametrize("seed", [1, 2])
def test_h2_own_community_in_homogeneous_areas_before_elections(seed):
    from .conftest import scenario

    sc = scenario()
    majority = {r.iso: max(sc.shares_of(r.iso), key=sc.shares_of(r.iso).get)
                for r in sc.regions}
    df = attacks("H2", seed)
    assert (df.target == df.region.map(majority)).all()
    assert df.region.isin(HOMOGENEOUS).mean() > 0.8
    assert pre_election_share(df) > 2.5 * PRE_ELECTION_DAYS_SHARE


@pytest.mark.parametrize("seed", [1, 2])
def test_h3_after_withdrawal_where_the_forces_were_against_state_and_crowds(seed):
    df = attacks("H3", seed)
    assert set(df.target) <= {"state", "any"}
    d = df.date
    after = ((d >= "2009-06-30") & (d < "2009-09-01")).sum() / 63
    before = ((d >= "2009-01-01") & (d < "2009-06-01")).sum() / 151
    assert after > 3 * before
    assert not df.region.isin(KURDISTAN).any()  # no occupation forces posted there
    assert df.region.value_counts().index[0] == "IQ-BG"


@pytest.mark.parametrize("seed", [1, 2])
def test_h4_contractor_cities_steady_and_fading_with_the_foreign_presence(seed):
    df = attacks("H4", seed)
    assert set(df.region) <= {"IQ-BG", "IQ-BA", "IQ-KI"}
    assert set(df.target) == {"any"}
    per_year = df.date.dt.year.value_counts()
    assert per_year.get(2008, 0) > 2 * per_year.get(2011, 0)
    # blind to the electoral calendar
    assert pre_election_share(df) < 1.6 * PRE_ELECTION_DAYS_SHARE


@pytest.mark.parametrize("seed", [1, 2])
def test_h5_shia_and_state_targets_rising_with_iran_tension(seed):
    df = attacks("H5", seed, **{"mechanisms.funding": "false"})
    assert set(df.target) <= {"shia_arab", "state"}
    assert not df.region.isin(KURDISTAN).any()
    d = df.date
    before = (d < "2009-06-12").sum() / 528
    after = (d >= "2009-06-12").sum() / 933
    assert after > 2 * before
    assert "IQ-AN" not in set(df.region[df.target == "shia_arab"]) or (
        (df.region == "IQ-AN").mean() < 0.05)


@pytest.mark.parametrize("seed", [1, 2])
def test_h6_bursts_after_events_abroad_everywhere_by_population(seed):
    from .conftest import scenario

    df = attacks("H6", seed)
    assert set(df.target) == {"any"}
    d = df.date.dt.date
    abroad = [dt.date(2008, 12, 27), dt.date(2009, 6, 12), dt.date(2010, 12, 17),
              dt.date(2011, 1, 25)]
    burst = np.zeros(len(df), dtype=bool)
    for e in abroad:
        burst |= (d >= e - dt.timedelta(days=6)) & (d < e + dt.timedelta(days=21))
    burst_days = 4 * 27 - 18  # the two 2010-11 windows overlap by about 18 days
    rate_in = burst.sum() / burst_days
    rate_out = (~burst).sum() / (1461 - burst_days)
    assert rate_in > 3 * rate_out
    pop = pd.Series({r.iso: r.population for r in scenario().regions})
    counts = df.region.value_counts().reindex(pop.index, fill_value=0)
    assert np.corrcoef(counts, pop)[0, 1] > 0.9
    # blind to Iraq's calendar: no rise before the 2010 national election, the one
    # election with no event abroad near it (the 2009 ones sit close to two such events,
    # a coincidence of dates documented in docs/hypotheses.md)
    pre = ((df.date >= "2010-01-06") & (df.date < "2010-03-07")).sum() / 60
    calm = ((df.date >= "2010-04-01") & (df.date < "2010-11-01")).sum() / 214
    assert pre < 1.6 * calm


def test_attack_sizes_are_heavy_tailed():
    df = attacks("H6", 3, rate=20.0)
    sizes = df.deaths.to_numpy()
    # Pareto(alpha=2.5, x_min=1) floored: P(size >= 10) = 10**-1.5 = 0.032
    assert 0.015 < (sizes >= 10).mean() < 0.06
    assert sizes.min() >= 1 and sizes.max() <= 500
