"""The mixture (HM), the article's thesis (HA) and the record's claimants (HI, HB).

Exact checks on the intensities (what each policy asks for), then short weekly runs with
the armed actors' campaigns and the sectarian killing off, so that every attack counted
is the hypothesis's own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from centrehold.actors.hypotheses import (
    FLAT_U,
    ISI_NORTH,
    MIXED_ACTORS,
    MIXTURE_DEFAULTS,
    POLICIES,
    cohesion,
    mixture_weights,
    political_events,
)
from centrehold.models.regional.world import build_world

from .conftest import scenario
from .test_hypotheses import KURDISTAN, attacks

ISI_PLACES = set(ISI_NORTH) | {"IQ-BG"}


@pytest.fixture(scope="module")
def world():
    """The weekly iraq-2009 world's calendar and summary, with every political date."""
    sc = scenario({"calendar.tick": "week"})
    built = build_world(sc, 1)
    summary = dataclasses.replace(
        built.summary, withdrawal=sc.dates.withdrawal, funding_cut=sc.dates.funding_cut,
        resistance_split=sc.dates.resistance_split)
    return sc, built.calendar, summary, built.calendar.n_ticks


def national(lam: np.ndarray) -> np.ndarray:
    return lam.sum(axis=(1, 2))


# ---- HM: the flat Dirichlet mixture ----------------------------------------------------

def test_mixture_weights_are_flat_dirichlet():
    rng = np.random.default_rng(0)
    n = 40_000
    w = np.array([mixture_weights({f"u{k + 1}": u for k, u in enumerate(row)})
                  for row in rng.random((n, 6))])
    assert np.allclose(w.sum(axis=1), 1.0, atol=1e-12)
    assert (w >= 0).all()
    # Dirichlet(1, ..., 1) on six: mean 1/6, variance 5/252, covariance -1/252
    assert np.allclose(w.mean(axis=0), 1 / 6, atol=0.004)
    cov = np.cov(w, rowvar=False)
    assert np.allclose(np.diag(cov), 5 / 252, rtol=0.05)
    off = cov[~np.eye(6, dtype=bool)]
    assert np.allclose(off, -1 / 252, rtol=0.12)
    # the marginal is Beta(1, 5): P(w_1 > 0.5) = 0.5**5
    assert abs((w[:, 0] > 0.5).mean() - 0.5**5) < 0.005


def test_mixture_default_is_equal_shares_and_extremes_pick_one():
    assert np.allclose(mixture_weights({f"u{k}": FLAT_U for k in range(1, 7)}), 1 / 6)
    w = mixture_weights({"u1": 1.0, "u2": 1.0, "u3": 1e-9, "u4": 1.0, "u5": 1.0, "u6": 1.0})
    assert w[2] == 1.0 and w.sum() == 1.0
    assert np.allclose(mixture_weights({f"u{k}": 1.0 for k in range(1, 7)}), 1 / 6)


def test_mixture_actors_act_with_the_scenario_defaults():
    sc = scenario()
    for actor in MIXED_ACTORS:
        own = {k: v for k, v in sc.hypotheses[actor].params.items()
               if k not in ("rate", "funding_exposure")}
        assert MIXTURE_DEFAULTS[actor] == pytest.approx(own), actor


@pytest.mark.parametrize("actor", MIXED_ACTORS)
def test_hm_with_one_weight_is_that_actor(world, actor):
    sc, cal, summary, T = world
    u = {f"u{k}": 1.0 for k in range(1, 7)}
    u[f"u{MIXED_ACTORS.index(actor) + 1}"] = 1e-12
    mix = POLICIES["HM"](cal, summary, {"rate": 3.0, **u}, T)
    own = POLICIES[actor](cal, summary, dict(sc.hypotheses[actor].params), T)
    assert own.sum() > 0
    # the same pattern, rescaled to 3 attacks a day on average
    assert np.allclose(mix, 3.0 * own / national(own).mean(), rtol=1e-12, atol=1e-15)


def test_hm_rate_is_the_mean_daily_national_rate(world):
    _, cal, summary, T = world
    rng = np.random.default_rng(1)
    for _ in range(3):
        p = {"rate": 2.5, **{f"u{k}": float(rng.random()) for k in range(1, 7)}}
        assert national(POLICIES["HM"](cal, summary, p, T)).mean() == pytest.approx(2.5)


