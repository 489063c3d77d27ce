"""Scenarios: what a world is, written as data (YAML + CSV) and validated by pydantic schemas.

`load_scenario` is the one door in: it finds a built-in or a file, applies the
CLI's `--set` overrides, validates, and turns every mistake into a one-line
`UserError`. The schemas themselves live beside it (`epstein.py`, `regional.py`).
"""

from centrehold.scenario.base import ScenarioBase
from centrehold.scenario.load import (
    DEFAULT_SCENARIO,
    LIBRARY_DIR,
    MODELS,
    find_scenario,
    list_scenarios,
    load_scenario,
    parse_overrides,
)

__all__ = [
    "DEFAULT_SCENARIO",
    "LIBRARY_DIR",
    "MODELS",
    "ScenarioBase",
    "find_scenario",
    "list_scenarios",
    "load_scenario",
    "parse_overrides",
]
