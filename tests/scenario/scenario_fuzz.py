"""Mutations of the built-in scenarios for the fuzz tests, each knowing what the loader owes it.

A mutation changes one file of a copy of a built-in scenario (a CSV cell, a header, a
column, a row, the encoding, the bytes, a YAML value or key) and says what must follow:
`REFUSE` where a documented rule is broken (a negative death toll, an unknown event
kind, a misspelt prior), `LOAD` where the change keeps every rule (a valid latitude, two
columns swapped), `EITHER` where the rules do not decide alone (random bytes). The
verdicts are worked out here from the rules as docs/scenarios.md states them, not by
asking the loader, so a rule the loader forgets shows up as a silent acceptance.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from centrehold.errors import UserError
from centrehold.scenario import load_scenario
from centrehold.scenario.load import library_scenarios

REFUSE, LOAD, EITHER = "refuse", "load", "either"
SHARE_TOLERANCE = 0.011
EVENT_KINDS = ("abroad", "attack", "context", "crime", "election", "funding_cut",
               "resistance_split", "withdrawal", "withdrawal_step")
INSTIGATORS = {"H0": "none", "H1": "governing_party", "H2": "sectarian_parties",
               "H3": "withdrawal_opponents", "H4": "contractors", "H5": "regional_sponsors",
               "H6": "outside_sponsors", "HA": "all_six_centre_failing", "HM": "all_six",
               "HI": "islamic_state_of_iraq", "HB": "syria_based_baathists"}

# outcome counts over the whole session, keyed (family, outcome); the summary prints them
OUTCOMES: Counter = Counter()


@dataclass
class Case:
    scenario: str
    file: str  # the file changed
    what: str
    expect: str
    content: bytes | None  # the file's new bytes; None deletes it
    names: tuple[str, ...] = ()  # files an error may name (the changed one, or one reading it)


@dataclass
class Builtin:
    """A built-in scenario's files, as bytes, and what the verdicts need to know of them."""

    name: str
    entry: str  # the YAML file's name
    files: dict[str, bytes]
    tables: dict[str, list[list[str]]] = field(default_factory=dict)  # CSV name -> rows

    @property
    def is_folder(self) -> bool:
        return len(self.files) > 1


def builtins() -> dict[str, Builtin]:
    out = {}
    for name, path in library_scenarios().items():
        if path.stem == "scenario":
            files = {p.name: p.read_bytes() for p in sorted(path.parent.iterdir()) if p.is_file()}
        else:
            files = {path.name: path.read_bytes()}
        b = Builtin(name, path.name, files)
        for fname, data in files.items():
            if fname.endswith(".csv"):
                b.tables[fname] = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        out[name] = b
    return out


BUILTINS = builtins()
REGIONAL = [b for b in BUILTINS.values() if "governorates.csv" in b.tables]


def write_csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def readers_of(b: Builtin, fname: str) -> tuple[str, ...]:
    """Files whose error may report a change to `fname`: itself, and what refers to it."""
    if fname == b.entry:
        return tuple(b.files)  # the YAML sets groups, forces and names every table
    if fname == "governorates.csv":
        return (fname, "adjacency.csv", "forces.csv", "events.csv",
                "insurgency_footprint.csv", b.entry)
    return (fname, b.entry)


# --------------------------------------------------------------------------- verdicts

_PLAIN = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def number(v: str, ok: Callable[[float], bool], blank: bool = False) -> str:
    """A numeric cell: plain decimals are judged by `ok`; words are refused; exotic forms
    Python would read (1e3, full-width digits) are left open."""
    v = v.strip()
    if not v:
        return LOAD if blank else REFUSE
    if _PLAIN.fullmatch(v):
        return LOAD if ok(float(v)) else REFUSE
    try:
        x = float(v)
    except ValueError:
        return REFUSE
    return REFUSE if not math.isfinite(x) else EITHER


def whole(lo: int, blank: bool = False) -> Callable[[str], str]:
    return lambda v: number(v, lambda x: x.is_integer() and x >= lo, blank)


