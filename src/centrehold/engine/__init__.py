"""The agent-based engine: Epstein's civil-violence rules over a structure-of-arrays world.

Public entry points: `simulate` runs a scenario to a labelled Dataset; `step` runs one
tick of any world (extensions build their own `World` and call it); `build_world`
places the agents of an Epstein scenario.
"""

from centrehold.engine.rules import PRESETS, Rules, Variant, variant_from
from centrehold.engine.simulate import build_world, rules_and_variant, simulate
from centrehold.engine.step import SCHEDULES, StepResult, step

__all__ = [
    "PRESETS",
    "Rules",
    "SCHEDULES",
    "StepResult",
    "Variant",
    "build_world",
    "rules_and_variant",
    "simulate",
    "step",
    "variant_from",
]
