"""The generated world matches its inputs: people, communities, forces, calendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from centrehold.engine.core.state import EMPTY, IN_BASE, QUIET
from centrehold.models.regional.world import build_world, dissimilarity
from centrehold.scenario.calendar import Calendar, calendar_of

from .conftest import scenario

# the shared data folder sits beside the repository (as in CI); /work/shared is the fallback
DATA = next(
    (d for d in (Path(__file__).resolve().parents[2].parent / "shared" / "data",
                 Path("/work/shared/data")) if d.is_dir()),
    Path(__file__).resolve().parents[2].parent / "shared" / "data",
)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_population_and_shares_match_inputs(seed):
    sc = scenario(ppa="2000")
    b = build_world(sc, seed, ticks=10)
    w = b.world
    civ = w.kind == 0
    for r, spec in enumerate(sc.regions):
        mine = civ & (w.region == r)
        n = int(mine.sum())
        assert n == max(1, round(spec.population / 2000))
        for g, name in enumerate(sc.groups):
            share = float((w.group[mine] == g).mean())
            # exact allocation: within one agent of the input share
            assert abs(share - sc.shares_of(spec.iso)[name] / sum(spec.shares.values())) <= 1.0 / n
    # every agent on the lattice sits where the occupant array says
    on = np.nonzero(w.cell != EMPTY)[0]
    assert np.array_equal(w.occupant[w.cell[on]], on)


@pytest.mark.skipif(not DATA.is_dir(), reason="shared data folder not present")
def test_population_equals_cosit_2010_projection():
    pop = pd.read_csv(DATA / "governorate_population.csv")
    cosit = pop[(pop.reference_year == 2010) & (pop.kind == "official projection")]
    cosit = cosit.set_index("iso_3166_2").population_total
    sc = scenario()
    mine = pd.Series({r.iso: r.population for r in sc.regions})
    assert len(mine) == 18
    assert mine.sum() == 32_489_971  # the 18 published rows (national total 32,489,972)
    pd.testing.assert_series_equal(mine.sort_index(), cosit.sort_index().astype(int),
                                   check_names=False)


@pytest.mark.skipif(not DATA.is_dir(), reason="shared data folder not present")
def test_shares_follow_sigir_2009_except_documented_fills():
    comp = pd.read_csv(DATA / "governorate_composition.csv")
    c09 = comp[comp.reference_year == 2009].set_index("iso_3166_2")
    sc = scenario()
    for r in sc.regions:
        if r.iso in ("IQ-BA", "IQ-MA"):
            assert "filled" in r.source or "assumed" in r.source
            continue
        row = c09.loc[r.iso]
        assert r.shares["shia_arab"] == pytest.approx(row.shia_pct / 100, abs=1e-4)
        assert r.shares["sunni_arab"] == pytest.approx(row.sunni_pct / 100, abs=1e-4)
        assert r.shares["kurd"] == pytest.approx(row.kurd_pct / 100, abs=1e-4)


def test_adjacency_is_the_forty_land_borders():
    sc = scenario()
    pairs = {frozenset(p) for p in sc.adjacency}
    assert len(pairs) == 40
    assert frozenset(("IQ-BG", "IQ-WA")) in pairs
    assert frozenset(("IQ-KI", "IQ-DI")) not in pairs  # Kirkuk does not border Diyala


def test_occupation_leaves_the_streets_on_the_withdrawal_date():
    sc = scenario(ppa="2000")
    cal = calendar_of(sc.calendar)
    t_w = cal.tick_of(sc.dates.withdrawal)
    b = build_world(sc, 1)
    k = [f.name for f in sc.forces].index("occupation")
    occ = b.street_targets[:, k, :].sum(axis=1)
    before, after = occ[t_w - 1], occ[t_w]
    assert before > 10
    # the drop on that day is the street share kept, not the slow drawdown
    assert after == pytest.approx(before * sc.street_share_after_withdrawal, abs=18)
    assert occ[t_w - 30] - occ[t_w - 1] < 0.2 * before
    kept = build_world(scenario({"mechanisms.withdrawal": "false"}, ppa="2000"), 1)
    assert kept.street_targets[t_w, k].sum() > 5 * after


def test_forces_by_region_kurdish_only_in_kurdistan_and_placed_on_lattice():
    from centrehold.models.regional import tick

    sc = scenario(ppa="2000")
    b = build_world(sc, 1, ticks=5)
    w = b.world
    kurdish = [f.name for f in sc.forces].index("kurdish")
    isos = [r.iso for r in sc.regions]
    for r, iso in enumerate(isos):
        has = b.street_targets[0, kurdish, r] > 0
        assert has == (iso in ("IQ-AR", "IQ-DA", "IQ-SU"))
    st = tick.Static(b.block_start, b.block_end, b.adj_start, b.adj_list,
                     np.ones(len(sc.forces)), np.full(len(sc.forces), 4), np.arange(len(isos)))
    lat = tick.lattice_of(w)
    tick.set_forces(lat, tick.agents_of(w), st, b.street_targets[0], np.uint64(5), 0, 4)
    # the lattice's books follow: each force out is tagged, and counted by the cells
    # within the deterrence radius (4) around it
    on = w.cell[(w.kind > 0) & (w.state == QUIET)]
    assert (lat.tag[on] == tick.TAG_FORCE).all()
    assert int(lat.deterrence.sum()) == len(on) * 9 ** 2
    for k in range(len(sc.forces)):
        for r in range(len(isos)):
            blk = slice(b.block_start[k, r], b.block_end[k, r])
            assert int((w.state[blk] == QUIET).sum()) == b.street_targets[0, k, r]
            assert int((w.state[blk] == IN_BASE).sum()) == (
                b.block_end[k, r] - b.block_start[k, r] - b.street_targets[0, k, r])


def test_calendar_daily_and_weekly():
    cal = Calendar(dt.date(2008, 1, 1), dt.date(2011, 12, 31), 1)
    assert cal.n_ticks == 1461  # 2008 and the other three years, 2008 a leap year
    assert cal.tick_of(dt.date(2009, 6, 30)) == 546
    assert str(cal.dates()[546])[:10] == "2009-06-30"
    wk = Calendar(dt.date(2008, 1, 1), dt.date(2011, 12, 31), 7)
    assert wk.n_ticks == 209
    assert wk.tick_of(dt.date(2009, 6, 30)) == 78
    since = cal.days_since([dt.date(2008, 1, 3)], 5)
    assert np.isinf(since[:2]).all() and list(since[2:]) == [0, 1, 2]
    until = cal.days_until([dt.date(2008, 1, 3)], 5)
    assert list(until[:3]) == [2, 1, 0] and np.isinf(until[3:]).all()


def test_dissimilarity_by_hand():
    # two regions; group 0 all in region 0, everyone else in region 1: complete segregation
    assert dissimilarity(np.array([[10, 0], [0, 30]]))[0] == pytest.approx(1.0)
    # identical distributions: no segregation
    assert dissimilarity(np.array([[10, 20], [30, 60]]))[0] == pytest.approx(0.0)
    # group 0 has 3/4 in region 0, the rest 1/4 there: D = (0.5 + 0.5) / 2 = 0.5
    d = dissimilarity(np.array([[3, 1], [1, 3]]))
    assert d[0] == pytest.approx(0.5) and d[1] == pytest.approx(0.5)


def _contact_share(b, radius: int = 2) -> float:
    """Share of civilians with a member of another community within `radius` cells."""
    w = b.world
    touched = total = 0
    for r in range(w.n_regions):
        side = int(w.width[r])
        grid = np.full((side, side), -1, dtype=np.int64)
        cells = w.occupant[w.cell_offset[r]:w.cell_offset[r + 1]]
        civ = (cells != EMPTY)
        civ[civ] = w.kind[cells[civ]] == 0
        flat = grid.reshape(-1)
        flat[civ] = w.group[cells[civ]]
        other = np.zeros((side, side), dtype=bool)
        for dy in range(-radius, radius + 1):
            for dx in range(-radius, radius + 1):
                nb = np.roll(np.roll(grid, dy, axis=0), dx, axis=1)
                other |= (nb >= 0) & (grid >= 0) & (nb != grid)
        touched += int(other.sum())
        total += int((grid >= 0).sum())
    return touched / total


def test_patches_keep_contact_between_communities_the_same_at_every_scale():
    coarse = _contact_share(build_world(scenario(ppa="4000"), 1, ticks=2))
    fine = _contact_share(build_world(scenario(ppa="250"), 1, ticks=2))
    assert abs(coarse - fine) < 0.1 * fine
    # bands put a larger share of people on a border in a coarse world than in a fine one
    b_coarse = _contact_share(build_world(scenario({"intergroup.layout": "bands"},
                                                   ppa="4000"), 1, ticks=2))
    b_fine = _contact_share(build_world(scenario({"intergroup.layout": "bands"},
                                                 ppa="250"), 1, ticks=2))
    assert b_coarse > 1.3 * b_fine


def test_segregation_setting_controls_local_mixing():
    mixed = _contact_share(build_world(scenario({"intergroup.local_segregation": 0}), 1, 2))
    apart = _contact_share(build_world(scenario({"intergroup.local_segregation": 1}), 1, 2))
    # patches of 5 cells against a sight of 2: many people still live on an edge
    assert apart < 0.8 * mixed


@pytest.mark.skipif(not DATA.is_dir(), reason="shared data folder not present")
def test_shipped_tables_regenerate_from_the_shared_data(tmp_path):
    import subprocess
    import sys

    from centrehold.scenario import LIBRARY_DIR

    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, str(root / "scripts/derive_iraq_world.py"),
                    "--data", str(DATA), "--out", str(tmp_path),
                    "--seasonality-out", str(tmp_path / "hardship_seasonality.csv")],
                   check=True, capture_output=True)
    shipped_in = {"hardship_seasonality.csv": root / "docs/data"}
    for name in ("governorates.csv", "adjacency.csv", "forces.csv", "events.csv",
                 "insurgency_footprint.csv", "hardship_seasonality.csv"):
        shipped = (shipped_in.get(name, LIBRARY_DIR / "iraq-2009") / name).read_text()
        assert (tmp_path / name).read_text() == shipped, name
        assert "source" in pd.read_csv(tmp_path / name).columns


def _derive_world_module():
    import importlib.util

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location(
        "derive_iraq_world", root / "scripts/derive_iraq_world.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_month_of_year_deviation_finds_a_july_peak_on_a_trend():
    """Exact small case: log deaths = a slow trend + 0.5 every July. The centred 13-month
    average holds one July, so July stands 0.5 x 12/13 above it and every other month
    0.5 / 13 below; the trend, linear in log, cancels."""
    derive = _derive_world_module()
    months = pd.date_range("2003-01-01", "2008-12-01", freq="MS")
    log = 6.0 - 0.02 * np.arange(len(months)) + 0.5 * (months.month == 7)
    dev = derive.month_of_year_deviation(pd.Series(np.exp(log), index=months))
    assert list(dev.columns) == [2003, 2004, 2005, 2006, 2007, 2008]
    assert dev.loc[7, [2004, 2005, 2006, 2007]].to_numpy() == pytest.approx(0.5 * 12 / 13)
    assert dev.loc[3, [2004, 2005, 2006, 2007]].to_numpy() == pytest.approx(-0.5 / 13)
    # the first and last six months have no centred average
    assert np.isnan(dev.loc[3, 2003]) and np.isnan(dev.loc[10, 2008])
