"""A curfew: in chosen governorates, on chosen dates, arrests come easier and more of the
chosen forces are on the streets. A worked example of a plug-in (docs/plugins.md)."""

from __future__ import annotations

import datetime as dt

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from centrehold.models.regional.plugins import Mechanism, TickInputs


class CurfewParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    regions: list[str] = Field(min_length=1, description="governorates under curfew (ISO codes)")
    start: dt.date = Field(description="first day of the curfew")
    end: dt.date = Field(description="last day of the curfew")
    factor: float = Field(default=2.0, gt=0.0, description="arrest constant k multiplied by")
    forces: list[str] = Field(default_factory=lambda: ["iraqi"],
                              description="forces that put more agents on the streets")
    streets: float = Field(default=1.5, ge=0.0,
                           description="their agents on the streets multiplied by")

    @model_validator(mode="after")
    def _fits_the_scenario(self, info: ValidationInfo) -> CurfewParams:
        if self.end < self.start:
            raise ValueError("end is before start; put the last day after the first")
        sc = (info.context or {}).get("scenario")
        if sc is None:  # checked without a scenario: nothing more to compare with
            return self
        isos = [r.iso for r in sc.regions]
        for iso in self.regions:
            if iso not in isos:
                raise ValueError(f"unknown region {iso!r}; use codes of the regions table")
        names = [f.name for f in sc.forces]
        for name in self.forces:
            if name not in names:
                raise ValueError(f"unknown force {name!r}; use one of {', '.join(names)}")
        if self.end < sc.calendar.start or self.start > sc.calendar.end:
            raise ValueError("the curfew lies outside the calendar; move its dates")
        return self


def apply_curfew(inputs: TickInputs, p: CurfewParams) -> None:
    # a tick is under curfew if any of its days is
    first = inputs.dates
    last = first + np.timedelta64(inputs.step_days - 1, "D")
    ticks = (first <= np.datetime64(p.end)) & (last >= np.datetime64(p.start))
    regions = np.isin(inputs.regions, p.regions)
    forces = np.isin(inputs.forces, p.forces)

    inputs.arrest_k[np.ix_(ticks, regions)] *= p.factor
    where = np.ix_(ticks, forces, regions)
    inputs.street_targets[where] = np.rint(inputs.street_targets[where] * p.streets)


CURFEW = Mechanism(
    name="curfew",
    params=CurfewParams,
    apply=apply_curfew,
    doc="Easier arrests and more forces on the streets in chosen governorates and dates.",
)