def date_ok(v: str) -> bool:
    v = v.strip()
    if not _DATE.fullmatch(v):
        return False
    try:
        return 1900 <= dt.date.fromisoformat(v).year <= 2100
    except ValueError:
        return False


def one_of(names: list[str], blank: bool = False) -> Callable[[str], str]:
    return lambda v: LOAD if (v.strip() in names or (blank and not v.strip())) else REFUSE


def text(required: bool) -> Callable[[str], str]:
    return lambda v: REFUSE if required and not v.strip() else LOAD


def cell_verdict(b: Builtin, fname: str, rows: list[list[str]], r: int, c: int, v: str) -> str:
    """Whether a table with cell (r, c) set to `v` keeps the documented rules."""
    if "\x00" in v:
        return REFUSE  # a table is text
    header = rows[0]
    col = header[c]
    row = dict(zip(header, rows[r], strict=True))
    gov = b.tables["governorates.csv"]
    isos = [x[0] for x in gov[1:]]
    groups = yaml.safe_load(b.files[b.entry])["groups"]
    if fname == "governorates.csv":
        if col == "iso":  # every code is used by forces.csv: changing one breaks a reference
            return LOAD if v.strip() == row["iso"] else REFUSE
        if col in groups:
            others = sum(float(row[g]) for g in groups if g != col)

            def share_ok(x: float) -> bool:
                return 0 <= x <= 1 and abs(others + x - 1) <= SHARE_TOLERANCE

            verdict = number(v, share_ok)
            near = abs(abs(others + _float(v) - 1) - SHARE_TOLERANCE) < 1e-9
            return EITHER if verdict != REFUSE and near else verdict
        rules = {
            "name": text(True), "population": whole(1),
            "kurdistan": lambda v: one_of(["0", "1", "true", "false"], blank=True)(v.lower()),
            "borders": text(False), "source": text(False),
            "lat": lambda v: number(v, lambda x: -90 <= x <= 90, blank=True),
            "lon": lambda v: number(v, lambda x: -180 <= x <= 180, blank=True),
        }
        return rules[col](v)
    if fname == "adjacency.csv":
        if col in ("iso_a", "iso_b"):
            new = dict(row, **{col: v.strip()})
            if new[col] not in isos or new["iso_a"] == new["iso_b"]:
                return REFUSE
            pairs = {frozenset((x[0], x[1])) for i, x in enumerate(rows[1:], 1) if i != r}
            return REFUSE if frozenset((new["iso_a"], new["iso_b"])) in pairs else LOAD
        rules = {"border_km": lambda v: number(v, lambda x: x > 0, blank=True),
                 "source": text(False)}
        return rules[col](v)
    if fname == "forces.csv":
        forces = [f["name"] for f in yaml.safe_load(b.files[b.entry])["forces"]]
        if col in ("date", "force", "iso"):
            valid = {"date": date_ok, "force": lambda v: v.strip() in forces,
                     "iso": lambda v: v.strip() in isos}[col](v)
            if not valid:
                return REFUSE
            key = tuple(dict(row, **{col: v.strip()})[k] for k in ("date", "force", "iso"))
            others = {(x[0], x[1], x[2]) for i, x in enumerate(rows[1:], 1) if i != r}
            return REFUSE if key in others else LOAD
        return {"personnel": whole(0), "source": text(False)}[col](v)
    if fname == "events.csv":
        rules = {
            "date": lambda v: LOAD if date_ok(v) else REFUSE,
            "kind": one_of(list(EVENT_KINDS)),
            "iso": one_of([*isos, "IQ-KR"], blank=True),
            "deaths": whole(0, blank=True),
            "event": text(True), "source": text(False),
        }
        return rules[col](v)
    if fname == "insurgency_footprint.csv":
        if col == "iso":  # one row per region: another code repeats a row
            if v.strip() not in isos:
                return REFUSE
            others = {x[0] for i, x in enumerate(rows[1:], 1) if i != r}
            return REFUSE if v.strip() in others else LOAD
        rules = {"share": lambda v: number(v, lambda x: x >= 0),
                 "explosive_deaths": lambda v: number(v, lambda x: x >= 0, blank=True),
                 "name": text(False), "source": text(False)}
        return rules[col](v)
    raise AssertionError(f"no rules for {fname}")


