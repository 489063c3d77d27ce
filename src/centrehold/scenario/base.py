"""The fields every scenario schema shares, so the loader and the CLI can treat all alike.

A schema may subclass `ScenarioBase` or declare the same four fields itself; the
loader only relies on the contract (name, description, model, ticks, unknown fields
forbidden), not on the inheritance.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ScenarioBase(BaseModel):
    """Common header of a scenario file; unknown fields are errors, not silently ignored."""

    # NaN and infinity pass every comparison test silently wrong (nan >= 0 is False, so a
    # bound would catch it, but an unbounded float would not): no scenario value needs them
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    name: str = Field(description="Short name of the scenario, as `centrehold scenarios` lists it.")
    description: str = Field(default="", description="What the scenario is, first line shown.")
    model: str = Field(description="Which schema and engine path reads this file.")
    ticks: int = Field(default=1000, ge=1, description="Default run length in ticks.")
