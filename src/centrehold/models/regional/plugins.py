"""The plug-in API: mechanisms a user adds without touching the engine (docs/plugins.md).

A plug-in changes the per-tick inputs of a regional run (legitimacy, the arrest
constant, forces on the streets, attack rates) once, before the tick loop starts.
It never runs inside the loop, so it costs no Python per tick, cannot slow the
Numba kernels, and cannot draw from or shift the engine's random streams: the same
seed and the same inputs give the same run, whatever the plug-in did to get them.
After each plug-in the inputs are checked, so a plug-in that breaks them is named
before any agent moves.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydantic
from pydantic import BaseModel

from centrehold.errors import UserError
from centrehold.scenario import plugins as found


@dataclass
class TickInputs:
    """Everything the tick loop reads that does not depend on the simulated violence, by tick.
    A plug-in mechanism may change these arrays in place before the run starts."""
    dates: np.ndarray            # datetime64[D], shape [T]: the first day of each tick
    step_days: int               # days a tick spans (1 or 7)
    regions: tuple[str, ...]     # ISO codes, length R
    groups: tuple[str, ...]      # community names, length G
    forces: tuple[str, ...]      # force names, length K
    people_per_agent: int
    legitimacy: np.ndarray       # float64 [T, G, R]: legitimacy each community grants
    arrest_k: np.ndarray         # float64 [T, R]: k of the arrest chance 1 - exp(-k floor(C/A))
    incident_mean: np.ndarray    # float64 [T, R]: sectarian incidents per active agent per tick
    street_targets: np.ndarray   # int64 [T, K, R]: force agents on the streets
    attack_rate: np.ndarray      # float64 [T, R, G + 2]: the hypothesis's expected attacks per tick (targets: groups, 'any', 'state')  # noqa: E501
    insurgent_rate: np.ndarray   # float64 [T, R, G + 2]: the insurgency's expected attacks per tick  # noqa: E501


@dataclass(frozen=True)
class Mechanism:
    name: str                              # the switch name under `mechanisms:`
    params: type[pydantic.BaseModel]       # validates the mechanism's parameters
    apply: Callable[[TickInputs, BaseModel], None]   # changes the inputs in place
    doc: str = ""


# what a plug-in may not change, and the bounds of what it may
_FIXED = ("dates", "step_days", "regions", "groups", "forces", "people_per_agent")
_BOUNDS: dict[str, tuple[float, float]] = {
    "legitimacy": (0.0, 1.0),
    "arrest_k": (0.0, np.inf),
    "incident_mean": (0.0, np.inf),
    "street_targets": (0.0, np.inf),
    "attack_rate": (0.0, np.inf),
    "insurgent_rate": (0.0, np.inf),
}
_AXES = {"legitimacy": ("tick", "group", "region"), "arrest_k": ("tick", "region"),
         "incident_mean": ("tick", "region"), "street_targets": ("tick", "force", "region"),
         "attack_rate": ("tick", "region", "target"),
         "insurgent_rate": ("tick", "region", "target")}


def _switched_on(sc) -> list[tuple[str, Mechanism, BaseModel]]:
    on = [name for name, value in (sc.mechanisms.model_extra or {}).items() if value is True]
    out = []
    for name in on:
        spec = sc.plugins[name]  # the scenario gave every switched-on plug-in a spec
        try:
            mechanism = found.load_plugin(name, spec.source)
            params = found.validate_params(name, mechanism, spec.params, sc)
        except Exception as exc:  # a PydanticCustomError: the scenario changed since it loaded
            ctx = getattr(exc, "context", None) or {}
            if "problem" not in ctx:
                raise
            raise UserError(f"field '{ctx['field']}': {ctx['problem']}; {ctx['fix']}") from None
        out.append((name, mechanism, params))
    return out


def load_mechanisms(sc) -> list[tuple[Mechanism, BaseModel]]:
    """The switched-on plug-ins, validated, in scenario order (the order of `mechanisms:`)."""
    return [(mechanism, params) for _, mechanism, params in _switched_on(sc)]


def _expected(inputs: TickInputs) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """The shape and dtype of each array, from the names and dates (the contract above)."""
    T, G, R, K = (len(inputs.dates), len(inputs.groups), len(inputs.regions),
                  len(inputs.forces))
    f, i = np.dtype(np.float64), np.dtype(np.int64)
    return {"legitimacy": ((T, G, R), f), "arrest_k": ((T, R), f), "incident_mean": ((T, R), f),
            "street_targets": ((T, K, R), i), "attack_rate": ((T, R, G + 2), f),
            "insurgent_rate": ((T, R, G + 2), f)}


def _out_of_range(inputs: TickInputs, name: str) -> str:
    """'' if the array is within its bounds, else its first bad element and where it is."""
    lo, hi = _BOUNDS[name]
    arr = getattr(inputs, name)
    bad = ~((arr >= lo) & (arr <= hi))  # NaN fails both comparisons
    if not bad.any():
        return ""
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    return f"{arr[index]} at {_where(inputs, name, index)}"


def _rule(name: str) -> str:
    return "between 0 and 1" if _BOUNDS[name][1] == 1.0 else "finite and 0 or more"


def check_built(inputs: TickInputs) -> None:
    """The engine's side of the contract: what it hands the plug-ins has the promised shapes,
    dtypes and ranges (a mistake here is the engine's, so it is not a UserError)."""
    if inputs.dates.dtype != np.dtype("datetime64[D]"):
        raise TypeError(f"TickInputs.dates is {inputs.dates.dtype}, not datetime64[D]")
    for name, (shape, dtype) in _expected(inputs).items():
        arr = getattr(inputs, name)
        if arr.shape != shape or arr.dtype != dtype:
            raise TypeError(f"TickInputs.{name} is {arr.dtype} {list(arr.shape)}, "
                            f"not {dtype} {list(shape)}")
        if bad := _out_of_range(inputs, name):
            raise ValueError(f"TickInputs.{name} is {bad}, before any plug-in; "
                             f"the engine must build it {_rule(name)}")


def _where(inputs: TickInputs, name: str, index: tuple[int, ...]) -> str:
    """`tick 12 (2009-07-01), region IQ-BG` for the first bad element of an array."""
    labels = {"region": inputs.regions, "group": inputs.groups, "force": inputs.forces,
              "target": (*inputs.groups, "any", "state")}
    parts = []
    for axis, i in zip(_AXES[name], index, strict=True):
        if axis == "tick":
            parts.append(f"tick {i} ({inputs.dates[i]})")
        else:
            parts.append(f"{axis} {labels[axis][i]}")
    return ", ".join(parts)


def _check(inputs: TickInputs, before: dict[str, object], who: str) -> None:
    """What a plug-in left: the names and dates as they were, every array of its shape and
    dtype and within its bounds, and C-ordered as the kernels expect."""
    for name in _FIXED:
        now, then = getattr(inputs, name), before[name]
        same = (np.array_equal(now, then) if isinstance(then, np.ndarray)
                else now == then)
        if not same:
            raise UserError(f"{who} changed {name}; a plug-in changes only the arrays "
                            f"({', '.join(_BOUNDS)})")
    for name in _BOUNDS:
        shape, dtype = before[name]
        arr = getattr(inputs, name)
        if not isinstance(arr, np.ndarray) or arr.shape != shape or arr.dtype != dtype:
            got = (f"{arr.dtype} {list(arr.shape)}" if isinstance(arr, np.ndarray)
                   else type(arr).__name__)
            raise UserError(f"{who} made {name} {got}, not {dtype} {list(shape)}; "
                            "change the values in place and keep shape and dtype")
        if bad := _out_of_range(inputs, name):
            raise UserError(f"{who} set {name} to {bad}; keep it {_rule(name)}")
        if not arr.flags.c_contiguous:
            setattr(inputs, name, np.ascontiguousarray(arr))


def _failure(exc: Exception, who: str) -> UserError:
    frames = traceback.extract_tb(exc.__traceback__)
    at = f" ({Path(frames[-1].filename).name} line {frames[-1].lineno})" if frames else ""
    text = " ".join(str(exc).split())[:200]
    return UserError(f"{who} failed: {type(exc).__name__}: {text}{at}; fix the plug-in")


def apply_plugins(sc, inputs: TickInputs) -> None:
    """Let each switched-on plug-in change the inputs, in scenario order, and check what it
    left. The engine calls this once, after building the inputs and before the first tick."""
    check_built(inputs)
    for name, mechanism, params in _switched_on(sc):
        who = f"plug-in '{name}'"
        before: dict[str, object] = {n: getattr(inputs, n) for n in _FIXED}
        before["dates"] = np.array(inputs.dates, copy=True)
        before.update(_expected(inputs))
        try:
            mechanism.apply(inputs, params)
        except UserError:
            raise
        except Exception as exc:  # noqa: BLE001 - user code; reported in one line
            raise _failure(exc, who) from None
        _check(inputs, before, who)


__all__ = ["Mechanism", "TickInputs", "apply_plugins", "load_mechanisms"]
