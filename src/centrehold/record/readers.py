"""Readers for event files: the IBC incident export, Beger's governorate-coded IBC file,
UCDP GED and ACLED CSV exports, all into one event frame (see `events.py`).

Each reader checks every row and lists what it rejects (bad or missing dates, negative
deaths, low above high, a wrong number of fields) with the line number where the row
starts, so the user can fix the file or accept the loss knowingly. Missing *columns*
either stop the read with a one-line error (when nothing sensible can be read) or are
reported as notes saying what was done instead (e.g. GED extracts with only `year`).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from centrehold.errors import UserError
from centrehold.record.events import ReadReport, empty_event_frame
from centrehold.record.weapons import weapon_class

FORMATS: tuple[str, ...] = ("ibc", "ibc-province", "ged", "acled")

GED_TYPES = {"1": "state-based", "2": "non-state", "3": "one-sided"}

_IBC_HEADER = "IBC code"
_MAX_NOTICE_LINES = 50


# --------------------------------------------------------------------------- raw rows


def _open_binary(path: Path) -> io.BufferedIOBase:
    """The CSV's bytes; a .zip holding one CSV (as UCDP ships GED) is opened in place."""
    if not path.exists():
        raise UserError(f"no such file: {path}; check the path")
    if path.is_dir():
        raise UserError(f"{path} is a folder: give the path of a CSV file")
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
        if len(members) != 1:
            raise UserError(
                f"{path} holds {len(members)} CSV files ({', '.join(members[:5])}): "
                "unzip it and give the one to read"
            )
        return archive.open(members[0])
    return open(path, "rb")


def _first_bad_line(path: Path, encoding: str) -> tuple[int, int]:
    """Line and byte offset of the first undecodable line (for the error message only)."""
    with _open_binary(path) as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode(encoding)
            except UnicodeDecodeError as exc:
                return number, exc.start
    return 0, 0


def _rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, fields) for every non-blank CSV row."""
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        handle = _open_binary(path)
        text = io.TextIOWrapper(handle, encoding=codec, errors="strict", newline="")
    except LookupError as exc:
        raise UserError(f"unknown encoding {encoding!r}: use e.g. utf-8 or latin-1") from exc
    reader = csv.reader(text)
    last = 0
    try:
        for row in reader:
            start = last + 1
            last = reader.line_num
            if not row or (len(row) == 1 and row[0] == ""):
                continue
            yield start, row
    except UnicodeDecodeError as exc:
        line, column = _first_bad_line(path, codec)
        raise UserError(
            f"{path} is not valid {encoding}: undecodable byte on line {line} (byte {column}); "
            "re-save the file as UTF-8 or pass --encoding latin-1"
        ) from exc
    except csv.Error as exc:
        raise UserError(
            f"{path} line {reader.line_num}: broken CSV ({exc}); fix the quoting"
        ) from exc
    finally:
        text.close()


def _collect(
    rows: Iterator[tuple[int, list[str]]], header: list[str], wanted: list[str]
) -> tuple[pd.DataFrame, list[tuple[int, str]], int]:
    """The wanted columns of every well-formed row as strings, plus rows of the wrong width."""
    index = {name: header.index(name) for name in wanted}
    width = len(header)
    columns: dict[str, list[str]] = {name: [] for name in wanted}
    lines: list[int] = []
    malformed: list[tuple[int, str]] = []
    count = 0
    for line, row in rows:
        count += 1
        if len(row) != width:
            malformed.append((line, f"has {len(row)} fields where the header has {width}"))
            continue
        lines.append(line)
        for name, position in index.items():
            columns[name].append(row[position].strip())
    frame = pd.DataFrame(columns, dtype=object)
    frame["line"] = np.asarray(lines, dtype=np.int64)
    return frame, malformed, count


class _Checks:
    """Accumulates one reason per bad row, first failure wins, then splits good from bad."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.reason = pd.Series([None] * len(frame), index=frame.index, dtype=object)

    def flag(self, mask: pd.Series, describe: Callable[[pd.Series], list[str]]) -> None:
        mask = mask & self.reason.isna()
        if mask.any():
            self.reason[mask] = describe(self.frame[mask])

    def split(self) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
        bad = self.reason.notna()
        listed = list(
            zip(self.frame.loc[bad, "line"].tolist(), self.reason[bad].tolist(), strict=True)
        )
        return self.frame[~bad].copy(), listed