# ---- HA: the mixture with the centre's cohesion ----------------------------------------

HA_PARAMS = {"rate": 1.0, "gain": 3.0, "drop": 0.1, "recovery_per_year": 0.0}


def test_ha_equals_hm_without_gain(world):
    _, cal, summary, T = world
    p = {"rate": 1.7, "u1": 0.2, "u2": 0.9, "u3": 0.5, "u4": 0.1, "u5": 0.6, "u6": 0.3,
         "drop": 0.2}
    ha = POLICIES["HA"](cal, summary, {**p, "gain": 0.0}, T)
    assert np.array_equal(ha, POLICIES["HM"](cal, summary, p, T))


def test_ha_rises_after_each_political_event(world):
    sc, cal, summary, T = world
    events = political_events(summary)
    d = sc.dates
    assert events == sorted([d.withdrawal, d.funding_cut, d.resistance_split,
                             d.iran_tension_onset, *d.elections])
    ratio = national(POLICIES["HA"](cal, summary, HA_PARAMS, T)) / national(
        POLICIES["HM"](cal, summary, HA_PARAMS, T))
    assert ratio[0] == pytest.approx(1.0)
    for e in events:
        t = cal.tick_of(e)
        first_after = t if (e - cal.start).days % cal.step_days == 0 else t + 1
        assert ratio[first_after] > ratio[first_after - 1] + 0.29, e  # gain 3 x drop 0.1
    # no recovery: cohesion never comes back; at the end it has lost 7 drops
    assert (np.diff(ratio) >= -1e-12).all()
    assert ratio[-1] == pytest.approx(1 + 3.0 * 0.7)


def test_cohesion_stays_in_unit_interval_and_heals(world):
    _, cal, summary, T = world
    c = cohesion(cal, summary, {"drop": 0.3}, T)
    assert c.min() == 0.0 and c.max() == 1.0  # 7 drops of 0.3 clip at zero
    healed = cohesion(cal, summary, {"drop": 0.1, "recovery_per_year": 2.0}, T)
    t_last = cal.tick_of(max(political_events(summary))) + 1
    assert (np.diff(healed[t_last:]) > 0).all()
    # the loss left after half a year
    half_year = t_last + 26
    loss = 1 - healed
    assert loss[half_year] == pytest.approx(loss[t_last] * np.exp(-2.0 * 26 * 7 / 365))


def test_ha_without_the_extra_dates_uses_the_first_withdrawal(world):
    _, cal, summary, T = world
    bare = dataclasses.replace(summary, withdrawal=None, funding_cut=None,
                               resistance_split=None)
    assert political_events(bare) == sorted(
        [summary.withdrawal_milestones[0], summary.iran_tension_onset, *summary.elections])


def test_ha_runs_more_attacks_late_than_hm():
    common = {"calendar.tick": "week", "mechanisms.intergroup": "false",
              "mechanisms.funding": "false"}
    ha = attacks("HA", 1, rate=4.0, **common, **{"hypotheses.HA.params.gain": 4.0})
    hm = attacks("HM", 1, rate=4.0, **common)
    late = pd.Timestamp("2010-03-08")
    late_ha, late_hm = (ha.date >= late).sum(), (hm.date >= late).sum()
    early_ha, early_hm = (ha.date < "2009-01-01").sum(), (hm.date < "2009-01-01").sum()
    # the same before any political event; after the last one HA runs far above HM
    assert 0.75 < early_ha / early_hm < 1.33
    assert late_ha > 2.0 * late_hm


# ---- HI: the Islamic State of Iraq's campaign as claimed --------------------------------

