"""The hypothesis policies' intensities, checked against values worked out by hand."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from centrehold.actors.hypotheses import intensity
from centrehold.models.regional.world import build_world
from centrehold.scenario.calendar import calendar_of

from .conftest import scenario


@pytest.fixture(scope="module")
def world():
    sc = scenario(ppa="5000")
    b = build_world(sc, 1)
    return sc, b, calendar_of(sc.calendar)


def lam(h, world, **params):
    sc, b, cal = world
    p = {**sc.hypotheses[h].params, **params}
    return intensity(h, cal, b.summary, p, cal.n_ticks)  # [T, R, G + 2]


def test_h0_is_zero_everywhere(world):
    assert not lam("H0", world).any()


def test_h3_pulse_after_the_withdrawal_by_hand(world):
    sc, b, cal = world
    x = lam("H3", world, rate=2.0, baseline=0.15, boost=6.0, decay_days=45.0)
    national = x.sum(axis=(1, 2))
    t_w = cal.tick_of(dt.date(2009, 6, 30))
    # before the first milestone: the baseline alone (the pulse is exp(-inf) = 0)
    assert national[0] == pytest.approx(2.0 * 0.15)
    assert national[t_w - 1] == pytest.approx(2.0 * 0.15)
    assert national[t_w] == pytest.approx(2.0 * 0.15 * (1 + 6.0))
    assert national[t_w + 45] == pytest.approx(2.0 * 0.15 * (1 + 6.0 * math.exp(-1.0)))
    G = len(sc.groups)
    assert x[:, :, :G].sum() == 0  # never aimed at a community
    assert x[:, :, G + 1].sum() == pytest.approx(0.6 * x.sum())


def test_h4_only_three_cities_in_its_weights(world):
    sc, b, cal = world
    x = lam("H4", world, rate=2.0, w_baghdad=0.5, w_basra=0.3, w_kirkuk=0.2)
    by_region = x.sum(axis=(0, 2))
    iso = list(b.summary.iso)
    total = by_region.sum()
    assert by_region[iso.index("IQ-BG")] / total == pytest.approx(0.5)
    assert by_region[iso.index("IQ-BA")] / total == pytest.approx(0.3)
    assert by_region[iso.index("IQ-KI")] / total == pytest.approx(0.2)
    # full rate when the occupation is at its largest (2008-01-01), nothing after it left
    assert x[0].sum() == pytest.approx(2.0)
    assert x[-1].sum() == pytest.approx(0.0)


def test_h6_burst_windows_by_hand(world):
    sc, b, cal = world
    x = lam("H6", world, rate=1.0, baseline=0.1, boost=8.0, burst_days=21)
    national = x.sum(axis=(1, 2))
    t = cal.tick_of(dt.date(2009, 6, 12))
    assert national[t] == pytest.approx(0.8)
    assert national[t + 20] == pytest.approx(0.8)
    assert national[t + 21] == pytest.approx(0.1)
    share = x[t].sum(axis=1) / x[t].sum()
    pop = b.summary.population / b.summary.population.sum()
    assert np.allclose(share, pop)


def test_h1_and_h2_windows_and_targets(world):
    sc, b, cal = world
    G = len(sc.groups)
    e = cal.tick_of(dt.date(2010, 3, 7))
    for h in ("H1", "H2"):
        x = lam(h, world, rate=2.0, baseline=0.2, boost=4.0, window_days=60)
        national = x.sum(axis=(1, 2))
        assert national[e] == pytest.approx(2.0 * 0.2 * 4.0)  # election day is in the window
        assert national[e - 60] == pytest.approx(2.0 * 0.2 * 4.0)
        assert national[e - 61] == pytest.approx(2.0 * 0.2)
        assert national[e + 1] == pytest.approx(2.0 * 0.2)
        assert x[:, :, G:].sum() == 0  # communities only
    iso = list(b.summary.iso)
    h1 = lam("H1", world).sum(axis=(0, 2))
    h2 = lam("H2", world).sum(axis=(0, 2))
    # Baghdad is H1's first place; pure-Shia Dhi Qar gets nothing from H1 and much from H2
    assert iso[int(np.argmax(h1))] == "IQ-BG"
    assert h1[iso.index("IQ-DQ")] == 0 and h2[iso.index("IQ-DQ")] > 0


def test_h5_rises_with_iran_tension_and_spares_kurdistan(world):
    sc, b, cal = world
    x = lam("H5", world, rate=2.0, tension_boost=3.0)
    national = x.sum(axis=(1, 2))
    t = cal.tick_of(dt.date(2009, 6, 12))
    assert national[t] == pytest.approx(2.0)
    assert national[t - 1] == pytest.approx(2.0 / 3.0)
    iso = list(b.summary.iso)
    for k in ("IQ-AR", "IQ-DA", "IQ-SU"):
        assert x[:, iso.index(k)].sum() == 0


def test_weekly_ticks_multiply_the_daily_intensity(world):
    sc, b, _ = world
    weekly = scenario({"calendar.tick": "week"}, ppa="5000")
    cal_w = calendar_of(weekly.calendar)
    x = intensity("H6", cal_w, b.summary, sc.hypotheses["H6"].params, 10)
    assert x[0].sum() == pytest.approx(7 * 0.1 * sc.hypotheses["H6"].params["rate"])
