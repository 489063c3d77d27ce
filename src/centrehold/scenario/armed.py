"""Schemas of the armed actors' capacity and of dated fighting episodes (regional model).

Three mechanisms the 2008-2009 record needs and the agent rules alone do not give:

- `InsurgencyParams`: an insurgent bombing campaign with a capacity of its own, in every
  hypothesis (the null included). Capacity is a stock, worn down by the security
  forces on the streets (the Awakening among them) and rebuilt by recruitment; it
  starts above the level the forces allow, so it declines as the surge's pressure
  tells, and rebuilds when the pressure lifts.
- `MilitiaParams`: the same stock for the militias behind the endogenous killing: it
  scales the rate at which active agents kill.
- `OperationsParams`: how much of the occupation's pressure on that capacity its
  operations kept after it left the cities' streets.
- `IntraCommunityParams`: dated episodes of fighting inside one community (the
  government offensive in Basra and the fighting in Sadr City in spring 2008).

docs/iraq-2009.md derives the capacity equation and states every assumption.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

#: The fix named when a number stands where a date belongs.
DATE_FIX = "write a date as YYYY-MM-DD"


def number_for_date(value: object) -> bool:
    """Whether a value meant as a date is a number, which pydantic would read as seconds
    since 1970 (`start: 0` is 1970-01-01) where the author meant a day."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _not_a_number(value: object) -> object:
    if number_for_date(value):
        raise ValueError(f"got {value!r}; {DATE_FIX}")
    return value


#: A date written as YYYY-MM-DD (or a date object), never a number.
Day = Annotated[dt.date, BeforeValidator(_not_a_number)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class CapacityParams(_Strict):
    """A capacity stock K per governorate: dK/dt = (floor_share K0 - K P/P0) / timescale.

    P is the effectiveness-weighted force personnel on the region's streets and P0 its
    value at the calendar's start, so under the start's pressure K relaxes from K0 to
    floor_share K0 over `timescale_days`; more pressure lowers the level it tends to,
    less (the withdrawal from the cities) raises it. While K is below that level it
    rebuilds with `rebuild_days` in place of the timescale, since what raids destroy
    (cells, leaders, safe houses) takes longer to replace than to lose.
    """

    floor_share: float = Field(
        default=0.4, ge=0.0, le=10.0,
        description="capacity the start's pressure allows, as a share of the start's capacity",
    )
    timescale_days: float = Field(
        default=150.0, gt=0.0, le=3650.0,
        description="time over which capacity relaxes under the start's pressure",
    )
    rebuild_days: float | None = Field(
        default=None, gt=0.0, le=36500.0,
        description="time constant while the stock rebuilds (its level above it); "
                    "null: the same as timescale_days",
    )


class InsurgencyParams(CapacityParams):
    """The insurgent bombing campaign: where, how often, against whom."""

    attacks_per_day: float = Field(
        default=5.0, ge=0.0, le=500.0,
        description="bombing attacks a day nationally at the calendar's start",
    )
    base_group: str = Field(
        default="sunni_arab",
        description="the community whose population sets where the campaign can operate",
    )
    mixed_boost: float = Field(
        default=2.0, ge=0.0, le=20.0,
        description="extra weight where the base community lives beside others: weight = "
                    "base population x (1 + mixed_boost x share of the others)",
    )
    reach_share: float = Field(
        default=0.0, ge=0.0, le=1.0,
        description="share of the campaign spread over every governorate by population, "
                    "beyond where the base community lives (0: only there)",
    )
    footprint: dict[str, float] = Field(
        default_factory=dict,
        description="where the campaign struck before the calendar starts: a weight per "
                    "region (a CSV file with columns iso and share, or a mapping), "
                    "normalised to sum to 1; regions left out get none. Empty: the base "
                    "community sets where (mixed_boost, reach_share)",
    )
    footprint_share: float = Field(
        default=1.0, ge=0.0, le=1.0,
        description="part of the campaign placed by `footprint`, the rest by the base "
                    "community (ignored without a footprint)",
    )
    state_share: float = Field(
        default=0.3, ge=0.0, le=1.0,
        description="share of attacks aimed at state targets (forces, checkpoints, offices)",
    )
    community_share: float = Field(
        default=0.1, ge=0.0, le=1.0,
        description="share of attacks aimed at another community's gatherings (pilgrims, "
                    "mosques, minorities): the largest community other than the base one "
                    "in each governorate; the rest strike crowds",
    )

    @model_validator(mode="after")
    def _shares(self) -> InsurgencyParams:
        bad = {k: v for k, v in self.footprint.items() if not v >= 0.0}
        if bad:
            raise ValueError(f"footprint: negative weight for {sorted(bad)}; give weights of 0 "
                             "or more")
        if self.footprint and sum(self.footprint.values()) <= 0.0:
            raise ValueError("footprint: every weight is 0; give at least one region a "
                             "weight above 0, or leave footprint out")
        if self.state_share + self.community_share > 1.0 + 1e-9:
            raise ValueError(
                f"state_share {self.state_share:g} + community_share {self.community_share:g} "
                "exceed 1; lower one of them"
            )
        return self


class OperationsParams(_Strict):
    """The forces' operations against armed actors (raids on cells, arrests of leaders): the
    pressure P that wears a capacity stock down (`CapacityParams`), apart from patrols.

    Why apart: the withdrawal from the cities (`dates.withdrawal`) took the occupation's
    patrols off the streets (`street_share_after_withdrawal`, what the lattice sees),
    while operations carried out with the Iraqi forces went on under the Security
    Agreement (general knowledge; check). How much of the occupation's pressure on the
    armed actors those operations kept is not known, so iraq-2009 gives it a prior.
    """

    kept_after_withdrawal: float = Field(
        default=0.1, ge=0.0, le=1.0,
        description="share of the occupation's pressure on armed actors' capacity kept "
                    "after the withdrawal from the cities; 0.1, the default street share, "
                    "makes the pressure follow the patrols",
    )


class MilitiaParams(CapacityParams):
    """The militias' capacity: multiplies the endogenous kill rate region by region."""


class EpisodeSpec(_Strict):
    """One dated episode of fighting inside a community."""

    start: Day
    end: Day
    regions: list[str] = Field(min_length=1)
    group: str = "shia_arab"
    weight: float = Field(default=1.0, ge=0.0, description="relative intensity of this episode")
    source: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> EpisodeSpec:
        if self.end < self.start:
            raise ValueError(f"episode ends {self.end} before it starts {self.start}; swap them")
        return self


class IntraCommunityParams(_Strict):
    """Fighting within one community: deaths a day during each episode, in its regions."""

    deaths_per_day: float = Field(
        default=10.0, ge=0.0, le=1000.0,
        description="civilian deaths a day at weight 1, split evenly over the regions",
    )
    size_alpha: float = Field(default=2.5, gt=1.0, le=10.0,
                              description="density exponent of incident tolls")
    size_max: float = Field(default=100.0, ge=1.0)
    episodes: list[EpisodeSpec] = Field(default_factory=list)


class AwakeningParams(_Strict):
    """The Awakening (Sons of Iraq): a force in forces.csv, moved to the government's payroll
    on a date per governorate, after which a share `kept_after_transfer` stays on duty."""

    force: str = Field(default="awakening", description="its name among the forces")
    transfer: dict[str, Day] = Field(
        default_factory=dict, description="governorate -> date the government took over pay"
    )
    kept_after_transfer: float = Field(default=1.0, ge=0.0, le=1.0)