def _parse_dates(values: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """Dates in the first of `formats` that fits each value; NaT where none does."""
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in formats:
        todo = out.isna() & (values != "")
        if not todo.any():
            break
        if fmt == "ISO8601":
            parsed = pd.to_datetime(values[todo], format="ISO8601", errors="coerce")
        else:
            parsed = pd.to_datetime(values[todo], format=fmt, errors="coerce")
        out[todo] = parsed.dt.tz_localize(None) if parsed.dt.tz is not None else parsed
    return out.dt.normalize()


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.replace("", np.nan), errors="coerce").astype(float)


def _check_deaths(checks: _Checks, low: str, high: str, label_low: str, label_high: str) -> None:
    frame = checks.frame
    checks.flag(frame[low].isna(), lambda f: [f"missing or non-numeric {label_low}"] * len(f))
    checks.flag(frame[high].isna(), lambda f: [f"missing or non-numeric {label_high}"] * len(f))
    checks.flag(
        (frame[low] < 0) | (frame[high] < 0),
        lambda f: [f"negative deaths ({a:g}, {b:g})" for a, b in zip(f[low], f[high], strict=True)],
    )
    checks.flag(
        frame[low] > frame[high],
        lambda f: [
            f"{label_low} {a:g} above {label_high} {b:g}"
            for a, b in zip(f[low], f[high], strict=True)
        ],
    )


def _check_dates(checks: _Checks, raw_start: str, raw_end: str | None) -> None:
    frame = checks.frame
    checks.flag(frame["start"].isna(), lambda f: [f"bad start date {v!r}" for v in f[raw_start]])
    if raw_end is not None:
        checks.flag(frame["end"].isna(), lambda f: [f"bad end date {v!r}" for v in f[raw_end]])
    checks.flag(
        frame["end"] < frame["start"],
        lambda f: [
            f"end date {e:%Y-%m-%d} before start date {s:%Y-%m-%d}"
            for s, e in zip(f["start"], f["end"], strict=True)
        ],
    )


def _finish(frame: pd.DataFrame, columns: dict[str, str | None]) -> pd.DataFrame:
    """Rename the source's columns into the event layout, filling absent ones with None."""
    out = empty_event_frame()
    result = pd.DataFrame(index=frame.index)
    for name in out.columns:
        source = columns.get(name, name)
        if source is not None and source in frame.columns:
            result[name] = frame[source]
        else:
            result[name] = np.nan if name.startswith("deaths_") else None
    for name in ("place", "admin", "type", "actor1", "actor2", "source_id"):
        result[name] = result[name].where(result[name].astype(str).str.len() > 0, None)
    result["line"] = result["line"].astype("int64")
    for name in ("deaths_low", "deaths_high", "deaths_best"):
        result[name] = result[name].astype(float)
    return result.reset_index(drop=True)[list(out.columns)]


def _require(header: list[str], needed: list[str], path: Path, layout: str) -> None:
    missing = [name for name in needed if name not in header]
    if missing:
        raise UserError(
            f"{path} lacks required column(s) {', '.join(missing)} for the {layout} layout: "
            "check --format or the file's header"
        )


def _header(rows: Iterator[tuple[int, list[str]]], path: Path) -> list[str]:
    for _line, row in rows:
        return [cell.strip() for cell in row]
    raise UserError(f"{path} is empty: give a CSV file with a header row")


# --------------------------------------------------------------------------- formats



def _ibc_dates_and_deaths(
    frame: pd.DataFrame, start: str, end: str, low: str, high: str
) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """Parse and check IBC's dates and min/max tolls, whichever spelling of the columns.

    Both IBC files share IBC's date formats and its rule that an empty end date means
    a one-day incident; only the column names differ (Beger's file dots the spaces).
    """
    formats = ("%d %b %Y", "%d %B %Y", "ISO8601")
    frame["start"] = _parse_dates(frame[start], formats)
    end_text = frame[end].where(frame[end] != "", frame[start])
    frame["End (filled)"] = end_text
    frame["end"] = _parse_dates(end_text, formats)
    frame["low"] = _numbers(frame[low])
    frame["high"] = _numbers(frame[high])
    checks = _Checks(frame)
    _check_dates(checks, start, "End (filled)")
    _check_deaths(checks, "low", "high", low, high)
    return checks.split()