def _float(v: str) -> float:
    try:
        return float(v)
    except ValueError:
        return math.nan


# Columns a table must have (an empty cell may still be allowed); the others may go.
def required_columns(b: Builtin, fname: str) -> set[str]:
    groups = yaml.safe_load(b.files[b.entry])["groups"]
    return {
        "governorates.csv": {"iso", "name", "population", *groups},
        "adjacency.csv": {"iso_a", "iso_b"},
        "forces.csv": {"date", "force", "iso", "personnel"},
        "events.csv": {"date", "kind", "iso", "deaths", "event"},
        "insurgency_footprint.csv": {"iso", "share"},
    }[fname]


# --------------------------------------------------------------------------- strategies

CELL_POOL = [
    "", " ", "0", "1", "-1", "-5", "0.5", "1.5", "7", "100", "2000000", "-0.0", "1e3", "1e309",
    "nan", "NaN", "inf", "-inf", "abc", "lots", "true", "false", "yes", "2009-06-30",
    "2009-13-45", "2009-02-30", "1899-12-31", "2009/06/30", "30.5.2009", "20090630",
    "IQ-BG", "IQ-XX", "IQ-KR", "iq-bg", "iraqi", "occupation", "police", "attack", "attak",
    "election", "91", "-91", "-181", "181", "45.5", " 7 ", "7.0", "\u0663", "1_000", "0x10",
    '"quoted"', "a,b", "line\nbreak", "\x00", "\u00e9", "\U0001f600", "9" * 20, "0.011",
]
SAFE_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@st.composite
def cell_case(draw: Any, safe: bool = False) -> Case:
    """One cell of one table of a regional built-in set to a value from the pool, a value
    of the same column elsewhere, or random text."""
    b = draw(st.sampled_from(REGIONAL))
    fname = draw(st.sampled_from(sorted(b.tables)))
    rows = [list(x) for x in b.tables[fname]]
    r = draw(st.integers(1, len(rows) - 1))
    c = draw(st.integers(0, len(rows[0]) - 1))
    column = sorted({x[c] for x in rows[1:]})
    values = [st.sampled_from(CELL_POOL), st.sampled_from(column)]
    if not safe:
        values.append(SAFE_TEXT)
    v = draw(st.one_of(*values))
    expect = cell_verdict(b, fname, rows, r, c, v)
    rows[r][c] = v
    return Case(b.name, fname, f"{fname} line {r + 1} column {rows[0][c]} = {v!r}", expect,
                write_csv(rows), readers_of(b, fname))


