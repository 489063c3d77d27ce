"""Scenario tables (CSV files beside the YAML) checked cell by cell when a scenario loads.

Why not pandas: a table's mistake must come back as one line naming the file, the
CSV line, the column and the fix. pandas reports neither lines nor which cell failed,
guesses types per column (a date string in a number column silently makes it text),
and lets a renamed header surface later as a `KeyError` deep in the engine. Here the
header is checked against the table's columns before any row is read, every cell is
parsed by its column's rule, and references between tables (a region code in
forces.csv that is not a governorate) are checked with the line they sit on.

Errors are `PydanticCustomError`s of type `ERROR_TYPE` whose context says where
(file and line, or a dotted field) and what to do; the loader turns them into its
one-line messages, and a direct `model_validate` still prints something readable.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

from pydantic_core import PydanticCustomError

ERROR_TYPE = "scenario_input"
LIBRARY_DIR = Path(__file__).resolve().parent / "library"
FIRST_YEAR, LAST_YEAR = 1900, 2100  # dates the engine's calendar arithmetic can hold
EVENT_KINDS = (
    "abroad", "attack", "context", "crime", "election", "funding_cut", "resistance_split",
    "withdrawal", "withdrawal_step",
)
# codes an event may name besides a region's: ISO 3166-2 gives the Kurdistan Region
# (Erbil, Dohuk, Sulaymaniyah) its own code, and its elections are held region-wide
WIDER_AREAS = ("IQ-KR",)
_SHOWN = 40  # characters of a bad cell quoted back in a message


# --------------------------------------------------------------------------- errors


def scenario_error(problem: str, fix: str, *, file: str = "", line: int | None = None,
                   column: str = "", field: str = "", table: str = "",
                   row: str = "") -> PydanticCustomError:
    """An error the loader can place: in a file at a line (and column), or at a dotted field.

    `table` is the scenario field a file fills (regions) and `row` the row's key (IQ-BG),
    both only to help the reader find the place."""
    ctx = {"problem": problem, "fix": fix, "file": file, "line": line or 0, "column": column,
           "field": field, "table": table, "row": row}
    where = place(ctx)
    ctx["where"] = f"{where}: " if where else ""
    return PydanticCustomError(ERROR_TYPE, "{where}{problem}; {fix}", ctx)


def place(ctx: Mapping[str, Any]) -> str:
    """Where an error is, in words: `forces.csv line 7 (IQ-BG), column 'iso'` or a field."""
    if ctx.get("file"):
        where = ctx["file"] + (f" line {ctx['line']}" if ctx.get("line") else "")
    else:
        where = f"field '{ctx['field']}'" if ctx.get("field") else ""
    if ctx.get("row"):
        where += f" ({ctx['row']})"
    if ctx.get("column"):
        where += f", column '{ctx['column']}'"
    return where


def shown(value: Any) -> str:
    """A cell or value quoted back to the user, cut short and on one line."""
    text = " ".join(str(value).split())
    return repr(text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "...")


def did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(name), list(known), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? " if close else ""


# --------------------------------------------------------------------------- reading


class TableRows(list):
    """Rows read from a CSV file (dicts of stripped text, None for an empty cell), with the
    file's name and each row's line, so that a check further on can say where a cell is."""

    def __init__(self, rows: Iterable[dict[str, str | None]] = (), *, file: str = "",
                 lines: list[int] | None = None, header: list[str] | None = None,
                 header_line: int = 1) -> None:
        super().__init__(rows)
        self.file = file
        self.lines = list(lines or [])
        self.header = list(header or [])
        self.header_line = header_line


def read_table(path: Path, file: str, table: str = "") -> TableRows:
    """Read a CSV file strictly: UTF-8, one named header row, as many cells in every row."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise scenario_error(f"cannot read the file ({exc.strerror or exc})",
                             "check that it exists and is readable", file=file,
                             table=table) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise scenario_error(f"not UTF-8 text ({exc.reason})", "save the CSV as UTF-8",
                             file=file, line=line, table=table) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise scenario_error("holds a NUL character (a binary or UTF-16 file?)",
                             "save the table as UTF-8 CSV text", file=file, line=line, table=table)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[dict[str, str | None]] = []
    lines: list[int] = []
    header: list[str] | None = None
    header_line = end = 0
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip() and header is None):
                continue  # blank lines carry nothing
            if header is None:
                header, header_line = _header(cells, file, start, table), start
                continue
            if len(cells) != len(header):
                more = len(cells) > len(header)
                raise scenario_error(
                    f"{len(cells)} cells but the header has {len(header)} columns",
                    "remove the extra cells or quote a cell that holds a comma" if more
                    else "add the missing cells (an empty cell is two commas: ,,)",
                    file=file, table=table, line=start)
            rows.append({k: (v.strip() or None) for k, v in zip(header, cells, strict=True)})
            lines.append(start)
    except csv.Error as exc:
        raise scenario_error(f"not a readable CSV row ({exc})",
                             "fix the quoting on that line", file=file, table=table,
                             line=end + 1) from None
    if header is None:
        raise scenario_error("the file is empty", "give a header row and one row per item",
                             file=file, table=table)
    return TableRows(rows, file=file, lines=lines, header=header, header_line=header_line)