def read_ibc(path: str | Path, encoding: str = "utf-8") -> tuple[pd.DataFrame, ReadReport]:
    """The IBC incident export (see `_read_ibc`)."""
    events, report, _good = _read_ibc(path, encoding)
    return events, report


def _read_ibc(
    path: str | Path, encoding: str = "utf-8"
) -> tuple[pd.DataFrame, ReadReport, pd.DataFrame]:
    """The IBC incident export: notice lines, then `IBC code, Start Date, ...`.

    Dates are written like `31 Dec 2010`; deaths come as Reported Minimum/Maximum, with
    no best value. Location is free text, so no event gets a region here: use the
    governorate-coded file for regions. Weapons, where the file has it, gives the
    event's type: its class, explosive or other (`centrehold.record.weapons`).
    """
    path = Path(path)
    report = ReadReport(path=str(path), format="ibc")
    rows = _rows(path, encoding)
    header: list[str] | None = None
    for count, (_line, row) in enumerate(rows):
        if row and row[0].strip() == _IBC_HEADER:
            header = [cell.strip() for cell in row]
            report.header_lines_skipped = _line - 1
            break
        if count >= _MAX_NOTICE_LINES:
            break
    if header is None:
        raise UserError(
            f"{path}: no header row starting with '{_IBC_HEADER}' in the first "
            f"{_MAX_NOTICE_LINES} lines; is this the IBC incident export? (check --format)"
        )
    wanted = [
        "IBC code",
        "Start Date",
        "End Date",
        "Location",
        "Reported Minimum",
        "Reported Maximum",
    ]
    _require(header, wanted, path, "IBC incident export")
    # Weapons is IBC's free-text description of the means ("car bomb", "gunfire");
    # its class (explosive or other) becomes the event type. Target is read for
    # `read_ibc_targets` only: the event frame has no column for it.
    wanted += [name for name in ("Weapons", "Target") if name in header]
    frame, malformed, count = _collect(rows, header, wanted)
    if "Weapons" in frame.columns:
        frame["weapon_class"] = weapon_class(frame["Weapons"])
    report.rows_read = count
    good, bad = _ibc_dates_and_deaths(frame, "Start Date", "End Date",
                                      "Reported Minimum", "Reported Maximum")
    report.malformed = sorted(malformed + bad)
    report.notes.append(
        "IBC Location is free text: events carry no region (use --format ibc-province)"
    )
    events = _finish(
        good,
        {
            "source_id": "IBC code",
            "place": "Location",
            "admin": None,
            "deaths_low": "low",
            "deaths_high": "high",
            "deaths_best": None,
            "type": "weapon_class" if "weapon_class" in frame.columns else None,
            "actor1": None,
            "actor2": None,
        },
    )
    report.events = len(events)
    return events, report, good


def read_ibc_targets(
    path: str | Path, encoding: str = "utf-8"
) -> tuple[pd.DataFrame, ReadReport]:
    """The IBC incident export's events with IBC's own text beside them: the event frame
    plus `target` and `weapons` (free text, empty where the export lacks the column),
    for the target classes of `centrehold.record.targets`."""
    events, report, good = _read_ibc(path, encoding)
    for column, source in (("target", "Target"), ("weapons", "Weapons")):
        values = good[source] if source in good.columns else pd.Series("", index=good.index)
        events[column] = values.fillna("").astype(str).to_numpy()
    return events, report


