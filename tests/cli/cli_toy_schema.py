"""A scenario schema with hypotheses, for `--hypothesis` without the full iraq-2009 world."""

from __future__ import annotations

from typing import Literal

from centrehold.scenario.base import ScenarioBase


class HypScenario(ScenarioBase):
    model: Literal["hyp"] = "hyp"
    hypothesis: Literal["H0", "H1", "H2", "H3"] = "H0"
