"""One event interface for every source, and the report that travels with a read.

Sources disagree on almost everything (dates, death columns, what a place is), so
each reader translates into the same shape: a row per incident with a date range,
the place as written, the admin name as written, the mapped region, deaths low/high
(and best where the source has one), a type and the actors where known. The
columnar form (a DataFrame with `EVENT_COLUMNS`) is what the code uses for speed;
`Event` is the same thing one row at a time, for people and tests.

Nothing is dropped silently: every row a reader rejects is listed in the
`ReadReport` with its line number and the reason.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

EVENT_COLUMNS: tuple[str, ...] = (
    "source_id",
    "line",
    "start",
    "end",
    "place",
    "admin",
    "region",
    "deaths_low",
    "deaths_high",
    "deaths_best",
    "type",
    "actor1",
    "actor2",
)


@dataclass(frozen=True)
class Event:
    """One incident as the source recorded it (deaths as a range; `best` may be NaN)."""

    start: dt.date
    end: dt.date
    place: str
    region: str | None
    deaths_low: float
    deaths_high: float
    deaths_best: float = math.nan
    type: str | None = None
    actors: tuple[str, ...] = ()
    admin: str | None = None
    source_id: str = ""
    line: int = 0


@dataclass
class ReadReport:
    """What happened while reading a file, for the user to judge the record by."""

    path: str
    format: str
    rows_read: int = 0
    header_lines_skipped: int = 0
    malformed: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    date_precision: str = "day"
    unmatched: dict[str, int] = field(default_factory=dict)
    filtered_out: int = 0
    events: int = 0
    unlocated_events: int = 0
    unlocated_deaths_low: float = 0.0
    unlocated_deaths_high: float = 0.0
    first_date: str | None = None
    last_date: str | None = None

    def lines(self, max_listed: int = 20) -> list[str]:
        """Human-readable summary, one fact a line; long lists are cut after `max_listed`."""
        out = [f"{self.path} read as {self.format}"]
        if self.header_lines_skipped:
            out.append(f"notice lines before the header: {self.header_lines_skipped}")
        out.append(f"rows read: {self.rows_read}; events kept: {self.events}")
        if self.filtered_out:
            out.append(f"rows for other countries left out: {self.filtered_out}")
        out.append(f"malformed rows (left out): {len(self.malformed)}")
        for line, reason in self.malformed[:max_listed]:
            out.append(f"  line {line}: {reason}")
        if len(self.malformed) > max_listed:
            out.append(f"  ... and {len(self.malformed) - max_listed} more")
        out.extend(f"note: {note}" for note in self.notes)
        if self.unmatched:
            listed = sorted(self.unmatched.items(), key=lambda kv: (-kv[1], kv[0]))
            out.append(f"unmatched admin names (kept in national totals): {len(listed)}")
            for name, count in listed[:max_listed]:
                out.append(f"  {name!r}: {count} events")
            if len(listed) > max_listed:
                out.append(f"  ... and {len(listed) - max_listed} more")
        out.append(
            f"events without region (in national totals only): {self.unlocated_events} "
            f"({self.unlocated_deaths_low:g}-{self.unlocated_deaths_high:g} deaths)"
        )
        span = f"{self.first_date} to {self.last_date}" if self.first_date else "none"
        out.append(f"date range: {span} (precision: {self.date_precision})")
        return out

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "format": self.format,
            "rows_read": self.rows_read,
            "header_lines_skipped": self.header_lines_skipped,
            "malformed": [{"line": line, "reason": reason} for line, reason in self.malformed],
            "notes": list(self.notes),
            "date_precision": self.date_precision,
            "unmatched": dict(self.unmatched),
            "filtered_out": self.filtered_out,
            "events": self.events,
            "unlocated_events": self.unlocated_events,
            "unlocated_deaths_low": self.unlocated_deaths_low,
            "unlocated_deaths_high": self.unlocated_deaths_high,
            "first_date": self.first_date,
            "last_date": self.last_date,
        }


def empty_event_frame() -> pd.DataFrame:
    """An event frame with no rows but the right columns and dtypes."""
    return pd.DataFrame(
        {
            "source_id": pd.Series(dtype=object),
            "line": pd.Series(dtype="int64"),
            "start": pd.Series(dtype="datetime64[ns]"),
            "end": pd.Series(dtype="datetime64[ns]"),
            "place": pd.Series(dtype=object),
            "admin": pd.Series(dtype=object),
            "region": pd.Series(dtype=object),
            "deaths_low": pd.Series(dtype=float),
            "deaths_high": pd.Series(dtype=float),
            "deaths_best": pd.Series(dtype=float),
            "type": pd.Series(dtype=object),
            "actor1": pd.Series(dtype=object),
            "actor2": pd.Series(dtype=object),
        }
    )


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value)
    return text if text else None


def frame_to_events(frame: pd.DataFrame) -> list[Event]:
    """The row-at-a-time view of an event frame (slow; for inspection and tests)."""
    events = []
    for row in frame.itertuples(index=False):
        actors = tuple(a for a in (_text(row.actor1), _text(row.actor2)) if a)
        events.append(
            Event(
                start=row.start.date(),
                end=row.end.date(),
                place=_text(row.place) or "",
                region=_text(row.region),
                deaths_low=float(row.deaths_low),
                deaths_high=float(row.deaths_high),
                deaths_best=float(row.deaths_best),
                type=_text(row.type),
                actors=actors,
                admin=_text(row.admin),
                source_id=_text(row.source_id) or "",
                line=int(row.line),
            )
        )
    return events


def events_to_frame(events: list[Event]) -> pd.DataFrame:
    """The columnar form of a list of events (the inverse of `frame_to_events`)."""
    if not events:
        return empty_event_frame()
    frame = pd.DataFrame(
        {
            "source_id": [e.source_id for e in events],
            "line": [e.line for e in events],
            "start": pd.to_datetime([e.start for e in events]),
            "end": pd.to_datetime([e.end for e in events]),
            "place": [e.place for e in events],
            "admin": [e.admin for e in events],
            "region": [e.region for e in events],
            "deaths_low": [float(e.deaths_low) for e in events],
            "deaths_high": [float(e.deaths_high) for e in events],
            "deaths_best": [float(e.deaths_best) for e in events],
            "type": [e.type for e in events],
            "actor1": [e.actors[0] if len(e.actors) > 0 else None for e in events],
            "actor2": [e.actors[1] if len(e.actors) > 1 else None for e in events],
        }
    )
    frame["line"] = frame["line"].astype("int64")
    return frame