def read_ibc_province(path: str | Path, encoding: str = "utf-8") -> tuple[pd.DataFrame, ReadReport]:
    """Beger's governorate-coded IBC file: `IBC.code, Start.Date, ..., Province`.

    `Province` is Beger's spelling (e.g. `Dhi Quar`, `Qadisiyyah`) or `NA` where his
    place-name matching found nothing; `NA` becomes no admin name at all.
    """
    path = Path(path)
    report = ReadReport(path=str(path), format="ibc-province")
    rows = _rows(path, encoding)
    header = _header(rows, path)
    wanted = [
        "IBC.code",
        "Start.Date",
        "End.Date",
        "Reported.Minimum",
        "Reported.Maximum",
        "Province",
    ]
    _require(header, wanted, path, "governorate-coded IBC")
    frame, malformed, count = _collect(rows, header, wanted)
    report.rows_read = count
    frame["province"] = frame["Province"].where(~frame["Province"].isin(["NA", ""]), "")
    good, bad = _ibc_dates_and_deaths(frame, "Start.Date", "End.Date",
                                      "Reported.Minimum", "Reported.Maximum")
    report.malformed = sorted(malformed + bad)
    events = _finish(
        good,
        {
            "source_id": "IBC.code",
            "place": "province",
            "admin": "province",
            "deaths_low": "low",
            "deaths_high": "high",
            "deaths_best": None,
            "type": None,
            "actor1": None,
            "actor2": None,
        },
    )
    report.events = len(events)
    return events, report


_GED_DEATH_PARTS = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")


def _collect_country(rows, header: list[str], wanted: list[str], country: str | None,
                     path: Path, report: ReadReport) -> tuple[pd.DataFrame, list]:
    """The wanted columns of every row (and the malformed ones), kept to one `country`
    when it is given; the rows read and those left out go in the report."""
    if country is not None:
        if "country" not in header:
            raise UserError(f"{path} has no `country` column: drop --country to read it all")
        wanted = [*wanted, "country"]
    frame, malformed, count = _collect(rows, header, wanted)
    report.rows_read = count
    if country is not None:
        keep = frame["country"].str.casefold() == country.casefold()
        report.filtered_out = int((~keep).sum())
        frame = frame[keep].reset_index(drop=True)
        if frame.empty and count:
            report.notes.append(f"no rows with country {country!r}: check its spelling")
    return frame, malformed


def _ged_columns(has: set[str], path: Path, report: ReadReport
                 ) -> tuple[list[str], list[str]]:
    """The date and death columns a GED file offers, noting each fallback in the report;
    refused when it has neither dates nor deaths."""
    if "date_start" not in has and "year" not in has:
        raise UserError(
            f"{path} has neither date_start/date_end nor year: it is not a UCDP GED file "
            "(check --format)"
        )
    if "date_start" in has:
        date_cols = ["date_start", "date_end"] if "date_end" in has else ["date_start"]
        if "date_end" not in has:
            report.notes.append("no `date_end`: each event taken to last one day")
    else:
        date_cols = ["year"]
        report.date_precision = "year"
        report.notes.append(
            "no date columns: only `year` (events span their whole year and cannot be "
            "placed in months)"
        )
    if {"best", "low", "high"} <= has:
        death_cols = ["best", "low", "high"]
    elif "best" in has:
        death_cols = ["best"]
        report.notes.append("no `low`/`high`: both set to `best`")
    elif set(_GED_DEATH_PARTS) <= has:
        death_cols = list(_GED_DEATH_PARTS)
        report.notes.append(
            "no `best/low/high`: best = deaths_a + deaths_b + deaths_civilians + "
            "deaths_unknown, and low = high = best"
        )
    else:
        raise UserError(
            f"{path} has no death columns (best/low/high or deaths_a/b/civilians/unknown): "
            "it is not a UCDP GED file (check --format)"
        )
    optional = {
        "adm_1": "no `adm_1`: events carry no admin name, so none gets a region",
        "type_of_violence": "no `type_of_violence`: events carry no type",
        "side_a": "no `side_a`: actors unknown",
        "side_b": "no `side_b`: second actor unknown",
    }
    for column, note in optional.items():
        if column not in has:
            report.notes.append(note)
    return date_cols, death_cols


def _ged_values(frame: pd.DataFrame, date_cols: list[str], death_cols: list[str]) -> None:
    """Parsed dates (`start`, `end`), deaths (`best_n`, `low_n`, `high_n`) and the type's
    name, added to `frame`; what does not parse is left missing for the checks."""
    if date_cols[0] == "date_start":
        frame["start"] = _parse_dates(frame["date_start"], ("ISO8601",))
        frame["end"] = _parse_dates(frame[date_cols[-1]], ("ISO8601",))
    else:
        year = pd.to_numeric(frame["year"], errors="coerce")
        good_year = year.between(1000, 9999)
        text = year.where(good_year).astype("Int64").astype(str)
        frame["start"] = pd.to_datetime(text + "-01-01", errors="coerce")
        frame["end"] = pd.to_datetime(text + "-12-31", errors="coerce")
    if death_cols == list(_GED_DEATH_PARTS):
        parts = [_numbers(frame[c]) for c in _GED_DEATH_PARTS]
        frame["best_n"] = sum(parts[1:], parts[0])
        frame["low_n"] = frame["best_n"]
        frame["high_n"] = frame["best_n"]
    else:
        frame["best_n"] = _numbers(frame["best"])
        frame["low_n"] = _numbers(frame["low"]) if "low" in frame else frame["best_n"]
        frame["high_n"] = _numbers(frame["high"]) if "high" in frame else frame["best_n"]
    if "type_of_violence" in frame:
        frame["type_name"] = frame["type_of_violence"].map(GED_TYPES)


