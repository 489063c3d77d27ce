"""Capacity stocks, dated episodes, the Awakening's payroll and the warm start.

Exact cases for the series (closed forms, hand sums), then each switch's direction in
the iraq-2009 world.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest

from centrehold.models.regional import capacity as cap
from centrehold.models.regional.world import build_world

from .conftest import run, scenario


def test_capacity_under_constant_pressure_is_the_closed_form():
    T, R = 50, 2
    pressure = np.full((T, R), 3.0)
    k0 = np.array([10.0, 4.0])
    k = cap.capacity_path(pressure, k0, floor_share=0.25, timescale_days=20.0, step_days=1.0)
    t = np.arange(T)[:, None]
    expect = 0.25 * k0 + (k0 - 0.25 * k0) * np.exp(-t / 20.0)
    np.testing.assert_allclose(k, expect, rtol=1e-12)


def test_daily_and_weekly_ticks_follow_the_same_curve():
    days = 7 * 30
    pressure_daily = np.full((days, 1), 1.0)
    pressure_daily[70:, 0] = 2.0  # pressure doubles on day 70, a week boundary
    daily = cap.capacity_path(pressure_daily, np.array([5.0]), 0.4, 60.0, 1.0)
    weekly = cap.capacity_path(pressure_daily[::7], np.array([5.0]), 0.4, 60.0, 7.0)
    np.testing.assert_allclose(weekly[:, 0], daily[::7, 0], rtol=1e-12)


def test_more_pressure_lowers_the_level_capacity_tends_to():
    T = 2000
    base = np.ones((T, 1))
    more = base.copy()
    more[1:] = 2.0
    k_base = cap.capacity_path(base, np.array([1.0]), 0.5, 30.0, 1.0)
    k_more = cap.capacity_path(more, np.array([1.0]), 0.5, 30.0, 1.0)
    assert k_base[-1, 0] == pytest.approx(0.5)
    assert k_more[-1, 0] == pytest.approx(0.25)  # f K0 P0 / P


def test_a_stock_rebuilds_on_its_own_timescale_and_wears_down_on_the_other():
    T = 400
    pressure = np.ones((T, 1))
    pressure[200:] = 0.5  # the pressure halves on day 200: the level doubles
    kw = dict(floor_share=0.5, timescale_days=20.0, step_days=1.0)
    slow = cap.capacity_path(pressure, np.array([1.0]), rebuild_days=100.0, **kw)
    same = cap.capacity_path(pressure, np.array([1.0]), **kw)
    # worn down to the floor under the start's pressure, identical either way
    np.testing.assert_array_equal(slow[:201], same[:201])
    # then towards f K0 P0/P = 1 with rate (P/P0)/tau: tau = 100 rebuilding, 20 by default
    t = np.arange(T - 200)
    k200 = same[200, 0]
    np.testing.assert_allclose(slow[200:, 0], 1 - (1 - k200) * np.exp(-0.5 * t / 100.0),
                               rtol=1e-12)
    np.testing.assert_allclose(same[200:, 0], 1 - (1 - k200) * np.exp(-0.5 * t / 20.0),
                               rtol=1e-12)


def test_mean_pareto_toll_is_the_sum_of_tail_probabilities():
    assert cap.mean_pareto_toll(2.0, 3.0) == pytest.approx(1 + 1 / 2 + 1 / 3)
    rng = np.random.default_rng(0)
    x = np.minimum(np.floor((1 - rng.random(400_000)) ** (-1 / 1.5)), 100)
    assert cap.mean_pareto_toll(2.5, 100.0) == pytest.approx(x.mean(), rel=0.01)


def test_episode_deaths_count_the_days_each_tick_covers():
    ep = SimpleNamespace(start=dt.date(2008, 1, 3), end=dt.date(2008, 1, 9),
                         regions=["A", "B"], group="g", weight=1.0)
    daily = np.arange(np.datetime64("2008-01-01"), np.datetime64("2008-01-15"))
    weekly = daily[::7]
    d = cap.episode_rates([ep], ["A", "B", "C"], ["g", "h"], daily, 1.0, 10.0)
    w = cap.episode_rates([ep], ["A", "B", "C"], ["g", "h"], weekly, 7.0, 10.0)
    # 7 days x 10 a day, split over two regions
    assert d[:, 0, 0].sum() == pytest.approx(35.0) and d[:, 2].sum() == 0 and d[..., 1].sum() == 0
    assert list(np.flatnonzero(d[:, 0, 0])) == list(range(2, 9))
    np.testing.assert_allclose(w[:, 0, 0], [25.0, 10.0])  # days 3-7 and 8-9


def test_payroll_factor_is_day_weighted_at_the_transfer():
    weekly = np.arange(np.datetime64("2008-09-24"), np.datetime64("2008-10-30"), 7)
    f = cap.payroll_factor({"B": dt.date(2008, 10, 3)}, ["A", "B"], weekly, 7.0, 0.5)
    assert (f[:, 0] == 1).all()
    # the week of 10-01 has 5 of 7 days after the transfer
    np.testing.assert_allclose(f[:, 1], [1.0, 1 - 0.5 * 5 / 7, 0.5, 0.5, 0.5, 0.5])


def test_insurgency_reach_spreads_a_share_by_population():
    # two regions with no base community in the second: without reach it gets nothing;
    # with reach 0.2 it gets 0.2 x its population share, the rest stays where the base is
    population = np.array([300.0, 100.0])
    shares = np.array([[0.5, 0.0], [0.5, 1.0]])  # group x region; base = group 0
    w0 = cap.insurgency_weights(population, shares, 0, mixed_boost=2.0)
    np.testing.assert_allclose(w0, [1.0, 0.0])
    w = cap.insurgency_weights(population, shares, 0, mixed_boost=2.0, reach_share=0.2)
    np.testing.assert_allclose(w, [0.8 + 0.2 * 0.75, 0.2 * 0.25])
    assert w.sum() == pytest.approx(1.0)


def test_insurgent_attacks_reach_all_shia_dhi_qar_only_with_reach():
    over = {"calendar.tick": "week", "insurgency.attacks_per_day": "20",
            "insurgency.footprint_share": "0"}
    none = run({**over, "insurgency.reach_share": "0"}, seed=4)
    some = run({**over, "insurgency.reach_share": "0.3"}, seed=4)

    def in_dhi_qar(ds):
        who = ds.attack_instigator.values == "insurgency"
        return int((ds.attack_region.values[who] == "IQ-DQ").sum())

    assert in_dhi_qar(none) == 0
    assert in_dhi_qar(some) > 0


def test_a_footprint_places_its_share_of_the_campaign_and_ignores_the_rest():
    isos = ["IQ-AN", "IQ-BG", "IQ-DQ"]
    base = np.array([0.6, 0.4, 0.0])
    fp = {"IQ-BG": 3.0, "IQ-DQ": 1.0}  # weights, normalised: 0.75 and 0.25; Anbar none
    np.testing.assert_allclose(cap.with_footprint(base, fp, isos, 1.0), [0.0, 0.75, 0.25])
    np.testing.assert_allclose(cap.with_footprint(base, fp, isos, 0.4),
                               [0.6 * 0.6, 0.4 * 0.75 + 0.6 * 0.4, 0.4 * 0.25])
    np.testing.assert_array_equal(cap.with_footprint(base, fp, isos, 0.0), base)
    np.testing.assert_array_equal(cap.with_footprint(base, {}, isos, 1.0), base)


def test_the_shipped_footprint_is_read_and_places_every_insurgent_attack():
    sc = scenario()
    fp = sc.insurgency.footprint
    assert set(fp) == {r.iso for r in sc.regions}
    assert sum(fp.values()) == pytest.approx(1.0, abs=1e-3)
    assert max(fp, key=fp.get) == "IQ-BG"
    # the whole campaign in one governorate: every insurgent attack falls there
    ds = run({"calendar.tick": "week", "insurgency.attacks_per_day": "20",
              "insurgency.footprint": "{IQ-KI: 1.0}"}, seed=4, ticks=40)
    mine = ds.attack_instigator.values == "insurgency"
    assert mine.sum() > 20
    assert set(ds.attack_region.values[mine]) == {"IQ-KI"}


@pytest.mark.parametrize(("footprint", "message"), [
    ("{IQ-XX: 1.0}", "unknown region IQ-XX"),
    ("{IQ-BG: -1.0}", "negative weight"),
    ("{IQ-BG: 0.0}", "every weight is 0"),
])
def test_a_bad_footprint_is_refused_in_one_line(footprint, message):
    from centrehold.errors import UserError

    with pytest.raises(UserError, match=message) as err:
        scenario({"insurgency.footprint": footprint})
    assert "\n" not in str(err.value).strip()


def test_a_footprint_table_with_an_unknown_region_names_its_file_and_line(tmp_path):
    import shutil

    from centrehold.errors import UserError
    from centrehold.scenario import load_scenario
    from centrehold.scenario.load import LIBRARY_DIR

    folder = tmp_path / "iraq"
    shutil.copytree(LIBRARY_DIR / "iraq-2009", folder)
    table = folder / "insurgency_footprint.csv"
    lines = table.read_text().splitlines()
    lines[3] = lines[3].replace("IQ-BA", "IQ-ZZ", 1)
    table.write_text("\n".join(lines) + "\n")
    with pytest.raises(UserError, match=r"insurgency_footprint.csv line 4.*IQ-ZZ"):
        load_scenario(str(folder / "scenario.yaml"))


def test_switches_turn_each_actor_on_and_off():
    on = run({"calendar.tick": "week"}, seed=2)
    assert on.deaths.sel(cause="insurgent").sum() > 0
    assert on.deaths.sel(cause="intra").sum() > 0
    off = run({"calendar.tick": "week", "mechanisms.insurgency": "false",
               "mechanisms.intra_community": "false"}, seed=2)
    assert off.deaths.sel(cause=["insurgent", "intra"]).sum() == 0
    assert off.sizes["attack"] == 0  # H0 and no insurgency: nobody bombs


def test_intra_community_deaths_fall_only_inside_their_episodes():
    ds = run({"calendar.tick": "week", "intra_community.deaths_per_day": "40"}, seed=3)
    intra = ds.deaths.sel(cause="intra").sum("group")
    by_region = intra.sum("tick").to_series()
    south = {"IQ-WA", "IQ-BB", "IQ-DQ", "IQ-QA"}
    assert set(by_region[by_region > 0].index) <= {"IQ-BA", "IQ-BG"} | south
    dates = ds.date.values[intra.sum("region").values > 0]
    assert dates.min() >= np.datetime64("2008-03-19") and dates.max() <= np.datetime64("2008-05-11")
    # about 40 a day in each episode: 7 days in Basra, 48 in Baghdad, 7 over the four
    # southern governorates together
    expected = 40 * (7 + 48 + 7)
    assert 0.5 * expected < float(intra.sum()) < 1.6 * expected


def test_a_lower_militia_floor_means_less_sectarian_killing():
    low = high = 0
    for seed in (1, 2):
        low += int(run({"calendar.tick": "week", "militias.floor_share": "0.1"},
                       seed=seed).deaths.sel(cause="sectarian").sum())
        high += int(run({"calendar.tick": "week", "militias.floor_share": "1.0"},
                        seed=seed).deaths.sel(cause="sectarian").sum())
    assert low < 0.8 * high


def test_the_awakening_switch_removes_the_force():
    on = build_world(scenario({"calendar.tick": "week"}), 1)
    off = build_world(scenario({"calendar.tick": "week", "mechanisms.awakening": "false"}), 1)
    k = [f.name for f in scenario().forces].index("awakening")
    assert on.personnel[:, k].sum() > 0 and off.personnel[:, k].sum() == 0
    # Baghdad's contingent after the transfer is kept_after_transfer of what it was
    bg = list(on.world.region_names).index("IQ-BG")
    before = on.personnel[38, k, bg]  # 2008-09-23
    after = on.personnel[41, k, bg]  # 2008-10-14
    assert after < before


def test_the_warm_start_records_the_same_dates_from_a_state_the_model_made():
    cold = run({"calendar.tick": "week", "warmup_days": "0"}, seed=4, ticks=10)
    warm = run({"calendar.tick": "week"}, seed=4, ticks=10)
    assert (cold.date.values == warm.date.values).all()
    assert str(warm.date.values[0])[:10] == "2008-01-01"
    # half a year of arrests fills the jails before the first recorded day
    assert int(warm.jailed.isel(tick=0).sum()) > 3 * int(cold.jailed.isel(tick=0).sum())


def test_the_insurgency_aims_its_community_share_at_the_largest_other_community():
    ds = run({"calendar.tick": "week", "insurgency.state_share": "0",
              "insurgency.community_share": "1", "mechanisms.intra_community": "false"},
             seed=5, ticks=60)
    mine = ds.attack_instigator.values == "insurgency"
    targets = set(ds.attack_target.values[mine])
    assert targets and targets <= {"shia_arab", "kurd", "other"}  # never the base community
    bg = (ds.attack_region.values == "IQ-BG") & mine
    assert set(ds.attack_target.values[bg]) == {"shia_arab"}


def test_state_and_community_shares_above_one_together_are_refused():
    with pytest.raises(Exception, match="exceed 1"):
        scenario({"insurgency.state_share": "0.8", "insurgency.community_share": "0.5"})


def test_instigator_capacity_wears_a_hypothesis_actor_down_with_the_insurgency():
    """The hypothesis's intensity is its own series times the insurgency's relative path
    (start 1, same floor, timescale and rebuild), region by region."""
    from centrehold.models.regional.world import drivers

    ov = {"calendar.tick": "week", "hypothesis": "HI", "insurgency.floor_share": "0.2",
          "insurgency.timescale_days": "60"}
    on_sc = scenario(ov)
    off_sc = scenario({**ov, "mechanisms.instigator_capacity": "false"})
    T = 104
    on = drivers(on_sc, build_world(on_sc, 1, T), T)
    off = drivers(off_sc, build_world(off_sc, 1, T), T)
    total_off = off.lam.sum(axis=2)
    hit = (total_off > 0).all(axis=0)  # regions where the actor always strikes
    assert hit.sum() >= 3
    per_region = on.lam.sum(axis=2)[:, hit] / total_off[:, hit]
    # one factor for every target of a region and tick
    np.testing.assert_allclose(on.lam[:, hit], off.lam[:, hit] * per_region[..., None],
                               rtol=1e-12, atol=0)
    np.testing.assert_allclose(per_region[0], 1.0)  # untouched at the start
    # a year of the surge's pressure wears the actor towards the floor where it strikes
    assert (per_region[52] < 0.6).all()
    # the null's intensity stays zero: the switch only scales an actor that exists
    h0 = scenario({"calendar.tick": "week"})
    assert drivers(h0, build_world(h0, 1, T), T).lam.sum() == 0


@pytest.mark.parametrize("override", [
    {"awakening.transfer": "{IQ-BG: -1e-09}"},
    {"awakening.transfer": "{IQ-BG: 0}"},
    {"intra_community.episodes": "[{start: 0, end: 2008-03-31, regions: [IQ-BA]}]"},
])
def test_a_number_where_a_date_belongs_is_refused(override):
    # pydantic alone would read it as seconds since 1970 and run the world from there
    from centrehold.errors import UserError

    with pytest.raises(UserError, match="date"):
        scenario(override)


def test_a_number_for_a_transfer_date_in_the_scenario_file_is_refused(tmp_path):
    import shutil

    from centrehold.errors import UserError
    from centrehold.scenario import load_scenario
    from centrehold.scenario.load import LIBRARY_DIR

    folder = tmp_path / "iraq"
    shutil.copytree(LIBRARY_DIR / "iraq-2009", folder)
    yaml_file = folder / "scenario.yaml"
    text = yaml_file.read_text()
    assert "transfer: {IQ-BG: 2008-10-01," in text
    yaml_file.write_text(text.replace("transfer: {IQ-BG: 2008-10-01,",
                                      "transfer: {IQ-BG: -1.0e-09,", 1))
    with pytest.raises(UserError, match="YYYY-MM-DD"):
        load_scenario(str(yaml_file))


def test_operations_kept_after_the_withdrawal_wear_the_actors_down_where_patrols_left():
    """The occupation's operations count in the pressure on capacity by their own share
    after the withdrawal; before it, and for the patrols the lattice sees, nothing moves."""
    from centrehold.models.regional.world import drivers, operations_persons

    ov = {"calendar.tick": "week", "insurgency.timescale_days": "60"}
    T = 156
    worlds = {}
    for kept in ("0.1", "1.0"):
        sc = scenario({**ov, "operations.kept_after_withdrawal": kept})
        built = build_world(sc, 1, T)
        worlds[kept] = (sc, built, drivers(sc, built, T))
    (sc_lo, b_lo, d_lo), (sc_hi, b_hi, d_hi) = worlds["0.1"], worlds["1.0"]
    k = [f.name for f in sc_lo.forces].index("occupation")
    t_w = b_lo.calendar.tick_of(sc_lo.dates.withdrawal)
    # a share equal to the street share is the patrols' own array: the world of before
    assert operations_persons(sc_lo, b_lo) is b_lo.street_persons
    ops = operations_persons(sc_hi, b_hi)
    street = sc_hi.forces[k].street_share
    np.testing.assert_allclose(ops[t_w:, k], b_hi.personnel[t_w:, k] * street, rtol=1e-12)
    np.testing.assert_array_equal(ops[:t_w], b_hi.street_persons[:t_w])
    # the patrols on the lattice are the same either way
    np.testing.assert_array_equal(b_lo.street_targets, b_hi.street_targets)
    np.testing.assert_array_equal(d_lo.insurgent[:t_w + 1], d_hi.insurgent[:t_w + 1])
    # where the occupation operated, more kept pressure holds the insurgency lower a year on
    lo, hi = d_lo.insurgent.sum(axis=2), d_hi.insurgent.sum(axis=2)
    where = b_lo.personnel[0, k] > 0
    assert (hi[t_w + 52, where] <= lo[t_w + 52, where]).all()
    assert hi[t_w + 52].sum() < 0.95 * lo[t_w + 52].sum()


def test_the_operations_share_is_refused_outside_zero_to_one():
    from centrehold.errors import UserError

    with pytest.raises(UserError, match="kept_after_withdrawal"):
        scenario({"operations.kept_after_withdrawal": "1.5"})
