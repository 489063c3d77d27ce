"""Small schemas that follow the scenario contract, so the loader is tested on its own."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from centrehold.scenario.base import ScenarioBase


class Variant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    neighbourhood: Literal["lattice", "moore", "von_neumann"] = "lattice"
    jailed_leave_lattice: bool = True


class ToyCivil(ScenarioBase):
    """Mimics Model I's parameter names and checks."""

    model: Literal["toy"] = "toy"
    width: int = Field(40, ge=1)
    height: int = Field(40, ge=1)
    citizen_density: float = Field(0.7, ge=0, le=1)
    cop_density: float = Field(0.04, ge=0, le=1)
    citizen_vision: int = Field(7, ge=0)
    legitimacy: float = Field(0.82, ge=0, le=1)
    max_jail_term: Annotated[int, Field(ge=0)] | Literal["life"] = 30
    variant: Variant = Variant()

    @model_validator(mode="after")
    def _densities(self) -> ToyCivil:
        total = self.citizen_density + self.cop_density
        if total > 1:
            raise ValueError(
                f"citizen_density + cop_density = {total:g} exceeds 1; lower one of them"
            )
        return self


class Region(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    population: int = Field(ge=0)
    share: float = Field(ge=0, le=1)


class ToyRegional(ScenarioBase):
    """Mimics a many-region scenario with a CSV table and hypotheses."""

    model: Literal["toyregional"] = "toyregional"
    hypothesis: Literal["H0", "H1", "H2", "H3"] = "H0"
    regions: list[Region]


GOOD_TOY = """\
name: toy-1
description: |
  A toy civil-violence world.
  Second line.
model: toy
ticks: 200
width: 20
height: 20
citizen_density: 0.7
cop_density: 0.04
citizen_vision: 7
legitimacy: 0.82
max_jail_term: 30
variant:
  neighbourhood: moore
"""