def test_hi_intensity_places_targets_and_bursts(world):
    sc, cal, summary, T = world
    p = dict(sc.hypotheses["HI"].params)
    lam = POLICIES["HI"](cal, summary, p, T)
    iso = np.array(summary.iso)
    outside = ~np.isin(iso, list(ISI_PLACES))
    assert lam[:, outside].sum() == 0
    G = len(summary.groups)
    shia = summary.groups.index("shia_arab")
    others = [k for k in range(G + 2) if k not in (shia, G + 1)]
    assert lam[..., others].sum() == 0
    # bursts: one day in `burst_every_days` adds burst_attacks in Baghdad
    bg = summary.iso.index("IQ-BG")
    steady = lam[0, bg, G + 1]
    extra = (lam[:, bg, G + 1] - steady) * cal.step_days
    n_bursts = T * cal.step_days // int(p["burst_every_days"])
    assert extra.sum() == pytest.approx(n_bursts * p["burst_attacks"])
    assert set(np.round(extra, 9)) == {0.0, p["burst_attacks"]}
    # Baghdad's steady share of the attacks on the state is w_baghdad
    assert lam[0, bg, G + 1] / lam[0, :, G + 1].sum() == pytest.approx(p["w_baghdad"])


@pytest.mark.parametrize("seed", [1, 2])
def test_hi_state_and_shia_in_baghdad_and_the_north(seed):
    df = attacks("HI", seed, **{"hypotheses.HI.params.burst_attacks": 12.0})
    assert set(df.region) <= ISI_PLACES
    assert not df.region.isin(KURDISTAN).any()
    assert set(df.target) <= {"state", "shia_arab"}
    share = df.target.value_counts(normalize=True)
    assert share["state"] > 0.4 and share["shia_arab"] > 0.2
    assert df.region.value_counts().index[0] == "IQ-BG"
    # burst weeks stand out: Baghdad state attacks by week
    bg = df[(df.region == "IQ-BG") & (df.target == "state")]
    weekly = bg.groupby("date").size()
    start = pd.Timestamp("2008-01-01")
    days = (weekly.index - start).days.to_numpy()
    burst = (days + 7) // 60 - days // 60 > 0
    assert weekly[burst].mean() > weekly[~burst].mean() + 6


# ---- HB: Syria-based Baathists, as the government alleged -------------------------------

def test_hb_intensity_decays_with_hops_and_ramps_after_withdrawal(world):
    sc, cal, summary, T = world
    p = dict(sc.hypotheses["HB"].params)
    lam = POLICIES["HB"](cal, summary, p, T)
    G = len(summary.groups)
    assert lam[..., : G + 1].sum() == 0  # the state only
    bg = summary.iso.index("IQ-BG")
    per_capita = lam[-1, :, G + 1] / summary.population
    hops = summary.hops_from_west
    ref = per_capita[hops == 0][0]
    for r in range(len(summary.iso)):
        if r != bg:
            assert per_capita[r] == pytest.approx(ref * p["hop_decay"] ** hops[r])
    assert lam[-1, bg].sum() / lam[-1].sum() == pytest.approx(p["w_baghdad"])
    nat = national(lam)
    t_w = cal.tick_of(sc.dates.withdrawal) + 1
    assert np.allclose(nat[:t_w], p["rate"] * p["baseline"])
    assert nat[-1] == pytest.approx(p["rate"])
    assert (np.diff(nat) >= -1e-12).all()


@pytest.mark.parametrize("seed", [1, 2])
def test_hb_state_near_the_west_rising_after_mid_2009(seed):
    sc = scenario()
    df = attacks("HB", seed)
    assert set(df.target) == {"state"}
    built = build_world(scenario({"calendar.tick": "week"}), 1)
    hops = pd.Series(built.summary.hops_from_west, index=built.summary.iso)
    pop = pd.Series({r.iso: r.population for r in sc.regions})
    rest = df[df.region != "IQ-BG"]
    per_capita = rest.region.map(hops).value_counts() / pop.drop("IQ-BG").groupby(hops).sum()
    assert per_capita[0] > 1.4 * per_capita[1] > 1.4 * 1.4 * per_capita[2]
    before = (df.date < "2009-06-30").sum() / (dt.date(2009, 6, 30) - dt.date(2008, 1, 1)).days
    after = (df.date >= "2009-10-01").sum() / (dt.date(2012, 1, 1) - dt.date(2009, 10, 1)).days
    assert after > 3 * before


@pytest.mark.parametrize("h", ["HA", "HM", "HI", "HB"])
def test_new_hypotheses_declared_with_priors_around_their_defaults(h):
    spec = scenario().hypotheses[h]
    assert spec.conjecture and spec.instigator
    assert spec.priors and "rate" in spec.priors
    for name, prior in spec.priors.items():
        assert prior.low <= spec.params[name] <= prior.high, name