def _ged_checks(frame: pd.DataFrame, date_cols: list[str], death_cols: list[str]
                ) -> tuple[pd.DataFrame, list]:
    """The rows that pass every check, and the others with the reason for each."""
    checks = _Checks(frame)
    if date_cols[0] == "date_start":
        _check_dates(checks, "date_start", "date_end" if "date_end" in date_cols else None)
    else:
        checks.flag(frame["start"].isna(), lambda f: [f"bad year {v!r}" for v in f["year"]])
    if death_cols == list(_GED_DEATH_PARTS):
        checks.flag(frame["best_n"].isna(), lambda f: ["missing or non-numeric deaths_*"] * len(f))
        checks.flag(
            frame["best_n"] < 0, lambda f: [f"negative deaths ({v:g})" for v in f["best_n"]]
        )
    else:
        checks.flag(frame["best_n"].isna(), lambda f: ["missing or non-numeric best"] * len(f))
        checks.flag(frame["best_n"] < 0, lambda f: [f"negative best ({v:g})" for v in f["best_n"]])
        _check_deaths(checks, "low_n", "high_n", "low", "high")
        checks.flag(
            (frame["best_n"] < frame["low_n"]) | (frame["best_n"] > frame["high_n"]),
            lambda f: [
                f"best {b:g} outside low-high {lo:g}-{hi:g}"
                for b, lo, hi in zip(f["best_n"], f["low_n"], f["high_n"], strict=True)
            ],
        )
    if "type_of_violence" in frame:
        checks.flag(
            frame["type_name"].isna(),
            lambda f: [f"type_of_violence {v!r} is not 1, 2 or 3" for v in f["type_of_violence"]],
        )
    return checks.split()


def read_ged(
    path: str | Path, encoding: str = "utf-8", country: str | None = None
) -> tuple[pd.DataFrame, ReadReport]:
    """UCDP GED in its published CSV layout (any country; `country` keeps one).

    Uses `date_start`/`date_end`, `adm_1`, `type_of_violence` (1 state-based, 2
    non-state, 3 one-sided), `side_a`/`side_b` and `best`/`low`/`high`. Partial
    extracts are read where it is honest to: only `year` gives year-long date ranges,
    no `best/low/high` falls back to the sum of `deaths_a/b/civilians/unknown` (GED's
    own definition of best), and each such fallback is stated in the report's notes.
    """
    path = Path(path)
    report = ReadReport(path=str(path), format="ged")
    rows = _rows(path, encoding)
    header = _header(rows, path)
    has = set(header)
    date_cols, death_cols = _ged_columns(has, path, report)
    place_col = next(
        (c for c in ("where_coordinates", "adm_2", "adm_1", "where_description") if c in has),
        None,
    )
    id_col = "id" if "id" in has else None
    wanted = [c for c in ([id_col] if id_col else []) + date_cols + death_cols]
    wanted += [c for c in ("adm_1", "type_of_violence", "side_a", "side_b") if c in has]
    if place_col and place_col not in wanted:
        wanted.append(place_col)
    frame, malformed = _collect_country(rows, header, wanted, country, path, report)
    _ged_values(frame, date_cols, death_cols)
    good, bad = _ged_checks(frame, date_cols, death_cols)
    report.malformed = sorted(malformed + bad)
    events = _finish(
        good,
        {
            "source_id": id_col,
            "place": place_col,
            "admin": "adm_1",
            "deaths_low": "low_n",
            "deaths_high": "high_n",
            "deaths_best": "best_n",
            "type": "type_name",
            "actor1": "side_a",
            "actor2": "side_b",
        },
    )
    report.events = len(events)
    return events, report


