"""Helpers for the iraq-2009 tests: small, fast worlds built from the shipped scenario."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
import xarray as xr

from centrehold.models.regional.world import simulate_regional
from centrehold.scenario import load_scenario

SMALL = "10000"  # people per agent: ~3,250 civilians, a full calendar in well under a second
#: The armed actors' capacity and the dated episodes switched off: for tests that isolate a
#: hypothesis's own attacks or one agent-level mechanism from the campaigns around them.
ACTORS_OFF = {"mechanisms.insurgency": "false", "mechanisms.intra_community": "false",
              "mechanisms.militia_capacity": "false", "mechanisms.instigator_capacity": "false"}


def scenario(overrides: Mapping[str, object] | None = None, ppa: str = SMALL):
    ov = {"people_per_agent": ppa}
    ov.update({k: str(v) for k, v in (overrides or {}).items()})
    return load_scenario("iraq-2009", ov)


def run(overrides: Mapping[str, object] | None = None, seed: int = 1, ticks: int | None = None,
        ppa: str = SMALL) -> xr.Dataset:
    return simulate_regional(scenario(overrides, ppa), seed, ticks)


@pytest.fixture(scope="session")
def base_run() -> xr.Dataset:
    return run(seed=3)
