"""From events to region x month (x type) tables, and the whole import in one call.

An incident counts in the month (or year) of its start date. Multi-day incidents are
not spread over the days they span: the sources give no daily split, and spreading
would invent one. This is also how SOURCES.md's governorate-month panel was built,
which the tests check against.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from centrehold.errors import UserError
from centrehold.record.events import ReadReport
from centrehold.record.names import RegionMap, assign_regions, iraq_region_map
from centrehold.record.observations import UNKNOWN_REGION
from centrehold.record.readers import read_events

AGGREGATE_COLUMNS = ("period", "region", "incidents", "deaths_low", "deaths_high", "deaths_best")


def aggregate(
    events: pd.DataFrame,
    freq: str = "month",
    by_type: bool = False,
    date_precision: str = "day",
) -> pd.DataFrame:
    """Incidents and deaths (low, high, best) by period and region (and type if asked).

    Events with no region are kept under `UNKNOWN_REGION`, so national totals are
    complete. `deaths_best` is NaN where the source gives no best value at all.
    """
    if freq not in ("month", "year"):
        raise UserError(f"unknown period {freq!r}: use month or year")
    if freq == "month" and date_precision == "year":
        raise UserError(
            "these events carry only a year, so they cannot be counted by month: "
            "aggregate by year instead"
        )
    frame = events.copy()
    code = "M" if freq == "month" else "Y"
    frame["period"] = frame["start"].dt.to_period(code).dt.to_timestamp()
    frame["region"] = frame["region"].where(frame["region"].notna(), UNKNOWN_REGION)
    keys = ["period", "region"]
    if by_type:
        frame["type"] = frame["type"].where(frame["type"].notna(), "unknown")
        keys.append("type")
    grouped = frame.groupby(keys, sort=True)
    out = pd.DataFrame(
        {
            "incidents": grouped.size(),
            "deaths_low": grouped["deaths_low"].sum(),
            "deaths_high": grouped["deaths_high"].sum(),
            "deaths_best": grouped["deaths_best"].sum(min_count=1),
        }
    ).reset_index()
    out["incidents"] = out["incidents"].astype("int64")
    return out


def summarise(events: pd.DataFrame, report: ReadReport) -> ReadReport:
    """Fill the report's region and date-range facts from the (mapped) events."""
    unlocated = events["region"].isna()
    report.unlocated_events = int(unlocated.sum())
    report.unlocated_deaths_low = float(events.loc[unlocated, "deaths_low"].sum())
    report.unlocated_deaths_high = float(events.loc[unlocated, "deaths_high"].sum())
    if len(events):
        fmt = "%Y" if report.date_precision == "year" else "%Y-%m-%d"
        report.first_date = f"{events['start'].min():{fmt}}"
        report.last_date = f"{events['end'].max():{fmt}}"
    return report


def import_record(
    path: str | Path,
    format: str | None = None,
    *,
    region_map: RegionMap | None = None,
    country: str | None = None,
    encoding: str = "utf-8",
    by_type: bool | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, ReadReport]:
    """Read, map names to regions, aggregate: (events, table, report).

    The table is by month, or by year when the file carries only years (stated in the
    report). `by_type=None` splits by type whenever the source has types.
    """
    events, report = read_events(path, format, encoding=encoding, country=country)
    events = assign_regions(events, region_map or iraq_region_map(), report)
    summarise(events, report)
    if by_type is None:
        by_type = bool(events["type"].notna().any())
    freq = "year" if report.date_precision == "year" else "month"
    table = aggregate(events, freq=freq, by_type=by_type, date_precision=report.date_precision)
    return events, table, report


def write_table(table: pd.DataFrame, report: ReadReport, out: str | Path) -> Path:
    """Parquet with the read report in the file's metadata (key `centrehold_report`).

    Written to a temporary name first, so a crash never leaves half a file.
    """
    out = Path(out)
    if out.suffix != ".parquet":
        raise UserError(f"output {out} must end in .parquet")
    out.parent.mkdir(parents=True, exist_ok=True)
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    meta = dict(arrow.schema.metadata or {})
    meta[b"centrehold_report"] = json.dumps(report.to_dict()).encode()
    arrow = arrow.replace_schema_metadata(meta)
    tmp = out.with_name(out.name + ".tmp")
    pq.write_table(arrow, tmp, compression="zstd")
    tmp.replace(out)
    return out


def read_table(path: str | Path) -> tuple[pd.DataFrame, dict]:
    """A table written by `write_table`, with its read report as a dict."""
    arrow = pq.read_table(path)
    meta = arrow.schema.metadata or {}
    report = json.loads(meta.get(b"centrehold_report", b"{}"))
    return arrow.to_pandas(), report
