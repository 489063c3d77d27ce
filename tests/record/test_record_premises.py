"""The article's premises as findings: exact answers on made-up records, and the
real record's table checked for structure and against the bundled monthly panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from centrehold.errors import UserError
from centrehold.record.premises import (
    ELECTIONS,
    MASS_DEATHS,
    PREMISE_COLUMNS,
    WITHDRAWAL,
    daily_table,
    premises_table,
)


def _one_incident_a_day(before: float, after: float) -> pd.DataFrame:
    """One explosive, religious-target incident a day through 2008-2010; `before`
    deaths a day until 2009-06-29, `after` from the withdrawal on (min = max)."""
    days = pd.date_range("2008-01-01", "2010-12-31", freq="D")
    deaths = np.where(days < pd.Timestamp(WITHDRAWAL), before, after)
    return pd.DataFrame(
        {
            "start": days,
            "end": days,
            "deaths_low": deaths,
            "deaths_high": deaths,
            "type": "explosive",
            "target_class": "religious",
        }
    )


def test_daily_table_spreads_deaths_and_counts_mass_bombings_on_each_bound() -> None:
    events = pd.DataFrame(
        {
            "start": pd.to_datetime(["2009-01-01", "2009-01-02", "2009-01-02"]),
            "end": pd.to_datetime(["2009-01-02", "2009-01-02", "2009-01-03"]),
            "deaths_low": [4.0, MASS_DEATHS - 2.0, 2.0],
            "deaths_high": [4.0, MASS_DEATHS + 2.0, 2.0],
            "type": ["other", "explosive", "explosive"],
            "target_class": ["executions", "markets_crowds", "markets_crowds"],
        }
    )
    table = daily_table(events)
    assert table["incidents"].tolist() == [1.0, 2.0, 0.0]
    assert table["deaths_low"].tolist() == [2.0, 2.0 + MASS_DEATHS - 2.0 + 1.0, 1.0]
    assert table["explosive_deaths_high"].tolist() == [0.0, MASS_DEATHS + 2.0 + 1.0, 1.0]
    assert table["mass_bombings_low"].sum() == 0.0  # 8 deaths on the minimum
    assert table["mass_bombings_high"].tolist() == [0.0, 1.0, 0.0]
    assert table["executions_deaths_low"].tolist() == [2.0, 2.0, 0.0]
    assert table["religious_deaths_high"].sum() == 0.0
    with pytest.raises(UserError, match="deaths_low"):
        daily_table(events.drop(columns="deaths_low"))


def test_premises_on_a_record_that_doubles_at_the_withdrawal() -> None:
    table = premises_table(daily_table(_one_incident_a_day(10.0, 20.0)), resamples=200)
    assert list(table.columns) == list(PREMISE_COLUMNS)
    rows = table.set_index(["premise", "window", "record"])
    for record in ("ibc-min", "ibc-max"):
        for days in (90, 180):
            row = rows.loc[("withdrawal_deaths", f"{days} days either side", record)]
            assert (row["baseline"], row["compared"], row["value"]) == (10.0, 20.0, 2.0)
            assert (row["low"], row["high"]) == (2.0, 2.0)
            bombs = rows.loc[("mass_bombings", f"{days} days either side", record)]
            assert bombs["value"] == 1.0  # one mass bombing a day throughout
            blasts = rows.loc[("bombing_deaths", f"{days} days either side", record)]
            assert blasts["value"] == 2.0  # every incident is explosive
        assert rows.loc[("dozens_daily", "30 days from 2009-06-30", record), "value"] == 20.0
        sites = rows.loc[("sectarian_targets", "90 days either side", record)]
        assert sites["value"] == 2.0
        # the weeks before the provincial and national elections are as deadly as nearby
        for name in ("provincial", "national"):
            assert rows.loc[("pre_election", f"28 days before: {name}", record), "value"] == 1.0
        crime = rows.loc[("crime_after_funding_cut", "mid-2009", record)]
        assert np.isnan(crime["value"]) and "cannot" in crime["note"]


def test_premises_need_the_daily_columns() -> None:
    daily = daily_table(_one_incident_a_day(1.0, 1.0)).drop(columns="mass_bombings_low")
    with pytest.raises(UserError, match="mass_bombings_low"):
        premises_table(daily, resamples=10)


def test_real_record_premises_are_complete_and_agree_with_the_monthly_panel() -> None:
    from centrehold.record.iraq import iraq_daily, iraq_panel

    daily = iraq_daily()
    panel = iraq_panel()
    national = panel.groupby("month")[["incidents", "deaths_low", "deaths_high"]].sum()
    by_month = daily.groupby(daily.index.to_period("M").to_timestamp()).sum()
    # incidents fall on their start day, as in the panel; deaths are only moved by spreading
    assert (by_month["incidents"] == national["incidents"]).all()
    for bound in ("low", "high"):
        assert abs(by_month[f"deaths_{bound}"].sum() - national[f"deaths_{bound}"].sum()) < 0.01
        gap = (by_month[f"deaths_{bound}"] - national[f"deaths_{bound}"]).abs()
        assert (gap <= 0.1 * national[f"deaths_{bound}"]).all()
    classes = [c for c in daily.columns if c.endswith("_deaths_high") and "explosive" not in c]
    assert np.allclose(daily[classes].sum(axis=1), daily["deaths_high"], atol=1e-3)

    table = premises_table(resamples=300)
    assert set(table["record"]) == {"ibc-min", "ibc-max"}
    assert set(table["premise"]) == {
        "withdrawal_deaths", "dozens_daily", "mass_bombings", "bombing_deaths",
        "sectarian_targets",
        "executions", "pre_election", "crime_after_funding_cut",
    }
    measured = table.dropna(subset=["value"])
    assert ((measured["low"] <= measured["value"]) & (measured["value"] <= measured["high"])).all()
    assert len(table[table["premise"] == "pre_election"]) == 2 * (len(ELECTIONS) + 1)
    # 90 days before the withdrawal (1 April - 29 June 2009) against the panel's quarter
    row = table[(table["premise"] == "withdrawal_deaths") & (table["record"] == "ibc-max")
                & (table["window"] == "90 days either side")].iloc[0]
    quarter = national.loc["2009-04-01":"2009-06-01", "deaths_high"].sum()
    assert abs(row["baseline"] * 90 - quarter) <= 0.05 * quarter
    low_row = table[(table["premise"] == "withdrawal_deaths") & (table["record"] == "ibc-min")
                    & (table["window"] == "90 days either side")].iloc[0]
    assert low_row["baseline"] <= row["baseline"] and low_row["compared"] <= row["compared"]
    # same seed, same table
    again = premises_table(resamples=300)
    pd.testing.assert_frame_equal(table, again)