@st.composite
def structure_case(draw: Any) -> Case:
    """Headers renamed, columns dropped, added or swapped, rows dropped, doubled or cut."""
    b = draw(st.sampled_from(REGIONAL))
    fname = draw(st.sampled_from(sorted(b.tables)))
    rows = [list(x) for x in b.tables[fname]]
    header = rows[0]
    need = required_columns(b, fname)
    kind = draw(st.sampled_from(["rename", "drop", "add", "swap", "drop_row", "double_row",
                                 "extra_cell", "short_row", "shuffle", "empty", "header_only",
                                 "blank_lines"]))
    c = draw(st.integers(0, len(header) - 1))
    r = draw(st.integers(1, len(rows) - 1))
    col = header[c]
    if kind == "rename":
        new = draw(st.one_of(st.sampled_from([col + "x", col[:-1], col.upper(), "x" + col,
                                              col.replace("_", " "), " " + col + " "]),
                             SAFE_TEXT))
        expect = LOAD if new.strip() == col else REFUSE
        rows[0][c] = new
        what = f"column {col!r} renamed {new!r}"
    elif kind == "drop":
        rows = [x[:c] + x[c + 1:] for x in rows]
        expect = REFUSE if col in need else LOAD
        what = f"column {col!r} dropped"
    elif kind == "add":
        new = draw(st.sampled_from(["notes", "Source", col, col + "_2", "date2", "lat"]))
        rows = [x + ([new] if i == 0 else ["1"]) for i, x in enumerate(rows)]
        expect = REFUSE  # an unknown column, or one written twice
        what = f"column {new!r} added"
    elif kind == "swap":
        d = draw(st.integers(0, len(header) - 1))
        for x in rows:
            x[c], x[d] = x[d], x[c]
        expect = LOAD
        what = f"columns {col!r} and {header[d]!r} swapped"
    elif kind == "drop_row":
        del rows[r]
        # every governorate is named by forces.csv; the other tables may lose a row
        expect = REFUSE if fname == "governorates.csv" else LOAD
        what = f"line {r + 1} dropped"
    elif kind == "double_row":
        rows.insert(r, list(rows[r]))
        expect = LOAD if fname == "events.csv" else REFUSE  # a region, border or level twice
        what = f"line {r + 1} written twice"
    elif kind == "extra_cell":
        rows[r].append(draw(st.sampled_from(["", "1", "x"])))
        expect = REFUSE
        what = f"line {r + 1} has an extra cell"
    elif kind == "short_row":
        rows[r] = rows[r][:-1]
        expect = REFUSE
        what = f"line {r + 1} lacks its last cell"
    elif kind == "shuffle":
        body = rows[1:]
        order = draw(st.permutations(range(len(body))))
        rows = [header] + [body[i] for i in order]
        expect = LOAD
        what = "rows shuffled"
    elif kind == "empty":
        rows = []
        expect = REFUSE
        what = "file emptied"
    elif kind == "header_only":
        rows = rows[:1]
        expect = REFUSE
        what = "rows removed, header kept"
    else:
        content = write_csv(rows).replace(b"\n", b"\n\n", draw(st.integers(1, 5)))
        return Case(b.name, fname, "blank lines inserted", LOAD, content, readers_of(b, fname))
    return Case(b.name, fname, what, expect, write_csv(rows), readers_of(b, fname))


@st.composite
def bytes_case(draw: Any, small: bool = False) -> Case:
    """Encodings, line ends, truncation and random bytes, in any file of any built-in."""
    b = draw(st.sampled_from(sorted(BUILTINS.values(), key=lambda x: x.name)))
    fname = draw(st.sampled_from(sorted(b.files)))
    data = b.files[fname]
    kinds = ["utf16", "latin1_accent", "bom", "crlf", "truncate", "insert", "overwrite",
             "cut_range", "delete"]
    kind = draw(st.sampled_from(kinds))
    is_csv = fname.endswith(".csv")
    if kind == "utf16":
        return Case(b.name, fname, "saved as UTF-16", REFUSE,
                    data.decode().encode(draw(st.sampled_from(["utf-16", "utf-16-le"]))),
                    readers_of(b, fname))
    if kind == "latin1_accent":
        # an accented letter in a free-text place, saved as Latin-1: not UTF-8 any more
        text = data.decode()
        if is_csv:
            rows = list(csv.reader(io.StringIO(text)))
            rows[1][-1] = rows[1][-1] + " caf\u00e9"
            text = write_csv(rows).decode()
        else:
            text = text.replace("description: ", "description: caf\u00e9 ", 1)
        return Case(b.name, fname, "Latin-1 with an accent", REFUSE, text.encode("latin-1"),
                    readers_of(b, fname))
    if kind == "bom":
        return Case(b.name, fname, "UTF-8 BOM", LOAD if is_csv else EITHER,
                    b"\xef\xbb\xbf" + data, readers_of(b, fname))
    if kind == "crlf":
        return Case(b.name, fname, "CRLF line ends", LOAD, data.replace(b"\n", b"\r\n"),
                    readers_of(b, fname))
    if kind == "delete":
        # a missing table is looked for in the built-in folder as well (docs/scenarios.md)
        expect = REFUSE if fname == b.entry else EITHER
        return Case(b.name, fname, "file deleted", expect, None, readers_of(b, fname))
    at = draw(st.integers(0, len(data)))
    if kind == "truncate":
        expect = LOAD if at == len(data) else (REFUSE if at == 0 else EITHER)
        return Case(b.name, fname, f"cut at byte {at}", expect, data[:at], readers_of(b, fname))
    if kind == "cut_range":
        n = draw(st.integers(1, 40))
        return Case(b.name, fname, f"bytes {at}..{at + n} removed", EITHER,
                    data[:at] + data[at + n:], readers_of(b, fname))
    junk = draw(st.binary(min_size=1, max_size=3 if small else 16))
    if small:  # no digits: a longer number could make a huge world for the CLI to run
        junk = bytes(x for x in junk if not 0x30 <= x <= 0x39) or b"#"
    if kind == "insert":
        return Case(b.name, fname, f"{junk!r} inserted at byte {at}", EITHER,
                    data[:at] + junk + data[at:], readers_of(b, fname))
    return Case(b.name, fname, f"{junk!r} written over byte {at}", EITHER,
                data[:at] + junk + data[at + len(junk):], readers_of(b, fname))


