"""Helpers for the engine tests: scenarios built from the library files with changes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from centrehold.scenario.epstein import EpsteinScenario

LIBRARY = Path(__file__).resolve().parents[2] / "src" / "centrehold" / "scenario" / "library"


def make_scenario(base: str = "epstein-1", **changes) -> EpsteinScenario:
    """A library scenario with fields changed, validated by the schema."""
    data = yaml.safe_load((LIBRARY / f"{base}.yaml").read_text())
    data.update(changes)
    return EpsteinScenario(**data)


def outbursts(actives: np.ndarray, level: int = 50) -> int:
    """Number of times the count of actives rises to `level` or above."""
    above = actives >= level
    return int(np.sum(above[1:] & ~above[:-1]) + above[0])
