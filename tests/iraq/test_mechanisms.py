"""Each mechanism's switch moves the outputs the documented way, over several seeds.

Statistics and thresholds are written next to each test; runs are small (1:10,000,
about 3,300 civilians) and cut to the months the statistic needs.
"""

from __future__ import annotations

import numpy as np
import pytest

from centrehold.models.regional.world import build_world
from centrehold.scenario.calendar import calendar_of

from .conftest import ACTORS_OFF, run, scenario

T_W = 546  # 2009-06-30, the withdrawal from the cities, as a daily tick from 2008-01-01


def sectarian(ds) -> np.ndarray:
    return ds.deaths.sel(cause="sectarian").sum(("region", "group")).values


def instigated_attacks(ds) -> np.ndarray:
    return ds.attack_tick.values


def test_withdrawal_raises_killings_against_forces_kept_on_the_streets():
    # statistic: sectarian deaths in the year after 2009-06-30, summed over twelve seeds
    # (measured: 1.20 times on 2026-12-02, 1.19 with the operations' share at the
    # patrols' 0.1; 1.30 on an earlier world; three seeds alone range from 1.05 upwards)
    on = off = 0
    for seed in range(1, 13):
        on += sectarian(run(seed=seed, ticks=T_W + 365))[T_W:].sum()
        off += sectarian(run({"mechanisms.withdrawal": "false"}, seed=seed,
                             ticks=T_W + 365))[T_W:].sum()
    assert on > 1.1 * off


def test_arrests_hold_down_the_active_population():
    for seed in (1, 2):
        with_ = run(seed=seed, ticks=200)
        without = run({"mechanisms.arrests": "false"}, seed=seed, ticks=200)
        assert with_.arrests.sum() > 0 and without.arrests.sum() == 0
        assert with_.active.sum() < without.active.sum()
        # the centre-holds index falls when the forces cannot arrest
        assert with_.centre_holds.mean() > without.centre_holds.mean()


def test_funding_cut_lowers_attacks_and_raises_crime():
    # attackers made wholly dependent on the sponsors' money; a deep and a shallow cut
    t_cut = 517  # 2009-06-01
    deep_att = shallow_att = deep_crime = shallow_crime = 0
    for seed in (1, 2):
        common = {"hypothesis": "H3", "hypotheses.H3.params.funding_exposure": 1.0,
                  "intergroup.kill_rate": 0, **ACTORS_OFF}
        deep = run({**common, "funding.cut_level": 0.2}, seed=seed, ticks=t_cut + 300)
        shallow = run({**common, "funding.cut_level": 0.8}, seed=seed, ticks=t_cut + 300)
        deep_att += (instigated_attacks(deep) >= t_cut).sum()
        shallow_att += (instigated_attacks(shallow) >= t_cut).sum()
        deep_crime += deep.crime.values[t_cut:].sum()
        shallow_crime += shallow.crime.values[t_cut:].sum()
        assert deep.crime.values[:t_cut].sum() == 0  # no unpaid fighters before the cut
    # attacks scale with money kept: 0.2 vs 0.8 of the funding, so about a quarter
    assert deep_att < 0.4 * shallow_att
    assert deep_crime > 2 * shallow_crime


def test_displacement_raises_segregation():
    # At the calibrated default (threat 0.1) few people reach the revenge that makes them
    # flee in 2008-09, as in the record, where most sectarian displacement came in
    # 2006-07; the direction is tested with the threat lowered to 0.02.
    for seed in (1, 2):
        ov = {"hypothesis": "H1", "displacement.threat": "0.02"}
        on = run(ov, seed=seed, ticks=500)
        off = run({**ov, "mechanisms.displacement": "false"}, seed=seed, ticks=500)
        assert on.displaced.sum() >= 5 and off.displaced.sum() == 0
        seg_on = on.segregation.isel(tick=-1).values
        seg_off = off.segregation.isel(tick=-1).values
        # Shia and Sunni Arabs, the two communities mixed in Baghdad and Diyala, separate
        # (measured: +0.004 to +0.006 for Shia Arabs, +0.001 to +0.006 for Sunni Arabs)
        assert (seg_on[:2] >= seg_off[:2]).all()
        assert (seg_on[:2] - seg_off[:2]).sum() > 0.003


