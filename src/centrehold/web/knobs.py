"""The dashboard's main parameters and how each maps onto a scenario's own fields.

A person moves five sliders; scenarios name the same ideas differently (one legitimacy
for Epstein's world, one per community for iraq-2009). This module is the one place
that translates, through the scenario loader's `--set` overrides, so every value is
validated by the scenario schema exactly as on the command line.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Knob:
    id: str
    label: str
    help: str
    min: float
    max: float
    step: float
    value: float


# (min, max, step) of each slider: the page draws these and the API refuses anything
# outside them, so what a request can ask for is what a person can set on the page.
REGIONAL_RANGES = {"legitimacy": (0.0, 1.0, 0.01), "forces_after_withdrawal": (0.0, 1.0, 0.05),
                   "operations_after_withdrawal": (0.0, 1.0, 0.05),
                   "revenge": (0.0, 2.0, 0.05), "funding_cut": (0.0, 1.0, 0.05),
                   "scale": (200.0, 10_000.0, 100.0)}
EPSTEIN_RANGES = {"legitimacy": (0.0, 1.0, 0.01), "forces": (0.0, 0.3, 0.005),
                  "scale": (10.0, 400.0, 10.0)}
# the widest bounds over all scenarios, for the request schema
SPAN = {k: (min(r[k][0] for r in (REGIONAL_RANGES, EPSTEIN_RANGES) if k in r),
            max(r[k][1] for r in (REGIONAL_RANGES, EPSTEIN_RANGES) if k in r))
        for k in {*REGIONAL_RANGES, *EPSTEIN_RANGES}}


def _knob(ranges: dict, key: str, label: str, help: str, value: float) -> Knob:
    lo, hi, step = ranges[key]
    return Knob(key, label, help, lo, hi, step, value)


def _regional(scn: Any) -> list[Knob]:
    legit = scn.intergroup.legitimacy
    mean_l = sum(legit.values()) / max(len(legit), 1)
    r = REGIONAL_RANGES
    return [
        _knob(r, "legitimacy", "Legitimacy", "mean legitimacy each community grants the "
              "others; each community keeps its difference from the mean", round(mean_l, 3)),
        _knob(r, "forces_after_withdrawal", "Forces left on the streets after the withdrawal",
              "share of the occupation forces' street presence kept after the withdrawal date",
              float(scn.street_share_after_withdrawal)),
        _knob(r, "operations_after_withdrawal", "Operations kept after the withdrawal",
              "share of the occupation's pressure on the armed actors' capacity (raids with "
              "the Iraqi forces) kept after the withdrawal date",
              float(scn.operations.kept_after_withdrawal)),
        _knob(r, "revenge", "Revenge strength", "grievance a killing adds to the victim's "
              "community nearby", float(scn.revenge.strength)),
        _knob(r, "funding_cut", "Funding cut", "share of the armed factions' funding lost at "
              "the cut", round(1.0 - float(scn.funding.cut_level), 3)),
        _knob(r, "scale", "Scale (people per agent)", "fewer people per agent = more agents, "
              "slower runs", float(scn.people_per_agent)),
    ]


def _epstein(scn: Any) -> list[Knob]:
    r = EPSTEIN_RANGES
    return [
        _knob(r, "legitimacy", "Legitimacy", "legitimacy of the central authority",
              float(scn.legitimacy)),
        _knob(r, "forces", "Cop density", "share of lattice cells holding a cop",
              float(scn.cop_density)),
        _knob(r, "scale", "Scale (lattice side)", "cells along each side of the square lattice",
              float(scn.width)),
    ]


def knobs_for(scn: Any) -> list[Knob]:
    return _regional(scn) if getattr(scn, "model", "") == "regional" else _epstein(scn)


def out_of_range(scn: Any, values: dict[str, float]) -> str | None:
    """The first moved knob outside its slider's range, as a one-line message."""
    for k in knobs_for(scn):
        v = values.get(k.id)
        if v is not None and not (k.min <= v <= k.max):
            return (f"knob {k.id}={v:g} is outside its range {k.min:g}..{k.max:g} for this "
                    "scenario; pick a value in that range")
    return None


def period_ticks(scn: Any) -> int | None:
    """Ticks in the scenario's calendar (None for worlds without one, such as Epstein's)."""
    cal = getattr(scn, "calendar", None)
    if cal is None:
        return None
    days = (cal.end - cal.start).days + 1
    return days if cal.tick == "day" else -(-days // 7)


def knob_dicts(scn: Any) -> list[dict]:
    return [asdict(k) for k in knobs_for(scn)]


def hypotheses_for(scn: Any) -> list[dict[str, str]]:
    """(id, conjecture) of each hypothesis a scenario defines; empty for Epstein's models."""
    hyps = getattr(scn, "hypotheses", None) or {}
    return [{"id": k, "instigator": getattr(v, "instigator", ""),
             "conjecture": getattr(v, "conjecture", "")} for k, v in hyps.items()]


def overrides_for(scn: Any, values: dict[str, float]) -> dict[str, str]:
    """`--set` strings for the knobs a request moved; unknown knob ids are the caller's check."""
    out: dict[str, str] = {}
    regional = getattr(scn, "model", "") == "regional"
    for key, v in values.items():
        if v is None:
            continue
        if key == "legitimacy":
            if regional:
                legit = scn.intergroup.legitimacy
                mean_l = sum(legit.values()) / max(len(legit), 1)
                for g, lg in legit.items():
                    out[f"intergroup.legitimacy.{g}"] = repr(min(max(lg + v - mean_l, 0.0), 1.0))
            else:
                out["legitimacy"] = repr(float(v))
        elif key == "forces_after_withdrawal":
            out["street_share_after_withdrawal"] = repr(float(v))
        elif key == "operations_after_withdrawal":
            out["operations.kept_after_withdrawal"] = repr(float(v))
        elif key == "revenge":
            out["revenge.strength"] = repr(float(v))
        elif key == "funding_cut":
            out["funding.cut_level"] = repr(round(1.0 - float(v), 6))
        elif key == "forces":
            out["cop_density"] = repr(float(v))
        elif key == "scale":
            if regional:
                out["people_per_agent"] = str(int(round(v)))
            else:
                out["width"] = out["height"] = str(int(round(v)))
    return out


def estimate_agents(scn: Any) -> int:
    """Agents a run will hold, known before it starts, to enforce the server's cap."""
    if getattr(scn, "model", "") == "regional":
        people = sum(r.population for r in scn.regions)
        return int(people / scn.people_per_agent * 1.05) + 1  # forces add a few percent
    density = float(scn.citizen_density) + float(scn.cop_density)
    return int(scn.width * scn.height * min(density, 1.0))


def default_ticks(scn: Any) -> int:
    """The scenario's own run length (iraq-2009: its whole calendar)."""
    if getattr(scn, "ticks", None):
        return int(scn.ticks)
    cal = getattr(scn, "calendar", None)
    if cal is not None:
        days = (cal.end - cal.start).days + 1
        return days if cal.tick == "day" else max(days // 7, 1)
    return 100
