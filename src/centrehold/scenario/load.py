"""Find, read and validate scenario files, turning every mistake into one line a person can act on.

A scenario is data: a YAML file (built in under `library/`, or anywhere on disk),
optionally with CSV tables next to it pulled in with the `!csv` tag. The YAML's
`model:` key picks the pydantic schema. Pydantic does the coercion and checking;
this module's job is to say *where* a problem is (the file, the CSV row or the
`--set` option), *which* field, and *what to do*, in a single line, because a raw
`ValidationError` is a wall of text that hides the one thing the user must change.
"""

from __future__ import annotations

import copy
import datetime as _dt
import difflib
import importlib
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from centrehold.errors import UserError
from centrehold.scenario import extend, tables

LIBRARY_DIR: Path = Path(__file__).resolve().parent / "library"

# `model:` value -> "module:Class" of its schema. Imported lazily so that a
# scenario of one kind never pays for (or breaks on) another kind's code.
MODELS: dict[str, str] = {
    "epstein": "centrehold.scenario.epstein:EpsteinScenario",
    "regional": "centrehold.scenario.regional:RegionalScenario",
}

_YAML_SUFFIXES = (".yaml", ".yml")
# a run folder's scenario.json holds every parameter used; JSON is YAML, so it loads as is
_FILE_SUFFIXES = (*_YAML_SUFFIXES, ".json")
_FOLDER_FILES = ("scenario.yaml", "scenario.yml", "scenario.json")


def _err(message: str) -> UserError:
    """A UserError on exactly one line, whatever the user typed into the values it quotes."""
    return UserError(" ".join(message.split()))


def _has_regional_engine() -> bool:
    """Whether the regional engine is installed, found by its file: importing it would load
    Numba and the whole engine just to read a scenario."""
    return (Path(__file__).resolve().parents[1] / "models" / "regional" / "world.py").is_file()


def _default_scenario() -> str:
    """iraq-2009 becomes the default as soon as its file and its engine path both exist."""
    has_file = (LIBRARY_DIR / "iraq-2009" / "scenario.yaml").is_file() or (
        LIBRARY_DIR / "iraq-2009.yaml"
    ).is_file()
    return "iraq-2009" if has_file and _has_regional_engine() else "epstein-1"


DEFAULT_SCENARIO: str = _default_scenario()


# --------------------------------------------------------------------------- finding


def library_scenarios() -> dict[str, Path]:
    """Built-in scenario names and their YAML files (`<name>.yaml` or `<name>/scenario.yaml`)."""
    found: dict[str, Path] = {}
    if not LIBRARY_DIR.is_dir():
        return found
    for entry in sorted(LIBRARY_DIR.iterdir()):
        if entry.is_file() and entry.suffix in _YAML_SUFFIXES:
            found.setdefault(entry.stem, entry)
        elif entry.is_dir():
            for suffix in _YAML_SUFFIXES:
                candidate = entry / f"scenario{suffix}"
                if candidate.is_file():
                    found.setdefault(entry.name, candidate)
                    break
    return found


def _looks_like_path(text: str) -> bool:
    return text.endswith(_FILE_SUFFIXES) or "/" in text or os.sep in text