def _leaves(node: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaves(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaves(v, (*path, i))]
    return [path]


def _keys(node: Any, path: tuple = ()) -> list[tuple]:
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.append((*path, k))
            out.extend(_keys(v, (*path, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_keys(v, (*path, i)))
    return out


def _get(node: Any, path: tuple) -> Any:
    for p in path:
        node = node[p]
    return node


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


VALUE_POOL: list[Any] = [-1, -0.5, -1e-9, 0, 0.5, 1, 2, 1e9, 10**30, math.nan, math.inf,
                         -math.inf, "lots", "", True, False, None, [], {}, dt.date(2009, 6, 30),
                         "2009-06-30", "H3", "none", [1, 2], {"a": 1}]


def value_verdict(old: Any, new: Any, path: tuple) -> str:
    """A YAML value replaced: what the schema's rules decide alone."""
    if _is_number(old):
        if _is_number(new) and (new < 0 or not math.isfinite(new)):
            return REFUSE  # every number in the built-ins is a count, size, share or rate
        if isinstance(new, (list, dict)) or new == "lots":
            return REFUSE
    if isinstance(old, bool) and (new == "lots" or isinstance(new, (list, dict))):
        return REFUSE
    if isinstance(old, dt.date) and (new == "lots" or _is_number(new) or
                                      isinstance(new, (list, dict, bool))):
        return REFUSE
    if path[-1] == "instigator":
        return LOAD if new in ("", INSTIGATORS[path[-2]]) else REFUSE
    if _is_number(new) and not math.isfinite(new):
        return REFUSE  # no field takes NaN or infinity
    return EITHER


@st.composite
def yaml_case(draw: Any) -> Case:
    """A YAML value, key or date changed, or a line removed, in any built-in."""
    b = draw(st.sampled_from(sorted(BUILTINS.values(), key=lambda x: x.name)))
    text = b.files[b.entry].decode()
    doc = yaml.safe_load(text)
    kind = draw(st.sampled_from(["value", "value", "key", "instigator", "date", "line"]))
    names = readers_of(b, b.entry)
    if kind == "instigator" and "hypotheses" not in doc:
        kind = "value"
    if kind == "date" and not re.search(r"\d{4}-\d{2}-\d{2}", text):
        kind = "key"
    if kind == "value":
        path = draw(st.sampled_from(_leaves(doc)))
        new = draw(st.sampled_from(VALUE_POOL))
        old = _get(doc, path)
        expect = value_verdict(old, new, path)
        _get(doc, path[:-1])[path[-1]] = new
        return Case(b.name, b.entry, f"{'.'.join(map(str, path))} = {new!r}", expect,
                    yaml.safe_dump(doc, sort_keys=False).encode(), names)
    if kind == "key":
        path = draw(st.sampled_from(_keys(doc)))
        key = str(path[-1])
        parent = _get(doc, path[:-1])
        new = draw(st.sampled_from([key + "x", key[:-1] or "x", key.upper(), "_" + key]))
        if new in parent or new == key:
            new = key + "_x"
        # every mapping in the built-ins is a schema's fields or a table of known names
        # (hypotheses, their parameters and priors, groups, calibrated fields)
        renamed = {(new if k == path[-1] else k): v for k, v in parent.items()}
        if path[:-1]:
            _get(doc, path[:-2])[path[-2]] = renamed
        else:
            doc = renamed
        return Case(b.name, b.entry, f"key {'.'.join(map(str, path))} renamed {new!r}", REFUSE,
                    yaml.safe_dump(doc, sort_keys=False).encode(), names)
    if kind == "instigator":
        h = draw(st.sampled_from(sorted(doc["hypotheses"])))
        own = INSTIGATORS[h]
        new = draw(st.sampled_from([*INSTIGATORS.values(), own[:-1], own + "s", "", "nobody",
                                    own.upper()]))
        doc["hypotheses"][h]["instigator"] = new
        return Case(b.name, b.entry, f"hypotheses.{h}.instigator = {new!r}",
                    LOAD if new in ("", own) else REFUSE,
                    yaml.safe_dump(doc, sort_keys=False).encode(), names)
    if kind == "date":
        # dates in comments are prose, not values: only those before any '#' on their line
        spots = [m.span() for m in re.finditer(r"\d{4}-\d{2}-\d{2}", text)
                 if "#" not in text[text.rfind("\n", 0, m.start()) + 1:m.start()]]
        a, z = draw(st.sampled_from(spots))
        new = draw(st.sampled_from(["2008-13-45", "2009-02-30", "2009-00-10", "2009-06-31",
                                    "2010-04-31"]))
        return Case(b.name, b.entry, f"date {text[a:z]} -> {new}", REFUSE,
                    (text[:a] + new + text[z:]).encode(), names)
    lines = text.splitlines(keepends=True)
    i = draw(st.integers(0, len(lines) - 1))
    return Case(b.name, b.entry, f"line {i + 1} removed", EITHER,
                "".join(lines[:i] + lines[i + 1:]).encode(), names)


# --------------------------------------------------------------------------- running


def materialise(case: Case, root: Path) -> Path:
    """Write the built-in's files with the change into a fresh folder; return what to load."""
    b = BUILTINS[case.scenario]
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for name, data in b.files.items():
        content = case.content if name == case.file else data
        if content is not None:
            (root / name).write_bytes(content)
    return root if b.is_folder else root / b.entry


def judge(case: Case, outcome: str, message: str, family: str) -> list[str]:
    """Count the outcome and return what is wrong with it (nothing, when all is well)."""
    problems = []
    if outcome == "internal":
        problems.append(f"internal error: {message}")
    elif outcome == "loaded" and case.expect == REFUSE:
        outcome = "silent"
        problems.append("garbage accepted")
    elif outcome == "refused":
        if case.expect == LOAD:
            problems.append(f"a valid change refused: {message}")
        if len(message.splitlines()) > 3:
            problems.append(f"message longer than three lines: {message!r}")
        if not any(n in message for n in case.names):
            problems.append(f"message names none of {case.names}: {message}")
        if ";" not in message:
            problems.append(f"message gives no fix: {message}")
        if "Traceback" in message or "internal error" in message:
            problems.append(f"traceback or internal error in message: {message}")
    OUTCOMES[(family, "silent acceptance" if outcome == "silent" else outcome)] += 1
    OUTCOMES[(family, "cases")] += 1
    OUTCOMES[(family, f"must {case.expect}")] += 1
    return problems


def load_case(case: Case, root: Path, family: str) -> list[str]:
    """Run one case in-process through the loader and judge it."""
    target = materialise(case, root)
    try:
        load_scenario(str(target))
        outcome, message = "loaded", ""
    except UserError as exc:
        outcome, message = "refused", str(exc)
    except Exception as exc:  # noqa: BLE001 - what the fuzz test is looking for
        outcome, message = "internal", f"{type(exc).__name__}: {exc}"
    return judge(case, outcome, message, family)