def _persistence(ds, lag: int = 7) -> float:
    """Correlation of national daily sectarian deaths with themselves `lag` days later:
    how much of a surge is still there a week on (longer outbursts, higher value)."""
    x = ds.deaths.sel(cause="sectarian").sum(("region", "group")).values.astype(float)
    return float(np.corrcoef(x[:-lag], x[lag:])[0, 1])


def test_revenge_lengthens_outbursts():
    # Statistic: lag-7 autocorrelation of daily national sectarian deaths, mean over
    # sixteen seeds (at 1:10,000 a handful of agents are active nationally, so one seed's
    # value ranges from about -0.05 to 0.3). Measured with keyed draws, H1, 500 days:
    # 0.127 with revenge, 0.108 without (paired sd of the difference 0.08); the engine
    # before keyed draws gave 0.163 and 0.111 on the same seeds.
    on_p, off_p, on_d, off_d = [], [], 0, 0
    for seed in range(1, 17):
        on = run({"hypothesis": "H1", **ACTORS_OFF}, seed=seed, ticks=500)
        off = run({"hypothesis": "H1", "mechanisms.revenge": "false", **ACTORS_OFF}, seed=seed,
                  ticks=500)
        on_p.append(_persistence(on))
        off_p.append(_persistence(off))
        on_d += int(on.deaths.sel(cause="sectarian").sum())
        off_d += int(off.deaths.sel(cause="sectarian").sum())
    assert np.mean(on_p) > np.mean(off_p)
    assert on_d > 1.03 * off_d  # and revenge feeds more killing


def test_unmet_needs_lower_legitimacy_most_in_summer():
    # iraq-2009 turns the summer peak off (the record shows none); the mechanism is
    # tested with it on
    summer_on = {"hardship.summer_amplitude": "0.1"}
    on = build_world(scenario(summer_on), 1)
    off = build_world(scenario({"mechanisms.hardship": "false"}), 1)
    assert (on.legitimacy <= off.legitimacy + 1e-12).all()
    cal = calendar_of(scenario().calendar)
    doy = cal.day_of_year()
    summer = (doy >= 182) & (doy <= 243)
    winter = doy <= 59
    sc = scenario(summer_on)
    # the seasonal term is ~0.9 higher in July-August than in January-February
    dip = 0.8 * sc.hardship.sensitivity * sc.hardship.summer_amplitude
    assert on.legitimacy[summer].mean() < on.legitimacy[winter].mean() - dip
    # and the actives follow: more of them with hardship on
    a_on = run(summer_on, seed=1, ticks=365).active.sum().item()
    a_off = run({"mechanisms.hardship": "false"}, seed=1, ticks=365).active.sum().item()
    assert a_on > a_off


def test_intergroup_switch_and_instigator_switch():
    none = run({"mechanisms.intergroup": "false"}, seed=1, ticks=200)
    assert none.deaths.sel(cause="sectarian").sum() == 0
    some = run(seed=1, ticks=200)
    assert some.deaths.sel(cause="sectarian").sum() > 0
    quiet = run({"hypothesis": "H3", "mechanisms.instigators": "false"}, seed=1, ticks=600)
    assert quiet.deaths.sel(cause="instigated").sum() == 0
    loud = run({"hypothesis": "H3"}, seed=1, ticks=600)
    assert loud.deaths.sel(cause="instigated").sum() > 0


@pytest.mark.parametrize("seed", [4, 5])
def test_same_seed_same_output_bit_for_bit(seed):
    a = run({"hypothesis": "H6"}, seed=seed, ticks=400)
    b = run({"hypothesis": "H6"}, seed=seed, ticks=400)
    for name in a.data_vars:
        assert np.array_equal(a[name].values, b[name].values), name
    c = run({"hypothesis": "H6"}, seed=seed + 100, ticks=400)
    assert not np.array_equal(a.deaths.values, c.deaths.values)
