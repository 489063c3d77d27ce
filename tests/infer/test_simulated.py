"""From a regional Dataset to evidence; the scenario's hypotheses as ABC reads them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from centrehold.infer.simulated import evidence_input, hypotheses_from_scenario


def _dataset() -> xr.Dataset:
    dates = pd.date_range("2009-01-30", "2009-02-02", freq="D")  # 4 ticks over two months
    deaths = np.zeros((4, 2, 2, 2), dtype=np.int64)  # tick, region, group, cause
    deaths[0, 0, 0, 0] = 10  # Jan 30, BG, sectarian
    deaths[0, 0, 1, 0] = 5  # same governorate-day, other group: one incident of 15
    deaths[1, 1, 0, 1] = 7  # Jan 31, BA, instigated
    deaths[2, 0, 1, 0] = 3  # Feb 1, BG, sectarian
    deaths[3, 1, 0, 1] = 20  # Feb 2, BA, instigated
    return xr.Dataset(
        {
            "deaths": (("tick", "region", "group", "cause"), deaths),
            "attack_tick": (("attack",), np.array([1, 3])),
            "attack_deaths": (("attack",), np.array([7, 20])),
            "attack_region": (("attack",), np.array(["IQ-BA", "IQ-BA"], dtype=object)),
            "attack_target": (("attack",), np.array(["state", "a"], dtype=object)),
        },
        coords={
            "tick": np.arange(4),
            "date": ("tick", dates),
            "region": ["IQ-BG", "IQ-BA"],
            "group": ["a", "b"],
            "cause": ["sectarian", "instigated"],
        },
    )


def test_monthly_deaths_and_incident_sizes_by_hand():
    inp = evidence_input(_dataset())
    m = inp.monthly.set_index(["month", "region"])["deaths"]
    assert m[(pd.Timestamp("2009-01-01"), "IQ-BG")] == 15
    assert m[(pd.Timestamp("2009-01-01"), "IQ-BA")] == 7
    assert m[(pd.Timestamp("2009-02-01"), "IQ-BG")] == 3
    assert m[(pd.Timestamp("2009-02-01"), "IQ-BA")] == 20
    assert sorted(inp.sizes) == [3.0, 7.0, 15.0, 20.0]
    # every death is in the monthly table; sizes account for the same deaths here
    assert inp.monthly["deaths"].sum() == inp.sizes.sum()


def test_logged_killing_incidents_are_sized_one_by_one():
    # the same deaths as above, but the engine's incident log splits the killing:
    # Jan 30 in BG was three incidents (4, 6, 5), Feb 1 two (1, 2)
    ds = _dataset().assign(
        incident_tick=(("incident",), np.array([0, 0, 0, 2, 2])),
        incident_deaths=(("incident",), np.array([4, 6, 5, 1, 2])),
    )
    inp = evidence_input(ds)
    assert sorted(inp.sizes) == [1.0, 2.0, 4.0, 5.0, 6.0, 7.0, 20.0]
    assert inp.sizes.sum() == inp.monthly["deaths"].sum()
    # a window keeps the incidents of its ticks only
    assert sorted(evidence_input(ds, start="2009-02", end="2009-02").sizes) == [1.0, 2.0, 20.0]


def test_incident_sizes_do_not_depend_on_the_tick_length():
    # one simulated world at daily and at weekly ticks: with the killing summed per
    # governorate and tick, a week's many small killings read as mass-casualty
    # incidents; sized from the incident log, the two tick lengths agree
    from centrehold.engine import simulate
    from centrehold.infer.evidence import mass_casualty_share
    from centrehold.scenario import load_scenario

    share = {}
    for tick, ticks in (("day", 364), ("week", 52)):
        sc = load_scenario("iraq-2009", {"people_per_agent": "10000", "calendar.tick": tick,
                                         "mechanisms.insurgency": "false",
                                         "mechanisms.instigators": "false",
                                         "mechanisms.intra_community": "false",
                                         "intergroup.kill_rate": "1e-4"})
        sizes = np.concatenate([evidence_input(simulate(sc, seed=s, ticks=ticks)).sizes
                                for s in range(2)])
        share[tick] = mass_casualty_share(sizes)
    assert abs(share["day"] - share["week"]) < 0.1, share


def test_instigated_deaths_are_the_explosive_part():
    m = evidence_input(_dataset()).monthly.set_index(["month", "region"])["explosive"]
    assert m[(pd.Timestamp("2009-01-01"), "IQ-BA")] == 7
    assert m[(pd.Timestamp("2009-02-01"), "IQ-BA")] == 20
    # sectarian killing is never counted as a bombing
    assert m[(pd.Timestamp("2009-01-01"), "IQ-BG")] == 0
    assert m[(pd.Timestamp("2009-02-01"), "IQ-BG")] == 0


def test_deaths_by_target_group_and_the_daily_series_by_hand():
    inp = evidence_input(_dataset())
    m = inp.monthly.set_index(["month", "region"])
    jan, feb = pd.Timestamp("2009-01-01"), pd.Timestamp("2009-02-01")
    assert m.loc[(jan, "IQ-BA"), "target_state"] == 7  # the attack on the state
    assert m.loc[(feb, "IQ-BA"), "target_community"] == 20  # the attack on community a
    assert m.loc[(jan, "IQ-BG"), "target_killings"] == 15
    assert m.loc[(feb, "IQ-BG"), "target_killings"] == 3
    assert m["target_crowds"].sum() == 0
    # daily ticks: the national series is the deaths of each day
    assert inp.daily.tolist() == [15.0, 7.0, 3.0, 20.0]
    assert inp.daily.index[0] == pd.Timestamp("2009-01-30")


def test_window_trims_months_and_incidents_alike():
    inp = evidence_input(_dataset(), start="2009-02", end="2009-02")
    assert set(inp.monthly["month"]) == {pd.Timestamp("2009-02-01")}
    assert sorted(inp.sizes) == [3.0, 20.0]


def test_weekly_ticks_spread_over_the_months_their_days_fall_in():
    # weeks from 22 Jan (all January), 29 Jan (3 days Jan, 4 Feb), 5 Feb (all February):
    # 7, 14 and 21 deaths give January 7 + 6 and February 8 + 21, not 21 and 21
    ds = _dataset().isel(tick=[0, 1, 2]).assign_coords(
        date=("tick", pd.date_range("2009-01-22", periods=3, freq="7D")))
    deaths = np.zeros((3, 2, 2, 2), dtype=np.int64)
    deaths[:, 0, 0, 0] = [7, 14, 21]
    ds["deaths"] = (("tick", "region", "group", "cause"), deaths)
    ds = ds.drop_dims("attack").assign(
        attack_tick=(("attack",), np.zeros(0, np.int64)),
        attack_deaths=(("attack",), np.zeros(0)),
        attack_region=(("attack",), np.zeros(0, dtype=object)),
        attack_target=(("attack",), np.zeros(0, dtype=object)))
    m = evidence_input(ds).monthly.groupby("month")["deaths"].sum()
    assert m.to_numpy() == pytest.approx([13.0, 29.0])
    # a window ending in January keeps only the straddling week's January days
    jan = evidence_input(ds, end="2009-01").monthly.groupby("month")["deaths"].sum()
    assert list(jan.index) == [pd.Timestamp("2009-01-01")]
    assert jan.iloc[0] == pytest.approx(13.0)


def test_a_dataset_without_attacks_is_a_user_error():
    from centrehold.errors import UserError

    with pytest.raises(UserError, match="attack_tick"):
        evidence_input(_dataset().drop_vars("attack_tick"))


def test_hypotheses_and_priors_come_from_the_scenario_file():
    from centrehold.scenario import load_scenario

    sc = load_scenario("iraq-2009")
    hyps = hypotheses_from_scenario(sc)
    assert [h.name for h in hyps] == sorted(sc.hypotheses)
    for h in hyps:
        for pname, spec in h.priors.items():
            prior = sc.hypotheses[h.name].priors.get(pname) or sc.calibration[pname]
            rv = spec.rv()
            # the pyabc prior has the scenario's support, exactly, once mapped back from
            # the scale ABC explores (log10 for a loguniform prior)
            lo, hi = (spec.to_natural(x) for x in rv.distribution.support())
            assert lo == pytest.approx(prior.low) and hi == pytest.approx(prior.high)