def _header(cells: list[str], file: str, line: int, table: str) -> list[str]:
    names = [c.strip() for c in cells]
    for i, name in enumerate(names):
        if not name:
            raise scenario_error(f"column {i + 1} of the header has no name",
                                 "name it or remove the column", file=file, line=line, table=table)
        if name in names[:i]:
            raise scenario_error(f"column '{name}' appears twice in the header",
                                 "keep one of them", file=file, line=line, table=table)
    return names


def resolve(target: str, context: Mapping[str, Any] | None) -> tuple[Path, str]:
    """Find a table named in a scenario: next to the scenario file, else in the built-in
    iraq-2009 folder, else the working folder. Returns the path and how messages name it."""
    text = str(target)
    if not text.strip() or "\x00" in text or len(text) > 1024:
        raise scenario_error(f"{shown(text)} is not a file name",
                             "name a CSV file next to the scenario file")
    p = Path(text)
    ctx = context or {}
    base = ctx.get("base_dir") or (Path(ctx["path"]).parent if ctx.get("path") else None)
    if p.is_absolute():
        candidates = [(p, text)]
    else:
        candidates = [(Path(base) / p, text)] if base else []
        candidates += [(LIBRARY_DIR / "iraq-2009" / p, f"library/iraq-2009/{text}"),
                       (Path.cwd() / p, text)]
    for path, name in candidates:
        try:
            if path.is_file():
                return path, name
        except OSError:  # a name too long for the file system, say
            continue
    raise scenario_error(f"table {shown(text)} not found",
                         "give a path relative to the scenario file")


# --------------------------------------------------------------------------- cell rules


class Bad(ValueError):
    """A cell that does not follow its column's rule; `note` says why, when it helps."""

    def __init__(self, note: str = "") -> None:
        super().__init__(note)
        self.note = note


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise Bad()
    if isinstance(value, (int, float)):
        x = float(value)
    else:
        try:
            x = float(str(value).replace("_", "#"))  # Python would read 1_000 as 1000
        except (ValueError, OverflowError):
            raise Bad() from None
    if not math.isfinite(x):
        raise Bad("not a finite number")
    return x


def number(lo: float | None = None, hi: float | None = None,
           lo_open: bool = False) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        x = _number(value)
        if lo is not None and (x < lo or (lo_open and x == lo)):
            raise Bad("out of range")
        if hi is not None and x > hi:
            raise Bad("out of range")
        return x

    return parse


