"""The article's factual premises, checked against the record as findings.

The iraq-2009 scenario's source article (summer 2009) argues from a few
factual premises before it weighs the explanations: that casualties soared once US
forces left the cities, that dozens died every day, that a wave of bombings followed,
that sectarian killing was spreading, and that militias turned to crime once their
sponsors cut their money. Explanations built on a premise the record does not bear
out should be read with that in mind, so each premise that IBC's record can check is
stated here with the record's value and its uncertainty, on IBC's minimum and on its
maximum; premises the record cannot check are listed with the reason.

Dates (sources in the scenario's `events.csv`): US combat forces out of the cities
2009-06-30; provincial elections 2009-01-31; Kurdistan Region elections 2009-07-25;
national election 2010-03-07.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from centrehold.errors import UserError
from centrehold.record.event_study import (
    Contrast,
    before_after,
    event_study,
    mean_interval,
    spread_daily,
)
from centrehold.record.targets import TARGET_CLASSES
from centrehold.record.weapons import EXPLOSIVE_CLASS

WITHDRAWAL = "2009-06-30"
ELECTIONS: dict[str, str] = {
    "provincial": "2009-01-31",
    "kurdistan": "2009-07-25",
    "national": "2010-03-07",
}
MASS_DEATHS = 10  # an explosive incident with at least this many deaths is mass-casualty
DOZENS = 24.0  # "dozens a day" read as at least two dozen
RECORDS: dict[str, str] = {"ibc-min": "low", "ibc-max": "high"}
PREMISE_COLUMNS = (
    "premise", "statement", "window", "record", "measure", "value", "low", "high",
    "baseline", "compared", "note",
)


@dataclass(frozen=True)
class Settings:
    """Resampling settings shared by every row (same seed, same table)."""

    level: float = 0.9
    resamples: int = 2000
    seed: int = 0
    block: int = 7


# --------------------------------------------------------------------------- daily table


def daily_table(
    events: pd.DataFrame, first: object = None, last: object = None
) -> pd.DataFrame:
    """Daily series the premises need, from an event frame with `start`, `end`,
    `deaths_low`, `deaths_high` and, where known, `type` (weapon class) and
    `target_class`.

    Deaths are spread evenly over each incident's days; `incidents` and the
    mass-casualty bombing counts (`mass_bombings_low/high`: explosive incidents with at
    least MASS_DEATHS deaths on the minimum/maximum) fall on the start day.
    """
    missing = [c for c in ("start", "end", "deaths_low", "deaths_high") if c not in events]
    if missing:
        raise UserError(
            f"the events lack column(s) {', '.join(missing)}: read them with read_events"
        )
    lo = pd.Timestamp(first) if first is not None else events["start"].min()
    hi = pd.Timestamp(last) if last is not None else events["end"].max()
    ones = pd.Series(1.0, index=events.index)

    def spread(
        amount: pd.Series, mask: pd.Series | None = None, on_start: bool = False
    ) -> pd.Series:
        chosen = events if mask is None else events[mask]
        end = chosen["start"] if on_start else chosen["end"]
        return spread_daily(chosen["start"], end, amount.loc[chosen.index], lo, hi)

    out = pd.DataFrame({"incidents": spread(ones, on_start=True)})
    for bound in ("low", "high"):
        out[f"deaths_{bound}"] = spread(events[f"deaths_{bound}"])
    explosive = (
        events["type"] == EXPLOSIVE_CLASS if "type" in events else pd.Series(False, events.index)
    )
    for bound in ("low", "high"):
        out[f"explosive_deaths_{bound}"] = spread(events[f"deaths_{bound}"], explosive)
    for bound in ("low", "high"):
        mass = explosive & (events[f"deaths_{bound}"] >= MASS_DEATHS)
        out[f"mass_bombings_{bound}"] = spread(ones, mass, on_start=True)
    if "target_class" in events:
        for label in TARGET_CLASSES:
            chosen = events["target_class"] == label
            for bound in ("low", "high"):
                out[f"{label}_deaths_{bound}"] = spread(events[f"deaths_{bound}"], chosen)
    out.index.name = "date"
    return out


# --------------------------------------------------------------------------- rows


def _row(
    premise: str, statement: str, window: str, record: str, measure: str,
    value: float, low: float, high: float, baseline: float, compared: float, note: str,
) -> dict[str, object]:
    return dict(zip(
        PREMISE_COLUMNS,
        (premise, statement, window, record, measure, value, low, high, baseline, compared,
         note),
        strict=True,
    ))


def _ratio_row(
    premise: str, statement: str, window: str, record: str, measure: str,
    result: Contrast, note: str,
) -> dict[str, object]:
    return _row(premise, statement, window, record, measure, result.ratio, result.ratio_low,
                result.ratio_high, result.baseline, result.after, note)


def _column(daily: pd.DataFrame, name: str) -> pd.Series:
    if name not in daily:
        raise UserError(f"the daily table lacks {name!r}: build it with daily_table()")
    return daily[name].astype(float)


def _withdrawal_rows(daily: pd.DataFrame, record: str, bound: str, s: Settings) -> list[dict]:
    rows = []
    opts = dict(block=s.block, level=s.level, resamples=s.resamples, seed=s.seed)
    deaths = _column(daily, f"deaths_{bound}")
    for days in (90, 180):
        rows.append(_ratio_row(
            "withdrawal_deaths",
            "Civilian deaths rose after US combat forces left the cities (2009-06-30)",
            f"{days} days either side", record,
            "mean daily deaths, after / before", before_after(deaths, WITHDRAWAL, days, **opts),
            "after starts on 2009-06-30; interval: moving blocks of 7 days",
        ))
    mean, low, high = mean_interval(deaths, WITHDRAWAL, 30, **opts)
    rows.append(_row(
        "dozens_daily", "Dozens of civilians were killed every day after the withdrawal",
        "30 days from 2009-06-30", record, "mean daily deaths", mean, low, high,
        np.nan, mean, f"'dozens' read as at least {DOZENS:g} a day; IBC counts civilians only",
    ))
    mass = _column(daily, f"mass_bombings_{bound}")
    for days in (90, 180):
        rows.append(_ratio_row(
            "mass_bombings",
            "Mass-casualty bombings became more frequent after the withdrawal",
            f"{days} days either side", record,
            f"explosive incidents with >= {MASS_DEATHS} deaths per day, after / before",
            before_after(mass, WITHDRAWAL, days, **opts),
            "counted on the incident's start day and on this record's bound",
        ))
    bombs = _column(daily, f"explosive_deaths_{bound}")
    for days in (90, 180):
        rows.append(_ratio_row(
            "bombing_deaths",
            "Deaths in bombings rose after the withdrawal",
            f"{days} days either side", record,
            "mean daily deaths in explosive incidents, after / before",
            before_after(bombs, WITHDRAWAL, days, **opts),
            "explosive: IBC's Weapons text names a bomb, IED, mortar, rocket or grenade",
        ))
    targeted = ["religious", "minorities"]
    if all(f"{c}_deaths_{bound}" in daily for c in targeted + ["executions"]):
        sites = sum(_column(daily, f"{c}_deaths_{bound}") for c in targeted)
        rows.append(_ratio_row(
            "sectarian_targets",
            "Attacks on religious targets and minorities rose after the withdrawal",
            "90 days either side", record,
            "mean daily deaths in religious and minority targets, after / before",
            before_after(sites, WITHDRAWAL, 90, **opts),
            "target classes from IBC's Target text (centrehold.record.targets)",
        ))
        rows.append(_ratio_row(
            "executions",
            "Execution-style killings (bodies found) rose after the withdrawal",
            "90 days either side", record, "mean daily deaths in bodies found, after / before",
            before_after(_column(daily, f"executions_deaths_{bound}"), WITHDRAWAL, 90, **opts),
            "bodies are dated when found, not when killed",
        ))
    return rows


def _election_rows(daily: pd.DataFrame, record: str, bound: str, s: Settings) -> list[dict]:
    deaths = _column(daily, f"deaths_{bound}")
    opts = dict(level=s.level, resamples=s.resamples, seed=s.seed)
    statement = (
        "Violence rose in the weeks before elections (implied by the claim that parties "
        "in power stage attacks to rally their communities)"
    )
    rows = []
    runs = [(name, [date]) for name, date in ELECTIONS.items()]
    runs.append(("all three", list(ELECTIONS.values())))
    for name, dates in runs:
        result = event_study(deaths, dates, window=28, offset=-28, baseline_weeks=8, **opts)
        rows.append(_ratio_row(
            "pre_election", statement, f"28 days before: {name}", record,
            "mean daily deaths, 4 weeks before / same weekdays within 8 weeks",
            result, "national deaths, also for the Kurdistan Region's election",
        ))
    return rows


def _unmeasured_rows() -> list[dict]:
    return [
        _row(
            "crime_after_funding_cut",
            "Militias turned to crime (bank robberies) once sponsors cut their funding",
            "mid-2009", record, "none", np.nan, np.nan, np.nan, np.nan, np.nan,
            "IBC records civilian deaths, not crimes: the record cannot say",
        )
        for record in RECORDS
    ]


def premises_table(
    daily: pd.DataFrame | None = None,
    *,
    level: float = 0.9,
    resamples: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Every checkable premise of the article with the record's value and interval, on
    IBC's minimum (`ibc-min`) and maximum (`ibc-max`), in a tidy frame with
    PREMISE_COLUMNS. `daily` is a `daily_table` (default: the bundled 2008-2010 one).

    Ratios above 1 mean more in the compared days (after the withdrawal, the weeks
    before an election) than in the baseline days (before the withdrawal, the same
    weekdays nearby); `low` and `high` bound the `level` interval; `baseline` and
    `compared` are the two mean daily values.
    """
    if daily is None:
        from centrehold.record.iraq import iraq_daily

        daily = iraq_daily()
    settings = Settings(level=level, resamples=resamples, seed=seed)
    rows: list[dict] = []
    for record, bound in RECORDS.items():
        rows += _withdrawal_rows(daily, record, bound, settings)
        rows += _election_rows(daily, record, bound, settings)
    rows += _unmeasured_rows()
    table = pd.DataFrame(rows, columns=list(PREMISE_COLUMNS))
    order = {name: i for i, name in enumerate(dict.fromkeys(table["premise"]))}
    table = table.sort_values("premise", key=lambda c: c.map(order), kind="stable")
    return table.reset_index(drop=True)
