"""A user's event file (a UCDP GED or ACLED export, or an IBC incident file) as the record.

`compare --record PATH` weighs the hypotheses against such a file instead of the
bundled IBC panel. A file gives dates, places and deaths, so only the statistics built
from those are observed: monthly deaths by governorate, incident sizes and the daily
series of the event studies. The bombing share, the target classes and the article's
premises are read from IBC's own fields, so they are absent for a file (the distance
and the ACH matrix use what both sides have; docs/evidence.md).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from centrehold.errors import UserError
from centrehold.record.event_study import spread_daily
from centrehold.record.names import RegionMap, assign_regions, iraq_region_map
from centrehold.record.observations import UNKNOWN_REGION, EvidenceInput
from centrehold.record.readers import detect_format, read_events


def coverage_note(label: str) -> str:
    """What a record read from an event file counts, for the verdict's limits."""
    return (f"the record is the event file {label}, read for dates, places and deaths only "
            "(no bombing share, targets or premises), with its source's coverage; the "
            "model's deaths stand for IBC's civilian deaths, so a file that also counts "
            "combatants (UCDP GED, ACLED) is weighed as if it did not")


def _window(start: str, end: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the months [start, end]."""
    lo = pd.Timestamp(start).to_period("M").to_timestamp()
    hi = pd.Timestamp(end).to_period("M").to_timestamp() + pd.offsets.MonthEnd(0)
    return lo, hi


def read_external(
    path: str | Path, region_map: RegionMap | None = None
) -> pd.DataFrame:
    """The file's events with a region code and one death count each (GED's and ACLED's
    best estimate; the maximum where a source gives no best), dated to the day."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"no such record file: {path}; give a UCDP GED or ACLED CSV export, "
                        "or --record ibc-max")
    try:
        fmt = detect_format(path)
    except UserError:
        raise UserError(f"{path}: its header is neither UCDP GED's nor ACLED's; export the "
                        "events as CSV from UCDP or ACLED, or use --record ibc-max") from None
    events, report = read_events(path, fmt)
    events = assign_regions(events, region_map or iraq_region_map(), report)
    if report.date_precision == "year":
        raise UserError(f"{path} dates its events by year only; compare needs days: export "
                        "the events with date_start and date_end")
    deaths = events["deaths_best"].where(events["deaths_best"].notna(), events["deaths_high"])
    end = events["end"].where(events["end"].notna(), events["start"])
    return pd.DataFrame({
        "start": events["start"].dt.normalize(),
        "end": end.dt.normalize(),
        "region": events["region"].where(events["region"].notna(), UNKNOWN_REGION),
        "deaths": deaths.astype(float),
    })


def external_observed(
    events: pd.DataFrame, start: str, end: str, regions: list[str] | None = None,
    source: str = "the record file",
) -> EvidenceInput:
    """The EvidenceInput of `read_external`'s events in the months [start, end].

    Every month of the window gets a row for every region (zero where nothing was
    recorded), so a quiet month counts as zero rather than as missing. An event that
    spans several days spreads its deaths evenly over them in the daily series, as the
    bundled IBC series does; it counts in the month it starts.
    """
    lo, hi = _window(start, end)
    inside = events[(events["start"] >= lo) & (events["start"] <= hi)]
    if inside.empty:
        raise UserError(f"{source} has no events from {lo:%Y-%m} to {hi:%Y-%m}: compare needs "
                        "the fit and test windows covered; export a longer period")
    months = pd.date_range(lo, hi, freq="MS")
    regions = sorted(set(regions or iraq_region_map().regions) | set(inside["region"]))
    grid = pd.MultiIndex.from_product([months, regions], names=["month", "region"])
    monthly = (inside.assign(month=inside["start"].dt.to_period("M").dt.to_timestamp())
               .groupby(["month", "region"])["deaths"].sum()
               .reindex(grid, fill_value=0.0).reset_index())
    sizes = inside.loc[inside["deaths"] >= 1, "deaths"].to_numpy(dtype=float)
    daily = spread_daily(inside["start"], inside["end"], inside["deaths"], lo, hi)
    return EvidenceInput(monthly=monthly, sizes=sizes, daily=daily.rename("deaths"))