def find_scenario(name_or_path: str) -> Path:
    """Resolve a built-in name or a path to the scenario's YAML file, or explain what exists."""
    text = str(name_or_path).strip()
    if not text:
        raise _err("no scenario given; name one from `centrehold scenarios` or a .yaml path")
    library = library_scenarios()
    if text in library:
        return library[text]
    path = Path(text).expanduser()
    if path.is_dir():
        for name in _FOLDER_FILES:
            if (path / name).is_file():
                return path / name
        raise _err(
            f"folder '{text}' has no scenario.yaml (nor a run's scenario.json); "
            "put the scenario there or give the .yaml file"
        )
    if path.is_file():
        return path
    if _looks_like_path(text):
        raise _err(
            f"scenario file '{text}' not found; check the path (relative to {Path.cwd()})"
        )
    known = ", ".join(library) or "(none installed)"
    close = difflib.get_close_matches(text, list(library), n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise _err(
        f"unknown scenario '{text}'; {hint}known scenarios: {known} "
        "(or give a path to a .yaml file)"
    )


def _display(path: Path) -> str:
    """Short name of a scenario file for messages: library- or cwd-relative when possible."""
    try:
        return "library/" + path.resolve().relative_to(LIBRARY_DIR).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- reading


@dataclass
class _CsvRef:
    """A `!csv file.csv` tag found in the YAML, resolved after parsing."""

    target: str
    line: int


# libyaml's parser where PyYAML was built with it (its wheels are): the built-in iraq
# scenario loads in a third of the time (37 -> 13 ms), and the loader's rules (safe tags,
# `!csv`, no duplicate fields, real dates) are the safe constructors below either way
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Safe = yaml.constructor.SafeConstructor  # what either loader constructs with


class _ScenarioYamlLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """Safe YAML plus one tag, `!csv`, so a table can live in a CSV file beside the YAML."""


def _construct_csv(loader: _Safe, node: yaml.Node) -> _CsvRef:
    value = loader.construct_scalar(node)  # type: ignore[arg-type]
    return _CsvRef(str(value), node.start_mark.line + 1)


class _DuplicateKey(Exception):
    """A field written twice in one mapping; YAML would silently keep the last."""

    def __init__(self, key: str, first: int, second: int) -> None:
        super().__init__(key)
        self.key, self.first, self.second = key, first, second


def _construct_mapping(loader: _Safe, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if isinstance(key, (str, int, float, bool)) and key in seen:
            raise _DuplicateKey(str(key), seen[key], line)
        if isinstance(key, (str, int, float, bool)):
            seen[key] = line
    return _Safe.construct_mapping(loader, node, deep=deep)


class _BadDate(Exception):
    """A YAML date that is no day of the calendar (2008-13-45); YAML itself raises ValueError."""

    def __init__(self, text: str, line: int, reason: str) -> None:
        super().__init__(text)
        self.text, self.line, self.reason = text, line, reason


def _construct_timestamp(loader: _Safe, node: yaml.Node) -> Any:
    try:
        return _Safe.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except (ValueError, OverflowError) as exc:
        raise _BadDate(str(node.value), node.start_mark.line + 1, str(exc)) from None


_ScenarioYamlLoader.add_constructor("!csv", _construct_csv)
_ScenarioYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_ScenarioYamlLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def read_csv_records(path: Path, origin: str) -> list[dict[str, str | None]]:
    """Read a CSV into row dicts of strings, leaving the typing to the schema (pydantic coerces).

    Blank cells become None so optional columns may be left empty. The rows remember
    their file and lines, so a schema that checks them cell by cell can say where.
    """
    try:
        found = path.is_file()
    except OSError:  # a name too long for the file system
        found = False
    if not found:
        where = str(path) if len(str(path)) <= 300 else f"{str(path)[:297]}..."
        raise _err(f"{origin}: CSV file '{where}' not found; put it next to the scenario file")
    try:
        return tables.read_table(path, path.name)
    except PydanticCustomError as exc:
        raise _err(_placed(exc.context or {}, origin)) from None


def _placed(ctx: Mapping[str, Any], label: str) -> str:
    """One line for an error that knows its file and line (or field): where, problem, fix."""
    where = tables.place(ctx)
    if ctx.get("file"):
        if ctx["file"] != label:
            table = f"the {ctx['table']} table" if ctx.get("table") else "a table"
            where += f" ({table} of {label})"
    else:
        where = f"{label}: {where}" if where else label
    return f"{where}: {ctx.get('problem', 'invalid value')}; {ctx.get('fix', 'fix it')}"


@dataclass
class ScenarioSource:
    """A scenario file read but not yet validated: what `load_scenario` works from."""

    path: Path
    label: str  # how messages name the file
    data: dict[str, Any]
    schema: type[BaseModel]
    csv_tables: dict[tuple, str] = field(default_factory=dict)  # loc prefix -> CSV file name


_MAX_VALUES = 1_000_000  # YAML aliases can repeat a list into billions of values


def _resolve_csv(node: Any, base: Path, label: str, loc: tuple, found: dict[tuple, str],
                 count: list[int] | None = None) -> Any:
    count = count if count is not None else [0]
    count[0] += 1
    if count[0] > _MAX_VALUES:
        raise _err(f"{label}: more than {_MAX_VALUES:,} values (aliases repeated?); "
                   "write the scenario out plainly")
    if isinstance(node, _CsvRef):
        records = read_csv_records(base / node.target, f"{label} line {node.line}")
        found[loc] = node.target
        return records
    if isinstance(node, dict):
        return {k: _resolve_csv(v, base, label, (*loc, k), found, count)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve_csv(v, base, label, (*loc, i), found, count)
                for i, v in enumerate(node)]
    return node


def schema_class(model: str) -> type[BaseModel]:
    """The pydantic schema registered for a `model:` value."""
    target = MODELS[model]
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise _err(
                f"model '{model}' is not available in this installation of centrehold "
                f"({module_name} is missing); use a scenario of another model"
            ) from None
        raise
    return getattr(module, class_name)


def read_scenario(name_or_path: str, _chain: tuple[Path, ...] = ()) -> ScenarioSource:
    """Find and parse a scenario file and pick its schema, without validating the values yet."""
    path = find_scenario(name_or_path)
    label = _display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _err(f"{label}: cannot read the file ({exc}); check it is UTF-8 text") from None
    try:
        data = yaml.load(text, Loader=_ScenarioYamlLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise _err(
            f"{label}: YAML syntax error at {where}: {problem}; fix the indentation, "
            "quoting or colon there"
        ) from None
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid YAML"
        raise _err(f"{label}: YAML syntax error: {first}; fix the file") from None
    except _DuplicateKey as dup:
        raise _err(
            f"{label} line {dup.second}: field '{dup.key}' is given twice (first on line "
            f"{dup.first}); keep one of them"
        ) from None
    except _BadDate as bad:
        raise _err(
            f"{label} line {bad.line}: '{bad.text[:40]}' is not a real date ({bad.reason}); "
            "write a date that exists, as YYYY-MM-DD"
        ) from None
    except RecursionError:
        raise _err(f"{label}: nested too deeply to read; flatten the file") from None
    if not isinstance(data, dict):
        raise _err(
            f"{label}: expected a mapping of fields (name: ..., model: ...) at the top, "
            f"got {type(data).__name__}; write one `field: value` per line"
        )
    base: ScenarioSource | None = None
    if extend.KEY in data:  # scenario/extend.py
        base = _base_of(data, path, label, (*_chain, path.resolve()))
        data.setdefault("model", base.data.get("model"))
    model = data.get("model")
    if model is None:
        raise _err(
            f"{label}: no 'model:' field; add `model: epstein` or `model: regional` at the top"
        )
    if not isinstance(model, str) or model not in MODELS:
        close = difflib.get_close_matches(str(model), list(MODELS), n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise _err(
            f"{label}: field 'model': unknown model '{model}'; {hint}"
            f"use one of: {', '.join(MODELS)}"
        )
    csv_tables: dict[tuple, str] = {}
    try:
        data = _resolve_csv(data, path.parent, label, (), csv_tables)
    except RecursionError:  # an alias that holds itself
        raise _err(f"{label}: a value refers to itself; write the scenario out plainly") from None
    if base is not None:  # the file laid over its base; the base's tables it leaves in place
        csv_tables = {**{loc: name for loc, name in base.csv_tables.items()
                         if loc[0] not in data}, **csv_tables}
        data = extend.merged(extend.rebased(base.data, base.path.parent), data)
    return ScenarioSource(path=path, label=label, data=data, schema=schema_class(model),
                          csv_tables=csv_tables)


def _base_of(data: dict[str, Any], path: Path, label: str,
             chain: tuple[Path, ...]) -> ScenarioSource:
    """The scenario a file extends, read (not validated) with its own bases."""
    name = data.pop(extend.KEY)
    if not isinstance(name, str) or not name.strip():
        raise _err(f"{label}: field 'extends': got {name!r}; name a built-in scenario "
                   "or a .yaml file")
    if extend.too_deep(chain):
        raise _err(f"{label}: field 'extends': the scenarios extend each other in a loop; "
                   "make one of them stand alone")
    try:
        found = find_scenario(extend.base_path(name, path.parent))
    except UserError as exc:
        raise _err(f"{label}: field 'extends': {exc}") from None
    base = read_scenario(str(found), chain)  # its own errors name its own file
    if data.get("model", base.data.get("model")) != base.data.get("model"):
        raise _err(f"{label}: field 'model': {data['model']!r} differs from the model of "
                   f"{base.label} it extends; remove the model: line")
    return base


# --------------------------------------------------------------------------- overrides


def parse_overrides(items: list[str] | tuple[str, ...] | None) -> dict[str, str]:
    """Split the CLI's `--set key=value` strings; a later repeat of a key wins."""
    out: dict[str, str] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise _err(f"--set '{item}' is not key=value; write it like --set legitimacy=0.7")
        out[key] = value.strip()
    return out


def parse_value(text: str) -> Any:
    """Read an override value the way YAML would, but keep words and dates as text.

    YAML 1.1 turns `no`/`on` into booleans and `2009-06-30` into a date; as
    `--set` values those are more often names or ISO strings that pydantic parses
    itself, so only `true`/`false` become booleans. `null` (or `~`) clears a field.
    """
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, bool) and text.strip().lower() not in ("true", "false"):
        return text
    if isinstance(value, (_dt.date, _dt.datetime)):
        return text
    if value is None and text.strip().lower() not in ("null", "~"):
        return text  # an empty value stays an empty string
    return value  # `none` stays a word: several options are named "none"


def apply_overrides(data: dict[str, Any], overrides: Mapping[str, str], label: str) -> dict:
    """Return a copy of the scenario data with each dotted key set to its parsed value."""
    result = copy.deepcopy(data)
    for key, raw in overrides.items():
        parts = key.split(".")
        if any(not p for p in parts):
            raise _err(f"--set {key}={raw}: empty part in the key; write dotted keys like a.b")
        if parts[0] == "model":
            raise _err(
                f"--set {key}={raw}: 'model' picks the schema and cannot be overridden; "
                "use a scenario file of the other model"
            )
        node: Any = result
        for depth, part in enumerate(parts[:-1]):
            where = ".".join(parts[: depth + 1])
            if isinstance(node, list):
                node = node[_list_index(part, node, key, raw, where)]
            elif isinstance(node, dict):
                child = node.get(part)
                if child is None:
                    child = node[part] = {}
                elif not isinstance(child, (dict, list)):
                    raise _err(
                        f"--set {key}={raw}: '{where}' is a single value in {label}, not a group "
                        f"of fields; set it directly with --set {where}=..."
                    )
                node = child
        last = parts[-1]
        value = parse_value(raw)
        if isinstance(node, list):
            node[_list_index(last, node, key, raw, ".".join(parts))] = value
        else:
            node[last] = value
    return result


def _list_index(part: str, node: list, key: str, raw: str, where: str) -> int:
    if not part.lstrip("-").isdigit() or not -len(node) <= int(part) < len(node):
        raise _err(
            f"--set {key}={raw}: '{where}' must index a list of {len(node)} items "
            f"(0..{len(node) - 1}); fix the number in the key"
        )
    return int(part)


# --------------------------------------------------------------------------- errors


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types inside Optional/Union/Annotated, for walking down a schema."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    return [annotation]


def _fields_at(schema: type[BaseModel], loc: tuple) -> list[str] | None:
    """Field names of the sub-model a location points into, for 'did you mean' hints."""
    current: list[Any] = [schema]
    for step in loc:
        following: list[Any] = []
        for typ in current:
            origin = typing.get_origin(typ)
            if isinstance(typ, type) and issubclass(typ, BaseModel):
                if isinstance(step, str) and step in typ.model_fields:
                    following.extend(_unwrap(typ.model_fields[step].annotation))
            elif origin in (list, tuple, set, frozenset) and isinstance(step, int):
                args = typing.get_args(typ)
                if args:
                    following.extend(_unwrap(args[0]))
            elif origin is dict:
                args = typing.get_args(typ)
                if len(args) == 2:
                    following.extend(_unwrap(args[1]))
            # a tagged or smart union inserts the member's name into the location
            if isinstance(step, str) and getattr(typ, "__name__", None) == step:
                following.append(typ)
        current = following
        if not current:
            return None
    names: list[str] = []
    for typ in current:
        if isinstance(typ, type) and issubclass(typ, BaseModel):
            names.extend(n for n in typ.model_fields if n not in names)
    return names or None


def problem_and_fix(err: dict, schema: type[BaseModel], loc: tuple) -> tuple[str, str]:
    """(problem, fix) for one pydantic error, in plain words."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    got = err.get("input")
    got_text = repr(got) if not isinstance(got, (dict, list)) else type(got).__name__
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else "?"
        known = _fields_at(schema, loc[:-1]) or []
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        if close:
            return f"unknown field '{name}'", f"did you mean '{close[0]}'?"
        listed = ", ".join(known[:25]) + (", ..." if len(known) > 25 else "")
        return f"unknown field '{name}'", (f"known fields here: {listed}" if known
                                           else "remove it")
    if kind == "missing":
        return "required field is missing", "add it"
    bounds = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<",
              "less_than_equal": "<="}
    if kind in bounds:
        limit = next(iter(ctx.values()), "?")
        return f"got {got_text}, must be {bounds[kind]} {limit}", "choose a value in range"
    if kind in ("literal_error", "enum"):
        return f"got {got_text}", f"use one of {ctx.get('expected', 'the listed values')}"
    type_words = {
        "int": "a whole number", "float": "a number", "bool": "true or false",
        "string": "text", "date": "a date like 2009-06-30", "datetime": "a date and time",
        "list": "a list", "dict": "a mapping of fields", "model": "a mapping of fields",
        "decimal": "a number",
    }
    for prefix, words in type_words.items():
        if kind.startswith(prefix + "_") or kind == prefix + "_type" or kind == prefix:
            return f"got {got_text}, expected {words}", f"give {words}"
    if kind in ("value_error", "assertion_error"):
        msg = str(err.get("msg", ""))
        for prefix in ("Value error, ", "Assertion failed, "):
            if msg.startswith(prefix):
                msg = msg[len(prefix):]
        msg = msg.rstrip(". ")
        if ";" in msg:
            problem, _, fix = msg.partition(";")
            return problem.strip(), fix.strip()
        return msg, "fix the value"
    return str(err.get("msg", kind)).rstrip("."), "fix the value"


def _origin(loc: tuple, src: ScenarioSource, overrides: Mapping[str, str]) -> str:
    """Which thing the user typed holds the bad value: a --set option, a CSV row, or the file."""
    dotted = ".".join(str(p) for p in loc)
    for key, value in overrides.items():
        inside = dotted == key or dotted.startswith(key + ".")
        if inside or (dotted and key.startswith(dotted + ".")):
            return f"--set {key}={value} (scenario {src.label})"
    for prefix, table in src.csv_tables.items():
        n = len(prefix)
        if loc[:n] == prefix and len(loc) > n and isinstance(loc[n], int):
            row = loc[n] + 2  # header is line 1
            return f"{table} line {row} (from {src.label})"
    return src.label


_PRIMITIVE_TAGS = {"int", "float", "str", "bool", "none", "list", "dict", "tuple", "set",
                   "date", "datetime", "decimal", "bytes"}


def _model_names(schema: type[BaseModel]) -> set[str]:
    """Names of every sub-model reachable from a schema: pydantic puts them in union locations."""
    seen: set[str] = set()
    stack: list[Any] = [schema]
    while stack:
        typ = stack.pop()
        for inner in _unwrap(typ):
            for arg in (inner, *typing.get_args(inner)):
                for t in _unwrap(arg):
                    if isinstance(t, type) and issubclass(t, BaseModel) and t.__name__ not in seen:
                        seen.add(t.__name__)
                        stack.extend(f.annotation for f in t.model_fields.values())
    return seen


def _clean_loc(loc: tuple, schema: type[BaseModel]) -> tuple:
    """Drop the union-member tags pydantic inserts (`int`, `literal['life']`, class names)."""
    names = _model_names(schema)
    return tuple(
        p for p in loc
        if not (isinstance(p, str) and ("[" in p or p.startswith("constrained-")
                                        or p in _PRIMITIVE_TAGS or p in names))
    )


def format_validation_error(
    exc: ValidationError, src: ScenarioSource, overrides: Mapping[str, str] | None = None
) -> str:
    """One line for a ValidationError: origin, field, problem, fix, and how many more there are."""
    overrides = overrides or {}
    # a misspelt name shows up as one unknown and one missing field: the unknown one,
    # with its "did you mean", is what the user needs to see first
    errors = sorted(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    first = errors[0]
    loc = _clean_loc(tuple(first.get("loc", ())), src.schema)
    n_more = len({_clean_loc(tuple(e.get("loc", ())), src.schema) for e in errors}) - 1
    if first["type"] == tables.ERROR_TYPE:  # a table cell or a field that knows its place
        return _placed_error(first.get("ctx") or {}, loc, src, overrides, n_more)
    problem, fix = problem_and_fix(first, src.schema, loc)
    # a field of several types (a number or "life") fails once per type: offer each way out
    same = [e for e in errors[1:] if _clean_loc(tuple(e.get("loc", ())), src.schema) == loc]
    fixes = [fix] + [problem_and_fix(e, src.schema, loc)[1] for e in same]
    fix = " or ".join(dict.fromkeys(fixes))
    origin = _origin(loc, src, overrides)
    dotted = ".".join(str(p) for p in loc)
    # a CSV row's field reads better as the column name alone
    for prefix in src.csv_tables:
        n = len(prefix)
        if loc[:n] == prefix and len(loc) > n + 1 and isinstance(loc[n], int):
            dotted = ".".join(str(p) for p in loc[n + 1:])
    if not dotted and overrides:  # a check across fields: any of the --set values may be at fault
        origin += " with " + " ".join(f"--set {k}={v}" for k, v in overrides.items())
    head = f"{origin}: field '{dotted}'" if dotted else origin
    more = f" (and {n_more} more problem{'s' if n_more > 1 else ''})" if n_more else ""
    line = f"{head}: {problem}; {fix}{more}"
    return " ".join(line.split())


def _placed_error(ctx: Mapping[str, Any], loc: tuple, src: ScenarioSource,
                  overrides: Mapping[str, str], n_more: int) -> str:
    field_loc = tuple(str(ctx["field"]).split(".")) if ctx.get("field") else loc
    origin = src.label if ctx.get("file") else _origin(field_loc, src, overrides)
    line = _placed(ctx, origin)
    if n_more:
        line += f" (and {n_more} more problem{'s' if n_more > 1 else ''})"
    return " ".join(line.split())


# --------------------------------------------------------------------------- public API


def validate_source(src: ScenarioSource, overrides: Mapping[str, str] | None = None) -> BaseModel:
    """Apply overrides to a read scenario and validate it against its schema."""
    overrides = dict(overrides or {})
    data = apply_overrides(src.data, overrides, src.label) if overrides else src.data
    try:
        scenario = src.schema.model_validate(
            data, context={"base_dir": src.path.parent, "source": src.path}
        )
    except ValidationError as exc:
        raise _err(format_validation_error(exc, src, overrides)) from None
    try:
        tables.check_companions(str(data.get("model", "")), scenario, src.path.parent)
    except PydanticCustomError as exc:
        raise _err(_placed(exc.context or {}, src.label)) from None
    return scenario


def load_scenario(name_or_path: str, overrides: Mapping[str, str] | None = None) -> BaseModel:
    """A validated scenario from a built-in name or a YAML path, with `--set` overrides applied.

    Every problem (unknown name, missing file, bad YAML, unknown field, wrong
    type, impossible value) raises `UserError` with one line naming the file or
    option, the field and the fix.
    """
    return validate_source(read_scenario(name_or_path), overrides)


def list_scenarios() -> list[tuple[str, str]]:
    """(name, first line of the description) of each built-in scenario, sorted by name.

    Reads the YAML only (no validation), so one broken file cannot hide the others.
    """
    rows: list[tuple[str, str]] = []
    for name, path in library_scenarios().items():
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_ScenarioYamlLoader)  # noqa: S506
            text = str(data.get("description", "")) if isinstance(data, dict) else ""
        except (OSError, yaml.YAMLError, UnicodeDecodeError, _DuplicateKey, _BadDate,
                RecursionError):
            text = "(file unreadable: run `centrehold run " + name + "` for the error)"
        first = text.strip().splitlines()[0] if text.strip() else ""
        rows.append((name, first))
    return rows


def has_field(schema: type[BaseModel], name: str) -> bool:
    """Whether a schema declares a top-level field (used for `--hypothesis`)."""
    return name in schema.model_fields
