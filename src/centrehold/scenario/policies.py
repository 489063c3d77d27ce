"""What a regional scenario's hypotheses may say: each one's instigator and parameters.

The engine picks a hypothesis's policy by its key (H3 is always the withdrawal
opponents) and reads its parameters with defaults, so a misspelt name (`window_daysx`)
or a wrong instigator would be silently ignored, and a run or a model choice would
quietly mean something else. Every hypothesis in the file is checked here when the
scenario loads, whether or not the run uses it: ABC weighs all of them.

The names and ranges mirror `centrehold.actors.hypotheses`, which this module does not
import (reading a scenario must not load the engine); a test keeps the two in step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from centrehold.scenario.tables import did_you_mean, scenario_error

INSTIGATORS: dict[str, str] = {
    "H0": "none",
    "H1": "governing_party",
    "H2": "sectarian_parties",
    "H3": "withdrawal_opponents",
    "H4": "contractors",
    "H5": "regional_sponsors",
    "H6": "outside_sponsors",
    "HA": "all_six_centre_failing",
    "HM": "all_six",
    "HI": "islamic_state_of_iraq",
    "HB": "syria_based_baathists",
}


@dataclass(frozen=True)
class Range:
    """Where a parameter's values make sense (the policy divides by some, raises others)."""

    low: float = 0.0
    high: float = math.inf
    low_open: bool = False  # True: low itself is excluded (a divisor)

    def holds(self, x: float) -> bool:
        above = x > self.low if self.low_open else x >= self.low
        return above and x <= self.high

    def words(self) -> str:
        if self.high == math.inf:
            return f"{'above' if self.low_open else 'at least'} {self.low:g}"
        return f"between {self.low:g} and {self.high:g}"


_RATE = Range()  # a count or weight: 0 or more
_SHARE = Range(0.0, 1.0)
_DIVISOR = Range(0.0, low_open=True)

# The parameters each policy reads; funding_exposure is read by the engine for all of them.
PARAMS: dict[str, dict[str, Range]] = {
    "H0": {},
    "H1": {"rate": _RATE, "window_days": _RATE, "boost": _RATE, "baseline": _RATE,
           "mixing_power": _RATE, "funding_exposure": _SHARE},
    "H2": {"rate": _RATE, "window_days": _RATE, "boost": _RATE, "baseline": _RATE,
           "homogeneity_power": _RATE, "funding_exposure": _SHARE},
    "H3": {"rate": _RATE, "decay_days": _DIVISOR, "boost": _RATE, "baseline": _RATE,
           "state_share": _SHARE, "funding_exposure": _SHARE},
    "H4": {"rate": _RATE, "w_baghdad": _RATE, "w_basra": _RATE, "w_kirkuk": _RATE,
           "funding_exposure": _SHARE},
    "H5": {"rate": _RATE, "tension_boost": _DIVISOR, "hop_decay": _SHARE,
           "state_share": _SHARE, "funding_exposure": _SHARE},
    "H6": {"rate": _RATE, "burst_days": _RATE, "boost": _RATE, "baseline": _RATE,
           "funding_exposure": _SHARE},
    # the mixture's weights come from u1..u6 in (0, 1] (-log u is Exp(1))
    "HM": {"rate": _RATE, **{f"u{k}": _SHARE for k in range(1, 7)},
           "funding_exposure": _SHARE},
    "HA": {"rate": _RATE, **{f"u{k}": _SHARE for k in range(1, 7)}, "gain": _RATE,
           "drop": _SHARE, "recovery_per_year": _RATE, "funding_exposure": _SHARE},
    "HI": {"rate": _RATE, "state_share": _SHARE, "w_baghdad": _SHARE,
           "burst_every_days": _RATE, "burst_attacks": _RATE, "funding_exposure": _SHARE},
    "HB": {"rate": _RATE, "w_baghdad": _SHARE, "hop_decay": _SHARE, "baseline": _RATE,
           "ramp_days": _RATE, "funding_exposure": _SHARE},
}


def check_hypotheses(hypotheses: Mapping[str, Any]) -> None:
    """Every hypothesis: a known key, its own instigator, known parameters within range,
    priors only on its parameters and inside their ranges."""
    for key, spec in hypotheses.items():
        here = f"hypotheses.{key}"
        if key not in INSTIGATORS:
            raise scenario_error(
                f"unknown hypothesis {key!r}",
                f"{did_you_mean(key, INSTIGATORS)}use one of {', '.join(INSTIGATORS)}",
                field=here)
        own = INSTIGATORS[key]
        instigator = spec.instigator
        if instigator and instigator != own:
            if instigator in INSTIGATORS.values():
                problem = f"{instigator!r} is another hypothesis's instigator; {key} is {own!r}"
            else:
                problem = f"unknown instigator {instigator!r}"
            raise scenario_error(
                problem, f"{did_you_mean(instigator, [own])}write instigator: {own} "
                "(a hypothesis's key picks its policy)", field=f"{here}.instigator")
        known = PARAMS[key]
        listed = ", ".join(known) or "none (it has no parameters)"
        for section in ("params", "priors"):
            for name in getattr(spec, section):
                if name not in known:
                    raise scenario_error(
                        f"{key} has no parameter {name!r}",
                        f"{did_you_mean(name, known)}{key}'s parameters: {listed}",
                        field=f"{here}.{section}.{name}")
        for name, value in spec.params.items():
            if not known[name].holds(value):
                raise scenario_error(f"got {value:g}", f"give a value {known[name].words()}",
                                     field=f"{here}.params.{name}")
        for name, prior in spec.priors.items():
            rng = known[name]
            if not (rng.holds(prior.low) and rng.holds(prior.high)):
                raise scenario_error(
                    f"the prior {prior.low:g}..{prior.high:g} leaves the parameter's range",
                    f"keep low and high {rng.words()}", field=f"{here}.priors.{name}")
