"""Stand-in engine Datasets of the shape the engine returns, to test the run folder alone."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import xarray as xr

STATES = ("quiet", "active", "jailed", "dead")


def civil_dataset(ticks: int = 30, groups=("blue", "green"), seed: int = 0) -> xr.Dataset:
    """Ticks 0..ticks by group, conserved population per group, random events."""
    rng = np.random.default_rng(seed)
    g = len(groups)
    active = rng.integers(0, 40, size=(ticks + 1, g))
    jailed = rng.integers(0, 20, size=(ticks + 1, g))
    dead = np.cumsum(rng.integers(0, 2, size=(ticks + 1, g)), axis=0)
    quiet = 500 - active - jailed - dead
    dims = ("tick", "group")
    ds = xr.Dataset(
        {
            "quiet": (dims, quiet), "active": (dims, active), "jailed": (dims, jailed),
            "dead": (dims, dead),
            "arrests": (dims, rng.integers(0, 5, size=(ticks + 1, g))),
            "killings": (dims, np.diff(dead, axis=0, prepend=dead[:1])),
            "cops": (("tick",), np.full(ticks + 1, 64)),
        },
        coords={"tick": np.arange(ticks + 1), "group": list(groups)},
    )
    ds.attrs.update(scenario="fake", seed=seed, schedule="sequential",
                    params=json.dumps({"name": "fake", "model": "toy", "legitimacy": 0.8}),
                    centrehold_version="0.1.0")
    return ds


REGIONS = ["IQ-BG", "IQ-BA", "IQ-NI"]
NAMES = ["Baghdad", "Basra", "Ninewa"]


def regional_dataset(days: int = 75, seed: int = 1) -> xr.Dataset:
    """A dated, three-region world with deaths by cause and a separate attack table."""
    rng = np.random.default_rng(seed)
    groups = ["shia_arab", "sunni_arab"]
    shape = (days + 1, len(groups), len(REGIONS))
    dims = ("tick", "group", "region")
    active = rng.integers(0, 10, size=shape)
    deaths = rng.integers(0, 3, size=shape + (2,))
    ds = xr.Dataset(
        {
            "quiet": (dims, 100 - active), "active": (dims, active),
            "jailed": (dims, np.zeros(shape, int)), "dead": (dims, np.zeros(shape, int)),
            "arrests": (dims, rng.integers(0, 4, size=shape)),
            "killings": (dims, deaths.sum(-1)),
            "deaths": ((*dims, "cause"), deaths),
            "segregation": (("tick", "region"), rng.random((days + 1, len(REGIONS)))),
            "attack_tick": (("attack",), np.array([3, 40, 70])),
            "attack_deaths": (("attack",), np.array([5, 12, 1])),
        },
        coords={
            "tick": np.arange(days + 1),
            "group": groups,
            "region": REGIONS,
            "region_name": ("region", NAMES),
            "cause": ["sectarian", "instigated"],
            "date": ("tick", pd.date_range("2009-05-17", periods=days + 1, freq="D")),
        },
    )
    ds.attrs.update(scenario="fake-regional", seed=seed, schedule="synchronous",
                    params=json.dumps({"name": "fake-regional"}), centrehold_version="0.1.0")
    return ds


TOY = """\
name: toy
description: a toy
model: epstein
ticks: 12
"""
