"""The public entry point of the engine: one core, two models on it.

`centrehold.engine.core` holds what every model runs on (the structure-of-arrays
world, keyed random streams, the shared rule kernels); `centrehold.models.epstein`
and `centrehold.models.regional` are the models. Callers import from here:
`simulate` runs a scenario to a labelled Dataset (whichever model it names);
`run_regional` runs a regional one to its unlabelled outputs (`RegionalRun`), which
`regional_dataset` labels, for callers that read thousands of runs; `step`
runs one tick of an Epstein world (extensions build their own `World` and call it);
`build_world` places the agents of an Epstein scenario.

The names are looked up on first use (PEP 562), not imported with the package: the
models import the core, which lives inside this package, so importing them here at
once would make `import centrehold.models.epstein.step` (before this package) circular.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "PRESETS": "centrehold.models.epstein.rules",
    "Rules": "centrehold.models.epstein.rules",
    "Variant": "centrehold.models.epstein.rules",
    "variant_from": "centrehold.models.epstein.rules",
    "build_world": "centrehold.models.epstein.simulate",
    "rules_and_variant": "centrehold.models.epstein.simulate",
    "simulate": "centrehold.models.epstein.simulate",
    "SCHEDULES": "centrehold.models.epstein.step",
    "StepResult": "centrehold.models.epstein.step",
    "step": "centrehold.models.epstein.step",
    "TickInputs": "centrehold.models.epstein.step",
    "World": "centrehold.engine.core.state",
    "RegionalRun": "centrehold.models.regional.world",
    "regional_dataset": "centrehold.models.regional.world",
    "run_regional": "centrehold.models.regional.world",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'centrehold.engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
