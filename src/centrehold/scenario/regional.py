"""Schema of many-region scenarios (model: regional), the built-in `iraq-2009` among them.

A regional scenario is a world of regions (governorates), communities, security
forces and a calendar, plus seven mechanisms that can each be switched off and a
hypothesis about who instigates attacks. Everything a user may want to vary lives
here as a validated field, so `--set` overrides, sweeps and the ABC model choice
all read one source of truth; the tables (regions, adjacency, forces, events) are
small CSVs next to the YAML, loaded at validation time and kept in the model so a
run's `params` attribute records the exact inputs used.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from centrehold.scenario import tables
from centrehold.scenario.armed import (
    DATE_FIX,
    AwakeningParams,
    InsurgencyParams,
    IntraCommunityParams,
    MilitiaParams,
    OperationsParams,
    number_for_date,
)
from centrehold.scenario.base import ScenarioBase
from centrehold.scenario.plugins import PluginSpec, check_switches, load_plugin, resolve_source
from centrehold.scenario.plugins import validate_params as validate_plugin_params
from centrehold.scenario.policies import check_hypotheses

LIBRARY_DIR = Path(__file__).resolve().parent / "library"
HYPOTHESES = ("H0", "H1", "H2", "H3", "H4", "H5", "H6", "HA", "HM", "HI", "HB")
SHARE_TOLERANCE = 0.011  # shares are published as whole percentages that may not sum to 100


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


class RegionSpec(_Strict):
    """One region: its code, name, population and the share of each community."""

    iso: str
    name: str
    population: int = Field(ge=1)
    shares: dict[str, float]
    kurdistan: bool = False
    borders: str = ""
    source: str = ""


class ForceSpec(_Strict):
    """A security force: how well it arrests and how much of it is on the streets."""

    name: str
    effectiveness: float = Field(ge=0.0, le=1.0, description="P(arrest succeeds | attempted)")
    street_share: float = Field(
        ge=0.0, le=1.0, description="share of personnel on the streets at any time"
    )
    vision: int = Field(default=4, ge=1, le=10)


class CalendarSpec(_Strict):
    start: dt.date = dt.date(2008, 1, 1)
    end: dt.date = dt.date(2011, 12, 31)
    tick: Literal["day", "week"] = "day"
    agents_daily: bool = Field(
        default=True,
        description="agents take a turn every day whatever the tick (a weekly tick runs "
        "seven daily turns, so the tick sets only the outputs' resolution); false: one "
        "turn a tick, about three times faster at weekly ticks but with about twice the "
        "sectarian killing (docs/engine.md, resolution)",
    )

    @model_validator(mode="after")
    def _ordered(self) -> CalendarSpec:
        if self.end <= self.start:
            raise ValueError("calendar.end must be after calendar.start")
        for d in (self.start, self.end):
            if not tables.FIRST_YEAR <= d.year <= tables.LAST_YEAR:
                raise ValueError(
                    f"calendar: {d} is outside {tables.FIRST_YEAR}..{tables.LAST_YEAR}; "
                    "give a calendar within those years"
                )
        return self


class DatesSpec(_Strict):
    """The dated events the mechanisms and hypotheses react to (see events.csv for sources)."""

    withdrawal: dt.date = Field(
        default=dt.date(2009, 6, 30), description="occupation forces leave the cities' streets"
    )
    withdrawal_milestones: list[dt.date] = Field(
        default_factory=lambda: [dt.date(2009, 6, 30), dt.date(2010, 8, 31), dt.date(2011, 12, 18)]
    )
    elections: list[dt.date] = Field(
        default_factory=lambda: [dt.date(2009, 1, 31), dt.date(2009, 7, 25), dt.date(2010, 3, 7)]
    )
    abroad: list[dt.date] = Field(
        default_factory=lambda: [
            dt.date(2008, 12, 27), dt.date(2009, 6, 12), dt.date(2010, 12, 17),
            dt.date(2011, 1, 25),
        ]
    )
    iran_tension_onset: dt.date = dt.date(2009, 6, 12)
    funding_cut: dt.date = dt.date(2009, 6, 1)
    resistance_split: dt.date = dt.date(2009, 7, 15)


class Mechanisms(_Strict):
    """The seven mechanisms as switches; each off-switch leaves the others untouched.

    Any other switch names a plug-in mechanism (`plugins:`, docs/plugins.md); the scenario
    checks that it has one."""

    # --- plug-ins: a switch of another name is a plug-in's (checked by RegionalScenario)
    model_config = ConfigDict(extra="allow", validate_assignment=True, allow_inf_nan=False)
    # --- end plug-ins

    intergroup: bool = True
    arrests: bool = True
    withdrawal: bool = True
    revenge: bool = True
    instigators: bool = True
    funding: bool = True
    displacement: bool = True
    hardship: bool = True
    # capacity and episodes (scenario/armed.py); off unless a scenario switches them on
    insurgency: bool = False
    militia_capacity: bool = False
    instigator_capacity: bool = False
    intra_community: bool = False
    awakening: bool = False


class IntergroupParams(_Strict):
    threshold: float = Field(default=0.1, ge=0.0, le=1.0, description="T of rule A")
    vision: int = Field(default=2, ge=1, le=10, description="Moore radius civilians see")
    deterrence_radius: int = Field(
        default=4, ge=1, le=10, description="radius within which civilians count forces"
    )
    kill_rate: float = Field(
        default=5e-5, ge=0.0,
        description="sectarian incidents per active person and day (scale-free)",
    )
    size_alpha: float = Field(
        default=3.0, gt=1.0, description="Pareto exponent of sectarian incident tolls"
    )
    size_max: float = Field(default=50.0, ge=1.0)
    arrest_k: float = Field(default=2.302585, gt=0.0)
    legitimacy: dict[str, float] = Field(
        default_factory=lambda: {
            "shia_arab": 0.88, "sunni_arab": 0.80, "kurd": 0.88, "other": 0.86
        },
        description="legitimacy each community grants the authorities (0..1)",
    )
    density: float = Field(default=0.7, gt=0.05, le=0.95, description="agents per lattice cell")
    local_segregation: float = Field(
        default=0.8, ge=0.0, le=1.0,
        description="0: communities mixed at random in a region; 1: each in its own patches",
    )
    layout: Literal["patches", "bands"] = Field(
        default="patches",
        description="patches: same-size neighbourhoods at every scale; bands: one per community",
    )
    patch: int = Field(default=5, ge=1, le=100, description="side of a neighbourhood, in cells")
    movers: Literal["aggrieved", "everyone"] = Field(
        default="aggrieved",
        description="who takes rule M each day: aggrieved (civilians whose grievance "
                    "passes the threshold, and the forces; the rest stay where they live) "
                    "or everyone (Epstein's rule M)",
    )


class ArrestParams(_Strict):
    jail_max: int = Field(default=180, ge=0, description="longest jail term in days")


class RevengeParams(_Strict):
    strength: float = Field(default=0.3, ge=0.0, description="grievance added by a killing")
    saturation: float = Field(
        default=10.0, gt=0.0, description="deaths (persons) at which the increment is 63% of max"
    )
    radius: int = Field(default=3, ge=0, le=20, description="cells around a killing")
    decay_days: float = Field(
        default=28.0, gt=0.0, description="e-folding time; prior 14-42 days (Lewis et al. 2012)"
    )
    spill: float = Field(
        default=0.1, ge=0.0, le=1.0, description="share of the increment felt in adjacent regions"
    )


class InstigatorParams(_Strict):
    size_alpha: float = Field(
        default=2.5, gt=1.0, description="Pareto exponent of attack sizes (Bohorquez et al. 2009)"
    )
    size_min: float = Field(default=1.0, gt=0.0)
    size_max: float = Field(default=500.0, gt=1.0)
    radius: int = Field(default=2, ge=0, le=20, description="cells around the attack point")


class FundingParams(_Strict):
    cut_level: float = Field(
        default=0.4, ge=0.0, le=1.0, description="funding after the cut, as a share of before"
    )
    militia_dependence: float = Field(
        default=0.5, ge=0.0, le=1.0, description="share of actives' killing capacity that is paid"
    )
    crime_rate: float = Field(
        default=0.002, ge=0.0, description="crimes per unpaid active person and day"
    )
    crime_per_lost_attack: float = Field(
        default=3.0, ge=0.0, description="crimes for each attack the cut leaves unpaid"
    )


class DisplacementParams(_Strict):
    threat: float = Field(default=0.1, ge=0.0, description="revenge level that makes one flee")
    probability: float = Field(default=0.02, ge=0.0, le=1.0, description="P(flee) per tick")
    minority_below: float = Field(default=0.5, gt=0.0, le=1.0)


class HardshipParams(_Strict):
    """Unmet basic needs lower legitimacy: L = L0 - sensitivity * need(t, region)."""

    sensitivity: float = Field(default=0.1, ge=0.0, le=1.0)
    base_need: float = Field(default=0.3, ge=0.0, le=1.0)
    summer_amplitude: float = Field(
        default=0.1, ge=0.0, le=1.0, description="extra need in the hot months (power cuts)"
    )
    need_by_region: dict[str, float] = Field(
        default_factory=dict, description="override base_need per region code"
    )


class Prior(_Strict):
    dist: Literal["uniform", "loguniform"] = "uniform"
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Prior:
        if not self.high > self.low:
            raise ValueError("prior high must exceed low")
        if self.dist == "loguniform" and self.low <= 0:
            raise ValueError("a loguniform prior needs low > 0")
        return self


class HypothesisSpec(_Strict):
    instigator: str = ""
    conjecture: str = ""
    params: dict[str, float] = Field(default_factory=dict)
    priors: dict[str, Prior] = Field(default_factory=dict)


def _isos(info: ValidationInfo) -> list[str] | None:
    """Region codes of the regions table, or None when it failed (its error is the one shown)."""
    regions = (info.data or {}).get("regions")
    return [r.iso for r in regions] if regions is not None else None


class RegionalScenario(ScenarioBase):
    """A many-region world: governorates, communities, forces, calendar, mechanisms."""

    model: Literal["regional"] = "regional"
    ticks: int | None = Field(default=None, ge=1, description="default: the whole calendar")
    people_per_agent: int = Field(default=2000, ge=1, le=10_000)
    groups: list[str] = Field(default_factory=lambda: ["shia_arab", "sunni_arab", "kurd", "other"])
    regions: list[RegionSpec]
    adjacency: list[tuple[str, str]] = Field(default_factory=list)
    share_overrides: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="replace a region's community shares (sum to 1)"
    )
    forces: list[ForceSpec] = Field(
        default_factory=lambda: [
            ForceSpec(name="iraqi", effectiveness=0.5, street_share=0.5),
            ForceSpec(name="occupation", effectiveness=0.8, street_share=0.5),
            ForceSpec(name="kurdish", effectiveness=0.6, street_share=0.5),
        ]
    )
    force_levels: list[dict[str, Any]] = Field(
        default_factory=list, description="rows (date, force, iso, personnel) from forces.csv"
    )
    street_share_after_withdrawal: float = Field(
        default=0.1, ge=0.0, le=1.0, description="occupation share still on the streets"
    )
    force_scale: float = Field(
        default=1.0, ge=0.0, description="multiplies every force's personnel (what-ifs)"
    )
    calendar: CalendarSpec = Field(default_factory=CalendarSpec)
    dates: DatesSpec = Field(default_factory=DatesSpec)
    mixed_below: float = Field(
        default=0.8, gt=0.0, le=1.0,
        description="a region is mixed when no community holds this share of it (the "
        "evidence's share of deaths in mixed regions); 0.8 gives Baghdad, Diyala, Kirkuk "
        "and Nineveh, the governorates SIGIR's 2009 classes call mixed",
    )
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    intergroup: IntergroupParams = Field(default_factory=IntergroupParams)
    arrests: ArrestParams = Field(default_factory=ArrestParams)
    revenge: RevengeParams = Field(default_factory=RevengeParams)
    instigators: InstigatorParams = Field(default_factory=InstigatorParams)
    funding: FundingParams = Field(default_factory=FundingParams)
    displacement: DisplacementParams = Field(default_factory=DisplacementParams)
    hardship: HardshipParams = Field(default_factory=HardshipParams)
    hypothesis: str = "H0"
    hypotheses: dict[str, HypothesisSpec] = Field(default_factory=dict)
    calibration: dict[str, Prior] = Field(
        default_factory=dict,
        description=(
            "scenario parameters (dotted, e.g. intergroup.kill_rate) that every hypothesis "
            "shares and that ABC estimates with each hypothesis's own; value: its prior"
        ),
    )
    insurgency: InsurgencyParams = Field(default_factory=InsurgencyParams)
    militias: MilitiaParams = Field(default_factory=MilitiaParams)
    operations: OperationsParams = Field(default_factory=OperationsParams)
    intra_community: IntraCommunityParams = Field(default_factory=IntraCommunityParams)
    awakening: AwakeningParams = Field(default_factory=AwakeningParams)
    warmup_days: int = Field(
        default=0, ge=0, le=3650,
        description="days run before the calendar's start with its first day's inputs and "
                    "no output, so that the first recorded day is the world's own state",
    )
    # --- plug-ins (scenario/plugins.py, docs/plugins.md)
    plugins: dict[str, PluginSpec] = Field(
        default_factory=dict,
        description="plug-in mechanisms by switch name: where each is and its parameters",
    )

    @field_validator("plugins")
    @classmethod
    def _plugin_files_here(cls, v: dict[str, PluginSpec], info: ValidationInfo) -> dict:
        """A plug-in's file is found from the scenario's folder, which only this step knows;
        a plug-in switched off is left as written."""
        base_dir = (info.context or {}).get("base_dir")
        switches = getattr((info.data or {}).get("mechanisms"), "model_extra", None) or {}
        out = {}
        for name, spec in v.items():
            if switches.get(name) is True:
                where = f"plugins.{name}.source"
                spec = spec.model_copy(
                    update={"source": resolve_source(spec.source, base_dir, where)})
            out[name] = spec
        return out
    # --- end plug-ins

    @field_validator("groups")
    @classmethod
    def _groups_are_share_columns(cls, v: list[str]) -> list[str]:
        """Each group is a column of the regions table: named once, apart from the others."""
        fixed = {c.name for c in tables.region_columns([])}
        for i, g in enumerate(v):
            if not g.strip() or g in v[:i] or g in fixed:
                raise tables.scenario_error(
                    f"group {g!r} is empty, repeated or the name of a regions column",
                    "give each community its own name", field=f"groups.{i}")
        if not v:
            raise tables.scenario_error("no groups", "name the communities", field="groups")
        return v

    @field_validator("regions", mode="before")
    @classmethod
    def _load_regions(cls, v: Any, info: ValidationInfo) -> Any:
        """Accept a CSV path, `!csv` rows (flat, one share column per group) or full specs."""
        groups = (info.data or {}).get("groups") or ["shia_arab", "sunni_arab", "kurd", "other"]
        return tables.regions_from(v, groups, info.context, SHARE_TOLERANCE)

    @field_validator("adjacency", mode="before")
    @classmethod
    def _load_adjacency(cls, v: Any, info: ValidationInfo) -> Any:
        return tables.adjacency_from(v, _isos(info), info.context)

    @field_validator("force_levels", mode="before")
    @classmethod
    def _load_forces(cls, v: Any, info: ValidationInfo) -> Any:
        forces = (info.data or {}).get("forces")
        names = [f.name for f in forces] if forces is not None else None
        return tables.force_levels_from(v, names, _isos(info), info.context)

    @field_validator("insurgency", mode="before")
    @classmethod
    def _load_footprint(cls, v: Any, info: ValidationInfo) -> Any:
        """`insurgency.footprint` may name a CSV next to the scenario."""
        if isinstance(v, dict) and isinstance(v.get("footprint"), (str, list)):
            return {**v, "footprint": tables.footprint_from(v["footprint"], _isos(info),
                                                            info.context)}
        return v

    @field_validator("calendar", "dates", mode="before")
    @classmethod
    def _dates_not_numbers(cls, v: Any, info: ValidationInfo) -> Any:
        """pydantic would read a number as seconds since 1970 (`elections: [0]`: 1970-01-01)."""
        for key, x in (v.items() if isinstance(v, dict) else ()):
            for item in x if isinstance(x, list) else [x]:
                if number_for_date(item):
                    raise tables.scenario_error(f"got {item!r}", DATE_FIX,
                                                field=f"{info.field_name}.{key}")
        return v

    @field_validator("hypotheses")
    @classmethod
    def _known_hypotheses(cls, v: dict[str, HypothesisSpec]) -> dict[str, HypothesisSpec]:
        """Every hypothesis, used by this run or not: ABC weighs them all."""
        check_hypotheses(v)
        return v

    @field_validator("intergroup")
    @classmethod
    def _legitimacy_in_unit(cls, v: IntergroupParams) -> IntergroupParams:
        for g, x in v.legitimacy.items():
            if not 0.0 <= x <= 1.0:
                raise tables.scenario_error(f"got {x:g}", "give a legitimacy between 0 and 1",
                                            field=f"intergroup.legitimacy.{g}")
        return v

    @field_validator("hardship")
    @classmethod
    def _needs_by_known_region(cls, v: HardshipParams, info: ValidationInfo) -> HardshipParams:
        isos = _isos(info)
        for iso, x in v.need_by_region.items():
            here = f"hardship.need_by_region.{iso}"
            if isos is not None and iso not in isos:
                raise tables.scenario_error(
                    f"unknown region {iso!r}",
                    f"{tables.did_you_mean(iso, isos)}use a code from the regions table",
                    field=here)
            if not 0.0 <= x <= 1.0:
                raise tables.scenario_error(f"got {x:g}", "give a need between 0 and 1",
                                            field=here)
        return v

    @field_validator("calibration")
    @classmethod
    def _priors_within_the_field(cls, v: dict[str, Prior], info: ValidationInfo) -> dict:
        """ABC sets the field to values drawn from the prior without validating them again."""
        for key, prior in v.items():
            section, _, name = key.partition(".")
            sub = (info.data or {}).get(section)
            if not isinstance(sub, BaseModel) or name not in type(sub).model_fields:
                continue  # the model check below names the key as unknown
            for bound in (prior.low, prior.high):
                try:
                    type(sub).model_validate({**sub.model_dump(), name: bound})
                except ValueError:  # pydantic's ValidationError is one
                    raise tables.scenario_error(
                        f"the prior {prior.low:g}..{prior.high:g} goes outside the values "
                        f"{key} accepts", f"keep low and high where {key} itself may be",
                        field=f"calibration.{key}") from None
        return v

    @model_validator(mode="after")
    def _consistent(self) -> RegionalScenario:
        isos = [r.iso for r in self.regions]
        if len(set(isos)) != len(isos):
            raise ValueError("regions: a region code appears twice; keep one row per region")
        for code, shares in self.share_overrides.items():
            if code not in isos:
                raise ValueError(f"share_overrides: unknown region {code}; use one of {isos}")
            unknown = set(shares) - set(self.groups)
            if unknown:
                raise ValueError(f"share_overrides.{code}: unknown group {sorted(unknown)}")
        for r in self.regions:
            s = self.shares_of(r.iso)
            if set(s) != set(self.groups):
                lack = sorted(set(self.groups) - set(s))
                raise ValueError(f"regions: {r.iso} lacks shares for {lack}; add them")
            if any(x < 0 for x in s.values()):
                raise ValueError(f"regions: {r.iso} has a negative share; shares lie in 0..1")
            if abs(sum(s.values()) - 1.0) > SHARE_TOLERANCE:
                where = "share_overrides" if r.iso in self.share_overrides else "regions"
                raise ValueError(
                    f"{where}: shares of {r.iso} sum to {sum(s.values()):.3f}, not 1; "
                    "make them sum to 1"
                )
        for a, b in self.adjacency:
            if a not in isos or b not in isos:
                raise ValueError(f"adjacency: pair ({a}, {b}) names an unknown region")
        force_names = [f.name for f in self.forces]
        for row in self.force_levels:
            if row["force"] not in force_names:
                raise ValueError(f"force_levels: unknown force {row['force']}; use {force_names}")
            if row["iso"] not in isos:
                raise ValueError(f"force_levels: unknown region {row['iso']}")
        for key in self.calibration:
            section, _, name = key.partition(".")
            sub = getattr(self, section, None)
            if not isinstance(sub, BaseModel) or not isinstance(getattr(sub, name, None), float):
                raise ValueError(
                    f"calibration: '{key}' is not a numeric scenario parameter; "
                    "name one as section.field, e.g. intergroup.kill_rate"
                )
            for h, spec in self.hypotheses.items():
                if key in spec.priors:
                    raise ValueError(
                        f"calibration: '{key}' is also a prior of hypothesis {h}; keep one"
                    )
        for g in self.intergroup.legitimacy:
            if g not in self.groups:
                raise ValueError(f"intergroup.legitimacy: unknown group {g}; use {self.groups}")
        if self.hypothesis not in HYPOTHESES:
            raise ValueError(
                f"hypothesis: unknown '{self.hypothesis}'; use one of {', '.join(HYPOTHESES)}"
            )
        cal = self.calendar
        for field in ("withdrawal", "iran_tension_onset", "funding_cut", "resistance_split"):
            d = getattr(self.dates, field)
            if not cal.start <= d <= cal.end:
                raise ValueError(
                    f"dates.{field}: {d} is outside the calendar {cal.start}..{cal.end}; move it"
                )
        for field in ("withdrawal_milestones", "elections", "abroad"):
            for d in getattr(self.dates, field):
                if not dt.date(1900, 1, 1) <= d <= dt.date(2100, 1, 1):
                    raise ValueError(f"dates.{field}: {d} is out of range")
        if self.ticks is None:
            step = 1 if cal.tick == "day" else 7
            self.ticks = -(-((cal.end - cal.start).days + 1) // step)
        return self

    def mixed_regions(self) -> tuple[str, ...]:
        """Regions where no community holds `mixed_below` of the people, in table order."""
        return tuple(r.iso for r in self.regions
                     if max(self.shares_of(r.iso).values()) < self.mixed_below)

    def shares_of(self, iso: str) -> dict[str, float]:
        """Community shares of a region after overrides (the overrides are the parameters)."""
        r = next(r for r in self.regions if r.iso == iso)
        return {**r.shares, **self.share_overrides.get(iso, {})}

    @model_validator(mode="after")
    def _armed_consistent(self) -> RegionalScenario:
        isos = [r.iso for r in self.regions]
        for iso in self.insurgency.footprint:
            if iso not in isos:
                raise ValueError(f"insurgency.footprint: unknown region {iso}; use a code from "
                                 "the regions table")
        if self.insurgency.base_group not in self.groups:
            raise ValueError(
                f"insurgency.base_group: unknown group {self.insurgency.base_group!r}; "
                f"use one of {self.groups}"
            )
        for i, ep in enumerate(self.intra_community.episodes):
            bad = [r for r in ep.regions if r not in isos]
            if bad:
                raise ValueError(f"intra_community.episodes.{i}: unknown regions {bad}")
            if ep.group not in self.groups:
                raise ValueError(
                    f"intra_community.episodes.{i}: unknown group {ep.group!r}; "
                    f"use one of {self.groups}"
                )
        aw = self.awakening
        if self.mechanisms.awakening and aw.force not in [f.name for f in self.forces]:
            raise ValueError(
                f"awakening.force: no force named {aw.force!r}; add it under forces: "
                "or switch mechanisms.awakening off"
            )
        bad = [r for r in aw.transfer if r not in isos]
        if bad:
            raise ValueError(f"awakening.transfer: unknown regions {bad}; use region codes")
        return self

    # --- plug-ins (scenario/plugins.py, docs/plugins.md)
    @model_validator(mode="after")
    def _plugins_found(self) -> RegionalScenario:
        """Import the plug-ins that are on and check their parameters now, so a mistake shows
        when the scenario loads; the specs are rewritten with the file's absolute path and
        the parameters with their defaults filled in, so the run records what it ran."""
        builtin = list(Mechanisms.model_fields)
        on = check_switches(builtin, self.mechanisms.model_extra or {}, self.plugins)
        for name in on:
            spec = self.plugins.get(name) or PluginSpec()
            source = resolve_source(spec.source, None, f"plugins.{name}.source")
            mechanism = load_plugin(name, source)
            params = validate_plugin_params(name, mechanism, spec.params, self)
            # in place: assigning self.plugins would run these validators again
            self.plugins[name] = PluginSpec(source=source,
                                            params=params.model_dump(mode="json"))
        return self
    # --- end plug-ins