def whole(lo: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        x = _number(value)
        if not x.is_integer():
            raise Bad("not a whole number")
        if x < lo:
            raise Bad("out of range")
        return int(x)

    return parse


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def date(value: Any) -> str:
    """A real calendar date as YYYY-MM-DD, within the years the engine can count days in."""
    if isinstance(value, dt.datetime):
        raise Bad("a date and time, not a date")
    if isinstance(value, dt.date):
        d = value
    else:
        text = str(value)
        if not _ISO_DATE.fullmatch(text):
            raise Bad()
        try:
            d = dt.date.fromisoformat(text)
        except ValueError as exc:
            raise Bad(f"not a real date: {exc}") from None
    if not FIRST_YEAR <= d.year <= LAST_YEAR:
        raise Bad(f"outside {FIRST_YEAR}..{LAST_YEAR}")
    return d.isoformat()


def flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("1", "true"):
        return True
    if text in ("0", "false"):
        return False
    raise Bad()


def text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise Bad()
    return str(value)


def one_of(names: Iterable[str]) -> Callable[[Any], str]:
    known = list(names)

    def parse(value: Any) -> str:
        v = str(value)
        if v not in known:
            raise Bad(did_you_mean(v, known).rstrip())
        return v

    return parse


@dataclass(frozen=True)
class Column:
    """One column of a table: the rule its cells follow, in code and in words."""

    name: str
    parse: Callable[[Any], Any]
    need: str  # what a cell must be, in words: "a whole number, 1 or more"
    required: bool = True  # the header must have it
    blank: bool = False  # a cell may be empty


# --------------------------------------------------------------------------- checking


@dataclass
class _Table:
    """Rows and where each one is, whether they came from a file or from the YAML."""

    rows: list[Mapping[str, Any]]
    file: str  # "" for rows written in the scenario file itself
    lines: list[int]
    field: str  # the scenario field the table fills
    header: list[str] = dataclass_field(default_factory=list)  # a file's, in order
    header_line: int = 1

    def where(self, i: int, column: str = "", row: str = "") -> dict[str, Any]:
        if self.file:
            return {"file": self.file, "line": self.lines[i] if i < len(self.lines) else None,
                    "column": column, "table": self.field, "row": row}
        return {"field": f"{self.field}.{i}" + (f".{column}" if column else ""), "row": row}


def _as_table(v: Any, field: str, context: Mapping[str, Any] | None) -> _Table:
    if isinstance(v, str):
        path, name = resolve(v, context)
        v = read_table(path, name, field)
    if isinstance(v, TableRows):
        return _Table(list(v), v.file, v.lines, field, v.header, v.header_line)
    return _Table(list(v), "", [], field)


def _check_header(table: _Table, columns: list[Column]) -> None:
    """Missing, renamed and unknown columns, before any cell is read."""
    names = [c.name for c in columns]
    seen: list[str] = []
    for row in table.rows:
        seen.extend(k for k in row if k not in seen)
    if table.header:  # a file's header holds every column, even one whose cells are all empty
        seen = list(table.header)
    unknown = [k for k in seen if k not in names]
    head = ({"file": table.file, "line": table.header_line, "table": table.field}
            if table.file else {"field": table.field})
    for col in columns:
        if col.required and col.name not in seen:
            close = difflib.get_close_matches(col.name, [str(k) for k in unknown], n=1,
                                              cutoff=0.6)
            if close:
                raise scenario_error(f"no column '{col.name}', but a column '{close[0]}'",
                                     f"rename '{close[0]}' to '{col.name}'", **head)
            raise scenario_error(f"no column '{col.name}' ({col.need})",
                                 f"add a column '{col.name}'", **head)
    if unknown:
        name = str(unknown[0])
        hint = did_you_mean(name, [n for n in names if n not in seen]) or did_you_mean(name,
                                                                                      names)
        raise scenario_error(f"unknown column {shown(name)}",
                             f"{hint}the columns are: {', '.join(names)}", **head)


def check_rows(table: _Table, columns: list[Column], key: str = "") -> list[dict[str, Any]]:
    """Each row's cells parsed by their column's rule; None where a cell may be empty.
    `key` names the column that identifies a row in messages (a region's code)."""
    _check_header(table, columns)
    out = []
    for i, row in enumerate(table.rows):
        if not isinstance(row, Mapping):
            raise scenario_error(f"got {shown(row)}, not a row of named cells",
                                 "write each row as a mapping of column: value",
                                 **table.where(i))
        label = " ".join(str(row.get(key) or "").split())[:_SHOWN] if key else ""
        parsed: dict[str, Any] = {}
        for col in columns:
            raw = row.get(col.name)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if not col.blank:
                    raise scenario_error("empty cell", f"write {col.need}",
                                         **table.where(i, col.name, label))
                parsed[col.name] = None
                continue
            try:
                parsed[col.name] = col.parse(raw.strip() if isinstance(raw, str) else raw)
            except Bad as bad:
                note = f" ({bad.note})" if bad.note else ""
                raise scenario_error(f"got {shown(raw)}{note}", f"write {col.need}",
                                     **table.where(i, col.name, label)) from None
        out.append(parsed)
    if not out:
        raise scenario_error("the table has no rows", "add one row per item",
                             **({"file": table.file, "table": table.field} if table.file
                                else {"field": table.field}))
    return out


def _region(isos: list[str] | None, blank: bool = False, name: str = "iso",
            also: tuple[str, ...] = ()) -> Column:
    if isos is None:  # the regions table failed; its own error is the one to show
        return Column(name, text, "a region code", blank=blank)
    listed = ", ".join(isos[:6]) + (", ..." if len(isos) > 6 else "")
    extra = f" or {', '.join(also)}" if also else ""
    return Column(name, one_of([*isos, *also]),
                  f"a region code from the regions table ({listed}){extra}", blank=blank)


def _unique(table: _Table, parsed: list[dict[str, Any]], key: Callable[[dict], Any],
            what: str) -> None:
    first: dict[Any, int] = {}
    for i, row in enumerate(parsed):
        k = key(row)
        if k in first:
            j = first[k]
            earlier = (f"line {table.lines[j]}" if table.file and j < len(table.lines)
                       else f"row {j}")
            raise scenario_error(f"{what} {shown(k)} is listed twice (first on {earlier})",
                                 "keep one row", **table.where(i))
        first[k] = i


# --------------------------------------------------------------------------- the tables


def region_columns(groups: list[str]) -> list[Column]:
    share = "a share between 0 and 1"
    return [
        Column("iso", text, "a region code such as IQ-BG"),
        Column("name", text, "the region's name"),
        Column("population", whole(1), "a whole number of people, 1 or more"),
        *(Column(g, number(0.0, 1.0), f"{share} (the {g} share of the population)")
          for g in groups),
        Column("kurdistan", flag, "1 or 0 (true or false)", required=False, blank=True),
        Column("borders", text, "foreign borders, separated by ';'", required=False,
               blank=True),
        Column("lat", number(-90.0, 90.0), "a latitude in degrees, -90 to 90",
               required=False, blank=True),
        Column("lon", number(-180.0, 180.0), "a longitude in degrees, -180 to 180",
               required=False, blank=True),
        Column("source", text, "where the row's figures come from", required=False,
               blank=True),
    ]


def regions_from(v: Any, groups: list[str], context: Mapping[str, Any] | None,
                 tolerance: float) -> Any:
    """The regions table (a CSV path, `!csv` rows, or rows written in the YAML) as full
    region specs; rows that already carry `shares` (a run's scenario.json) pass through."""
    if isinstance(v, list) and not v:
        raise scenario_error("no regions", "give the regions table (a CSV file name)",
                             field="regions")
    if not isinstance(v, str) and not (
        isinstance(v, list) and all(isinstance(r, Mapping) and "shares" not in r for r in v)
    ):
        return v
    table = _as_table(v, "regions", context)
    parsed = check_rows(table, region_columns(groups), key="iso")
    _unique(table, parsed, lambda r: r["iso"], "region")
    for i, row in enumerate(parsed):
        total = sum(row[g] for g in groups)
        if abs(total - 1.0) > tolerance:
            raise scenario_error(
                f"the shares of {row['iso']} ({', '.join(groups)}) sum to {total:.3f}, not 1",
                "make them sum to 1", **table.where(i))
    return [
        {"iso": r["iso"], "name": r["name"], "population": r["population"],
         "shares": {g: r[g] for g in groups}, "kurdistan": bool(r["kurdistan"]),
         "borders": r["borders"] or "", "source": r["source"] or ""}
        for r in parsed
    ]


def adjacency_from(v: Any, isos: list[str] | None, context: Mapping[str, Any] | None) -> Any:
    """Land borders (a CSV path or `!csv` rows) as pairs of region codes; pairs written in
    the YAML pass through to the schema's own checks."""
    if not isinstance(v, (str, TableRows)):
        return v
    table = _as_table(v, "adjacency", context)
    parsed = check_rows(table, [
        _region(isos, name="iso_a"), _region(isos, name="iso_b"),
        Column("border_km", number(0.0, lo_open=True), "the border's length in km, above 0",
               required=False, blank=True),
        Column("source", text, "where the row comes from", required=False, blank=True),
    ])
    for i, row in enumerate(parsed):
        if row["iso_a"] == row["iso_b"]:
            raise scenario_error(f"{row['iso_a']} borders itself",
                                 "give two different regions", **table.where(i))
    _unique(table, parsed, lambda r: tuple(sorted((r["iso_a"], r["iso_b"]))), "border")
    return [(r["iso_a"], r["iso_b"]) for r in parsed]


def force_levels_from(v: Any, forces: list[str] | None, isos: list[str] | None,
                      context: Mapping[str, Any] | None) -> Any:
    """Personnel by date, force and region (a CSV path, `!csv` rows or rows in the YAML)."""
    if not isinstance(v, (str, list)) or (isinstance(v, list) and not v
                                          and not isinstance(v, TableRows)):
        return v  # none given: no force levels
    table = _as_table(v, "force_levels", context)
    force = (Column("force", text, "a force name") if forces is None else
             Column("force", one_of(forces), f"a force named in forces: ({', '.join(forces)})"))
    parsed = check_rows(table, [
        Column("date", date, f"a date as YYYY-MM-DD ({FIRST_YEAR}..{LAST_YEAR})"),
        force, _region(isos),
        Column("personnel", whole(0), "a whole number of personnel, 0 or more"),
        Column("source", text, "where the figure comes from", required=False, blank=True),
    ])
    _unique(table, parsed, lambda r: (r["date"], r["force"], r["iso"]), "date, force, region")
    return [{"date": r["date"], "force": r["force"], "iso": r["iso"],
             "personnel": r["personnel"]} for r in parsed]


def event_columns(isos: list[str]) -> list[Column]:
    return [
        Column("date", date, f"a date as YYYY-MM-DD ({FIRST_YEAR}..{LAST_YEAR})"),
        Column("kind", one_of(EVENT_KINDS), f"one of {', '.join(EVENT_KINDS)}"),
        _region(isos, blank=True, also=WIDER_AREAS),
        Column("deaths", whole(0), "a whole number of deaths, 0 or more (or empty)",
               blank=True),
        Column("event", text, "what happened"),
        Column("source", text, "where the row comes from", required=False, blank=True),
    ]


# Tables that live beside a scenario without being named in it: file name -> checker.
# events.csv records the dated events the `dates:` section is drawn from, with sources;
# nothing reads it during a run, but a broken copy would mislead whoever reads it next.
def check_events(path: Path, name: str, isos: list[str]) -> None:
    table = _as_table(read_table(path, name, "events"), "events", None)
    check_rows(table, event_columns(isos))


COMPANIONS: dict[str, dict[str, Callable[[Path, str, list[str]], None]]] = {
    "regional": {"events.csv": check_events},
}


def check_companions(model: str, scenario: Any, folder: Path) -> None:
    """Check the tables that sit beside a scenario of this model, if there are any."""
    for name, check in COMPANIONS.get(model, {}).items():
        path = folder / name
        if path.is_file():
            check(path, name, [r.iso for r in scenario.regions])


def footprint_from(v: Any, isos: list[str] | None, context: Mapping[str, Any] | None) -> Any:
    """The insurgency's footprint (a CSV path or `!csv` rows with columns iso and share)
    as {region: weight}; a mapping written in the YAML passes through to the schema."""
    if not isinstance(v, (str, list)):
        return v
    table = _as_table(v, "insurgency.footprint", context)
    parsed = check_rows(table, [
        _region(isos),
        Column("share", number(0.0), "a weight, 0 or more"),
        Column("name", text, "the region's name", required=False, blank=True),
        Column("explosive_deaths", number(0.0), "the deaths the share was read from, 0 or more",
               required=False, blank=True),
        Column("source", text, "where the figure comes from", required=False, blank=True),
    ], key="iso")
    _unique(table, parsed, lambda r: r["iso"], "region")
    return {r["iso"]: r["share"] for r in parsed}

