"""Schema of Epstein's civil-violence scenarios (Models I and II).

Model I's fields keep the names of Mesa's `epstein_civil_violence` example so that
`--set legitimacy=0.7` means what a Mesa user expects. Every check names the field
and says how to fix it, because these files are written by hand.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Neighbourhood = Literal["epstein", "euclidean", "moore", "von_neumann"]


class ChangeSchedule(BaseModel):
    """A parameter that changes during a run: one jump, or a step every few ticks."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    at: int = Field(default=0, ge=0, description="First tick of the change.")
    to: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Jump to this value at tick `at` (0..1)."
    )
    every: int | None = Field(default=None, ge=1, description="Ticks between steps.")
    delta: float | None = Field(default=None, description="Change at each step (signed).")
    until: float | None = Field(
        default=None, ge=0.0, le=1.0,
        description="Steps stop at this value (a floor when falling; 0..1).",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> ChangeSchedule:
        jump = self.to is not None
        steps = self.every is not None or self.delta is not None
        if jump == steps:
            raise ValueError(
                "a schedule is either a jump (give `to`) or steps (give `every` and `delta`); "
                "set exactly one of the two"
            )
        if steps and (self.every is None or self.delta is None):
            raise ValueError("a stepped schedule needs both `every` and `delta`; add the other")
        return self

    def value(self, base: float, tick: int) -> float:
        """The scheduled value at `tick`, starting from `base`."""
        if tick < self.at:
            return base
        if self.to is not None:
            return self.to
        n = (tick - self.at) // self.every + 1
        v = base + n * self.delta
        if self.until is not None:
            v = max(v, self.until) if self.delta < 0 else min(v, self.until)
        return min(max(v, 0.0), 1.0)


class VariantOptions(BaseModel):
    """Changes to the preset's reading of the rules; fields left out keep the preset."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    neighbourhood: Neighbourhood | None = None
    rounding: Literal["floor", "round", "none"] | None = None
    arrest: Literal["random", "nearest"] | None = None
    movement: Literal["vision", "walk"] | None = None
    jail: Literal["leave", "keep"] | None = None
    jail_range: Literal["inclusive", "exclusive"] | None = None
    cop_takes_cell: bool | None = None
    move_first: bool | None = None


def _unit(name: str, v: float) -> float:
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} is {v}; it must lie in [0, 1]")
    return v


class EpsteinScenario(BaseModel):
    """Epstein (2002) Model I (rebellion against a central authority) or II (two groups)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    name: str = Field(description="Short name of the scenario.")
    description: str = Field(default="", description="What the scenario is, first line shown.")
    model: Literal["epstein"] = "epstein"
    ticks: int = Field(default=1000, ge=1, description="Default run length in ticks.")

    epstein_model: Literal["I", "II"] = Field(
        default="I", description="I: civil violence against a central authority; II: two groups."
    )
    preset: Literal["epstein", "netlogo", "mesa"] = Field(
        default="epstein", description="Which published reading of the rules to follow."
    )
    variant: VariantOptions = Field(default_factory=VariantOptions)

    width: int = Field(default=40, ge=3, description="Lattice width (a torus).")
    height: int = Field(default=40, ge=3, description="Lattice height.")
    citizen_density: float = Field(default=0.7, description="Share of cells holding a civilian.")
    cop_density: float = Field(default=0.04, description="Share of cells holding a cop.")
    citizen_vision: int = Field(default=7, description="How far civilians see, in cells.")
    cop_vision: int = Field(default=7, description="How far cops see, in cells.")
    legitimacy: float = Field(default=0.82, description="Legitimacy L the civilians grant.")
    max_jail_term: int | Literal["life"] = Field(
        default=30, description='Longest jail term J_max in ticks, or "life".'
    )
    active_threshold: float = Field(default=0.1, ge=0.0, description="Threshold T of rule A.")
    arrest_prob_constant: float = Field(
        default=2.302585, gt=0.0, description="k in P = 1 - exp(-k C/A); ln 10 gives P = 0.9."
    )
    movement: bool = Field(default=True, description="False: nobody moves.")
    citizen_movement: bool = Field(
        default=True, description="False: civilians stay put while cops patrol (run I-1)."
    )

    groups: list[str] = Field(
        default_factory=lambda: ["citizens"],
        description="Names of the civilian groups (Model II: two, split evenly).",
    )
    birth_prob: float = Field(default=0.0, description="Model II: chance to clone each tick.")
    max_age: int | None = Field(default=None, description="Model II: death past this age.")

    legitimacy_schedule: ChangeSchedule | None = Field(
        default=None, description="Changes of legitimacy during the run (runs I-3, I-4)."
    )
    cop_density_schedule: ChangeSchedule | None = Field(
        default=None, description="Changes of cop density (run I-5, peacekeeper withdrawal)."
    )

    @field_validator("citizen_density", "cop_density", "legitimacy", "birth_prob")
    @classmethod
    def _in_unit(cls, v: float, info) -> float:
        return _unit(info.field_name, v)

    @field_validator("citizen_vision", "cop_vision")
    @classmethod
    def _vision(cls, v: int, info) -> int:
        if v < 0:
            raise ValueError(f"{info.field_name} is {v}; give a vision of 0 cells or more")
        return v

    @field_validator("max_jail_term")
    @classmethod
    def _jail(cls, v: int | str) -> int | str:
        if isinstance(v, int) and v < 0:
            raise ValueError(f"max_jail_term is {v}; give 0 or more ticks, or \"life\"")
        return v

    @field_validator("max_age")
    @classmethod
    def _age(cls, v: int | None) -> int | None:
        if v is not None and v < 0:
            raise ValueError(f"max_age is {v}; give 0 or more ticks, or leave it out")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> EpsteinScenario:
        total = self.citizen_density + self.cop_density
        if total > 1.0 + 1e-12:
            raise ValueError(
                f"citizen_density + cop_density = {total:g} exceeds 1; "
                "lower one of them so that the lattice can hold everyone"
            )
        v = max(self.citizen_vision, self.cop_vision)
        if 2 * v + 1 > min(self.width, self.height):
            raise ValueError(
                f"vision {v} wraps round a {self.width}x{self.height} torus; use a vision of at "
                f"most {(min(self.width, self.height) - 1) // 2} or a larger lattice"
            )
        if self.epstein_model == "II" and len(self.groups) < 2:
            raise ValueError("Model II needs two groups; set groups: [blue, green]")
        if self.epstein_model == "I" and len(self.groups) != 1:
            raise ValueError("Model I has one group of citizens; give groups one name")
        if len(set(self.groups)) != len(self.groups):
            raise ValueError(f"groups {self.groups} repeat a name; give each group its own name")
        return self
