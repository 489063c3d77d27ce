"""The observed record for the built-in iraq-2009 scenario, from the bundled tables.

The tables in `record/bundled/` are small aggregates derived from Iraq Body Count's
incident export as coded by governorate (Beger 2012), made by
`scripts/derive_iraq_record.py`; they let the record be used with no raw data at hand.
Their citation and licence are in `record/bundled/README.md` (IBC: non-commercial use
with attribution; Beger's coding: CC BY-NC-SA 3.0).
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from centrehold.errors import UserError
from centrehold.record.observations import TARGET_GROUPS, EvidenceInput
from centrehold.record.targets import TARGET_CLASSES

BUNDLED_START, BUNDLED_END = "2008-01", "2010-12"
BOUNDS = ("low", "high", "mid")


def _bundled(name: str) -> pd.DataFrame:
    path = resources.files("centrehold.record").joinpath(f"bundled/{name}")
    with resources.as_file(path) as local:
        return pd.read_csv(local, keep_default_na=False)


def _months(start: str, end: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    try:
        lo = pd.Timestamp(start).to_period("M").to_timestamp()
        hi = pd.Timestamp(end).to_period("M").to_timestamp()
    except (ValueError, TypeError) as exc:
        raise UserError(f"bad month in {start!r}..{end!r}: write months as YYYY-MM") from exc
    if hi < lo:
        raise UserError(f"window ends ({end}) before it starts ({start}): swap them")
    if lo < pd.Timestamp(BUNDLED_START) or hi > pd.Timestamp(BUNDLED_END):
        raise UserError(
            f"the bundled iraq record covers {BUNDLED_START}..{BUNDLED_END}; "
            f"choose a window inside it (got {start}..{end})"
        )
    return lo, hi


def _deaths(frame: pd.DataFrame, bound: str, prefix: str = "") -> pd.Series:
    if bound not in BOUNDS:
        raise UserError(f"unknown bound {bound!r}: use low, high or mid")
    if bound == "mid":
        return (frame[f"{prefix}deaths_low"] + frame[f"{prefix}deaths_high"]) / 2.0
    return frame[f"{prefix}deaths_{bound}"].astype(float)


def iraq_panel(start: str = BUNDLED_START, end: str = BUNDLED_END) -> pd.DataFrame:
    """Governorate x month: month (Timestamp), region, incidents, deaths_low, deaths_high,
    and the same three for explosive incidents only (`explosive_incidents`, ...).

    Complete (zeros included); region `UNKNOWN` holds the incidents Beger's coding
    could not place (about 12% of 2009 deaths). Explosive means IBC's Weapons text
    names a bomb, IED, suicide attack, mortar, rocket or grenade
    (`centrehold.record.weapons`).
    """
    lo, hi = _months(start, end)
    panel = _bundled("iraq_ibc_governorate_month.csv")
    panel["month"] = pd.to_datetime(panel["month"], format="%Y-%m")
    return panel[(panel["month"] >= lo) & (panel["month"] <= hi)].reset_index(drop=True)


def iraq_size_classes(start: str = BUNDLED_START, end: str = BUNDLED_END) -> pd.DataFrame:
    """Incidents by month and size class, counted on the minimum and on the maximum."""
    lo, hi = _months(start, end)
    table = _bundled("iraq_ibc_size_classes.csv")
    table["month"] = pd.to_datetime(table["month"], format="%Y-%m")
    return table[(table["month"] >= lo) & (table["month"] <= hi)].reset_index(drop=True)


def iraq_incident_sizes(
    start: str = BUNDLED_START, end: str = BUNDLED_END, bound: str = "high"
) -> np.ndarray:
    """Deaths per incident (one entry per incident, sorted by month) in the window."""
    lo, hi = _months(start, end)
    table = _bundled("iraq_ibc_incident_sizes.csv")
    table["month"] = pd.to_datetime(table["month"], format="%Y-%m")
    table = table[(table["month"] >= lo) & (table["month"] <= hi)]
    return np.repeat(_deaths(table, bound).to_numpy(), table["incidents"].to_numpy())


def iraq_governorate_classes() -> pd.DataFrame:
    """2009 composition class of each governorate (hand-assigned from SIGIR shares)."""
    return _bundled("iraq_governorate_classes.csv")


def iraq_class_map() -> dict[str, str]:
    """Region code -> 2009 composition class, for `evidence_table(classes=...)`."""
    table = iraq_governorate_classes()
    return dict(zip(table["region"], table["class"], strict=True))


def mixed_governorates(classes: tuple[str, ...] = ("mixed",)) -> tuple[str, ...]:
    """Codes of the governorates whose 2009 class is one of `classes`."""
    table = iraq_governorate_classes()
    return tuple(sorted(table.loc[table["class"].isin(classes), "region"]))


def iraq_observed(
    start: str = "2008-01", end: str = "2009-12", bound: str = "high"
) -> EvidenceInput:
    """The observed EvidenceInput for iraq-2009: IBC deaths by month and governorate
    (with the part in explosive incidents), and every incident's size, in [start, end].

    `bound` picks IBC's reported maximum (default, as in IBC's own monthly table),
    minimum, or their midpoint; the same bound is used for the monthly deaths and the
    incident sizes.
    """
    panel = iraq_panel(start, end)
    monthly = pd.DataFrame(
        {
            "month": panel["month"],
            "region": panel["region"],
            "deaths": _deaths(panel, bound),
            "explosive": _deaths(panel, bound, "explosive_"),
        }
    )
    classes = iraq_target_classes(start, end)
    classes["deaths"] = _deaths(classes, bound)
    group_of = {c: g for g, members in TARGET_GROUPS.items() for c in members}
    classes["group"] = "target_" + classes["target_class"].map(group_of).fillna("unknown")
    wide = classes[classes["group"] != "target_unknown"].pivot_table(
        index=["month", "region"], columns="group", values="deaths", aggfunc="sum",
        fill_value=0.0)
    monthly = monthly.merge(wide.reset_index(), on=["month", "region"], how="left")
    monthly = monthly.fillna({c: 0.0 for c in wide.columns})
    lo, hi = _months(start, end)
    daily = iraq_daily(f"{lo:%Y-%m-%d}", f"{hi + pd.offsets.MonthEnd(0):%Y-%m-%d}")
    column = {"high": "deaths_high", "low": "deaths_low"}.get(bound)
    series = (daily[column] if column else (daily["deaths_high"] + daily["deaths_low"]) / 2)
    return EvidenceInput(monthly=monthly, sizes=iraq_incident_sizes(start, end, bound),
                         daily=series.rename("deaths"))


def iraq_target_classes(
    start: str = BUNDLED_START, end: str = BUNDLED_END, by_community: bool = False
) -> pd.DataFrame:
    """Incidents and deaths (low, high) by month, governorate and target class.

    The classes are those of `centrehold.record.targets`, read from IBC's Target text
    (agreement with hand labels: tests/record/fixtures/README.md). Complete over
    month x region x class (zeros included) and summing, for every month and region,
    to `iraq_panel`. With `by_community`, only the rows with incidents are returned and
    religious targets are split by the community the text names (`shia`, `sunni`,
    `christian`, or empty).
    """
    lo, hi = _months(start, end)
    table = _bundled("iraq_ibc_target_classes.csv")
    table["month"] = pd.to_datetime(table["month"], format="%Y-%m")
    table = table[(table["month"] >= lo) & (table["month"] <= hi)]
    if by_community:
        return table.reset_index(drop=True)
    counts = ["incidents", "deaths_low", "deaths_high"]
    summed = table.groupby(["month", "region", "target_class"])[counts].sum()
    regions = sorted(set(_bundled("iraq_ibc_governorate_month.csv")["region"]))
    full = pd.MultiIndex.from_product(
        [pd.date_range(lo, hi, freq="MS"), regions, list(TARGET_CLASSES)],
        names=["month", "region", "target_class"],
    )
    return summed.reindex(full, fill_value=0).reset_index()


def iraq_target_shares(
    start: str = BUNDLED_START,
    end: str = BUNDLED_END,
    bound: str = "high",
    by: tuple[str, ...] = ("month",),
) -> pd.DataFrame:
    """Each target class's share of deaths within every group of `by` (any of month,
    region): one column per class, rows summing to 1 (NaN where a group has no deaths).
    """
    unknown = [name for name in by if name not in ("month", "region")]
    if unknown:
        raise UserError(f"cannot group target shares by {unknown}: use month and/or region")
    table = iraq_target_classes(start, end)
    table["deaths"] = _deaths(table, bound)
    keys = list(by) or ["window"]
    table["window"] = f"{start}..{end}"
    wide = table.pivot_table(index=keys, columns="target_class", values="deaths", aggfunc="sum")
    totals = wide.sum(axis=1)
    return wide.div(totals.where(totals > 0), axis=0)


def iraq_daily(start: str = "2008-01-01", end: str | None = None) -> pd.DataFrame:
    """Daily national series, indexed by date, from incidents starting in 2008-2010:
    `incidents` (by start day), `deaths_low/high` and `explosive_deaths_low/high`
    (multi-day incidents spread evenly over their days), `mass_bombings_low/high`
    (explosive incidents with at least 10 deaths, by start day) and
    `<target class>_deaths_low/high` (`centrehold.record.premises.daily_table`).
    The series runs to the last incident's end (2010-12-31).
    """
    table = _bundled("iraq_ibc_daily.csv")
    table.index = pd.DatetimeIndex(pd.to_datetime(table.pop("date")), name="date")
    try:
        lo = pd.Timestamp(start)
        hi = pd.Timestamp(end) if end is not None else table.index.max()
    except (ValueError, TypeError) as exc:
        raise UserError(f"bad date in {start!r}..{end!r}: write dates as YYYY-MM-DD") from exc
    if lo < table.index.min() or hi > table.index.max() or hi < lo:
        raise UserError(
            f"the bundled daily record covers {table.index.min():%Y-%m-%d}.."
            f"{table.index.max():%Y-%m-%d}; choose dates inside it (got {start}..{end})"
        )
    return table.loc[lo:hi].astype(float)