def read_acled(
    path: str | Path, encoding: str = "utf-8", country: str | None = None
) -> tuple[pd.DataFrame, ReadReport]:
    """ACLED's CSV export: `event_date, admin1, event_type, actor1, actor2, fatalities, ...`.

    Dates may be ISO (`2020-03-15`) or spelled out (`15 March 2020`), as ACLED's exports
    have used both. ACLED gives one fatality figure, so low = high = best.
    """
    path = Path(path)
    report = ReadReport(path=str(path), format="acled")
    rows = _rows(path, encoding)
    header = _header(rows, path)
    has = set(header)
    _require(header, ["event_date", "fatalities"], path, "ACLED export")
    if "admin1" not in has:
        report.notes.append("no `admin1`: events carry no admin name, so none gets a region")
    if "event_type" not in has:
        report.notes.append("no `event_type`: events carry no type")
    id_col = next((c for c in ("event_id_cnty", "data_id", "event_id") if c in has), None)
    wanted = ([id_col] if id_col else []) + ["event_date", "fatalities"]
    wanted += [c for c in ("admin1", "event_type", "actor1", "actor2", "location") if c in has]
    frame, malformed = _collect_country(rows, header, wanted, country, path, report)
    frame["start"] = _parse_dates(frame["event_date"], ("ISO8601", "%d %B %Y", "%d %b %Y"))
    frame["end"] = frame["start"]
    frame["deaths"] = _numbers(frame["fatalities"])
    checks = _Checks(frame)
    checks.flag(frame["start"].isna(), lambda f: [f"bad event_date {v!r}" for v in f["event_date"]])
    checks.flag(frame["deaths"].isna(), lambda f: ["missing or non-numeric fatalities"] * len(f))
    checks.flag(
        frame["deaths"] < 0, lambda f: [f"negative fatalities ({v:g})" for v in f["deaths"]]
    )
    good, bad = checks.split()
    report.malformed = sorted(malformed + bad)
    place = "location" if "location" in has else "admin1"
    events = _finish(
        good,
        {
            "source_id": id_col,
            "place": place,
            "admin": "admin1",
            "deaths_low": "deaths",
            "deaths_high": "deaths",
            "deaths_best": "deaths",
            "type": "event_type",
            "actor1": "actor1",
            "actor2": "actor2",
        },
    )
    report.events = len(events)
    return events, report


# --------------------------------------------------------------------------- dispatch


def detect_format(path: str | Path, encoding: str = "utf-8") -> str:
    """Guess the layout from the header (the first rows only)."""
    path = Path(path)
    seen: list[list[str]] = []
    for _line, row in _rows(path, encoding):
        cells = [cell.strip() for cell in row]
        if cells and cells[0] == _IBC_HEADER:
            return "ibc"
        seen.append(cells)
        if len(seen) > _MAX_NOTICE_LINES:
            break
    if not seen:
        raise UserError(f"{path} is empty: give a CSV file with a header row")
    first = set(seen[0])
    if "IBC.code" in first and "Province" in first:
        return "ibc-province"
    if "event_date" in first and "fatalities" in first:
        return "acled"
    if ("date_start" in first or "year" in first) and (
        {"best", "side_a", "type_of_violence"} & first or set(_GED_DEATH_PARTS) <= first
    ):
        return "ged"
    if seen and seen[0] and re.match(r"data compiled by iraq body count", seen[0][0], re.I):
        return "ibc"
    raise UserError(
        f"{path}: cannot tell the layout from its header; pass --format ({'|'.join(FORMATS)})"
    )


def read_events(
    path: str | Path,
    format: str | None = None,
    *,
    encoding: str = "utf-8",
    country: str | None = None,
) -> tuple[pd.DataFrame, ReadReport]:
    """Read any supported file into the event frame; `format=None` detects it."""
    fmt = format or detect_format(path, encoding)
    if fmt == "ibc":
        return read_ibc(path, encoding)
    if fmt == "ibc-province":
        return read_ibc_province(path, encoding)
    if fmt == "ged":
        return read_ged(path, encoding, country=country)
    if fmt == "acled":
        return read_acled(path, encoding, country=country)
    raise UserError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
