"""Finding the plug-in mechanisms a regional scenario names, and checking their parameters.

A plug-in is user code, so this module is the one place where a scenario imports
something it did not ship with. It imports only the plug-ins that are switched on,
checks their parameters with the plug-in's own pydantic model while the scenario
loads (so `--set` and sweeps reach them like any built-in parameter), and turns
every way of getting a plug-in wrong into one line that says what to do.
It does not import the engine: a plug-in is recognised by its shape (a name, a
pydantic model of parameters and an `apply` function), which is what
`centrehold.models.regional.plugins.Mechanism` has.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.metadata
import importlib.util
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from centrehold.scenario import tables

GROUP = "centrehold.mechanisms"
ENTRY_POINT = ""  # a plug-in's `source` when it is found by its entry point


class PluginSpec(BaseModel):
    """Where a plug-in mechanism is and the parameters it runs with."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    source: str = Field(
        default=ENTRY_POINT,
        description="file.py:NAME (next to the scenario file, else in the working folder), "
                    "package.module:NAME, or empty: the plug-in installed under this name",
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="checked by the plug-in's own model when it is on")


@functools.cache
def entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    """Installed plug-ins by name; reading the metadata imports none of them. Read once per
    process: it takes milliseconds, and a model choice runs thousands of simulations."""
    return {ep.name: ep for ep in importlib.metadata.entry_points(group=GROUP)}


def _split(source: str, where: str) -> tuple[str, str]:
    target, sep, attr = source.strip().rpartition(":")
    if not sep or not target or not attr.isidentifier():
        raise tables.scenario_error(
            f"source {tables.shown(source)} names no object",
            "write it as file.py:NAME or package.module:NAME", field=where)
    return target, attr


def resolve_source(source: str, base_dir: Path | None, where: str) -> str:
    """A plug-in file is read next to the scenario file that names it, else in the working
    folder; the source comes back with the file's absolute path, so that a run's recorded
    scenario finds the same file from wherever it is run again."""
    if not source.strip():
        return ENTRY_POINT
    target, attr = _split(source, where)
    if not target.endswith(".py"):
        return f"{target}:{attr}"  # a module, found on the Python path
    path = Path(target).expanduser()
    candidates = [path] if path.is_absolute() else [
        *([Path(base_dir) / path] if base_dir else []), Path.cwd() / path]
    for candidate in candidates:
        if candidate.is_file():
            return f"{candidate.resolve()}:{attr}"
    raise tables.scenario_error(
        f"plug-in file {tables.shown(target)} not found",
        "give a path relative to the scenario file's folder (or the working folder)",
        field=where)


def _failed(what: str, exc: BaseException, where: str) -> Exception:
    """One line for a plug-in that breaks while it is imported: the error and its line."""
    frames = traceback.extract_tb(exc.__traceback__)
    at = f" ({Path(frames[-1].filename).name} line {frames[-1].lineno})" if frames else ""
    if isinstance(exc, SyntaxError) and exc.lineno:
        at = f" ({Path(exc.filename or what).name} line {exc.lineno})"
    text = " ".join(str(exc).split())[:200]
    return tables.scenario_error(f"{what} failed to import: {type(exc).__name__}: {text}{at}",
                                 "fix the plug-in's code", field=where)


def _import_file(path: Path, where: str) -> Any:
    """Import a plug-in file once per process, under a name made from its path."""
    name = "centrehold_plugin_" + hashlib.sha256(str(path).encode()).hexdigest()[:16]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise tables.scenario_error(f"{path.name} is not a Python file",
                                    "name a .py file", field=where)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look the module up by name
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - user code; any failure is reported in one line
        del sys.modules[name]
        raise _failed(path.name, exc, where) from None
    return module


def _import_module(name: str, where: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            raise tables.scenario_error(
                f"no module {tables.shown(name)}",
                "install the package that holds it, or name a .py file (file.py:NAME)",
                field=where) from None
        raise _failed(name, exc, where) from None
    except Exception as exc:  # noqa: BLE001 - user code
        raise _failed(name, exc, where) from None


def check_mechanism(obj: Any, what: str, where: str) -> Any:
    """A mechanism is anything with a name, a pydantic model of its parameters and `apply`."""
    params = getattr(obj, "params", None)
    if not (isinstance(getattr(obj, "name", None), str) and isinstance(params, type)
            and issubclass(params, BaseModel) and callable(getattr(obj, "apply", None))):
        raise tables.scenario_error(
            f"{what} is a {type(obj).__name__}, not a Mechanism",
            "make it centrehold.models.regional.plugins.Mechanism(name, params, apply)",
            field=where)
    return obj


def load_plugin(name: str, source: str) -> Any:
    """The mechanism object of a resolved source, importing its module if need be."""
    where = f"plugins.{name}.source"
    if source == ENTRY_POINT:
        found = entry_points().get(name)
        if found is None:
            raise tables.scenario_error(
                f"no plug-in named {tables.shown(name)} is installed (entry point group {GROUP})",
                "install its package, or give plugins." + name + ".source: file.py:NAME",
                field=where)
        try:
            obj = found.load()
        except Exception as exc:  # noqa: BLE001 - user code
            raise _failed(found.value, exc, where) from None
        return check_mechanism(obj, f"entry point {name} ({found.value})", where)
    target, attr = _split(source, where)
    if target.endswith(".py"):
        module = _import_file(Path(target), where)
        shown = Path(target).name
    else:
        module = _import_module(target, where)
        shown = target
    if not hasattr(module, attr):
        public = [n for n in vars(module) if not n.startswith("_")]
        raise tables.scenario_error(
            f"{shown} has no {attr!r}",
            f"{tables.did_you_mean(attr, public)}name the Mechanism object the module defines",
            field=where)
    return check_mechanism(getattr(module, attr), f"{shown}:{attr}", where)


def validate_params(name: str, mechanism: Any, raw: Mapping[str, Any],
                    scenario: Any) -> BaseModel:
    """A plug-in's parameters checked by its own model; the scenario is in the context so a
    plug-in can check names (regions, forces) and dates against it."""
    try:
        return mechanism.params.model_validate(dict(raw), context={"scenario": scenario})
    except ValidationError as exc:
        from centrehold.scenario.load import problem_and_fix

        err = exc.errors(include_url=False)[0]
        loc = tuple(err.get("loc", ()))
        problem, fix = problem_and_fix(err, mechanism.params, loc)
        field = ".".join(["plugins", name, "params", *map(str, loc)])
        raise tables.scenario_error(problem, fix, field=field) from None


def check_switches(builtin: list[str], switches: Mapping[str, Any],
                   plugins: Mapping[str, Any]) -> list[str]:
    """The plug-in switches that are on, in the order written; every plug-in switch must have a
    plug-in (under `plugins:` or installed) and every plug-in a switch."""
    installed = None
    on: list[str] = []
    for name in plugins:
        if name in builtin:
            raise tables.scenario_error(
                "the name of a built-in mechanism", "give the plug-in a name of its own",
                field=f"plugins.{name}")
    for name, value in switches.items():
        where = f"mechanisms.{name}"
        if not isinstance(value, bool):
            raise tables.scenario_error(f"got {tables.shown(value)}",
                                        "write true or false", field=where)
        if name not in plugins:
            installed = entry_points() if installed is None else installed
            if name not in installed:
                close = tables.did_you_mean(name, [*builtin, *plugins, *installed])
                fix = (f"{close}or add a plug-in of that name under plugins:" if close else
                       "add it under plugins: with a source, or switch a built-in mechanism: "
                       + ", ".join(builtin))
                raise tables.scenario_error(
                    f"no mechanism or plug-in named {tables.shown(name)}", fix, field=where)
        if value:
            on.append(name)
    for name in plugins:
        if name not in switches:
            raise tables.scenario_error(
                "the plug-in has no switch",
                f"add `{name}: true` (or false) under mechanisms:", field=f"plugins.{name}")
    return on
